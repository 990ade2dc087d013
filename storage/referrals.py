"""Referral repository: create (gap-free references, resubmit-safe), read with access control, act, list, purge."""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import delete, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from storage import audit
from storage.clock import utcnow
from storage.directory import managers
from storage.models import Delivery, Locality, ReferenceCounter, Referral, ReferralEvent
from storage.vocabulary import MANAGER_ROLES, OPEN_REFERRAL_STATUSES, ReferralStatus

OPEN_STATUSES = tuple(OPEN_REFERRAL_STATUSES)
REFERENCE_RE = re.compile(r"^VS-\d{4}-\d{5,}$")


@dataclass(frozen=True)
class ReferralIn:
    submit_token: str
    child_first_name: str
    child_last_name: str
    child_dob: date
    home_postcode: str
    school_name: str
    legal_status: str
    reasons: list[str]
    details: str
    referrer_aad_id: str
    referrer_role: str
    referrer_name: str | None
    social_worker_name: str | None
    social_worker_email: str | None


async def next_reference(*, session: AsyncSession, year: int) -> str:
    """Increment the year's counter inside the caller's transaction: concurrent callers queue on the row
    lock, and a rolled-back referral rolls its number back too, so references are unique and gap-free."""
    insert = pg_insert if session.bind.dialect.name == "postgresql" else sqlite_insert
    await session.execute(insert(ReferenceCounter).values(year=year, last=0).on_conflict_do_nothing(index_elements=["year"]))
    number = (
        await session.execute(
            update(ReferenceCounter).where(ReferenceCounter.year == year)
            .values(last=ReferenceCounter.last + 1).returning(ReferenceCounter.last)
        )
    ).scalar_one()
    return f"VS-{year}-{number:05d}"


async def triage_owner(*, session: AsyncSession) -> str | None:
    """Unknown or out-of-area postcodes go to a manager's triage queue."""
    found = await managers(session=session)
    return found[0] if found else None


async def find_by_token(*, session: AsyncSession, submit_token: str) -> Referral | None:
    return (await session.execute(select(Referral).where(Referral.submit_token == submit_token))).scalar_one_or_none()


async def create_referral(
    *, session: AsyncSession, referral_in: ReferralIn, locality: Locality | None, year: int
) -> tuple[Referral, bool]:
    """Returns (referral, created). The same submit token again returns the first referral, unchanged."""
    existing = await find_by_token(session=session, submit_token=referral_in.submit_token)
    if existing is not None:
        return existing, False
    assigned = (locality.officer_aad_id if locality else None) or await triage_owner(session=session)
    fields = {k: v for k, v in referral_in.__dict__.items() if k != "reasons"}
    referral = Referral(
        **fields,
        reasons=",".join(referral_in.reasons),
        reference=await next_reference(session=session, year=year),
        locality_id=locality.id if locality else None,
        assigned_aad_id=assigned,
    )
    session.add(referral)
    await session.flush()
    add_event(session=session, referral=referral, actor=referral_in.referrer_aad_id, kind="created",
              note=locality.name if locality else "triage")
    audit.record(session=session, actor_aad_id=referral_in.referrer_aad_id, action="referral.create",
                 entity_type="referral", entity_id=referral.reference,
                 detail={"locality_id": referral.locality_id, "assigned": assigned})
    return referral, True


async def events_of(*, session: AsyncSession, referral_id: int) -> list[ReferralEvent]:
    return list((await session.execute(select(ReferralEvent).where(ReferralEvent.referral_id == referral_id)
                                       .order_by(ReferralEvent.id))).scalars())


async def last_event(*, session: AsyncSession, referral_id: int) -> ReferralEvent | None:
    return (await session.execute(select(ReferralEvent).where(ReferralEvent.referral_id == referral_id)
                                  .order_by(ReferralEvent.id.desc()).limit(1))).scalar_one_or_none()


async def manager_for(*, session: AsyncSession, referral: Referral) -> str | None:
    """The manager of the referral's locality, or the triage manager."""
    locality = await session.get(Locality, referral.locality_id) if referral.locality_id else None
    return (locality.manager_aad_id if locality else None) or await triage_owner(session=session)


def add_event(*, session: AsyncSession, referral: Referral, actor: str | None, kind: str, note: str | None = None) -> None:
    session.add(ReferralEvent(referral_id=referral.id, actor_aad_id=actor, kind=kind, note=note))


def is_manager(role: str) -> bool:
    return role in MANAGER_ROLES


