"""Alert cards (PEP reviews, attendance) and the managers' weekly digest.

An alert shows what its reader needs and no more: the child's initials and local id, why it fired, the
figures and the due date — never a name, a date of birth, a school or an address. Initials and ids come from
imported files, so they go through `user_text` (never parsed as markdown)."""
from __future__ import annotations

from datetime import date, datetime

from cards.common import card, facts, heading, submit, text, user_text, with_id
from storage.vocabulary import AlertKind

HEADINGS = {
    AlertKind.PEP_DUE: "PEP review coming up",
    AlertKind.PEP_REMINDER: "Reminder: PEP review in a few days",
    AlertKind.PEP_OVERDUE: "PEP review overdue",
    AlertKind.PERSISTENT_ABSENCE: "Attendance: persistent absence",
    AlertKind.SEVERE_ABSENCE: "Attendance: severe absence",
    AlertKind.ATTENDANCE_DROP: "Attendance has dropped",
}
CARD_IDS = {kind: ("alert-pep" if kind.startswith("pep") else "alert-attendance") for kind in AlertKind}


def initials(first_name: str | None, last_name: str | None) -> str:
    """"Ava O'Neil-Example" → "A.O." (letters only, so nothing in a name can become markup or a link)."""
    letters = [next((ch for ch in (part or "") if ch.isalpha()), "") for part in (first_name, last_name)]
    return "".join(f"{ch.upper()}." for ch in letters if ch) or "?"


def _day(value: date) -> str:
    return value.strftime("%a %d %b %Y")


def _pct(value: float | None) -> str:
    return "not enough sessions to judge" if value is None else f"{value:g}%"


def why(kind: AlertKind, figures: dict) -> str:
    """One sentence: why this alert fired."""
    if kind is AlertKind.PEP_OVERDUE:
        return (f"The PEP review was due on {_day(date.fromisoformat(figures['due_date']))} and has not been "
                "recorded as done.")
    if kind in (AlertKind.PEP_DUE, AlertKind.PEP_REMINDER):
        days = figures.get("days_left", 0)
        when = "today" if days == 0 else "tomorrow" if days == 1 else f"in {days} days"
        return f"The PEP review is due {when}. Please make sure the meeting is booked and the plan is up to date."
    line = {AlertKind.SEVERE_ABSENCE: figures.get("severe"), AlertKind.PERSISTENT_ABSENCE: figures.get("persistent")}
    if kind is AlertKind.ATTENDANCE_DROP:
        return (f"Attendance over the last four weeks is {figures.get('drop', 10):g} points or more below the four "
                "weeks before.")
    crossed = " and ".join(name for name, key in (("the last four weeks", "four_weeks"), ("the term so far", "term"))
                           if figures.get(key) is not None and figures[key] <= line[kind] + 1e-9)
    extra = " It has also dropped sharply against the four weeks before." if figures.get("dropped") else ""
    return f"Attendance over {crossed or 'the period'} is now at or below {line[kind]:g}%.{extra}"


def _figures(kind: AlertKind, figures: dict) -> list[tuple[str, str]]:
    if kind.startswith("pep"):
        return [("Due date", _day(date.fromisoformat(figures["due_date"])))] + (
            [("Locality", figures["locality"])] if figures.get("locality") else [])
    rows = [("Last 4 weeks", _pct(figures.get("four_weeks"))),
            ("4 weeks before", _pct(figures.get("previous"))),
            ("Term so far", _pct(figures.get("term")))]
    return rows + ([("Locality", figures["locality"])] if figures.get("locality") else [])


def _body(kind: AlertKind, child_initials: str, local_id: str, figures: dict, title: str | None = None) -> list[dict]:
    return [heading(title or HEADINGS[kind], size="Medium"),
            user_text(f"{child_initials} · {local_id}", label="Child", weight="Bolder"),
            text(why(kind, figures)),
            facts(_figures(kind, figures))]


def alert_card(*, alert_id: int, kind: AlertKind, child_initials: str, local_id: str, figures: dict,
               snooze_days: int = 7, again: bool = False) -> dict:
    """The alert with Acknowledge, Snooze and Make a referral (each checked on the server)."""
    body = _body(kind, child_initials, local_id, figures,
                 title=f"Still open: {HEADINGS[kind][0].lower()}{HEADINGS[kind][1:]}" if again else None)
    body.append(text("Acknowledge when it is in hand; snooze to have it back later if it still applies.",
                     subtle=True, size="Small"))
    actions = [submit("Acknowledge", "alert.ack", style="positive", alert_id=alert_id),
               submit(f"Snooze {snooze_days} days", "alert.snooze", alert_id=alert_id),
               submit("Make a referral", "alert.refer", alert_id=alert_id)]
    return with_id(card(body, actions), CARD_IDS[kind])


