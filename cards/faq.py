"""FAQ cards: the answer (verdict first, then the question it answers), "not sure" with the closest questions
(or the one close entry that is about something else), a question in two parts, the parents' signpost and the
personal-case reply. `faq_card` picks the right one for a matcher Answer.

Suggestion buttons carry short titles (Teams cuts a button's title after about 40 characters on a phone);
the full question is in the answer card, so a person can see at a glance which question was answered.
"""
from __future__ import annotations

from cards.common import card, heading, submit, text, user_text, with_id
from dialogs.faq.knowledge.present import PARENT_SIGNPOST

VERDICT_STYLE = {"yes": ("Yes", "Good"), "no": ("No", "Attention"), "partly": ("Partly", "Warning"),
                 "unknown": ("Not sure", "Default")}
FOLLOW_UPS = {"refer": ("Make a referral", "refer"), "book_surgery": ("Book a surgery", "book")}
SOURCE_TITLES = {
    "000": "Virtual School for children with a social worker: aims and priorities",
    "001": "The Virtual School's extended duty to children with a social worker",
    "002": "What Virtual School Heads are and are not asked to do; the inclusion team",
    "003": "Guidance for schools: children who have or have had a social worker",
    "004": "Support available from the Virtual School (social workers and IROs)",
}
BUTTON_CHARS = 40  # what Teams shows of a button's title on a phone before cutting it
MAX_PICKS = 3

# Facts from the product brief's glossary and rules (PEP timing, absence thresholds, how referrals work).
BRIEF_TITLES = {"BRIEF.md glossary": "Virtual School definitions and statutory guidance",
                "BRIEF.md rules": "How the Virtual School's referrals and surgeries work"}



def source_title(source: str) -> str:
    if not source:
        return ""
    return BRIEF_TITLES.get(source) or SOURCE_TITLES.get(source[:3], source)


def button_title(entry) -> str:
    """A suggestion button's title that fits: the entry's short title, else a shortened question."""
    title = getattr(entry, "button_title", None) or entry.title
    if len(title) <= BUTTON_CHARS:
        return title
    return title[: BUTTON_CHARS - 1].rsplit(" ", 1)[0].rstrip(",;:") + "…"


def _feedback(query_id: int | str) -> list[dict]:
    return [submit("👍 Helpful", "faq.feedback", query_id=query_id, helpful="yes"),
            submit("👎 Not helpful", "faq.feedback", query_id=query_id, helpful="no")]


def _picks(entries, limit: int = MAX_PICKS) -> list[dict]:
    return [submit(button_title(e), "faq.pick", entry_id=e.id) for e in list(entries)[:limit]]


def _follow_ups(entry, query_id: int | str) -> list[dict]:
    actions = [submit(title, "menu.open", target=target) for key, (title, target) in FOLLOW_UPS.items()
               if key in entry.actions]
    if "ask_staff" in entry.actions:
        actions.append(submit("Ask the Virtual School", "faq.forward", query_id=query_id))
    return actions


def answer_card(*, entry, query_id: int | str, answer=None, question: str | None = None) -> dict:
    """The answer to one entry: verdict, the question it answers (body[1]), why, who instead, the source.

    With the matcher's `answer`, the verdict is the answer's (a figure outside the entry's condition turns
    yes into no, with a note), a question in two parts shows each part, and a parent gets the signpost.
    With `question`, the card also shows what the person typed, so a mismatch is visible at a glance.
    """
    if answer is not None and getattr(answer, "parts", ()):
        return parts_card(answer=answer, query_id=query_id, question=question)
    verdict = answer.verdict if answer is not None and answer.verdict in VERDICT_STYLE else entry.verdict
    label, color = VERDICT_STYLE.get(verdict, VERDICT_STYLE["unknown"])
    body = [text(label, size="ExtraLarge", weight="Bolder", color=color),
            text(entry.title, weight="Bolder")]
    if question:
        body.append(user_text(question, label="You asked"))
    note = getattr(answer, "note", "") if answer is not None else ""
    if note:
        body.append(text(note, weight="Bolder"))
    body.append(text(entry.answer))
    if entry.instead:
        body.append(text(f"**Instead:** {entry.instead}"))
    if answer is not None and getattr(answer, "audience", "") == "parent":
        body.append(text(f"**For parents and carers:** {PARENT_SIGNPOST}"))
    if entry.source:
        body.append(text(f"Source: {source_title(entry.source)}", subtle=True, size="Small"))
    body.append(text("Was this helpful?", subtle=True, size="Small"))
    return with_id(card(body, _follow_ups(entry, query_id) + _feedback(query_id)), "faq-answer")