def can_read(referral: Referral, *, viewer_aad_id: str, viewer_role: str) -> bool:
    """Only the referrer, the assigned officer and managers see a referral."""
    return viewer_aad_id in (referral.referrer_aad_id, referral.assigned_aad_id) or is_manager(viewer_role)


def can_act(referral: Referral, *, actor_aad_id: str, actor_role: str) -> bool:
    """Only the assigned officer or a manager may act on a referral."""
    return actor_aad_id == referral.assigned_aad_id or is_manager(actor_role)


async def get_for_viewer(
    *, session: AsyncSession, reference: str, viewer_aad_id: str, viewer_role: str, purpose: str = "read"
) -> Referral | None:
    """The referral if this viewer may see it, else None (indistinguishable from "no such referral").
    Every successful read is audited."""
    referral = (
        await session.execute(select(Referral).where(Referral.reference == reference.strip().upper()))
    ).scalar_one_or_none()
    if referral is None or not can_read(referral, viewer_aad_id=viewer_aad_id, viewer_role=viewer_role):
        if referral is not None:
            audit.record(session=session, actor_aad_id=viewer_aad_id, action="referral.read_denied",
                         entity_type="referral", entity_id=referral.reference)
        return None
    audit.record(session=session, actor_aad_id=viewer_aad_id, action=f"referral.{purpose}",
                 entity_type="referral", entity_id=referral.reference)
    return referral


async def lock_for_update(*, session: AsyncSession, referral_id: int) -> Referral | None:
    return (
        await session.execute(select(Referral).where(Referral.id == referral_id).with_for_update()
                              .execution_options(populate_existing=True))
    ).scalar_one_or_none()


def touch(referral: Referral, now: datetime | None = None) -> None:
    referral.version += 1
    referral.updated_at = now or utcnow()


async def list_for_viewer(*, session: AsyncSession, viewer_aad_id: str, viewer_role: str,
                          limit: int = 50) -> dict[str, list[Referral]]:
    """What each person may see: their own referrals; the queue assigned to them; managers: all open ones."""
    out: dict[str, list[Referral]] = {}
    mine = (await session.execute(
        select(Referral).where(Referral.referrer_aad_id == viewer_aad_id)
        .order_by(Referral.created_at.desc()).limit(limit))).scalars().all()
    if mine:
        out["made"] = list(mine)
    queue = (await session.execute(
        select(Referral).where(Referral.assigned_aad_id == viewer_aad_id, Referral.status.in_(OPEN_STATUSES))
        .order_by(Referral.created_at).limit(limit))).scalars().all()
    if queue:
        out["assigned"] = list(queue)
    if is_manager(viewer_role):
        every = (await session.execute(
            select(Referral).where(Referral.status.in_(OPEN_STATUSES))
            .order_by(Referral.locality_id, Referral.created_at).limit(limit * 4))).scalars().all()
        out["all_open"] = list(every)
    audit.record(session=session, actor_aad_id=viewer_aad_id, action="referral.list", entity_type="referral",
                 detail={k: [r.reference for r in v] for k, v in out.items()})
    return out


async def unacknowledged_since(*, session: AsyncSession, before: datetime) -> list[Referral]:
    """New referrals nobody has acted on, created before `before`, whose manager was not yet nudged."""
    return list((await session.execute(
        select(Referral).where(Referral.status == ReferralStatus.NEW, Referral.acknowledged_at.is_(None),
                               Referral.manager_nudged_at.is_(None), Referral.created_at < before)
        .order_by(Referral.created_at))).scalars())


async def purge_closed(*, session: AsyncSession, closed_before: datetime) -> list[str]:
    """Delete closed referrals past retention with their history and outbox rows; keep an id-only audit row."""
    rows = (await session.execute(
        select(Referral.id, Referral.reference).where(Referral.status == ReferralStatus.CLOSED, Referral.closed_at < closed_before)
    )).all()
    ids = [row.id for row in rows]
    if not ids:
        return []
    await session.execute(delete(ReferralEvent).where(ReferralEvent.referral_id.in_(ids)))
    await session.execute(delete(Delivery).where(Delivery.referral_id.in_(ids)))
    await session.execute(delete(Referral).where(Referral.id.in_(ids)))
    for row in rows:
        audit.record(session=session, actor_aad_id=None, action="referral.purged", entity_type="referral",
                     entity_id=row.reference, detail={"retention": "expired"})
    return [row.reference for row in rows]
