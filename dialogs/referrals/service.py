"""Referral service: submit, officer actions, lists, manager nudges and purge.

Rules and transactions only (no botbuilder, no SQL: repositories in storage/ do the queries). Each change is
one transaction that also writes the messages announcing it to other people (outbox rows); the Teams edge
delivers those after the person acting has had their answer, so nobody waits on someone else's chat."""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from cards.menu import notice_card
from cards.referrals import manager_nudge_card, officer_referral_card, referrer_update_card
from dialogs.common.ids import card_id
from dialogs.common.services import Services
from storage import audit, directory, outbox, referrals
from storage.db import UniqueViolation
from storage.models import Referral
from storage.vocabulary import (
    CLOSE_OUTCOMES,
    FIELD_LIMITS,
    MANAGER_ROLES,
    REFERRAL_STATUS_LABELS,
    REFERRAL_TRANSITIONS,
    ReferralAction,
    ReferralStatus,
    Role,
)
from storage.working_days import add_working_days

log = logging.getLogger("vsbot.referrals")
SLA_WORKING_DAYS = 2
EVENT_OF = {ReferralAction.ACCEPT: "accepted", ReferralAction.ASK: "info_requested",
            ReferralAction.CLOSE: "closed", ReferralAction.REASSIGN: "reassigned"}
EVENT_LABELS = {"created": "Referred", "accepted": "Accepted", "info_requested": "Information requested",
                "closed": "Closed", "reassigned": "Reassigned", "manager_nudged": "Manager nudged"}
DONE_WORDS = {ReferralAction.ACCEPT: "accepted", ReferralAction.ASK: "asked for information on",
              ReferralAction.CLOSE: "closed", ReferralAction.REASSIGN: "reassigned"}


@dataclass(frozen=True)
class Outcome:
    ok: bool
    message: str


@dataclass(frozen=True)
class Submitted:
    referral: Referral
    created: bool
    locality_name: str | None


# --- reading ----------------------------------------------------------------------------------------
async def _history(session, referral: Referral, tz: str) -> list[str]:
    """"Accepted 24 Nov 10:02 by Olu Adeyemi": who did what and when (local time), names from the staff
    directory, and the referrer's name as Teams gave it."""
    events = await referrals.events_of(session=session, referral_id=referral.id)
    names = await directory.names_of(session=session, aad_object_ids=[e.actor_aad_id for e in events])
    if referral.referrer_name:
        names.setdefault(referral.referrer_aad_id, referral.referrer_name)
    zone = ZoneInfo(tz)
    return [f"{EVENT_LABELS.get(e.kind, e.kind)} {e.at.astimezone(zone).strftime('%d %b %H:%M')}"
            + (f" by {names[e.actor_aad_id]}" if e.actor_aad_id in names else "") for e in events]


async def _officer_card(session, referral: Referral, services: Services) -> dict:
    localities = await directory.list_localities(session=session)
    names = {loc.id: loc.name for loc in localities}
    return officer_referral_card(referral=referral, locality_name=names.get(referral.locality_id),
                                 today=services.today(), localities=[(loc.id, loc.name) for loc in localities],
                                 history=await _history(session, referral, services.settings.timezone))


async def _locality_name(session, referral: Referral) -> str | None:
    return (await directory.locality_names(session=session)).get(referral.locality_id)


async def _escalation(session, referral: Referral, *, recipient: str, recipient_name: str | None) -> outbox.Escalation | None:
    """If a message about this referral cannot reach `recipient`, the locality's manager is told once."""
    manager = await referrals.manager_for(session=session, referral=referral)
    if not manager or manager == recipient:
        return None
    return outbox.Escalation(to=(manager,), subject=f"referral {referral.reference}", recipient_name=recipient_name)


def _officer_key(referral: Referral) -> str:
    return f"referral:{referral.reference}:officer:{referral.assigned_aad_id}:v{referral.version}"


async def _enqueue_officer_card(session, referral: Referral, services: Services) -> None:
    if not referral.assigned_aad_id:
        log.warning("referral has no officer or triage manager to notify ref=%s", referral.reference)
        return
    names = await directory.names_of(session=session, aad_object_ids=[referral.assigned_aad_id])
    await outbox.enqueue(session=session, key=_officer_key(referral), recipient_aad_id=referral.assigned_aad_id,
                         card=await _officer_card(session, referral, services),
                         summary=f"New referral {referral.reference}", referral_id=referral.id,
                         escalation=await _escalation(session, referral, recipient=referral.assigned_aad_id,
                                                      recipient_name=names.get(referral.assigned_aad_id)))


