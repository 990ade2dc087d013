"""Referral service: submit (with the duplicate check), officer and referrer actions (the information loop,
withdrawal), information added to an open referral, details and lists, manager nudges and purge.

Rules and transactions only (no botbuilder, no SQL: repositories in storage/ do the queries). Each change is
one transaction that also writes the messages announcing it to other people (outbox rows); the Teams edge
delivers those after the person acting has had their answer, so nobody waits on someone else's chat.
What people type (requests, replies, reasons) goes into history notes and cards, never into logs."""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from cards.menu import notice_card
from cards.referrals import (
    HistoryEntry,
    manager_nudge_card,
    officer_note_card,
    officer_referral_card,
    referrer_details_card,
    referrer_update_card,
    reply_sent_card,
)
from dialogs.common.ids import card_id
from dialogs.common.services import Services
from storage import audit, directory, outbox, referrals
from storage.db import UniqueViolation, statements_inline
from storage.models import Referral, ReferralEvent
from storage.vocabulary import (
    CLOSE_OUTCOMES,
    ENDED_REFERRAL_STATUSES,
    FIELD_LIMITS,
    MANAGER_ROLES,
    OFFICER_ACTIONS,
    REFERRAL_STATUS_LABELS,
    REFERRAL_TRANSITIONS,
    REFERRER_ACTIONS,
    ReferralAction,
    ReferralStatus,
    Role,
)
from storage.working_days import add_working_days

log = logging.getLogger("vsbot.referrals")
SLA_WORKING_DAYS = 2
EVENT_OF = {ReferralAction.ACCEPT: "accepted", ReferralAction.ASK: "info_requested",
            ReferralAction.CLOSE: "closed", ReferralAction.REASSIGN: "reassigned",
            ReferralAction.REPLY: "info_replied", ReferralAction.WITHDRAW: "withdrawn",
            ReferralAction.ADD_INFO: "info_added"}
EVENT_LABELS = {"created": "Referred", "accepted": "Accepted", "info_requested": "Information requested",
                "info_replied": "Reply", "info_added": "Information added", "closed": "Closed",
                "withdrawn": "Withdrawn", "reassigned": "Reassigned", "duplicate_linked": "Linked to a later referral",
                "manager_nudged": "Manager nudged"}
# Events of actions that bump the version (information added, links and nudges leave it: see add_information).
VERSIONED_EVENTS = tuple(EVENT_OF[a] for a in OFFICER_ACTIONS | REFERRER_ACTIONS)
# The words that came with an event, and how a card labels them (the rest are our own codes, not shown).
NOTE_LABELS = {"info_requested": "Question", "info_replied": "Reply", "info_added": "Added", "withdrawn": "Reason",
               "duplicate_linked": "Later referral"}
DONE_WORDS = {ReferralAction.ACCEPT: "accepted", ReferralAction.ASK: "asked for information on",
              ReferralAction.CLOSE: "closed", ReferralAction.REASSIGN: "reassigned",
              ReferralAction.REPLY: "replied to the officer's request on", ReferralAction.WITHDRAW: "withdrew"}


@dataclass(frozen=True)
class Outcome:
    ok: bool
    message: str
    card: dict | None = None  # a card to send after the message (e.g. the current details of a stale card)
    replace: dict | None = None  # what the card whose button was pressed becomes (updated in place)


@dataclass(frozen=True)
class Submitted:
    referral: Referral
    created: bool
    locality_name: str | None
    linked_reference: str | None = None  # sent anyway despite this open referral (when the referrer may see it)


@dataclass(frozen=True)
class DuplicateFound:
    """An open referral for the same child: nothing was created. `visible`: the referrer may see it, so its
    reference, officer and locality may be shown."""

    existing: Referral
    visible: bool
    yours: bool
    officer_name: str | None
    locality_name: str | None


# --- reading ----------------------------------------------------------------------------------------
async def _history(session, referral: Referral, tz: str, *, for_referrer: bool = False) -> list[HistoryEntry]:
    """"Accepted 24 Nov 10:02 by Olu Adeyemi": who did what and when (local time), names from the staff
    directory, and the referrer's name as Teams gave it; with the question, reply or reason that came with it.
    The referrer's own view leaves out what is the service's business: nudges, a later referral for the child by
    someone else, information other people added."""
    events = await referrals.events_of(session=session, referral_id=referral.id)
    if for_referrer:
        events = [e for e in events if e.kind not in ("manager_nudged", "duplicate_linked")
                  and (e.kind != "info_added" or e.actor_aad_id == referral.referrer_aad_id)]
    names = await directory.names_of(session=session, aad_object_ids=[e.actor_aad_id for e in events])
    return _history_of(events, names, referral, tz)