def parts_card(*, answer, query_id: int | str, question: str | None = None) -> dict:
    """A question that joins two asks: the combined verdict, then each part with its own verdict and question."""
    label, color = VERDICT_STYLE[answer.verdict]
    body = [text(label, size="ExtraLarge", weight="Bolder", color=color),
            text(f"Your question has {len(answer.parts)} parts", weight="Bolder")]
    if question:
        body.append(user_text(question, label="You asked"))
    for part in answer.parts:
        part_label, part_color = VERDICT_STYLE[part.verdict]
        body.append(text(f"{part_label} — {part.entry.title}", weight="Bolder", color=part_color, spacing="Medium"))
        if getattr(part, "note", ""):  # why this part's verdict is not the entry's ("These alerts go to ...")
            body.append(text(part.note, weight="Bolder"))
        body.append(text(part.entry.answer))
        if part.entry.instead and part.verdict != "yes":
            body.append(text(f"**Instead:** {part.entry.instead}"))
    sources = sorted({source_title(p.entry.source) for p in answer.parts if p.entry.source})
    if sources:
        body.append(text("Source: " + "; ".join(sources), subtle=True, size="Small"))
    body.append(text("Was this helpful?", subtle=True, size="Small"))
    actions: list[dict] = []
    for part in answer.parts:
        for action in _follow_ups(part.entry, query_id):
            if action not in actions:
                actions.append(action)
    return with_id(card(body, actions + _feedback(query_id)), "faq-answer")


def unsure_card(*, question: str, suggestions, query_id: int | str, out_of_scope: bool, offered=None,
                reason: str | None = None) -> dict:
    """No verdict. With `offered` (reason "mismatch"): the one close entry is about something else — say so,
    show its full question, offer it. With reason "not_covered": the entry that says the pages don't cover it."""
    if reason == "not_covered" and offered is not None:
        return not_covered_card(question=question, entry=offered, query_id=query_id)
    if offered is not None:
        body = [heading("Not sure — I found a different question"),
                text("I won't give you a yes or no, because the closest question I can answer is not quite what "
                     "you asked. Check whether it is what you meant:"),
                user_text(question, label="You asked"),
                text(f"**Closest question:** {offered.title}")]
        others = [e for e in suggestions if e.id != offered.id]
        actions = [submit("See that answer", "faq.pick", entry_id=offered.id)] + _picks(others, MAX_PICKS - 1)
        actions.append(submit("Pass my question to the Virtual School", "faq.forward", query_id=query_id))
        return with_id(card(body, actions), "faq-unsure")
    intro = ("That doesn't look like something the Virtual School covers, so I won't guess."
             if out_of_scope else "I'm not sure I understood, and I won't guess.")
    body = [heading("I don't know the answer to that"), text(intro), user_text(question, label="You asked")]
    actions = []
    if suggestions:
        body.append(text("Did you mean one of these?"))
        actions = _picks(suggestions)
    actions.append(submit("Pass my question to the Virtual School", "faq.forward", query_id=query_id))
    return with_id(card(body, actions), "faq-unsure")


def not_covered_card(*, question: str, entry, query_id: int | str) -> dict:
    """The Virtual School's pages don't cover this: say so plainly, say what they do say, and who to ask."""
    body = [text("Not sure", size="ExtraLarge", weight="Bolder"),
            text(entry.title, weight="Bolder"),
            user_text(question, label="You asked"),
            text(entry.answer)]
    if entry.instead:
        body.append(text(f"**Ask:** {entry.instead}"))
    if entry.source:
        body.append(text(f"Source: {source_title(entry.source)}", subtle=True, size="Small"))
    actions = [submit("Pass my question to the Virtual School", "faq.forward", query_id=query_id)]
    return with_id(card(body, actions), "faq-unsure")


def parent_card(*, query_id: int | str, offered=None, question: str | None = None) -> dict:
    """A parent or carer asking about their own child: where to go instead (no referral button: only
    professionals refer)."""
    body = [heading("For parents and carers"), text(PARENT_SIGNPOST)]
    if question:
        body.append(user_text(question, label="You asked"))
    actions = []
    if offered is not None:
        body.append(text(f"**Related question:** {offered.title}"))
        actions.append(submit(button_title(offered), "faq.pick", entry_id=offered.id))
    return with_id(card(body, actions), "faq-parent")


def personal_case_card(*, parent: bool = False) -> dict:
    if parent:
        body = [heading("I can't discuss your child's details here"),
                text("I answer general questions about what the Virtual School does. Please don't type your child's "
                     "details into this chat. " + PARENT_SIGNPOST)]
        return with_id(card(body), "faq-personal")
    body = [heading("I can't discuss a particular child here"),
            text("I answer general questions about what the Virtual School does. For a particular child's "
                 "situation, talk to their social worker or the school's designated safeguarding lead, or make a "
                 "referral to the inclusion team. Please don't type a child's details into this chat.")]
    return with_id(card(body, [submit("Make a referral", "menu.open", target="refer")]), "faq-personal")