async def _refresh_officer_cards(session, referral: Referral, services: Services) -> None:
    """Every officer card of this referral is updated in place (through the outbox, after the reply): the
    current officer's shows the new state, a previous officer's says it moved (and loses its buttons)."""
    current = await _officer_card(session, referral, services)
    for copy in await outbox.sent_copies(session=session, key_prefix=f"referral:{referral.reference}:officer:"):
        card = current if copy.recipient_aad_id == referral.assigned_aad_id else notice_card(
            f"Referral {referral.reference} reassigned",
            "This referral has moved to another locality; no action is needed from you.",
            card_id="referral-officer-reassigned")
        await outbox.enqueue(session=session, key=f"{copy.key}:u{referral.version}", recipient_aad_id=copy.recipient_aad_id,
                             card=card, summary=f"Referral {referral.reference} updated", referral_id=referral.id,
                             updates_key=copy.key)


# --- submitting -------------------------------------------------------------------------------------
async def submit(services: Services, *, actor_aad_id: str, actor_name: str | None, clean: dict,
                 token: str) -> Submitted:
    """Create the referral (or find the one this form already created) and queue the officer's card."""
    try:
        return await _submit_once(services, actor_aad_id=actor_aad_id, actor_name=actor_name, clean=clean, token=token)
    except UniqueViolation:
        # The same form submitted twice at the same moment (Teams' retry racing the original) on PostgreSQL:
        # the loser's transaction, counter increment included, rolled back; the winner's referral stands.
        found = await find_submitted(services, token=token, actor_aad_id=actor_aad_id)
        if found is None:
            raise
        return found


async def _submit_once(services: Services, *, actor_aad_id: str, actor_name: str | None, clean: dict,
                       token: str) -> Submitted:
    async with services.sessions() as session:
        locality = await directory.locality_for_postcode(session=session, postcode=clean["home_postcode"])
        referral_in = referrals.ReferralIn(
            submit_token=token, child_first_name=clean["child_first_name"], child_last_name=clean["child_last_name"],
            child_dob=clean["child_dob"], home_postcode=clean["home_postcode"], school_name=clean["school_name"],
            legal_status=clean["legal_status"], reasons=clean["reasons"], details=clean["details"],
            referrer_aad_id=actor_aad_id, referrer_role=clean["referrer_role"], referrer_name=actor_name,
            social_worker_name=clean["social_worker_name"], social_worker_email=clean["social_worker_email"])
        referral, created = await referrals.create_referral(session=session, referral_in=referral_in,
                                                            locality=locality, year=services.today().year)
        if created:
            await _enqueue_officer_card(session, referral, services)
        locality_name = await _locality_name(session, referral)
        await session.commit()
    if created:
        log.info("referral created ref=%s locality=%s", referral.reference, referral.locality_id or "triage")
    return Submitted(referral, created, locality_name)


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


# --- officer actions ----------------------------------------------------------------------------------
async def act(services: Services, *, actor_aad_id: str, role: Role, verb: str, data: dict) -> Outcome:
    """Accept / ask / close / reassign, checked on the server: who may act, that the lifecycle allows it, and
    that the card is current. A resend of an action that already took effect says it was done."""
    try:
        action = ReferralAction(verb)
    except ValueError:
        return Outcome(False, "I don't know that action, so nothing was changed.")
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
        if not referrals.can_act(referral, actor_aad_id=actor_aad_id, actor_role=role):
            audit.record(session=session, actor_aad_id=actor_aad_id, action="referral.act_denied",
                         entity_type="referral", entity_id=referral.reference, detail={"verb": str(action)})
            await session.commit()
            return Outcome(False, f"Only the assigned officer or a manager can change referral {referral.reference}.")
        if referral.version != version:
            replay = await _already_done(session, referral, actor_aad_id, action, version, services)
            if replay is None:
                await _refresh_officer_cards(session, referral, services)  # their card is out of date: fix it
            await session.commit()
            return replay or Outcome(False, f"Referral {referral.reference} has changed since that card was sent "
                                            f"(it is now {REFERRAL_STATUS_LABELS[referral.status].lower()}), so "
                                            "nothing was changed. The card has been refreshed.")
        new_status = REFERRAL_TRANSITIONS.get((ReferralStatus(referral.status), action))
        if new_status is None:
            await session.commit()
            return Outcome(False, f"Referral {referral.reference} is {REFERRAL_STATUS_LABELS[referral.status].lower()}, "
                                  "so that action is not available; nothing was changed.")
        result = await _apply(session, services, referral, actor_aad_id, action, new_status, data)
        if result.ok:
            audit.record(session=session, actor_aad_id=actor_aad_id, action=f"referral.{action}",
                         entity_type="referral", entity_id=referral.reference,
                         detail={"status": str(referral.status), "version": referral.version})
            await _refresh_officer_cards(session, referral, services)
        await session.commit()
    return result


