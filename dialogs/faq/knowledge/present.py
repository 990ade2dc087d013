"""Turn an Answer into words or a JSON-ready dict. Shared by the CLI and the bot's answer card."""
from __future__ import annotations

from typing import Any

from dialogs.faq.knowledge.matcher import Answer

VERDICT_LABELS = {"yes": "Yes", "no": "No", "partly": "Partly", "unknown": "Not sure"}
ACTION_LABELS = {"refer": "Make a referral", "book_surgery": "Book a surgery", "ask_staff": "Ask the Virtual School team"}

_UNKNOWN_OPENINGS = {
    "personal_case": (
        "I can't look up or discuss one child's details here. For a specific child, make a referral "
        "(it goes to the locality officer for where the child lives) or contact the child's social worker."
    ),
    "out_of_scope": (
        "I don't know: I can only answer questions about what the Virtual School does and doesn't do."
    ),
    "low_confidence": "I'm not sure I know the answer to that.",
    "empty": "Please type your question in a sentence, for example: Does the Virtual School chair PEP meetings?",
}


def answer_text(answer: Answer) -> str:
    """The plain-English answer: the entry's answer, or an honest "I don't know" with suggestions."""
    if answer.entry is not None:
        return answer.entry.answer
    parts = [_UNKNOWN_OPENINGS.get(answer.reason, _UNKNOWN_OPENINGS["low_confidence"])]
    if answer.suggestions and answer.reason != "empty":
        titles = "; ".join(f'"{e.title}"' for e in answer.suggestions)
        parts.append(f"The closest questions I can answer are: {titles}.")
    if answer.reason in {"low_confidence", "personal_case"}:
        parts.append("You can also pass your question to the Virtual School team.")
    return " ".join(parts)


def answer_to_dict(answer: Answer) -> dict[str, Any]:
    """One JSON object per answer (the `vsbot ask --json` contract)."""
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
    }


def format_answer(answer: Answer) -> str:
    """Human-readable, several lines, for a terminal."""
    entry = answer.entry
    if entry is None:
        return answer_text(answer)
    lines = [f"[{VERDICT_LABELS[answer.verdict]}] {entry.title}", entry.answer]
    if entry.instead:
        lines.append(f"Instead: {entry.instead}")
    if entry.actions:
        lines.append("Next: " + " · ".join(ACTION_LABELS[a] for a in entry.actions))
    lines.append(f"Source: {entry.source} · confidence {answer.score:.2f} · id {entry.id}")
    if answer.suggestions:
        lines.append("Related: " + "; ".join(e.title for e in answer.suggestions))
    return "\n".join(lines)