def alert_done_card(*, kind: AlertKind, child_initials: str, local_id: str, figures: dict, status_line: str) -> dict:
    """The same alert after the reader acted on it (replaced in place, without buttons)."""
    body = _body(kind, child_initials, local_id, figures)
    body.append(text(status_line, weight="Bolder", color="Good"))
    return with_id(card(body), "alert-done")


# --- the weekly digest ---------------------------------------------------------------------------------------
def _section(title: str, count: int, lines: list[str], *, empty: str) -> list[dict]:
    blocks: list[dict] = [text(f"{title}: {count:,}", weight="Bolder", spacing="Medium")]
    if not count:
        blocks.append(text(empty, subtle=True, size="Small", spacing="None"))
        return blocks
    blocks += [{**user_text(line, size="Small"), "spacing": "None"} for line in lines]
    if count > len(lines):
        blocks.append(text(f"… and {count - len(lines):,} more", subtle=True, size="Small", spacing="None"))
    return blocks


def digest_card(*, week_of: date, scope: str, absence: tuple[int, int, list[str]], overdue_peps: tuple[int, list[str]],
                late_referrals: tuple[int, list[str]], undelivered: tuple[int, list[str]]) -> dict:
    """Counts first, then the top items of each section (the rest counted), so it stays readable at any size.
    `absence` is (persistent including severe, severe, lines)."""
    persistent, severe, absent_lines = absence
    body: list[dict] = [heading("Weekly digest", size="Large"),
                        text(f"Week of {week_of.strftime('%d %b %Y')} · {scope}", subtle=True, spacing="None"),
                        facts([("Persistent absence", f"{persistent:,} (of which severe: {severe:,})"),
                               ("Overdue PEP reviews", f"{overdue_peps[0]:,}"),
                               ("Referrals past their acknowledgement deadline", f"{late_referrals[0]:,}"),
                               ("Messages not delivered", f"{undelivered[0]:,}")])]
    body += _section("Lowest attendance", persistent, absent_lines, empty="No child is at persistent absence.")
    body += _section("Overdue PEP reviews", overdue_peps[0], overdue_peps[1], empty="None overdue.")
    body += _section("Referrals waiting for acknowledgement", late_referrals[0], late_referrals[1],
                     empty="Every referral was acknowledged in time.")
    body += _section("Messages not delivered", undelivered[0], undelivered[1], empty="Every message was delivered.")
    body.append(text("Children are shown by initials and local id. Type **my referrals** to see the referrals.",
                     subtle=True, size="Small"))
    return with_id(card(body), "manager-digest")


def samples() -> dict[str, list[dict]]:
    """Examples for the card-validity test: each kind, hostile ids, and a digest of 200 items per section."""
    hostile = "[x](https://evil.example) **LOC-1**"
    pep = {"due_date": "2026-12-07", "days_left": 14, "locality": "West"}
    attendance = {"four_weeks": 80.0, "previous": 96.0, "term": 88.5, "persistent": 90.0, "severe": 50.0,
                  "drop": 10.0, "dropped": True, "locality": "North"}
    lines = [f"A.B. · LOC-{n:05d} — {40 + n % 50}% last 4 weeks, {60 + n % 30}% term" for n in range(200)]
    return {
        "alert_card": [alert_card(alert_id=1, kind=kind, child_initials="A.E.", local_id="DEMO-001",
                                  figures={**pep, "days_left": 3} if kind.startswith("pep") else attendance)
                       for kind in AlertKind]
        + [alert_card(alert_id=2, kind=AlertKind.PEP_OVERDUE, child_initials="?", local_id=hostile, figures=pep,
                      again=True),
           alert_card(alert_id=3, kind=AlertKind.SEVERE_ABSENCE, child_initials="B.S.", local_id="X",
                      figures={**attendance, "four_weeks": None, "term": 45.0, "dropped": False})],
        "alert_done_card": [alert_done_card(kind=AlertKind.PERSISTENT_ABSENCE, child_initials="B.S.", local_id="DEMO-002",
                                            figures=attendance, status_line="Acknowledged by you, 24 Nov 09:12"),
                            alert_done_card(kind=AlertKind.PEP_DUE, child_initials="A.E.", local_id=hostile,
                                            figures=pep, status_line="Snoozed until Mon 30 Nov")],
        "digest_card": [
            digest_card(week_of=date(2026, 11, 23), scope="West, North", absence=(200, 40, lines[:8]),
                        overdue_peps=(200, lines[:8]), late_referrals=(200, [f"VS-2026-{n:05d} · West · 5 days"
                                                                             for n in range(8)]),
                        undelivered=(200, [f"{hostile} to Sam [Reed](x) · no chat" for _ in range(8)])),
            digest_card(week_of=date(2026, 11, 23), scope="all localities", absence=(0, 0, []),
                        overdue_peps=(0, []), late_referrals=(0, []), undelivered=(0, [])),
        ],
    }


def snoozed_line(until: datetime, tz) -> str:
    return f"Snoozed until {until.astimezone(tz).strftime('%a %d %b')} — it comes back then if it still applies."