def _history_of(events, names: dict[str, str], referral: Referral, tz: str) -> list[HistoryEntry]:
    names = dict(names)
    if referral.referrer_name:
        names.setdefault(referral.referrer_aad_id, referral.referrer_name)
    zone = ZoneInfo(tz)
    return [HistoryEntry(f"{EVENT_LABELS.get(e.kind, e.kind)} {e.at.astimezone(zone).strftime('%d %b %H:%M')}"
                         + (f" by {names[e.actor_aad_id]}" if e.actor_aad_id in names else ""),
                         NOTE_LABELS.get(e.kind), e.note if e.kind in NOTE_LABELS else None) for e in events]


async def _officer_card(session, referral: Referral, services: Services) -> dict:
    earlier = await referrals.references_of(session=session, referral_ids=[referral.duplicate_of_id])
    return _officer_card_of(referral, services, localities=await directory.list_localities(session=session),
                            history=await _history(session, referral, services.settings.timezone),
                            duplicate_of=earlier.get(referral.duplicate_of_id),
                            later=await referrals.linked_later(session=session, referral_id=referral.id))


def _officer_card_of(referral: Referral, services: Services, *, localities, history: list[HistoryEntry],
                     duplicate_of: str | None, later: list[str]) -> dict:
    names = {loc.id: loc.name for loc in localities}
    return officer_referral_card(referral=referral, locality_name=names.get(referral.locality_id),
                                 today=services.today(), localities=[(loc.id, loc.name) for loc in localities],
                                 history=history, duplicate_of=duplicate_of, later=later)


async def _latest_question(session, referral: Referral) -> str | None:
    asked = await referrals.last_event(session=session, referral_id=referral.id, kinds=[EVENT_OF[ReferralAction.ASK]])
    return asked.note if asked else None


async def _referrer_card(session, referral: Referral, services: Services, *, reply_value: str = "",
                         withdraw_value: str = "", error: str | None = None) -> dict:
    names = await directory.names_of(session=session, aad_object_ids=[referral.assigned_aad_id])
    return referrer_details_card(referral=referral, locality_name=await _locality_name(session, referral),
                                 officer_name=names.get(referral.assigned_aad_id), now=services.now(),
                                 tz=services.settings.timezone,
                                 history=await _history(session, referral, services.settings.timezone,
                                                        for_referrer=True),
                                 question=await _latest_question(session, referral), reply_value=reply_value,
                                 withdraw_value=withdraw_value, error=error)


async def _locality_name(session, referral: Referral) -> str | None:
    return (await directory.locality_names(session=session)).get(referral.locality_id)


async def _escalation(session, referral: Referral, *, recipient: str, recipient_name: str | None) -> outbox.Escalation | None:
    """If a message about this referral cannot reach `recipient`, the locality's manager is told once."""
    return _escalation_of(referral, manager=await referrals.manager_for(session=session, referral=referral),
                          recipient=recipient, recipient_name=recipient_name)


def _escalation_of(referral: Referral, *, manager: str | None, recipient: str,
                   recipient_name: str | None) -> outbox.Escalation | None:
    if not manager or manager == recipient:
        return None
    return outbox.Escalation(to=(manager,), subject=f"referral {referral.reference}", recipient_name=recipient_name)


def _officer_key(referral: Referral) -> str:
    return f"referral:{referral.reference}:officer:{referral.assigned_aad_id}:v{referral.version}"


async def _enqueue_officer_card(session, referral: Referral, services: Services, *, route: _Routing | None = None,
                                created: ReferralEvent | None = None) -> None:
    """The new referral's card to its officer. With `route` (the directory as read before the transaction) and
    `created` (its one history event), it is built from memory: nothing links to a new referral yet."""
    officer = referral.assigned_aad_id
    if not officer:
        log.warning("referral has no officer or triage manager to notify ref=%s", referral.reference)
        return
    if route is None:
        officer_name = (await directory.names_of(session=session, aad_object_ids=[officer])).get(officer)
        card = await _officer_card(session, referral, services)
        escalation = await _escalation(session, referral, recipient=officer, recipient_name=officer_name)
    else:
        card = _officer_card_of(referral, services, localities=route.localities,
                                history=_history_of([created], route.names, referral, services.settings.timezone),
                                duplicate_of=None, later=[])
        escalation = _escalation_of(referral, manager=route.manager, recipient=officer,
                                    recipient_name=route.names.get(officer))
    await outbox.enqueue(session=session, key=_officer_key(referral), recipient_aad_id=officer, card=card,
                         summary=f"New referral {referral.reference}", referral_id=referral.id, escalation=escalation)


