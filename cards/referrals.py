"""Referral cards: the form, the referrer's confirmation and updates, the officer's card, lists, nudges.

Each card shows the least its reader needs: the referrer already knows the child, so updates carry the
reference and the child's first name; the officer sees what they need to act."""
from __future__ import annotations

from datetime import date, datetime
from typing import NamedTuple
from zoneinfo import ZoneInfo

from cards.common import card, facts, heading, submit, text, user_facts, user_text, with_id
from storage.vocabulary import (
    CLOSE_OUTCOMES,
    FIELD_LIMITS,
    FORM_LEGAL_STATUS_CHOICES,
    REFERRAL_REASONS,
    REFERRAL_STATUS_LABELS,
    REFERRER_ACTIONS,
    REFERRER_ROLES,
    ReferralAction,
    ReferralStatus,
    allowed_actions,
)

LEGAL_STATUS_CHOICES, MAX = FORM_LEGAL_STATUS_CHOICES, FIELD_LIMITS
STATUS_LABELS = REFERRAL_STATUS_LABELS
# On the card of the person who must act (the assigned officer, or the manager for triage).
ASSIGNEE_STATUS_LABELS = {**STATUS_LABELS, ReferralStatus.NEW: "New — waiting for you to accept it",
                          ReferralStatus.INFO_RECEIVED: "Information received — over to you"}
LIST_TITLES = {"made": "Referrals you made", "assigned": "Your open queue", "all_open": "All open referrals"}
NOTES_SHOWN = 4000  # characters of questions, replies and reasons on one card (newest first): cards stay small


class HistoryEntry(NamedTuple):
    """One line of a referral's history ("Reply 24 Nov 10:30 by Sam Reed") and the words that came with it
    (a question, a reply, information added, a reason), which are typed text."""

    line: str
    note_label: str | None = None
    note: str | None = None


def _choices(options: dict[str, str]) -> list[dict]:
    return [{"title": title, "value": value} for value, title in options.items()]


def _error(errors: dict[str, str], key: str) -> list[dict]:
    return [text(errors[key], color="Attention", size="Small")] if key in errors else []


def _labelled(label: str, errors: dict[str, str], key: str) -> str:
    """Put the problem into the label too: screen readers announce labels, not the red line under a field."""
    return f"{label} — {errors[key]}" if key in errors else label


def _input_text(key: str, label: str, values: dict, errors: dict, *, required: bool = True,
                placeholder: str = "", multiline: bool = False, style: str | None = None) -> list[dict]:
    field = {"type": "Input.Text", "id": key, "label": _labelled(label, errors, key), "isRequired": required,
             "value": str(values.get(key) or ""), "maxLength": MAX.get(key, 100)}
    if placeholder:
        field["placeholder"] = placeholder
    if multiline:
        field["isMultiline"] = True
    if style:
        field["style"] = style
    if required:
        field["errorMessage"] = f"{label} is required"
    return [field] + _error(errors, key)


