"""FAQ cards: the answer (verdict first), "not sure" with the closest questions, and the personal-case reply."""
from __future__ import annotations

from cards.common import card, heading, submit, text, user_text, with_id

VERDICT_STYLE = {"yes": ("Yes", "Good"), "no": ("No", "Attention"), "partly": ("Partly", "Warning")}
FOLLOW_UPS = {"refer": ("Make a referral", "refer"), "book_surgery": ("Book a surgery", "book")}
SOURCE_TITLES = {
    "000": "Virtual School for children with a social worker: aims and priorities",
    "001": "The Virtual School's extended duty to children with a social worker",
    "002": "What Virtual School Heads are and are not asked to do; the inclusion team",
    "003": "Guidance for schools: children who have or have had a social worker",
    "004": "Support available from the Virtual School (social workers and IROs)",
}


# Facts from the product brief's glossary and rules (PEP timing, absence thresholds, how referrals work).
BRIEF_TITLES = {"BRIEF.md glossary": "Virtual School definitions and statutory guidance",
                "BRIEF.md rules": "How the Virtual School's referrals and surgeries work"}


def source_title(source: str) -> str:
    if not source:
        return ""
    return BRIEF_TITLES.get(source) or SOURCE_TITLES.get(source[:3], source)


def _feedback(query_id: int) -> list[dict]:
    return [submit("👍 Helpful", "faq.feedback", query_id=query_id, helpful="yes"),
            submit("👎 Not helpful", "faq.feedback", query_id=query_id, helpful="no")]


def answer_card(*, entry, query_id: int) -> dict:
    label, color = VERDICT_STYLE[entry.verdict]
    body = [text(label, size="ExtraLarge", weight="Bolder", color=color),
            text(entry.title, weight="Bolder"),
            text(entry.answer)]
    if entry.instead:
        body.append(text(f"**Instead:** {entry.instead}"))
    if entry.source:
        body.append(text(f"Source: {source_title(entry.source)}", subtle=True, size="Small"))
    actions = [submit(title, "menu.open", target=target) for key, (title, target) in FOLLOW_UPS.items()
               if key in entry.actions]
    if "ask_staff" in entry.actions:
        actions.append(submit("Ask the Virtual School", "faq.forward", query_id=query_id))
    body.append(text("Was this helpful?", subtle=True, size="Small"))
    return with_id(card(body, actions + _feedback(query_id)), "faq-answer")


def unsure_card(*, question: str, suggestions, query_id: int, out_of_scope: bool) -> dict:
    intro = ("That doesn't look like something the Virtual School covers, so I won't guess."
             if out_of_scope else "I'm not sure I understood, and I won't guess.")
    body = [heading("I don't know the answer to that"), text(intro), user_text(question, label="You asked")]
    actions = []
    if suggestions:
        body.append(text("Did you mean one of these?"))
        actions = [submit(entry.title[:80], "faq.pick", entry_id=entry.id) for entry in suggestions[:3]]
    actions.append(submit("Pass my question to the Virtual School", "faq.forward", query_id=query_id))
    return with_id(card(body, actions), "faq-unsure")


def personal_case_card() -> dict:
    body = [heading("I can't discuss a particular child here"),
            text("I answer general questions about what the Virtual School does. For a particular child's "
                 "situation, talk to their social worker or the school's designated safeguarding lead, or make a "
                 "referral to the inclusion team. Please don't type a child's details into this chat.")]
    return with_id(card(body, [submit("Make a referral", "menu.open", target="refer")]), "faq-personal")


def unavailable_card() -> dict:
    return with_id(card([heading("I can't answer questions right now"),
                         text("The knowledge base is being updated. Please try again shortly, or contact the "
                              "Virtual School directly.")]), "faq-unavailable")


def forwarded_staff_card(*, question: str, query_id: int, asker_name: str) -> dict:
    body = [heading("A question for the Virtual School"),
            text("The assistant could not answer this question and the person asked for it to be passed on. "
                 "Please reply to them in Teams, and consider adding it to the knowledge base (`vsbot faq gaps`)."),
            user_text(asker_name, label="Asked by"), user_text(question, label="Question"),
            text(f"Question id {query_id}", subtle=True, size="Small")]
    return with_id(card(body), "faq-forwarded")