async def _refresh_officer_cards(session, referral: Referral, services: Services, *, change: str | None = None) -> None:
    """Every officer card of this referral is updated in place (through the outbox, after the reply): the
    current officer's shows the new state, a previous officer's says it moved (and loses its buttons).
    `change` names a change that does not bump the version (a link, information added)."""
    current = await _officer_card(session, referral, services)
    suffix = f"u{referral.version}" + (f":{change}" if change else "")
    for copy in await outbox.sent_copies(session=session, key_prefix=f"referral:{referral.reference}:officer:"):
        card = current if copy.recipient_aad_id == referral.assigned_aad_id else notice_card(
            f"Referral {referral.reference} reassigned",
            "This referral has moved to another locality; no action is needed from you.",
            card_id="referral-officer-reassigned")
        await outbox.enqueue(session=session, key=f"{copy.key}:{suffix}", recipient_aad_id=copy.recipient_aad_id,
                             card=card, summary=f"Referral {referral.reference} updated", referral_id=referral.id,
                             updates_key=copy.key)


async def _tell_officer(session, referral: Referral, *, key: str, headline: str, message: str,
                        notes: list[tuple[str, str]]) -> None:
    """A new message to the assigned officer (their card is refreshed in place as well)."""
    if not referral.assigned_aad_id:
        return
    names = await directory.names_of(session=session, aad_object_ids=[referral.assigned_aad_id])
    await outbox.enqueue(session=session, key=key, recipient_aad_id=referral.assigned_aad_id, referral_id=referral.id,
                         card=officer_note_card(referral=referral, headline=headline, message=message, notes=notes),
                         summary=headline,
                         escalation=await _escalation(session, referral, recipient=referral.assigned_aad_id,
                                                      recipient_name=names.get(referral.assigned_aad_id)))


# --- submitting -------------------------------------------------------------------------------------
async def submit(services: Services, *, actor_aad_id: str, actor_name: str | None, role: Role, clean: dict,
                 token: str, duplicate_of_id: int | None = None,
                 duplicate_reason: str | None = None) -> Submitted | DuplicateFound:
    """Create the referral (or find the one this form already created) and queue the officer's card. A child
    who matches an open referral is not accepted silently: DuplicateFound, unless the referrer has seen that
    warning and chose to send a new referral anyway (duplicate_of_id, duplicate_reason)."""
    try:
        # A few small indexed statements: on SQLite they run without a trip to its thread each, so the one writer
        # is not held across rounds of the busy event loop (storage.db.statements_inline).
        with statements_inline():
            return await _submit_once(services, actor_aad_id=actor_aad_id, actor_name=actor_name, role=role,
                                      clean=clean, token=token, duplicate_of_id=duplicate_of_id,
                                      duplicate_reason=duplicate_reason)
    except UniqueViolation:
        # The same form submitted twice at the same moment (Teams' retry racing the original) on PostgreSQL:
        # the loser's transaction, counter increment included, rolled back; the winner's referral stands.
        found = await find_submitted(services, token=token, actor_aad_id=actor_aad_id)
        if found is None:
            raise
        return found


@dataclass(frozen=True)
class _Routing:
    """What a new referral's routing and its officer's card need from the directory, read before the write
    transaction (on SQLite beside the one writer, not holding it: issue 8). A directory change landing between
    this read and the commit routes the referral as it would have a moment earlier."""

    locality: object | None  # storage.models.Locality, None = triage
    localities: list
    officer: str | None  # the locality's officer, else the triage manager
    manager: str | None  # told if the officer cannot be reached: the locality's manager, else the triage manager
    names: dict[str, str]  # directory names of the officer and the referrer

    def locality_name(self, locality_id: int | None) -> str | None:
        return next((loc.name for loc in self.localities if loc.id == locality_id), None)


async def _routing(services: Services, *, postcode: str, actor_aad_id: str) -> _Routing:
    async with services.reads() as session:
        locality = await directory.locality_for_postcode(session=session, postcode=postcode)
        localities = await directory.list_localities(session=session)
        officer, manager = (locality.officer_aad_id, locality.manager_aad_id) if locality else (None, None)
        if not (officer and manager):  # the triage manager stands in (as create_referral and manager_for have it)
            triage = await referrals.triage_owner(session=session)
            officer, manager = officer or triage, manager or triage
        names = await directory.names_of(session=session, aad_object_ids=[officer, actor_aad_id])
    return _Routing(locality, localities, officer, manager, names)