def referral_form_card(*, token: str, values: dict | None = None, errors: dict[str, str] | None = None,
                       default_role: str = "") -> dict:
    values, errors = dict(values or {}), errors or {}
    role = values.get("referrer_role") or default_role
    is_sw = values.get("is_allocated_sw", "true" if role == "social_worker" else "false")
    body: list[dict] = [heading("Referral to the Virtual School inclusion team"),
                        text("For a child with a social worker who is not in education, at risk of suspension or "
                             "exclusion, or facing barriers to education. Fields marked * are required.", subtle=True)]
    if errors:
        body.append(text(f"Please check {len(errors)} thing{'s' if len(errors) > 1 else ''} below — "
                         "everything you entered is kept.", color="Attention", weight="Bolder"))
    body += _input_text("child_first_name", "Child's first name", values, errors)
    body += _input_text("child_last_name", "Child's last name", values, errors)
    body += [{"type": "Input.Date", "id": "child_dob", "label": _labelled("Date of birth", errors, "child_dob"),
              "isRequired": True, "placeholder": "Type it (YYYY-MM-DD) or pick it",
              "errorMessage": "Date of birth is required", "value": str(values.get("child_dob") or "")}]
    body += _error(errors, "child_dob")
    body += _input_text("home_postcode", "Child's home postcode (where they live, not the school's)", values, errors,
                        placeholder="for example AB1 2CD")
    body += _input_text("school_name", "School or setting", values, errors)
    body += [{"type": "Input.ChoiceSet", "id": "legal_status", "label": _labelled("Legal status", errors, "legal_status"),
              "isRequired": True,
              "errorMessage": "Choose a legal status", "style": "compact",
              "value": str(values.get("legal_status") or ""), "choices": _choices(LEGAL_STATUS_CHOICES)}]
    body += _error(errors, "legal_status")
    body += [{"type": "Input.ChoiceSet", "id": "reasons", "label": _labelled("Reasons for the referral", errors, "reasons"),
              "isRequired": True,
              "errorMessage": "Choose at least one reason", "isMultiSelect": True, "style": "expanded",
              "value": str(values.get("reasons") or ""), "choices": _choices(REFERRAL_REASONS)}]
    body += _error(errors, "reasons")
    body += _input_text("details", "What is happening and what do you need from the team?", values, errors,
                        multiline=True)
    body += [{"type": "Input.ChoiceSet", "id": "referrer_role", "label": _labelled("Your role", errors, "referrer_role"),
              "isRequired": True,
              "errorMessage": "Tell us your role", "style": "compact", "value": role,
              "choices": _choices(REFERRER_ROLES)}]
    body += _error(errors, "referrer_role")
    body += [{"type": "Input.Toggle", "id": "is_allocated_sw", "title": "I am the child's allocated social worker",
              "valueOn": "true", "valueOff": "false", "value": is_sw}]
    body += _input_text("social_worker_name", "Social worker's name (required if you are not the allocated social "
                        "worker)", values, errors, required=False)
    body += _input_text("social_worker_email", "Social worker's e-mail (required if you are not the allocated "
                        "social worker)", values, errors, required=False, style="Email")
    body += [{"type": "Input.Toggle", "id": "consent", "isRequired": True,
              "label": _labelled("Information sharing", errors, "consent"),
              "title": "I have the right to share this information under the information-sharing agreement",
              "valueOn": "true", "valueOff": "false", "value": str(values.get("consent") or "false"),
              "errorMessage": "Consent is required"}]
    body += _error(errors, "consent")
    actions = [submit("Send referral", "referral.submit", style="positive", token=token),
               {"type": "Action.Submit", "title": "Cancel", "associatedInputs": "none",
                "data": {"action": "referral.cancel", "token": token}}]
    return with_id(card(body, actions), "referral-form")


def _assignee_status(referral) -> str:
    label = ASSIGNEE_STATUS_LABELS.get(referral.status, referral.status)
    if referral.status == ReferralStatus.CLOSED and referral.outcome:
        label = f"Closed — {CLOSE_OUTCOMES.get(referral.outcome, referral.outcome)}"
    return label


def _status(referral) -> str:
    label = STATUS_LABELS.get(referral.status, referral.status)
    if referral.status == ReferralStatus.CLOSED and referral.outcome:
        label = f"Closed — {CLOSE_OUTCOMES.get(referral.outcome, referral.outcome)}"
    return label


def _age(dob: date, today: date) -> int:
    return today.year - dob.year - ((today.month, today.day) < (dob.month, dob.day))


def _reasons(referral) -> str:
    return ", ".join(REFERRAL_REASONS.get(r, r) for r in referral.reasons.split(",") if r)


def child_label(referral) -> str:
    """First name and last initial: enough to tell referrals apart, no more."""
    last = referral.child_last_name.strip()
    return f"{referral.child_first_name} {last[0]}." if last else referral.child_first_name


