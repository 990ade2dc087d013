"""Turn an Answer into words or a JSON-ready dict. Shared by the CLI and the bot's answer card."""
from __future__ import annotations

from typing import Any

from dialogs.faq.knowledge.matcher import Answer

VERDICT_LABELS = {"yes": "Yes", "no": "No", "partly": "Partly", "unknown": "Not sure"}
ACTION_LABELS = {"refer": "Make a referral", "book_surgery": "Book a surgery", "ask_staff": "Ask the Virtual School team"}

# What a parent or carer is told about their own child (seed 002: the Virtual School does not respond to
# parents' requests about an individual child with a social worker; the brief: signpost the Local Offer and
# SEND IASS for SEND without a social worker).
PARENT_SIGNPOST = (
    "The Virtual School works through the professionals around a child, so it can't take requests from parents "
    "or carers about their own child. Talk to your child's school (the designated teacher or the designated "
    "safeguarding lead) or your child's social worker: they can refer to the Virtual School's inclusion team if "
    "your child is out of education, at risk of exclusion or facing barriers to education. For special "
    "educational needs, see the local authority's Local Offer or SEND IASS. If your child was previously in care "
    "(adopted, or under a special guardianship or child arrangements order), you can ask the Virtual School for "
    "advice and information."
)

_UNKNOWN_OPENINGS = {
    "personal_case": (
        "I can't look up or discuss one child's details here. For a specific child, make a referral "
        "(it goes to the locality officer for where the child lives) or contact the child's social worker."
    ),
    "out_of_scope": (
        "I don't know: I can only answer questions about what the Virtual School does and doesn't do."
    ),
    "low_confidence": "I'm not sure I know the answer to that.",
    "mismatch": "I'm not sure: the closest question I can answer is about something different.",
    "not_covered": "",
    "parent": PARENT_SIGNPOST,
    "empty": "Please type your question in a sentence, for example: Does the Virtual School chair PEP meetings?",
}


def answer_text(answer: Answer) -> str:
    """The plain-English answer: the entry's answer, each part's, or an honest "I don't know" with suggestions."""
    if answer.parts:
        lines = [f"{VERDICT_LABELS[answer.verdict]}: your question has {len(answer.parts)} parts."]
        lines += [" ".join(x for x in (f"{VERDICT_LABELS[p.verdict]} — {p.entry.title}", p.note, p.entry.answer) if x)
                  for p in answer.parts]
        return " ".join(lines)
    if answer.entry is not None:
        text = f"{answer.note} {answer.entry.answer}" if answer.note else answer.entry.answer
        return f"{text} {PARENT_SIGNPOST}" if answer.audience == "parent" and answer.verdict != "yes" else text
    if answer.reason == "not_covered" and answer.offered is not None:
        return answer.offered.answer + (f" {answer.offered.instead}" if answer.offered.instead else "")
    parts = [_UNKNOWN_OPENINGS.get(answer.reason, _UNKNOWN_OPENINGS["low_confidence"])]
    if answer.reason == "mismatch" and answer.offered is not None:
        parts.append(f'It is closest to "{answer.offered.title}", which may not be what you asked.')
    if answer.suggestions and answer.reason not in {"empty", "parent"}:
        titles = "; ".join(f'"{e.title}"' for e in answer.suggestions)
        parts.append(f"The closest questions I can answer are: {titles}.")
    if answer.reason in {"low_confidence", "personal_case", "mismatch"}:
        parts.append("You can also pass your question to the Virtual School team.")
    return " ".join(p for p in parts if p)


def answer_to_dict(answer: Answer) -> dict[str, Any]:
    """One JSON object per answer (the `vsbot ask --json` contract: at least `verdict` and `answer`)."""
    entry = answer.entry
    return {
        "verdict": answer.verdict,
        "answer": answer_text(answer),
        "id": entry.id if entry else None,
        "title": entry.title if entry else None,
        "score": answer.score,
        "instead": entry.instead if entry else "",
        "source": entry.source if entry else None,
        "cohorts": list(entry.cohorts) if entry else [],
        "actions": list(entry.actions) if entry else ["ask_staff"],
        "suggestions": [{"id": e.id, "title": e.title} for e in answer.suggestions],
        "reason": answer.reason,
        "offered": {"id": answer.offered.id, "title": answer.offered.title} if answer.offered else None,
        "parts": [{"ask": p.ask, "verdict": p.verdict, "id": p.entry.id, "title": p.entry.title, "note": p.note}
                  for p in answer.parts],
        "note": answer.note,
        "audience": answer.audience,
        "keep_text": answer.keep_text,
    }


def format_answer(answer: Answer) -> str:
    """Human-readable, several lines, for a terminal."""
    entry = answer.entry
    if entry is None:
        return f"[{VERDICT_LABELS[answer.verdict]}] {answer_text(answer)}"
    if answer.parts:
        lines = [f"[{VERDICT_LABELS[answer.verdict]}] your question has {len(answer.parts)} parts"]
        for part in answer.parts:
            lines.append(f"  [{VERDICT_LABELS[part.verdict]}] {part.entry.title} (you asked: {part.ask})")
            if part.note:
                lines.append(f"    {part.note}")
            lines.append(f"    {part.entry.answer}")
        return "\n".join(lines)
    lines = [f"[{VERDICT_LABELS[answer.verdict]}] {entry.title}"]
    if answer.note:
        lines.append(answer.note)
    lines.append(entry.answer)
    if entry.instead:
        lines.append(f"Instead: {entry.instead}")
    if answer.audience == "parent":
        lines.append(f"For parents and carers: {PARENT_SIGNPOST}")
    if entry.actions:
        lines.append("Next: " + " · ".join(ACTION_LABELS[a] for a in entry.actions))
    lines.append(f"Source: {entry.source} · confidence {answer.score:.2f} · id {entry.id}")
    if answer.suggestions:
        lines.append("Related: " + "; ".join(e.title for e in answer.suggestions))
    return "\n".join(lines)