def faq_card(*, answer, question: str, query_id: int | str) -> dict:
    """The card for a matcher Answer (the one call the bot's handler needs)."""
    reason = getattr(answer, "reason", "matched")
    if answer.entry is not None and answer.verdict in ("yes", "no", "partly"):
        return answer_card(entry=answer.entry, query_id=query_id, answer=answer, question=question)
    if reason == "personal_case":
        return personal_case_card(parent=getattr(answer, "audience", "") == "parent")
    if reason == "parent":
        offered = getattr(answer, "offered", None)
        topic = offered if offered is not None and offered.id != "parent-requests-cwsw" else None
        return parent_card(query_id=query_id, offered=topic, question=question)
    return unsure_card(question=question, suggestions=list(answer.suggestions), query_id=query_id,
                       out_of_scope=reason == "out_of_scope", offered=getattr(answer, "offered", None),
                       reason=reason)


def unavailable_card() -> dict:
    return with_id(card([heading("I can't answer questions right now"),
                         text("The knowledge base is being updated. Please try again shortly, or contact the "
                              "Virtual School directly.")]), "faq-unavailable")


def forwarded_staff_card(*, question: str, query_id: int | str, asker_name: str) -> dict:
    body = [heading("A question for the Virtual School"),
            text("The assistant could not answer this question and the person asked for it to be passed on. "
                 "Please reply to them in Teams, and consider adding it to the knowledge base (`vsbot faq gaps`, "
                 "then `vsbot faq learn`)."),
            user_text(asker_name, label="Asked by"), user_text(question, label="Question"),
            text(f"Question id {query_id}", subtle=True, size="Small")]
    return with_id(card(body), "faq-forwarded")


def samples() -> dict[str, list[dict]]:
    """Example cards per builder, for the card-validity test (tests/test_cards_valid.py)."""
    from types import SimpleNamespace  # pylint: disable=import-outside-toplevel

    def entry(entry_id: str, verdict: str, **overrides):
        base = dict(id=entry_id, title="Does the Virtual School chair PEP meetings for children in care and make sure "
                    "they happen on time?", verdict=verdict, answer="Yes. It chairs them.", instead="The school.",
                    source="004_78a1ed2eeea5494f.txt", actions=("refer", "book_surgery", "ask_staff"),
                    button_title=None)
        base.update(overrides)
        return SimpleNamespace(**base)

    yes, no, partly = entry("a", "yes"), entry("b", "no", instead=""), entry("c", "partly", actions=())
    hostile = "[x](https://evil.example) **bold** " + "long " * 200

    def answer(**fields):
        base = dict(entry=None, verdict="unknown", reason="low_confidence", suggestions=(yes, no, partly),
                    offered=None, parts=(), note="", audience="professional")
        base.update(fields)
        return SimpleNamespace(**base)

    parts = (SimpleNamespace(ask="chair", verdict="yes", entry=yes), SimpleNamespace(ask="pay", verdict="no", entry=no))
    return {
        "answer_card": [answer_card(entry=e, query_id=1) for e in (yes, no, partly)]
        + [answer_card(entry=yes, query_id=1, answer=answer(entry=yes, verdict="no", note="92% is above the line.",
                                                           audience="parent", reason="matched"), question=hostile)],
        "parts_card": [parts_card(answer=answer(entry=yes, verdict="partly", parts=parts, reason="matched"),
                                  query_id=1, question=hostile)],
        "unsure_card": [unsure_card(question=hostile, suggestions=[yes, no, partly], query_id=1, out_of_scope=False),
                        unsure_card(question="weather?", suggestions=[], query_id=1, out_of_scope=True),
                        unsure_card(question=hostile, suggestions=[yes, no], query_id=1, out_of_scope=False,
                                    offered=partly, reason="mismatch"),
                        unsure_card(question=hostile, suggestions=[], query_id=1, out_of_scope=False,
                                    offered=entry("d", "unknown"), reason="not_covered")],
        "not_covered_card": [not_covered_card(question=hostile, entry=entry("d", "unknown"), query_id=1)],
        "parent_card": [parent_card(query_id=1), parent_card(query_id=1, offered=yes, question=hostile)],
        "personal_case_card": [personal_case_card(), personal_case_card(parent=True)],
        "faq_card": [faq_card(answer=answer(entry=yes, verdict="yes", reason="matched"), question="q", query_id=1),
                     faq_card(answer=answer(reason="parent", offered=yes), question="q", query_id=1)],
        "unavailable_card": [unavailable_card()],
        "forwarded_staff_card": [forwarded_staff_card(question=hostile, query_id=7, asker_name=hostile)],
    }