async def _submit_once(services: Services, *, actor_aad_id: str, actor_name: str | None, role: Role, clean: dict,
                       token: str, duplicate_of_id: int | None, duplicate_reason: str | None
                       ) -> Submitted | DuplicateFound:
    # A submit of this form that already made its referral (Teams' retry) is found inside the transaction below;
    # a read before it as well cost every submit a statement (issue 8) for what is rare.
    route = await _routing(services, postcode=clean["home_postcode"], actor_aad_id=actor_aad_id)
    async with services.sessions() as session:
        reference = await referrals.next_reference(session=session, year=services.today().year)
        # The year's counter row is now locked until this transaction ends, so a racing submit of this form,
        # or of the same child, has committed before we got here: the checks below see it.
        existing = await referrals.find_by_token(session=session, submit_token=token)
        if existing is not None:
            found = Submitted(existing, False, route.locality_name(existing.locality_id))
            session.expunge(existing)  # kept as read: a rollback would expire it
            await session.rollback()  # the counter increment taken above goes back
            return found
        key = referrals.child_key(clean["child_first_name"], clean["child_last_name"], clean["child_dob"])
        earlier = await referrals.get_by_id(session=session, referral_id=duplicate_of_id) if duplicate_of_id else None
        if earlier is None:
            matches = await referrals.open_for_child(session=session, key=key)
            if matches:
                found = await _duplicate_found(session, matches, actor_aad_id=actor_aad_id, role=role)
                session.expunge(found.existing)  # kept as read: a rollback would expire it
                await session.rollback()  # nothing was made: the reference number goes back too
                return found
        referral_in = referrals.ReferralIn(
            submit_token=token, child_first_name=clean["child_first_name"], child_last_name=clean["child_last_name"],
            child_dob=clean["child_dob"], home_postcode=clean["home_postcode"], school_name=clean["school_name"],
            legal_status=clean["legal_status"], reasons=clean["reasons"], details=clean["details"],
            referrer_aad_id=actor_aad_id, referrer_role=clean["referrer_role"], referrer_name=actor_name,
            social_worker_name=clean["social_worker_name"], social_worker_email=clean["social_worker_email"],
            duplicate_of_id=earlier.id if earlier else None, duplicate_reason=duplicate_reason if earlier else None)
        referral, created = await referrals.create_referral(session=session, referral_in=referral_in,
                                                            locality=route.locality, reference=reference,
                                                            assigned=route.officer)
        linked = None
        if earlier is not None:
            # The earlier referral's officer sees the link too: a history line and its card refreshed in place.
            referrals.add_event(session=session, referral=earlier, actor=actor_aad_id, kind="duplicate_linked",
                                note=referral.reference)
            earlier.updated_at = services.now()
            await session.flush()
            await _refresh_officer_cards(session, earlier, services, change=f"link{referral.id}")
            if referrals.can_read(earlier, viewer_aad_id=actor_aad_id, viewer_role=role):
                linked = earlier.reference
            await _enqueue_officer_card(session, referral, services)
        else:
            # A new referral's card needs nothing more from the database: its history is the one event just
            # added, nothing links to it yet, and the directory was read above.
            await _enqueue_officer_card(session, referral, services, route=route, created=created)
        await session.commit()
    log.info("referral created ref=%s locality=%s%s", referral.reference, referral.locality_id or "triage",
             f" duplicate_of={earlier.reference}" if earlier else "")
    return Submitted(referral, True, route.locality_name(referral.locality_id), linked)


async def _duplicate_found(session, matches: list[Referral], *, actor_aad_id: str, role: Role) -> DuplicateFound:
    """The open referral to tell the referrer about: one they may see if there is one, else the oldest."""
    readable = [r for r in matches if referrals.can_read(r, viewer_aad_id=actor_aad_id, viewer_role=role)]
    existing = (readable or matches)[0]
    log.info("duplicate found ref=%s visible=%s", existing.reference, bool(readable))
    return DuplicateFound(existing, bool(readable), existing.referrer_aad_id == actor_aad_id, None, None)


async def duplicate_view(services: Services, *, referral_id: int, viewer_aad_id: str, role: Role
                         ) -> DuplicateFound | None:
    """What the duplicate card may show this person about the open referral (its reference, officer and
    locality only if they may see it), audited each time it is shown. None when it is no longer open."""
    async with services.sessions() as session:
        existing = await referrals.get_by_id(session=session, referral_id=referral_id)
        if existing is None or existing.status in ENDED_REFERRAL_STATUSES:
            return None
        visible = referrals.can_read(existing, viewer_aad_id=viewer_aad_id, viewer_role=role)
        officer_name = locality_name = None
        if visible:
            officer_name = (await directory.names_of(session=session, aad_object_ids=[existing.assigned_aad_id])
                            ).get(existing.assigned_aad_id)
            locality_name = await _locality_name(session, existing)
        audit.record(session=session, actor_aad_id=viewer_aad_id, action="referral.duplicate_warning",
                     entity_type="referral", entity_id=existing.reference, detail={"visible": visible})
        await session.commit()
    return DuplicateFound(existing, visible, existing.referrer_aad_id == viewer_aad_id, officer_name, locality_name)


async def find_submitted(services: Services, *, token: str, actor_aad_id: str) -> Submitted | None:
    """The referral a form (its token) already made for this person, if any: Teams retries a submit it
    thinks timed out, and the answer must be the same confirmation, never a second referral."""
    if not token:
        return None
    async with services.sessions() as session:
        referral = await referrals.find_by_token(session=session, submit_token=token)
        if referral is None or referral.referrer_aad_id != actor_aad_id:
            return None
        return Submitted(referral, False, await _locality_name(session, referral))


