"""Small builders shared by every card. Cards are plain dicts (never JSON built from strings).

Teams renders markdown in TextBlocks and FactSet values. Our own wording may use it; anything a person
typed or chose (a child's name, a school, details, a topic, a Teams display name) goes only through
`user_text`, a RichTextBlock of TextRuns, which Adaptive Card hosts never parse as markdown."""
from __future__ import annotations

from typing import Any

CARD_CONTENT_TYPE = "application/vnd.microsoft.card.adaptive"
SCHEMA = "http://adaptivecards.io/schemas/adaptive-card.json"
VERSION = "1.5"  # the newest version Teams renders on desktop, web and mobile


def user_text(value: str | None, *, label: str | None = None, weight: str | None = None,
              subtle: bool = False, size: str | None = None) -> dict:
    """Text a person typed. A RichTextBlock's TextRuns are never parsed as markdown, so quotes, braces,
    asterisks and links in user text render literally."""
    inlines: list[dict] = []
    if label:
        inlines.append({"type": "TextRun", "text": f"{label}: ", "weight": "Bolder"})
    run: dict[str, Any] = {"type": "TextRun", "text": value or ""}
    if weight:
        run["weight"] = weight
    if subtle:
        run["isSubtle"] = True
    if size:
        run["size"] = size
    inlines.append(run)
    return {"type": "RichTextBlock", "inlines": inlines}


def user_facts(pairs: list[tuple[str, str | None]]) -> list[dict]:
    """Label: value lines where the values may be typed text (one RichTextBlock each, spacing tight)."""
    blocks = [user_text(value, label=label) for label, value in pairs]
    for block in blocks[1:]:
        block["spacing"] = "None"
    return blocks


def card(body: list[dict], actions: list[dict] | None = None, *, speak: str | None = None) -> dict:
    out: dict[str, Any] = {"type": "AdaptiveCard", "$schema": SCHEMA, "version": VERSION, "body": body}
    if actions:
        out["actions"] = actions
    if speak:
        out["speak"] = speak
    out["msteams"] = {"width": "Full"}
    return out


def heading(text: str, *, size: str = "Large") -> dict:
    return {"type": "TextBlock", "text": text, "size": size, "weight": "Bolder", "wrap": True, "style": "heading"}


def text(value: str, *, subtle: bool = False, size: str | None = None, color: str | None = None,
         weight: str | None = None, spacing: str | None = None) -> dict:
    block: dict[str, Any] = {"type": "TextBlock", "text": value, "wrap": True}
    if spacing:
        block["spacing"] = spacing
    if subtle:
        block["isSubtle"] = True
    if size:
        block["size"] = size
    if color:
        block["color"] = color
    if weight:
        block["weight"] = weight
    return block


def facts(pairs: list[tuple[str, str]]) -> dict:
    """Our own values only (references, statuses, dates, labels): Teams renders markdown in fact values."""
    return {"type": "FactSet", "facts": [{"title": title, "value": value} for title, value in pairs]}


def submit(title: str, action: str, *, style: str | None = None, **data: Any) -> dict:
    """An Action.Submit whose data.action is the verb the bot routes on."""
    button: dict[str, Any] = {"type": "Action.Submit", "title": title, "data": {"action": action, **data}}
    if style:
        button["style"] = style
    return button


def with_id(card_dict: dict, card_id: str) -> dict:
    """Tag a card with a stable id so tests and the Playground can tell cards apart."""
    card_dict["id"] = card_id
    return card_dict
