"""Referral workflow: submit, officer actions, manager nudges and purge. Each change is one transaction that
also writes the messages announcing it (outbox), so a committed change is never left unannounced."""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from cards.menu import notice_card
from cards.referrals import manager_nudge_card, officer_referral_card, referrer_update_card
from storage import audit, directory, outbox, referrals
from storage.models import CLOSE_OUTCOMES, Delivery, Locality, Referral, ReferralEvent
from storage.working_days import add_working_days

log = logging.getLogger("vsbot.referrals")
SLA_WORKING_DAYS = 2


@dataclass(frozen=True)
class Outcome:
    ok: bool
    message: str
    keys: tuple[str, ...] = ()  # outbox keys to dispatch after commit


async def _locality_names(session) -> dict[int | None, str]:
    return {loc.id: loc.name for loc in await directory.list_localities(session=session)}


async def _history(session, referral: Referral, tz: str) -> list[str]:
    """"Accepted 24 Nov 10:02 by Olu Adeyemi": who did what and when (local time), names from the staff
    directory, and the referrer's name as Teams gave it."""
    events = (await session.execute(select(ReferralEvent).where(ReferralEvent.referral_id == referral.id)
                                    .order_by(ReferralEvent.id))).scalars().all()
    actors = {e.actor_aad_id for e in events if e.actor_aad_id}
    names = {a: m.name for a in actors if (m := await directory.get_staff(session=session, aad_object_id=a))}
    if referral.referrer_name:
        names.setdefault(referral.referrer_aad_id, referral.referrer_name)
    zone = ZoneInfo(tz)
    labels = {"created": "Referred", "accepted": "Accepted", "info_requested": "Information requested",
              "closed": "Closed", "reassigned": "Reassigned", "manager_nudged": "Manager nudged"}
    return [f"{labels.get(e.kind, e.kind)} {e.at.astimezone(zone).strftime('%d %b %H:%M')}"
            + (f" by {names[e.actor_aad_id]}" if e.actor_aad_id in names else "") for e in events]


async def officer_card(session, referral: Referral, services) -> dict:
    localities = await directory.list_localities(session=session)
    locality_names = {loc.id: loc.name for loc in localities}
    return officer_referral_card(referral=referral, locality_name=locality_names.get(referral.locality_id),
                                 today=services.today(), localities=[(loc.id, loc.name) for loc in localities],
                                 history=await _history(session, referral, services.settings.timezone))


async def enqueue_officer_card(session, referral: Referral, services) -> str | None:
    if not referral.assigned_aad_id:
        log.warning("referral has no officer or triage manager to notify ref=%s", referral.reference)
        return None
    key = f"referral:{referral.reference}:officer:{referral.assigned_aad_id}:v{referral.version}"
    await outbox.enqueue(session=session, key=key, recipient_aad_id=referral.assigned_aad_id,
                         card=await officer_card(session, referral, services),
                         summary=f"New referral {referral.reference}", referral_id=referral.id)
    return key


async def submit(services, *, actor_aad_id: str, actor_name: str | None, clean: dict,
                 token: str) -> tuple[Referral, bool, str | None]:
    """Create the referral (or find the one this form already created) and queue the officer's card."""
    try:
        return await _submit_once(services, actor_aad_id=actor_aad_id, actor_name=actor_name, clean=clean, token=token)
    except IntegrityError:
        # The same form submitted twice at the same moment (Teams' retry racing the original) on PostgreSQL:
        # the loser's transaction, counter increment included, rolled back; the winner's referral stands.
        async with services.sessions() as session:
            referral = await referrals.find_by_token(session=session, submit_token=token)
            if referral is None:
                raise
            locality_name = (await _locality_names(session)).get(referral.locality_id)
        return referral, False, locality_name