# --- information added to an open referral (from the duplicate warning) ------------------------------
async def add_information(services: Services, *, actor_aad_id: str, actor_name: str | None, role: Role,
                          referral_id: int, token: str, note: str) -> Outcome:
    """Someone who found an open referral for the child adds what they know to it instead of referring again.
    The officer is told and their card shows it. The form's token makes a resend add nothing twice."""
    try:
        return await _add_information_once(services, actor_aad_id=actor_aad_id, actor_name=actor_name, role=role,
                                           referral_id=referral_id, token=token, note=note)
    except UniqueViolation:  # the same choice sent twice at once (PostgreSQL): the first one stands
        found = await find_added(services, token=token, actor_aad_id=actor_aad_id, role=role)
        if found is None:
            raise
        return found


def _request_key(token: str) -> str:
    return f"add_info:{token}"[:100]


async def _add_information_once(services: Services, *, actor_aad_id: str, actor_name: str | None, role: Role,
                                referral_id: int, token: str, note: str) -> Outcome:
    async with services.sessions() as session:
        referral = await referrals.lock_for_update(session=session, referral_id=referral_id)
        done = await referrals.event_by_request(session=session, request_key=_request_key(token))
        if done is not None:  # checked under the referral's lock: a resend waits for the first, then sees it
            await session.rollback()
            return await find_added(services, token=token, actor_aad_id=actor_aad_id, role=role) or Outcome(
                False, "That choice is no longer open, so nothing was added.")
        if referral is None or REFERRAL_TRANSITIONS.get((ReferralStatus(referral.status), ReferralAction.ADD_INFO)) is None:
            await session.rollback()
            return Outcome(False, "The open referral was closed in the meantime, so nothing was added. You can still "
                                  "send yours as a new referral with the button above.")
        visible = referrals.can_read(referral, viewer_aad_id=actor_aad_id, viewer_role=role)
        event = referrals.add_event(session=session, referral=referral, actor=actor_aad_id,
                                    kind=EVENT_OF[ReferralAction.ADD_INFO], note=note, request_key=_request_key(token))
        # Adding information changes neither the state nor what the buttons do, so the version stays: the
        # referrer's pending reply card and the officer's buttons remain valid. The officer's card is refreshed.
        referral.updated_at = services.now()
        await session.flush()
        role_label = "the referrer" if referral.referrer_aad_id == actor_aad_id else "another professional"
        await _tell_officer(session, referral, key=f"referral:{referral.reference}:officer-note:e{event.id}",
                            headline=f"Information added to referral {referral.reference}",
                            message=f"It came from {role_label}, who found this referral open when making a new one "
                                    "for the same child. The referral's card is updated too.",
                            notes=[("From", actor_name or "a Teams user"), ("Added", note)])
        await _refresh_officer_cards(session, referral, services, change=f"e{event.id}")
        audit.record(session=session, actor_aad_id=actor_aad_id, action="referral.add_info", entity_type="referral",
                     entity_id=referral.reference, detail={"visible": visible})
        await session.commit()
    log.info("information added ref=%s", referral.reference)
    where = f"referral {referral.reference}" if visible else "the open referral"
    return Outcome(True, f"Done: your information was added to {where}, and its officer has been told.")


async def find_added(services: Services, *, token: str, actor_aad_id: str, role: Role) -> Outcome | None:
    """A resend of "Add information" that already took effect says so."""
    if not token:
        return None
    async with services.sessions() as session:
        event = await referrals.event_by_request(session=session, request_key=_request_key(token))
        if event is None or event.actor_aad_id != actor_aad_id:
            return None
        referral = await referrals.get_by_id(session=session, referral_id=event.referral_id)
    visible = referral is not None and referrals.can_read(referral, viewer_aad_id=actor_aad_id, viewer_role=role)
    when = event.at.astimezone(ZoneInfo(services.settings.timezone)).strftime("%H:%M")
    where = f"referral {referral.reference}" if visible else "the open referral"
    return Outcome(True, f"That's already done: your information was added to {where} at {when}.")


