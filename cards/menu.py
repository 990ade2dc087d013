"""Welcome card, main menu and plain notices."""
from __future__ import annotations

from cards.common import card, heading, submit, text, user_text, with_id

MENU_ITEMS: list[tuple[str, str, str]] = [
    ("Make a referral", "refer", "Refer a child to the inclusion team"),
    ("Book a surgery", "book", "Book a place at an advice surgery"),
    ('Ask "does the Virtual School do…?"', "ask", "Get a yes / no / partly answer"),
    ("My referrals", "my_referrals", "See the referrals you made or hold"),
    ("My bookings", "my_bookings", "See and cancel your surgery bookings"),
]


def _menu_actions() -> list[dict]:
    return [submit(title, "menu.open", target=target) for title, target, _ in MENU_ITEMS]


def main_menu_card(*, intro: str | None = None) -> dict:
    body = [heading("What would you like to do?")]
    if intro:
        body.insert(0, text(intro))
    body.append(text("You can also type a command: refer · book · ask · my referrals · help.", subtle=True))
    return with_id(card(body, _menu_actions()), "main-menu")


def welcome_card(*, first_name: str | None = None, team: bool = False) -> dict:
    where = "this team" if team else "Teams"
    body = [
        heading("Virtual School Assistant"),
        # The name is the person's Teams display name: plain text, never markdown.
        user_text(f"Hello {first_name}," if first_name else "Hello,"),
        text(
            f"I'm the Virtual School's assistant in {where}. I can take a referral to the inclusion "
            "team, book you a place at a Virtual School surgery, and tell you what the Virtual School does "
            "and does not do.", spacing="None"
        ),
        text(
            "Please don't put a child's details in a team channel: referrals are made in a personal chat with me.",
            subtle=True,
        ),
    ]
    return with_id(card(body, _menu_actions()), "welcome")


def notice_card(title: str, message: str, *, card_id: str = "notice", show_menu: bool = False) -> dict:
    body = [heading(title), text(message)]
    return with_id(card(body, _menu_actions() if show_menu else None), card_id)


def flow_help_card(*, title: str, message: str) -> dict:
    """`help` typed while a flow is open: what can be done with it, and the way out."""
    body = [heading(f"You're in the middle of {title}", size="Medium"), text(message),
            text("Type **cancel** to stop it, or carry on with it above.", subtle=True)]
    return with_id(card(body), "flow-help")


def refusal_card(*, title: str, message: str, card_id: str = "refused") -> dict:
    """A polite no: wrong place, wrong role, an unknown or stale button. Never names a child or a referral."""
    return with_id(card([heading(title, size="Medium"), text(message)]), card_id)


def undeliverable_card(*, subject: str, recipient_name: str | None, reason: str) -> dict:
    """Told once to the people concerned when a message could not reach its recipient."""
    body = [heading("A message could not be delivered", size="Medium"),
            text(f"The assistant could not deliver a message about {subject}: {reason}. "
                 "Please contact them another way."),
            user_text(recipient_name or "(not in the staff directory)", label="Intended for")]
    return with_id(card(body), "undeliverable")


def samples() -> dict[str, list[dict]]:
    """One or more example cards per builder, for the card-validity test (tests/test_cards_valid.py)."""
    return {
        "main_menu_card": [main_menu_card(), main_menu_card(intro="You're part way through something.")],
        "welcome_card": [welcome_card(first_name="Sam"), welcome_card(team=True),
                         welcome_card(first_name="[x](https://evil.example)")],
        "notice_card": [notice_card("Not available", "Use e-mail.", show_menu=True), notice_card("Done", "Saved.")],
        "flow_help_card": [flow_help_card(title="a referral", message="Fill in the form and press **Send**.")],
        "refusal_card": [refusal_card(title="Let's do that in a personal chat", message="Children's details.")],
        "undeliverable_card": [undeliverable_card(subject="referral VS-2026-00042", recipient_name="Sam Reed",
                                                  reason="they have not opened a chat with the assistant yet"),
                               undeliverable_card(subject="x", recipient_name=None, reason="HTTP 403")],
    }