def _history_blocks(history: list) -> list[dict]:
    """History lines carry people's names (a referrer's Teams display name among them) and notes carry what
    people typed: plain text. Notes are shown newest first up to NOTES_SHOWN characters."""
    room = NOTES_SHOWN
    shown: list[tuple[str, str | None, str | None]] = []
    for entry in reversed([HistoryEntry(*e) if isinstance(e, tuple) else HistoryEntry(e) for e in history]):
        note = entry.note
        if note:
            note = note if len(note) <= room else (note[:max(room, 0)] + "…" if room > 40 else "(shown in full "
                                                                                                  "on newer cards)")
            room -= len(note)
        shown.append((entry.line, entry.note_label, note))
    blocks: list[dict] = [{**text("History", weight="Bolder"), "spacing": "Medium"}] if shown else []
    for line, label, note in reversed(shown):
        blocks.append({**user_text(line, subtle=True, size="Small"), "spacing": "None"})
        if note:
            blocks.append({**user_text(note, label=label), "spacing": "None"})
    return blocks


def _waiting(referral, now: datetime) -> str:
    """How long it has waited (open), or how long it took (ended)."""
    end = getattr(referral, "closed_at", None) if referral.status not in OPEN_STATUS_VALUES else None
    seconds = max(0, ((end or now) - referral.created_at).total_seconds())
    days, hours, minutes = int(seconds // 86400), int(seconds // 3600), int(seconds // 60)
    span = (f"{days} day{'s' if days != 1 else ''}" if days else f"{hours} hour{'s' if hours != 1 else ''}" if hours
            else f"{minutes} min")
    if end is None and referral.status in OPEN_STATUS_VALUES:
        return f"waiting {span}"
    return f"{STATUS_LABELS.get(referral.status, referral.status).lower()} after {span}"


OPEN_STATUS_VALUES = {ReferralStatus.NEW, ReferralStatus.ACCEPTED, ReferralStatus.INFO_REQUESTED,
                      ReferralStatus.INFO_RECEIVED}


def referral_confirmation_card(*, referral, locality_name: str | None, linked_reference: str | None = None) -> dict:
    where = (f"the locality officer for {locality_name}" if locality_name
             else "the inclusion manager, who will route it (the postcode is outside our localities)")
    pairs = [("Reference", referral.reference), ("Goes to", locality_name or "Triage (inclusion manager)")]
    if linked_reference:
        pairs.append(("Linked to", linked_reference))
    body = [heading("Referral received"), facts(pairs),
            user_text(referral.child_first_name, label="Child"),
            text(f"It has gone to {where}. You'll get a message here when they accept it, ask for more information "
                 "or close it. Type **my referrals** to see its status at any time.")]
    return with_id(card(body), "referral-confirmation")


def _links(duplicate_of: str | None, later: list[str] | None, reason: str | None) -> list[dict]:
    blocks: list[dict] = []
    pairs = ([("Possible duplicate of", duplicate_of)] if duplicate_of else []) + (
        [("Later referral for this child", ", ".join(later))] if later else [])
    if pairs:
        blocks.append({**text("Linked referrals (same name and date of birth)", weight="Bolder"), "spacing": "Medium"})
        blocks.append(facts(pairs))
    if duplicate_of and reason:
        blocks.append(user_text(reason, label="Sent anyway because"))
    return blocks


def officer_referral_card(*, referral, locality_name: str | None, today: date, localities: list[tuple[int, str]],
                          history: list, duplicate_of: str | None = None, later: list[str] | None = None) -> dict:
    """The assigned officer's card, updated in place after each action. Its buttons are the actions the
    referral's lifecycle allows from its current status (storage.vocabulary.REFERRAL_TRANSITIONS)."""
    role = REFERRER_ROLES.get(referral.referrer_role, referral.referrer_role)
    body = [heading(f"Referral {referral.reference}"),
            text(_assignee_status(referral), weight="Bolder"),
            user_text(f"{referral.child_first_name} {referral.child_last_name}", label="Child", weight="Bolder"),
            facts([("Age", str(_age(referral.child_dob, today))),
                   ("Postcode district", referral.home_postcode.split(" ")[0]),
                   ("Legal status", LEGAL_STATUS_CHOICES.get(referral.legal_status, referral.legal_status)),
                   ("Reasons", _reasons(referral)),
                   ("Locality", locality_name or "Triage")]),
            *user_facts([("School or setting", referral.school_name), ("Details", referral.details),
                         ("Referred by", f"{referral.referrer_name or 'a Teams user'} ({role})")])]
    if referral.social_worker_name:
        body.append(user_text(f"{referral.social_worker_name} ({referral.social_worker_email})",
                              label="Allocated social worker"))
    body += _links(duplicate_of, later, getattr(referral, "duplicate_reason", None))
    body += _history_blocks(history)
    common = {"reference": referral.reference, "version": referral.version}
    buttons = {
        ReferralAction.ACCEPT: lambda: submit("Accept", "referral.accept", style="positive", **common),
        ReferralAction.ASK: lambda: {"type": "Action.ShowCard", "title": "Ask for information", "card": card(
            [{"type": "Input.Text", "id": "info_request", "label": "What do you need from the referrer?",
              "isMultiline": True, "isRequired": True, "maxLength": MAX["info_request"],
              "errorMessage": "Say what you need"}],
            [submit("Send request", "referral.ask", **common)])},
        ReferralAction.CLOSE: lambda: {"type": "Action.ShowCard", "title": "Close", "card": card(
            [{"type": "Input.ChoiceSet", "id": "outcome", "label": "Outcome", "isRequired": True, "style": "compact",
              "errorMessage": "Choose an outcome", "choices": _choices(CLOSE_OUTCOMES)}],
            [submit("Close referral", "referral.close", **common)])},
    }
    actions = [buttons[action]() for action in allowed_actions(referral.status) if action in buttons]
    others = [(str(i), name) for i, name in localities if name != locality_name]
    if others and ReferralAction.REASSIGN in allowed_actions(referral.status):
        actions.append({"type": "Action.ShowCard", "title": "Reassign", "card": card(
            [{"type": "Input.ChoiceSet", "id": "locality_id", "label": "Move to locality", "isRequired": True,
              "style": "compact", "errorMessage": "Choose a locality",
              "choices": [{"title": n, "value": i} for i, n in others]}],
            [submit("Reassign", "referral.reassign", **common)])})
    return with_id(card(body, actions), "referral-officer")


def _reply_inputs(referral, *, value: str = "", error: str | None = None) -> tuple[list[dict], list[dict]]:
    """The reply box and its Send button: the referrer's answer to the officer's request (`info_reply`,
    verb `referral.reply`), carrying the version so a stale card is refused."""
    body = [{"type": "Input.Text", "id": "info_reply", "label": _labelled("Your reply", {"r": error} if error else {}, "r"),
             "isMultiline": True, "isRequired": True, "maxLength": MAX["info_reply"], "value": value,
             "errorMessage": "Write your reply", "placeholder": "Your answer goes to the officer"}]
    if error:
        body.append(text(error, color="Attention", size="Small"))
    return body, [submit("Send reply", "referral.reply", style="positive", reference=referral.reference,
                         version=referral.version)]


def referrer_update_card(*, referral, headline: str, message: str | None = None, note: str | None = None,
                         reply_value: str = "", reply_error: str | None = None) -> dict:
    """What the referrer is told when the officer acts. A request for information shows the question with a
    reply box (while the referral is waiting for that reply)."""
    body = [heading(headline),
            facts([("Reference", referral.reference), ("Status", STATUS_LABELS.get(referral.status, referral.status))]),
            user_text(referral.child_first_name, label="Child")]
    if message:
        body.append(text(message))
    actions: list[dict] = []
    if note:
        asking = referral.status == ReferralStatus.INFO_REQUESTED
        body.append(user_text(note, label="The officer asks" if asking else "From the officer"))
        if asking:
            inputs, actions = _reply_inputs(referral, value=reply_value, error=reply_error)
            body += inputs
    return with_id(card(body, actions), "referral-info-request" if actions else "referral-update")


def reply_sent_card(*, referral, question: str | None, reply: str, when: str) -> dict:
    """The request card once answered (replaced in place, so the reply box can't be used twice)."""
    body = [heading("Reply sent"),
            facts([("Reference", referral.reference), ("Sent", when)]),
            user_text(referral.child_first_name, label="Child")]
    if question:
        body.append(user_text(question, label="The officer asked"))
    body += [user_text(reply, label="Your reply"),
             text("The officer has your reply; it is kept with the referral's history.", subtle=True)]
    return with_id(card(body), "referral-reply-sent")


def referrer_details_card(*, referral, locality_name: str | None, officer_name: str | None, now: datetime, tz: str,
                          history: list, question: str | None = None, reply_value: str = "",
                          withdraw_value: str = "", error: str | None = None) -> dict:
    """The referrer's view of their referral (from "my referrals"): what they need to follow it, the reply box
    while the officer waits for information, and Withdraw while it is open."""
    today = now.astimezone(ZoneInfo(tz)).date()
    body = [heading(f"Referral {referral.reference}"),
            text(_status(referral), weight="Bolder"),
            user_text(child_label(referral), label="Child"),
            facts([("Age", str(_age(referral.child_dob, today))), ("Locality", locality_name or "Triage"),
                   ("Received", referral.created_at.astimezone(ZoneInfo(tz)).strftime("%d %b %Y")),
                   ("Waiting" if referral.status in OPEN_STATUS_VALUES else "Ended",
                    _waiting(referral, now).split(" ", 1)[1] if referral.status in OPEN_STATUS_VALUES
                    else _waiting(referral, now))]),
            *user_facts([("Officer", officer_name or "the inclusion manager (triage)")])]
    if error:
        body.append(text(error, color="Attention", weight="Bolder"))
    body += _history_blocks(history)
    actions: list[dict] = []
    allowed = allowed_actions(referral.status, of=REFERRER_ACTIONS)
    if ReferralAction.REPLY in allowed:
        body.append(user_text(question or "", label="The officer asks", weight="Bolder"))
        inputs, buttons = _reply_inputs(referral, value=reply_value)
        body += inputs
        actions += buttons
    if ReferralAction.WITHDRAW in allowed:
        actions.append({"type": "Action.ShowCard", "title": "Withdraw", "card": card(
            [{"type": "Input.Text", "id": "withdraw_reason", "label": "Why are you withdrawing this referral?",
              "isMultiline": True, "isRequired": True, "maxLength": MAX["withdraw_reason"], "value": withdraw_value,
              "errorMessage": "Say why you are withdrawing it"}],
            [submit("Withdraw referral", "referral.withdraw", style="destructive", reference=referral.reference,
                    version=referral.version)])})
    return with_id(card(body, actions), "referral-details")


def officer_note_card(*, referral, headline: str, message: str, notes: list[tuple[str, str]]) -> dict:
    """A new message to the officer about their referral (a reply, information added, a withdrawal); the
    officer card itself is updated in place too."""
    body = [heading(headline), facts([("Reference", referral.reference),
                                      ("Status", ASSIGNEE_STATUS_LABELS.get(referral.status, referral.status))]),
            text(message), *[user_text(note, label=label) for label, note in notes]]
    return with_id(card(body), "referral-officer-note")


def duplicate_card(*, token: str, existing, visible: bool, officer_name: str | None, locality_name: str | None,
                   yours: bool, tz: str, added_info: str = "", reason: str = "",
                   errors: dict[str, str] | None = None) -> dict:
    """A new referral whose child matches an open one: nothing is sent until the referrer chooses to add
    to the open one or to send a new referral anyway (with a reason). The open referral's reference and
    officer are shown only to someone who may see that referral."""
    errors = errors or {}
    body = [heading("There is already an open referral for this child"),
            text("An open referral for a child with the same first name, last name and date of birth is already "
                 "with the Virtual School. Nothing has been sent yet.")]
    if visible:
        body += [facts([("Reference", existing.reference), ("Status", _status(existing)),
                        ("Locality", locality_name or "Triage"),
                        ("Received", existing.created_at.astimezone(ZoneInfo(tz)).strftime("%d %b %Y")),
                        ("Made by", "you" if yours else "a colleague")]),
                 *user_facts([("Officer", officer_name or "the inclusion manager (triage)")])]
    else:
        body.append(text("You can't see its details because you didn't make it. Whatever you add goes to the "
                         "officer handling it.", subtle=True))
    if errors:
        body += [text(message, color="Attention", weight="Bolder") for message in errors.values()]
    body.append(text("Add what you know to the open referral, or send a new referral anyway and say why.",
                     subtle=True))
    actions = [
        {"type": "Action.ShowCard", "title": "Add to the open referral", "card": card(
            [{"type": "Input.Text", "id": "added_info", "isMultiline": True, "isRequired": True,
              "label": _labelled("What should the officer know?", errors, "added_info"),
              "maxLength": MAX["added_info"], "value": added_info, "errorMessage": "Say what to add"}],
            [submit("Add information", "referral.add_info", style="positive", token=token)])},
        {"type": "Action.ShowCard", "title": "Send a new referral anyway", "card": card(
            [{"type": "Input.Text", "id": "duplicate_reason", "isMultiline": True, "isRequired": True,
              "label": _labelled("Why is a new referral needed?", errors, "duplicate_reason"),
              "maxLength": MAX["duplicate_reason"], "value": reason, "errorMessage": "Say why"}],
            [submit("Send new referral", "referral.submit_anyway", token=token)])},
        {"type": "Action.Submit", "title": "Cancel", "associatedInputs": "none",
         "data": {"action": "referral.cancel", "token": token}},
    ]
    return with_id(card(body, actions), "referral-duplicate")


def manager_nudge_card(*, referral, locality_name: str | None, working_days: int, tz: str) -> dict:
    body = [heading("Referral not yet acknowledged"),
            text(f"Referral {referral.reference} ({locality_name or 'triage'}) has waited more than {working_days} "
                 "working days without the officer accepting it, asking for information or closing it."),
            facts([("Reference", referral.reference), ("Locality", locality_name or "Triage"),
                   ("Received", referral.created_at.astimezone(ZoneInfo(tz)).strftime("%d %b %Y"))])]
    return with_id(card(body), "referral-nudge")


def _list_row(referral, *, locality: str, now: datetime, today: date) -> dict:
    """One referral a row: who (first name, last initial, age), where, its state and how long it has waited.
    Selecting the row opens the details card (referral.view)."""
    return {"type": "Container", "separator": True, "spacing": "Small",
            "selectAction": {"type": "Action.Submit", "title": f"Open {referral.reference}",
                             "data": {"action": "referral.view", "reference": referral.reference}},
            "items": [{"type": "RichTextBlock", "inlines": [
                          {"type": "TextRun", "text": child_label(referral), "weight": "Bolder"},
                          {"type": "TextRun", "text": f", {_age(referral.child_dob, today)}"}]},
                      text(f"{locality} · {_status(referral).split(' —')[0]} · {_waiting(referral, now)} · "
                           f"{referral.reference}", subtle=True, size="Small", spacing="None")]}


def referral_list_card(*, sections: list, locality_names: dict[int | None, str], now: datetime, tz: str) -> dict:
    """"My referrals": the sections this person may see (storage.referrals.list_for_viewer). Managers' open
    referrals come grouped by locality (triage first), oldest first; a long list pages with "Show more"."""
    today = now.astimezone(ZoneInfo(tz)).date()
    body: list[dict] = [heading("Referrals")]
    actions: list[dict] = []
    if not sections:
        body.append(text("You have no referrals to see. Type **refer** to make one."))
    else:
        body.append(text("Select a referral to open it.", subtle=True, spacing="None"))
    for section in sections:
        shown = f" ({section.offset + 1}–{section.offset + len(section.rows)} of {section.total})" \
            if len(section.rows) < section.total else f" ({section.total})"
        body.append({**text(LIST_TITLES[section.key] + shown, weight="Bolder", size="Medium"), "spacing": "Large"})
        group = object()
        for referral in section.rows:
            locality = locality_names.get(referral.locality_id, "Triage")
            if section.key == "all_open" and locality != group:
                body.append({**text(locality, weight="Bolder"), "spacing": "Medium"})
                group = locality
            body.append(_list_row(referral, locality=locality, now=now, today=today))
        following = section.offset + len(section.rows)
        if following < section.total:
            actions.append(submit(f"More: {LIST_TITLES[section.key].lower()}", "my_referrals", section=section.key,
                                  offset=following))
    return with_id(card(body, actions), "referral-list")


def signpost_card(*, title: str, message: str, card_id: str = "referral-signpost") -> dict:
    body = [heading(title), text(message),
            text("Nothing has been recorded. Type **ask** if you have a question about what the Virtual School does.",
                 subtle=True)]
    return with_id(card(body, [submit("Book a surgery", "menu.open", target="book")]), card_id)


def form_closed_card(*, message: str) -> dict:
    """What a submitted form turns into, so an old form can't be sent again by mistake."""
    return with_id(card([heading("Referral form"), text(message, subtle=True)]), "referral-form-closed")


def samples() -> dict[str, list[dict]]:
    """One or more example cards per builder (every status, errors, long and hostile text), for the
    card-validity test (tests/test_cards_valid.py)."""
    from datetime import timedelta, timezone  # pylint: disable=import-outside-toplevel
    from types import SimpleNamespace  # pylint: disable=import-outside-toplevel

    now = datetime(2026, 11, 23, 10, tzinfo=timezone.utc)
    hostile = "[Click](https://evil.example) **bold** <at>x</at> " + "long " * 700

    def referral(status: str = "new", **overrides):
        base = dict(reference="VS-2026-00042", version=3, status=status, outcome="advice_given" if status == "closed"
                    else None, child_first_name="Ava", child_last_name="O'Neil-Example", child_dob=date(2015, 3, 14),
                    home_postcode="HA1 2AB", school_name=hostile, legal_status="cin",
                    reasons="suspension_risk,attendance", details=hostile, referrer_aad_id="a", referrer_role="dsl",
                    referrer_name="Dana [Cole](https://evil.example)", social_worker_name="Sam Reed",
                    social_worker_email="sam.reed@example.org", locality_id=1, created_at=now - timedelta(days=3),
                    closed_at=now if status in ("closed", "withdrawn") else None, duplicate_reason=None)
        base.update(overrides)
        return SimpleNamespace(**base)

    localities = [(1, "West"), (2, "North"), (3, "South and Central"), (4, "East")]
    long_note = "Which school is he on roll at? " + "{braces} **stars** " * 150
    history = [HistoryEntry("Referred 23 Nov 10:00 by Dana Cole"), HistoryEntry("Accepted 24 Nov 09:12 by Olu Adeyemi"),
               HistoryEntry("Information requested 24 Nov 09:30 by Olu Adeyemi", "Question", long_note),
               HistoryEntry("Reply 24 Nov 11:02 by Dana Cole", "Reply", hostile[:2000]),
               HistoryEntry("Information added 25 Nov 08:00 by Sam Reed", "Added", hostile[:2000])]
    section = SimpleNamespace
    many = [referral(s, reference=f"VS-2026-{n:05d}", locality_id=(n % 5) or None,
                     child_first_name="A" * 100 if n == 1 else "Ava")
            for n, s in enumerate(["new", "accepted", "info_requested", "info_received"] * 5, start=1)]
    return {
        "referral_form_card": [
            referral_form_card(token="t"),
            referral_form_card(token="t", default_role="social_worker"),
            referral_form_card(token="t", values={"child_first_name": "Ava", "details": hostile},
                               errors={"child_dob": "Enter the date of birth.", "consent": "Confirm consent.",
                                       "reasons": "Choose at least one reason.", "home_postcode": "Not valid."}),
        ],
        "referral_confirmation_card": [referral_confirmation_card(referral=referral(), locality_name="West"),
                                       referral_confirmation_card(referral=referral(), locality_name=None,
                                                                  linked_reference="VS-2026-00041")],
        "officer_referral_card": [
            officer_referral_card(referral=referral(status), locality_name="West", today=date(2026, 11, 23),
                                  localities=localities, history=history)
            for status in ("new", "accepted", "info_requested", "info_received", "closed", "withdrawn")
        ] + [officer_referral_card(referral=referral(social_worker_name=None, duplicate_reason=hostile[:500]),
                                   locality_name=None, today=date(2026, 11, 23), localities=localities, history=[],
                                   duplicate_of="VS-2026-00041", later=["VS-2026-00050", "VS-2026-00051"])],
        "referrer_update_card": [
            referrer_update_card(referral=referral("accepted"), headline="Your referral was accepted",
                                 message="The locality officer will be in touch."),
            referrer_update_card(referral=referral("info_requested"), headline="The officer needs more information",
                                 message="Reply below.", note=hostile[:1000]),
            referrer_update_card(referral=referral("info_requested"), headline="The officer needs more information",
                                 note="Which school?", reply_value=hostile[:2000], reply_error="Write your reply."),
            referrer_update_card(referral=referral("closed"), headline="Your referral was closed", note="Old note"),
        ],
        "reply_sent_card": [reply_sent_card(referral=referral("info_received"), question=long_note,
                                            reply=hostile[:2000], when="24 Nov 11:02"),
                            reply_sent_card(referral=referral("info_received"), question=None, reply="Yes.",
                                            when="24 Nov 11:02")],
        "referrer_details_card": [
            referrer_details_card(referral=referral(status), locality_name="West", officer_name="Olu [x](y)", now=now,
                                  tz="Europe/London", history=history, question=long_note)
            for status in ("new", "accepted", "info_requested", "info_received", "closed", "withdrawn")
        ] + [referrer_details_card(referral=referral("info_requested", locality_id=None), locality_name=None,
                                   officer_name=None, now=now, tz="Europe/London", history=[], question="Which?",
                                   reply_value=hostile[:2000], withdraw_value="Moved away",
                                   error="Referral VS-2026-00042 has changed since that card was sent.")],
        "officer_note_card": [
            officer_note_card(referral=referral("info_received"), headline="Dana Cole replied",
                              message="Your request on VS-2026-00042 has an answer.",
                              notes=[("You asked", long_note), ("Reply", hostile[:2000])]),
            officer_note_card(referral=referral("withdrawn"), headline="Referral VS-2026-00042 withdrawn",
                              message="The referrer withdrew it.", notes=[("Reason", hostile[:1000])]),
        ],
        "duplicate_card": [
            duplicate_card(token="t", existing=referral("accepted"), visible=True, officer_name="Olu Adeyemi",
                           locality_name="West", yours=True, tz="Europe/London", added_info=hostile[:2000]),
            duplicate_card(token="t", existing=referral(), visible=False, officer_name=None, locality_name=None,
                           yours=False, tz="Europe/London", reason=hostile[:500],
                           errors={"duplicate_reason": "Say why a new referral is needed."}),
        ],
        "manager_nudge_card": [manager_nudge_card(referral=referral(), locality_name="West", working_days=2,
                                                  tz="Europe/London")],
        "referral_list_card": [
            referral_list_card(sections=[], locality_names={}, now=now, tz="Europe/London"),
            referral_list_card(sections=[section(key="made", rows=[referral(), referral("closed")], offset=0, total=2),
                                         section(key="assigned", rows=[referral("accepted")], offset=0, total=1),
                                         section(key="all_open", rows=many[:17], offset=0, total=57)],
                               locality_names=dict(localities), now=now, tz="Europe/London"),
            referral_list_card(sections=[section(key="all_open", rows=many, offset=20, total=57)],
                               locality_names=dict(localities), now=now, tz="Europe/London"),
        ],
        "signpost_card": [signpost_card(title="This young person is over 18", message="Contact the leaving care service.")],
        "form_closed_card": [form_closed_card(message="Sent as referral VS-2026-00042.")],
    }