# --- actions on a referral: the officer's (accept, ask, close, reassign) and the referrer's (reply, withdraw)
async def act(services: Services, *, actor_aad_id: str, role: Role, verb: str, data: dict,
              actor_name: str | None = None) -> Outcome:
    """Checked on the server: who may act (officer actions: the assigned officer or a manager; referrer
    actions: the referrer), that the lifecycle allows it, and that the card is current. A resend of an action
    that already took effect says it was done."""
    try:
        action = ReferralAction(verb)
    except ValueError:
        action = None
    if action not in OFFICER_ACTIONS | REFERRER_ACTIONS:
        return Outcome(False, "I don't know that action, so nothing was changed.")
    by_referrer = action in REFERRER_ACTIONS
    reference = str(data.get("reference") or "")
    version = _version(data.get("version"))
    if version is None or not referrals.REFERENCE_RE.match(reference.strip().upper()):
        return Outcome(False, "That card is not valid, so nothing was changed.")
    async with services.sessions() as session:
        referral = await referrals.get_for_viewer(session=session, reference=reference, viewer_aad_id=actor_aad_id,
                                                  viewer_role=role, purpose=f"act.{action}")
        if referral is None:
            await session.commit()  # keep the denied-read audit row
            return Outcome(False, "I couldn't find a referral you can act on, so nothing was changed.")
        referral = await referrals.lock_for_update(session=session, referral_id=referral.id)
        permitted = (referral.referrer_aad_id == actor_aad_id if by_referrer
                     else referrals.can_act(referral, actor_aad_id=actor_aad_id, actor_role=role))
        if not permitted:
            audit.record(session=session, actor_aad_id=actor_aad_id, action="referral.act_denied",
                         entity_type="referral", entity_id=referral.reference, detail={"verb": str(action)})
            await session.commit()
            who = ("the person who made it" if by_referrer else "the assigned officer or a manager")
            return Outcome(False, f"Only {who} can {_doing(action)} referral {referral.reference}, so nothing was "
                                  "changed.")
        if referral.version != version:
            replay = await _already_done(session, referral, actor_aad_id, action, version, services)
            if replay is not None:
                await session.commit()
                return replay
            if by_referrer:
                outcome = (_ended(referral, action, services) if referral.status in ENDED_REFERRAL_STATUSES else
                           await _stale_for_referrer(session, referral, services, data))
                await session.commit()
                return outcome
            await _refresh_officer_cards(session, referral, services)  # their card is out of date: fix it
            await session.commit()
            return Outcome(False, f"Referral {referral.reference} has changed since that card was sent (it is now "
                                  f"{REFERRAL_STATUS_LABELS[referral.status].lower()}), so nothing was changed. The "
                                  "card has been refreshed.")
        new_status = REFERRAL_TRANSITIONS.get((ReferralStatus(referral.status), action))
        if new_status is None:
            await session.commit()
            if by_referrer and referral.status in ENDED_REFERRAL_STATUSES:
                return _ended(referral, action, services)
            if action is ReferralAction.REPLY:
                return Outcome(False, f"The officer hasn't asked for anything on referral {referral.reference}, so "
                                      "there is nothing to reply to; nothing was sent.")
            return Outcome(False, f"Referral {referral.reference} is {REFERRAL_STATUS_LABELS[referral.status].lower()}, "
                                  "so that action is not available; nothing was changed.")
        result = await _apply(session, services, referral, actor_aad_id, actor_name, action, new_status, data)
        if result.ok:
            audit.record(session=session, actor_aad_id=actor_aad_id, action=f"referral.{action}",
                         entity_type="referral", entity_id=referral.reference,
                         detail={"status": str(referral.status), "version": referral.version})
            await _refresh_officer_cards(session, referral, services)
        await session.commit()
    if result.ok:
        log.info("referral %s ref=%s status=%s", action, referral.reference, referral.status)
    return result


def _doing(action: ReferralAction) -> str:
    return {ReferralAction.REPLY: "reply to the officer's request on",
            ReferralAction.WITHDRAW: "withdraw"}.get(action, "change")


def _version(raw) -> int | None:
    return card_id(raw)


def _ended(referral: Referral, action: ReferralAction, services: Services) -> Outcome:
    """A referrer's action on a referral that has ended: a polite no, saying when and how it ended."""
    when = (referral.closed_at or referral.updated_at).astimezone(ZoneInfo(services.settings.timezone)).strftime("%d %b %Y")
    how = ("you withdrew it" if referral.status == ReferralStatus.WITHDRAWN else
           f"it was closed ({CLOSE_OUTCOMES.get(referral.outcome or '', 'no outcome given').lower()})")
    if action is ReferralAction.REPLY:
        return Outcome(False, f"Thank you, but referral {referral.reference} has ended — {how} on {when} — so your "
                              "reply was not sent. If the team still needs to know something, please contact the "
                              "locality officer directly, or make a new referral.")
    return Outcome(False, f"Referral {referral.reference} has already ended — {how} on {when} — so there is nothing "
                          "to withdraw.")


async def _stale_for_referrer(session, referral: Referral, services: Services, data: dict) -> Outcome:
    """The referrer pressed a button on a card that is out of date: refuse, and send the current details
    with what they typed kept, so they can do it again in one step."""
    error = (f"Referral {referral.reference} has changed since that card was sent (it is now "
             f"{REFERRAL_STATUS_LABELS[referral.status].lower()}), so nothing was sent. Here it is as it stands now.")
    return Outcome(False, error, card=await _referrer_card(
        session, referral, services, reply_value=str(data.get("info_reply") or "")[:FIELD_LIMITS["info_reply"]],
        withdraw_value=str(data.get("withdraw_reason") or "")[:FIELD_LIMITS["withdraw_reason"]]))