async def _submit_once(services, *, actor_aad_id: str, actor_name: str | None, clean: dict,
                       token: str) -> tuple[Referral, bool, str | None]:
    today = services.today()
    async with services.sessions() as session:
        locality = await directory.locality_for_postcode(session=session, postcode=clean["home_postcode"])
        referral_in = referrals.ReferralIn(
            submit_token=token, child_first_name=clean["child_first_name"], child_last_name=clean["child_last_name"],
            child_dob=clean["child_dob"], home_postcode=clean["home_postcode"], school_name=clean["school_name"],
            legal_status=clean["legal_status"], reasons=clean["reasons"], details=clean["details"],
            referrer_aad_id=actor_aad_id, referrer_role=clean["referrer_role"], referrer_name=actor_name,
            social_worker_name=clean["social_worker_name"], social_worker_email=clean["social_worker_email"])
        referral, created = await referrals.create_referral(session=session, referral_in=referral_in,
                                                            locality=locality, year=today.year)
        keys = []
        if created:
            key = await enqueue_officer_card(session, referral, services)
            keys = [key] if key else []
        locality_name = (await _locality_names(session)).get(referral.locality_id)
        await session.commit()
    if keys and services.notifier:
        await services.notifier.dispatch(keys)
    if created:
        log.info("referral created ref=%s locality=%s", referral.reference, referral.locality_id or "triage")
    return referral, created, locality_name


async def act(services, *, actor_aad_id: str, verb: str, data: dict) -> Outcome:
    """Accept / ask / close / reassign, checked on the server: who may act, and that the card is current."""
    reference = str(data.get("reference") or "")
    try:
        version = int(data.get("version"))
    except (TypeError, ValueError):
        return Outcome(False, "That card is not valid, so nothing was changed.")
    async with services.sessions() as session:
        role = await directory.role_of(session=session, aad_object_id=actor_aad_id)
        referral = await referrals.get_for_viewer(session=session, reference=reference, viewer_aad_id=actor_aad_id,
                                                  viewer_role=role, purpose=f"act.{verb}")
        if referral is None:
            await session.commit()  # keep the denied-read audit row
            return Outcome(False, "I couldn't find a referral you can act on, so nothing was changed.")
        referral = await referrals.lock_for_update(session=session, referral_id=referral.id)
        if not referrals.can_act(referral, actor_aad_id=actor_aad_id, actor_role=role):
            audit.record(session=session, actor_aad_id=actor_aad_id, action="referral.act_denied",
                         entity_type="referral", entity_id=referral.reference, detail={"verb": verb})
            await session.commit()
            return Outcome(False, f"Only the assigned officer or a manager can change referral {referral.reference}.")
        if referral.version != version or referral.status == "closed":
            await session.commit()
            if services.notifier:
                await refresh_officer_cards(services, referral.reference)
            return Outcome(False, f"Referral {referral.reference} has changed since that card was sent "
                                  f"(it is now {referral.status.replace('_', ' ')}), so nothing was changed. "
                                  "The card has been refreshed.")
        result = await _apply(session, services, referral, actor_aad_id, verb, data)
        if not result.ok:
            await session.commit()
            return result
        audit.record(session=session, actor_aad_id=actor_aad_id, action=f"referral.{verb}", entity_type="referral",
                     entity_id=referral.reference, detail={"status": referral.status, "version": referral.version})
        keys, reference = list(result.keys), referral.reference
        await session.commit()
    if services.notifier:
        await services.notifier.dispatch(keys)
        await refresh_officer_cards(services, reference)
    return result


