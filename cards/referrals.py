"""Referral cards: the form, the referrer's confirmation and updates, the officer's card, lists, nudges.

Each card shows the least its reader needs: the referrer already knows the child, so updates carry the
reference and the child's first name; the officer sees what they need to act."""
from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from cards.common import card, facts, heading, submit, text, user_facts, user_text, with_id
from storage.vocabulary import (
    CLOSE_OUTCOMES,
    FIELD_LIMITS,
    FORM_LEGAL_STATUS_CHOICES,
    REFERRAL_REASONS,
    REFERRAL_STATUS_LABELS,
    REFERRER_ROLES,
    ReferralAction,
    ReferralStatus,
    allowed_actions,
)

LEGAL_STATUS_CHOICES, MAX = FORM_LEGAL_STATUS_CHOICES, FIELD_LIMITS
STATUS_LABELS = REFERRAL_STATUS_LABELS
# On the card of the person who must act (the assigned officer, or the manager for triage).
ASSIGNEE_STATUS_LABELS = {**STATUS_LABELS, ReferralStatus.NEW: "New — waiting for you to accept it"}


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


def _age(dob: date, today: date) -> int:
    return today.year - dob.year - ((today.month, today.day) < (dob.month, dob.day))


def _reasons(referral) -> str:
    return ", ".join(REFERRAL_REASONS.get(r, r) for r in referral.reasons.split(",") if r)


def referral_confirmation_card(*, referral, locality_name: str | None) -> dict:
    where = (f"the locality officer for {locality_name}" if locality_name
             else "the inclusion manager, who will route it (the postcode is outside our localities)")
    body = [heading("Referral received"),
            facts([("Reference", referral.reference), ("Goes to", locality_name or "Triage (inclusion manager)")]),
            user_text(referral.child_first_name, label="Child"),
            text(f"It has gone to {where}. You'll get a message here when they accept it, ask for more information "
                 "or close it. Type **my referrals** to see its status at any time.")]
    return with_id(card(body), "referral-confirmation")


def officer_referral_card(*, referral, locality_name: str | None, today: date, localities: list[tuple[int, str]],
                          history: list[str]) -> dict:
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
    # History lines carry people's names (a referrer's Teams display name among them): plain text.
    body += [{**user_text(line, subtle=True, size="Small"), "spacing": "None"} for line in history]
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


def referrer_update_card(*, referral, headline: str, message: str | None = None, note: str | None = None) -> dict:
    body = [heading(headline),
            facts([("Reference", referral.reference), ("Status", STATUS_LABELS.get(referral.status, referral.status))]),
            user_text(referral.child_first_name, label="Child")]
    if message:
        body.append(text(message))
    if note:
        body.append(user_text(note, label="From the officer"))
    return with_id(card(body), "referral-update")


def manager_nudge_card(*, referral, locality_name: str | None, working_days: int, tz: str) -> dict:
    body = [heading("Referral not yet acknowledged"),
            text(f"Referral {referral.reference} ({locality_name or 'triage'}) has waited more than {working_days} "
                 "working days without the officer accepting it, asking for information or closing it."),
            facts([("Reference", referral.reference), ("Locality", locality_name or "Triage"),
                   ("Received", referral.created_at.astimezone(ZoneInfo(tz)).strftime("%d %b %Y"))])]
    return with_id(card(body), "referral-nudge")


def referral_list_card(*, groups: dict[str, list], locality_names: dict[int | None, str], now: datetime) -> dict:
    titles = {"made": "Referrals you made", "assigned": "Your open queue", "all_open": "All open referrals"}
    body: list[dict] = [heading("Referrals")]
    if not groups:
        body.append(text("You have no referrals to see. Type **refer** to make one."))
    for key in ("made", "assigned", "all_open"):
        rows = groups.get(key)
        if not rows:
            continue
        body.append(text(titles[key], weight="Bolder"))
        pairs = []
        for r in rows:
            age_days = max(0, (now - r.created_at).days)
            label = f"{r.reference} · {locality_names.get(r.locality_id, 'Triage')}"
            pairs.append((label, f"{STATUS_LABELS.get(r.status, r.status).split(' —')[0]} · {age_days} days"))
        body.append(facts(pairs))
    return with_id(card(body), "referral-list")


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
    from datetime import timezone  # pylint: disable=import-outside-toplevel
    from types import SimpleNamespace  # pylint: disable=import-outside-toplevel

    now = datetime(2026, 11, 23, 10, tzinfo=timezone.utc)
    hostile = "[Click](https://evil.example) **bold** <at>x</at> " + "long " * 700

    def referral(status: str = "new", **overrides):
        base = dict(reference="VS-2026-00042", version=3, status=status, outcome="advice_given" if status == "closed"
                    else None, child_first_name="Ava", child_last_name="O'Neil-Example", child_dob=date(2015, 3, 14),
                    home_postcode="HA1 2AB", school_name=hostile, legal_status="cin",
                    reasons="suspension_risk,attendance", details=hostile, referrer_aad_id="a", referrer_role="dsl",
                    referrer_name="Dana [Cole](https://evil.example)", social_worker_name="Sam Reed",
                    social_worker_email="sam.reed@example.org", locality_id=1, created_at=now)
        base.update(overrides)
        return SimpleNamespace(**base)

    localities = [(1, "West"), (2, "North"), (3, "South and Central"), (4, "East")]
    history = ["Referred 23 Nov 10:00 by Dana Cole", "Accepted 24 Nov 09:12 by Olu Adeyemi"]
    return {
        "referral_form_card": [
            referral_form_card(token="t"),
            referral_form_card(token="t", default_role="social_worker"),
            referral_form_card(token="t", values={"child_first_name": "Ava", "details": hostile},
                               errors={"child_dob": "Enter the date of birth.", "consent": "Confirm consent.",
                                       "reasons": "Choose at least one reason.", "home_postcode": "Not valid."}),
        ],
        "referral_confirmation_card": [referral_confirmation_card(referral=referral(), locality_name="West"),
                                       referral_confirmation_card(referral=referral(), locality_name=None)],
        "officer_referral_card": [
            officer_referral_card(referral=referral(status), locality_name="West", today=date(2026, 11, 23),
                                  localities=localities, history=history)
            for status in ("new", "accepted", "info_requested", "closed")
        ] + [officer_referral_card(referral=referral(social_worker_name=None), locality_name=None,
                                   today=date(2026, 11, 23), localities=localities, history=[])],
        "referrer_update_card": [
            referrer_update_card(referral=referral("accepted"), headline="Your referral was accepted",
                                 message="The locality officer will be in touch."),
            referrer_update_card(referral=referral("info_requested"), headline="The officer needs more information",
                                 note=hostile),
        ],
        "manager_nudge_card": [manager_nudge_card(referral=referral(), locality_name="West", working_days=2,
                                                  tz="Europe/London")],
        "referral_list_card": [
            referral_list_card(groups={}, locality_names={}, now=now),
            referral_list_card(groups={"made": [referral()], "assigned": [referral("accepted")],
                                       "all_open": [referral(), referral("info_requested", locality_id=None)]},
                               locality_names=dict(localities), now=now),
        ],
        "signpost_card": [signpost_card(title="This young person is over 18", message="Contact the leaving care service.")],
        "form_closed_card": [form_closed_card(message="Sent as referral VS-2026-00042.")],
    }