async def _already_done(session, referral: Referral, actor: str, action: ReferralAction, version: int,
                        services: Services) -> Outcome | None:
    """Teams resends a button press it thinks timed out: if this very action by this person is the one that
    moved the referral on from the card's version, say it was done rather than "nothing was changed"."""
    last = await referrals.last_event(session=session, referral_id=referral.id, kinds=VERSIONED_EVENTS)
    if last is None or referral.version != version + 1 or last.actor_aad_id != actor or last.kind != EVENT_OF[action]:
        return None
    when = last.at.astimezone(ZoneInfo(services.settings.timezone)).strftime("%H:%M")
    return Outcome(True, f"That's already done: you {DONE_WORDS[action]} referral {referral.reference} at {when}.")


def _typed(data: dict, key: str) -> str:
    return str(data.get(key) or "").strip()


async def _apply(session, services: Services, referral: Referral, actor: str, actor_name: str | None,
                 action: ReferralAction, new_status: ReferralStatus, data: dict) -> Outcome:
    now = services.now()
    was_new = referral.status == ReferralStatus.NEW
    note = None
    question = None
    if action is ReferralAction.ACCEPT:
        headline, message = "Your referral was accepted", "The locality officer will be in touch."
    elif action is ReferralAction.ASK:
        note = _typed(data, "info_request")
        if not note or len(note) > FIELD_LIMITS["info_request"]:
            return Outcome(False, f"Please say what information you need (up to {FIELD_LIMITS['info_request']:,} "
                                  "characters); nothing was sent.")
        headline, message = ("The officer needs more information",
                             "Reply below: your answer goes to the officer and is kept with the referral.")
    elif action is ReferralAction.CLOSE:
        outcome = str(data.get("outcome") or "")
        if outcome not in CLOSE_OUTCOMES:
            return Outcome(False, "Please choose an outcome to close the referral; nothing was changed.")
        referral.outcome, referral.closed_at = outcome, now
        headline, message = "Your referral was closed", f"Outcome: {CLOSE_OUTCOMES[outcome]}."
    elif action is ReferralAction.REASSIGN:
        locality_id = _version(data.get("locality_id"))  # a positive id in range, or None
        locality = await directory.get_locality(session=session, locality_id=locality_id) if locality_id else None
        if locality is None or locality.id == referral.locality_id:
            return Outcome(False, "Please choose a different locality; nothing was changed.")
        referral.locality_id = locality.id
        referral.assigned_aad_id = locality.officer_aad_id or await referrals.triage_owner(session=session)
        headline, message = ("Your referral moved to another locality",
                             f"It is now with the {locality.name} locality officer.")
    elif action is ReferralAction.REPLY:
        note = _typed(data, "info_reply")
        limit = FIELD_LIMITS["info_reply"]
        if not note or len(note) > limit:
            problem = ("Please write your reply before sending it" if not note else
                       f"Please keep your reply under {limit:,} characters (it has {len(note):,})")
            return Outcome(False, f"{problem}; nothing was sent.", card=await _referrer_card(
                session, referral, services, reply_value=note, error=f"{problem}."))
        question = await _latest_question(session, referral)
    else:  # withdraw
        note = _typed(data, "withdraw_reason")
        limit = FIELD_LIMITS["withdraw_reason"]
        if not note or len(note) > limit:
            problem = ("Please say why you are withdrawing the referral" if not note else
                       f"Please keep the reason under {limit:,} characters (it has {len(note):,})")
            return Outcome(False, f"{problem}; nothing was changed.", card=await _referrer_card(
                session, referral, services, withdraw_value=note, error=f"{problem}."))
        referral.closed_at = now
    referral.status = new_status
    if was_new and action in OFFICER_ACTIONS and action is not ReferralAction.REASSIGN:
        referral.acknowledged_at = now
    referrals.touch(referral, now)
    referrals.add_event(session=session, referral=referral, actor=actor, kind=EVENT_OF[action],
                        note=referral.outcome if action is ReferralAction.CLOSE else note)
    await session.flush()
    if action is ReferralAction.REPLY:
        await _tell_officer(session, referral, key=f"referral:{referral.reference}:officer-note:v{referral.version}",
                            headline=f"Reply on referral {referral.reference}",
                            message="The referrer answered your request for information. The referral's card is "
                                    "updated too.",
                            notes=[("From", actor_name or referral.referrer_name or "the referrer"),
                                   ("You asked", question or ""), ("Reply", note)])
        when = now.astimezone(ZoneInfo(services.settings.timezone)).strftime("%d %b %H:%M")
        return Outcome(True, f"Sent: your reply on referral {referral.reference} has gone to the officer.",
                       replace=reply_sent_card(referral=referral, question=question, reply=note, when=when))
    if action is ReferralAction.WITHDRAW:
        await _tell_officer(session, referral, key=f"referral:{referral.reference}:officer-note:v{referral.version}",
                            headline=f"Referral {referral.reference} withdrawn",
                            message="The referrer withdrew this referral; nothing more is needed from you. Its card "
                                    "is updated too.",
                            notes=[("Reason", note)])
        return Outcome(True, f"Done: you withdrew referral {referral.reference}. The officer has been told.",
                       replace=await _referrer_card(session, referral, services))
    await outbox.enqueue(session=session, key=f"referral:{referral.reference}:referrer:v{referral.version}",
                         recipient_aad_id=referral.referrer_aad_id, summary=headline, referral_id=referral.id,
                         card=referrer_update_card(referral=referral, headline=headline, message=message, note=note),
                         escalation=await _escalation(session, referral, recipient=referral.referrer_aad_id,
                                                      recipient_name=referral.referrer_name))
    if action is ReferralAction.REASSIGN:
        await _enqueue_officer_card(session, referral, services)
    text = (f"Done: you sent your request for information on {referral.reference} to the referrer."
            if action is ReferralAction.ASK else
            f"Done: you {DONE_WORDS[action]} referral {referral.reference}. The referrer will be told.")
    return Outcome(True, text)