def _version(raw) -> int | None:
    return card_id(raw)


async def _already_done(session, referral: Referral, actor: str, action: ReferralAction, version: int,
                        services: Services) -> Outcome | None:
    """Teams resends a button press it thinks timed out: if this very action by this person is the one that
    moved the referral on from the card's version, say it was done rather than "nothing was changed"."""
    last = await referrals.last_event(session=session, referral_id=referral.id)
    if last is None or referral.version != version + 1 or last.actor_aad_id != actor or last.kind != EVENT_OF[action]:
        return None
    when = last.at.astimezone(ZoneInfo(services.settings.timezone)).strftime("%H:%M")
    return Outcome(True, f"That's already done: you {DONE_WORDS[action]} referral {referral.reference} at {when}.")


async def _apply(session, services: Services, referral: Referral, actor: str, action: ReferralAction,
                 new_status: ReferralStatus, data: dict) -> Outcome:
    now = services.now()
    was_new = referral.status == ReferralStatus.NEW
    note = None
    if action is ReferralAction.ACCEPT:
        headline, message = "Your referral was accepted", "The locality officer will be in touch."
    elif action is ReferralAction.ASK:
        note = str(data.get("info_request") or "").strip()
        if not note or len(note) > FIELD_LIMITS["info_request"]:
            return Outcome(False, f"Please say what information you need (up to {FIELD_LIMITS['info_request']:,} "
                                  "characters); nothing was sent.")
        headline, message = ("The officer needs more information",
                             "Please reply to the officer directly in Teams or by e-mail.")
    elif action is ReferralAction.CLOSE:
        outcome = str(data.get("outcome") or "")
        if outcome not in CLOSE_OUTCOMES:
            return Outcome(False, "Please choose an outcome to close the referral; nothing was changed.")
        referral.outcome, referral.closed_at = outcome, now
        headline, message = "Your referral was closed", f"Outcome: {CLOSE_OUTCOMES[outcome]}."
    else:  # reassign
        locality_id = _version(data.get("locality_id"))  # a positive id in range, or None
        locality = await directory.get_locality(session=session, locality_id=locality_id) if locality_id else None
        if locality is None or locality.id == referral.locality_id:
            return Outcome(False, "Please choose a different locality; nothing was changed.")
        referral.locality_id = locality.id
        referral.assigned_aad_id = locality.officer_aad_id or await referrals.triage_owner(session=session)
        headline, message = ("Your referral moved to another locality",
                             f"It is now with the {locality.name} locality officer.")
    referral.status = new_status
    if was_new and action is not ReferralAction.REASSIGN:
        referral.acknowledged_at = now
    referrals.touch(referral, now)
    referrals.add_event(session=session, referral=referral, actor=actor, kind=EVENT_OF[action],
                        note=note if action is ReferralAction.ASK else referral.outcome if action is ReferralAction.CLOSE
                        else None)
    await session.flush()
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


# --- lists --------------------------------------------------------------------------------------------
async def visible_to(services: Services, *, viewer_aad_id: str, role: Role) -> tuple[dict[str, list[Referral]],
                                                                                    dict[int | None, str]]:
    """What this person may see (their referrals; their queue; managers: every open one), audited."""
    async with services.sessions() as session:
        groups = await referrals.list_for_viewer(session=session, viewer_aad_id=viewer_aad_id, viewer_role=role)
        names = await directory.locality_names(session=session)
        await session.commit()  # the audit row of this read
    return groups, names


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
    """`purge`: closed referrals past the retention period go; an id-only audit row stays."""
    cutoff = now - timedelta(days=services.settings.referral_retention_days)
    async with services.sessions() as session:
        purged = await referrals.purge_closed(session=session, closed_before=cutoff)
        await session.commit()
    return purged