async def _apply(session, services, referral: Referral, actor: str, verb: str, data: dict) -> Outcome:
    now = services.now()
    was_new = referral.status == "new"
    if verb == "accept":
        if referral.status == "accepted":
            return Outcome(False, f"Referral {referral.reference} is already accepted.")
        referral.status = "accepted"
        headline, message, note = "Your referral was accepted", "The locality officer will be in touch.", None
    elif verb == "ask":
        request = str(data.get("info_request") or "").strip()
        if not request or len(request) > 1000:
            return Outcome(False, "Please say what information you need (up to 1,000 characters); nothing was sent.")
        referral.status = "info_requested"
        headline, message, note = ("The officer needs more information",
                                   "Please reply to the officer directly in Teams or by e-mail.", request)
    elif verb == "close":
        outcome = str(data.get("outcome") or "")
        if outcome not in CLOSE_OUTCOMES:
            return Outcome(False, "Please choose an outcome to close the referral; nothing was changed.")
        referral.status, referral.outcome, referral.closed_at = "closed", outcome, now
        headline, message, note = "Your referral was closed", f"Outcome: {CLOSE_OUTCOMES[outcome]}.", None
    elif verb == "reassign":
        try:
            locality_id = int(data.get("locality_id"))
        except (TypeError, ValueError):
            return Outcome(False, "Please choose a locality; nothing was changed.")
        locality = await session.get(Locality, locality_id)
        if locality is None or locality.id == referral.locality_id:
            return Outcome(False, "Please choose a different locality; nothing was changed.")
        referral.locality_id = locality.id
        referral.assigned_aad_id = locality.officer_aad_id or await referrals.triage_owner(session=session)
        headline, message, note = ("Your referral moved to another locality",
                                   f"It is now with the {locality.name} locality officer.", None)
    else:
        return Outcome(False, "I don't know that action, so nothing was changed.")
    if was_new and verb != "reassign":
        referral.acknowledged_at = now
    referrals.touch(referral, now)
    referrals.add_event(session=session, referral=referral, actor=actor, kind={"accept": "accepted",
                        "ask": "info_requested", "close": "closed", "reassign": "reassigned"}[verb],
                        note=(note if verb == "ask" else referral.outcome if verb == "close" else None))
    await session.flush()
    keys = [f"referral:{referral.reference}:referrer:v{referral.version}"]
    await outbox.enqueue(session=session, key=keys[0], recipient_aad_id=referral.referrer_aad_id,
                         card=referrer_update_card(referral=referral, headline=headline, message=message, note=note),
                         summary=headline, referral_id=referral.id)
    if verb == "reassign":
        key = await enqueue_officer_card(session, referral, services)
        if key:
            keys.append(key)
    done = {"accept": "accepted", "ask": "sent your request for", "close": "closed", "reassign": "reassigned"}[verb]
    text = (f"Done: you {done} referral {referral.reference}. The referrer has been told."
            if verb != "ask" else f"Done: you sent your request for information on {referral.reference} to the referrer.")
    return Outcome(True, text, tuple(keys))


async def refresh_officer_cards(services, reference: str) -> None:
    """Update every officer card of this referral in place: the current officer's shows the new state,
    a previous officer's says it was reassigned (and loses its buttons)."""
    async with services.sessions() as session:
        referral = (await session.execute(select(Referral).where(Referral.reference == reference))).scalar_one_or_none()
        if referral is None:
            return
        deliveries = (await session.execute(select(Delivery).where(
            Delivery.referral_id == referral.id, Delivery.key.like(f"referral:{reference}:officer:%"),
            Delivery.status == "sent"))).scalars().all()
        current = await officer_card(session, referral, services)
    for delivery in deliveries:
        if delivery.recipient_aad_id == referral.assigned_aad_id:
            new_card = current
        else:
            new_card = notice_card(f"Referral {reference} reassigned",
                                   "This referral has moved to another locality; no action is needed from you.",
                                   card_id="referral-officer-reassigned")
        await services.notifier.update(delivery, new_card)


async def nudge_managers(services, *, now: datetime) -> int:
    """`referral-sla`: referrals unacknowledged for 2 working days → the locality's manager, once each."""
    tz = services.settings.timezone
    count, keys = 0, []
    async with services.sessions() as session:
        # Anything younger than 2 calendar days cannot be 2 working days old: narrow the query first.
        candidates = await referrals.unacknowledged_since(session=session, before=now - timedelta(days=SLA_WORKING_DAYS))
        names = await _locality_names(session)
        for referral in candidates:
            if add_working_days(referral.created_at, SLA_WORKING_DAYS, tz) > now:
                continue
            locality = await session.get(Locality, referral.locality_id) if referral.locality_id else None
            manager = (locality.manager_aad_id if locality else None) or await referrals.triage_owner(session=session)
            if not manager:
                continue
            key = f"referral:{referral.reference}:manager-nudge"
            await outbox.enqueue(session=session, key=key, recipient_aad_id=manager, referral_id=referral.id,
                                 card=manager_nudge_card(referral=referral, locality_name=names.get(referral.locality_id),
                                                         working_days=SLA_WORKING_DAYS, tz=tz),
                                 summary=f"Referral {referral.reference} not yet acknowledged")
            referral.manager_nudged_at = now
            referrals.add_event(session=session, referral=referral, actor=None, kind="manager_nudged")
            keys.append(key)
            count += 1
        await session.commit()
    if keys and services.notifier:
        await services.notifier.dispatch(keys)
    return count


async def purge(services, *, now: datetime) -> list[str]:
    """`purge`: closed referrals past the retention period go; an id-only audit row stays."""
    cutoff = now - timedelta(days=services.settings.referral_retention_days)
    async with services.sessions() as session:
        purged = await referrals.purge_closed(session=session, closed_before=cutoff)
        await session.commit()
    return purged