# --- details and lists ----------------------------------------------------------------------------------
async def view(services: Services, *, viewer_aad_id: str, role: Role, reference: str) -> list[dict] | str:
    """A referral's details card (`referral.view`) for someone who may see it, audited (as is a refusal):
    the referrer's view (reply, withdraw) and, for the assigned officer or a manager, the officer's card."""
    reference = reference.strip().upper()
    if not referrals.REFERENCE_RE.match(reference):
        return "That card is not valid, so there is nothing to show."
    async with services.sessions() as session:
        referral = await referrals.get_for_viewer(session=session, reference=reference, viewer_aad_id=viewer_aad_id,
                                                  viewer_role=role, purpose="view")
        if referral is None:
            await session.commit()  # the denied read's audit row
            return "I couldn't find a referral you can see with that reference."
        cards = []
        if referral.referrer_aad_id == viewer_aad_id:
            cards.append(await _referrer_card(session, referral, services))
        if referrals.can_act(referral, actor_aad_id=viewer_aad_id, actor_role=role):
            cards.append(await _officer_card(session, referral, services))
        await session.commit()  # the read's audit row
    return cards


async def visible_to(services: Services, *, viewer_aad_id: str, role: Role, section: str | None = None,
                     offset: int = 0) -> tuple[list[referrals.Section], dict[int | None, str]]:
    """What this person may see (their referrals; their queue; managers: every open one), audited."""
    async with services.sessions() as session:
        sections = await referrals.list_for_viewer(session=session, viewer_aad_id=viewer_aad_id, viewer_role=role,
                                                   section=section, offset=offset)
        names = await directory.locality_names(session=session)
        await session.commit()  # the audit row of this read
    return sections, names


def is_manager(role: Role) -> bool:
    return role in MANAGER_ROLES


# --- jobs ---------------------------------------------------------------------------------------------
async def nudge_managers(services: Services, *, now: datetime) -> int:
    """`referral-sla`: referrals unacknowledged for 2 working days → the locality's manager, once each."""
    tz = services.settings.timezone
    count = 0
    async with services.sessions() as session:
        # Anything younger than 2 calendar days cannot be 2 working days old: narrow the query first.
        candidates = await referrals.unacknowledged_since(session=session, before=now - timedelta(days=SLA_WORKING_DAYS))
        names = await directory.locality_names(session=session)
        for referral in candidates:
            if add_working_days(referral.created_at, SLA_WORKING_DAYS, tz) > now:
                continue
            manager = await referrals.manager_for(session=session, referral=referral)
            if not manager:
                continue
            await outbox.enqueue(session=session, key=f"referral:{referral.reference}:manager-nudge",
                                 recipient_aad_id=manager, referral_id=referral.id,
                                 card=manager_nudge_card(referral=referral, locality_name=names.get(referral.locality_id),
                                                         working_days=SLA_WORKING_DAYS, tz=tz),
                                 summary=f"Referral {referral.reference} not yet acknowledged")
            referral.manager_nudged_at = now
            referrals.add_event(session=session, referral=referral, actor=None, kind="manager_nudged")
            count += 1
        await session.commit()
    return count


async def purge(services: Services, *, now: datetime) -> list[str]:
    """`purge`: ended (closed or withdrawn) referrals past the retention period go; an id-only audit row stays."""
    cutoff = now - timedelta(days=services.settings.referral_retention_days)
    async with services.sessions() as session:
        purged = await referrals.purge_closed(session=session, closed_before=cutoff)
        await session.commit()
    return purged
