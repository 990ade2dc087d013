"""Referral repository: create (gap-free references, resubmit-safe), read with access control, act, list, purge."""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import delete, func, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from storage import audit
from storage.clock import utcnow
from storage.directory import managers
from storage.models import Delivery, Locality, ReferenceCounter, Referral, ReferralEvent
from storage.vocabulary import ENDED_REFERRAL_STATUSES, MANAGER_ROLES, OPEN_REFERRAL_STATUSES, ReferralStatus

OPEN_STATUSES = tuple(OPEN_REFERRAL_STATUSES)
ENDED_STATUSES = tuple(ENDED_REFERRAL_STATUSES)
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
    duplicate_of_id: int | None = None  # the open referral for the same child the referrer was shown
    duplicate_reason: str | None = None  # why they sent a new one anyway


def _fold(name: str) -> str:
    return "".join(unicodedata.normalize("NFKC", name).casefold().split()).replace("\u2019", "'")


def child_key(first_name: str, last_name: str, dob: date) -> str:
    """The same child, whatever the case and spacing of the names: "Mary Jane  O'Neil" = "maryjane o’neil"."""
    return f"{_fold(first_name)}|{_fold(last_name)}|{dob.isoformat()}"


async def next_reference(*, session: AsyncSession, year: int) -> str:
    """Increment the year's counter inside the caller's transaction: concurrent callers queue on the row
    lock, and a rolled-back referral rolls its number back too, so references are unique and gap-free."""
    insert = pg_insert if session.bind.dialect.name == "postgresql" else sqlite_insert
    # One statement (insert the year's row or bump it): the counter is taken while the writer is held.
    stmt = insert(ReferenceCounter).values(year=year, last=1)
    number = (await session.execute(
        stmt.on_conflict_do_update(index_elements=["year"], set_={"last": ReferenceCounter.last + 1})
        .returning(ReferenceCounter.last))).scalar_one()
    return f"VS-{year}-{number:05d}"


async def triage_owner(*, session: AsyncSession) -> str | None:
    """Unknown or out-of-area postcodes go to a manager's triage queue."""
    found = await managers(session=session)
    return found[0] if found else None


async def find_by_token(*, session: AsyncSession, submit_token: str) -> Referral | None:
    return (await session.execute(select(Referral).where(Referral.submit_token == submit_token))).scalar_one_or_none()


async def open_for_child(*, session: AsyncSession, key: str) -> list[Referral]:
    """Open referrals for the same child (see child_key), oldest first: one indexed lookup."""
    return list((await session.execute(
        select(Referral).where(Referral.child_key == key, Referral.status.in_(OPEN_STATUSES))
        .order_by(Referral.created_at, Referral.id))).scalars())


async def create_referral(*, session: AsyncSession, referral_in: ReferralIn, locality: Locality | None,
                          reference: str, assigned: str | None = None) -> tuple[Referral, ReferralEvent]:
    """Insert the referral with its first history event and audit row. The caller has taken `reference`
    (next_reference) and checked the submit token and duplicates after taking it. `assigned`: the officer, if the
    caller has looked it up already (the locality's officer, else the triage manager)."""
    if assigned is None:
        assigned = (locality.officer_aad_id if locality else None) or await triage_owner(session=session)
    fields = {k: v for k, v in referral_in.__dict__.items() if k != "reasons"}
    referral = Referral(
        **fields,
        reasons=",".join(referral_in.reasons),
        reference=reference,
        child_key=child_key(referral_in.child_first_name, referral_in.child_last_name, referral_in.child_dob),
        locality_id=locality.id if locality else None,
        assigned_aad_id=assigned,
    )
    session.add(referral)
    await session.flush()
    created = add_event(session=session, referral=referral, actor=referral_in.referrer_aad_id, kind="created",
                        note=locality.name if locality else "triage")
    detail = {"locality_id": referral.locality_id, "assigned": assigned}
    if referral_in.duplicate_of_id:
        detail["duplicate_of_id"] = referral_in.duplicate_of_id
    audit.record(session=session, actor_aad_id=referral_in.referrer_aad_id, action="referral.create",
                 entity_type="referral", entity_id=referral.reference, detail=detail)
    return referral, created


async def events_of(*, session: AsyncSession, referral_id: int) -> list[ReferralEvent]:
    return list((await session.execute(select(ReferralEvent).where(ReferralEvent.referral_id == referral_id)
                                       .order_by(ReferralEvent.id))).scalars())


async def last_event(*, session: AsyncSession, referral_id: int, kinds=None) -> ReferralEvent | None:
    """The newest history event (of one of `kinds`, if given)."""
    query = select(ReferralEvent).where(ReferralEvent.referral_id == referral_id)
    if kinds is not None:
        query = query.where(ReferralEvent.kind.in_(list(kinds)))
    return (await session.execute(query.order_by(ReferralEvent.id.desc()).limit(1))).scalar_one_or_none()


async def manager_for(*, session: AsyncSession, referral: Referral) -> str | None:
    """The manager of the referral's locality, or the triage manager."""
    locality = await session.get(Locality, referral.locality_id) if referral.locality_id else None
    return (locality.manager_aad_id if locality else None) or await triage_owner(session=session)


def add_event(*, session: AsyncSession, referral: Referral, actor: str | None, kind: str, note: str | None = None,
              request_key: str | None = None) -> ReferralEvent:
    event = ReferralEvent(referral_id=referral.id, actor_aad_id=actor, kind=kind, note=note, request_key=request_key)
    session.add(event)
    return event


async def event_by_request(*, session: AsyncSession, request_key: str) -> ReferralEvent | None:
    return (await session.execute(select(ReferralEvent).where(ReferralEvent.request_key == request_key))
            ).scalar_one_or_none()


async def get_by_id(*, session: AsyncSession, referral_id: int) -> Referral | None:
    return await session.get(Referral, referral_id)


async def references_of(*, session: AsyncSession, referral_ids) -> dict[int, str]:
    ids = [i for i in set(referral_ids) if i]
    if not ids:
        return {}
    rows = (await session.execute(select(Referral.id, Referral.reference).where(Referral.id.in_(ids)))).all()
    return {row.id: row.reference for row in rows}


async def linked_later(*, session: AsyncSession, referral_id: int) -> list[str]:
    """References of referrals sent anyway although this one was open for the same child."""
    return list((await session.execute(select(Referral.reference).where(Referral.duplicate_of_id == referral_id)
                                       .order_by(Referral.id))).scalars())


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


LIST_SECTIONS = ("made", "assigned", "all_open")


def _section_query(key: str, viewer_aad_id: str):
    """What each person may see: their own referrals (newest first); the open queue assigned to them and,
    for managers, every open referral by locality (triage first), both oldest first."""
    if key == "made":
        return (select(Referral).where(Referral.referrer_aad_id == viewer_aad_id)
                .order_by(Referral.created_at.desc(), Referral.id.desc()))
    if key == "assigned":
        return (select(Referral).where(Referral.assigned_aad_id == viewer_aad_id, Referral.status.in_(OPEN_STATUSES))
                .order_by(Referral.created_at, Referral.id))
    return (select(Referral).outerjoin(Locality, Locality.id == Referral.locality_id)
            .where(Referral.status.in_(OPEN_STATUSES))
            .order_by(Referral.locality_id.is_not(None), Locality.name, Referral.created_at, Referral.id))


@dataclass(frozen=True)
class Section:
    key: str
    rows: list[Referral]
    offset: int
    total: int


async def list_for_viewer(*, session: AsyncSession, viewer_aad_id: str, viewer_role: str, limit: int = 20,
                          section: str | None = None, offset: int = 0) -> list[Section]:
    """The sections this person may see (managers only get `all_open`), at most `limit` rows in all, or one
    section from `offset`. Audited with the references shown."""
    keys = [k for k in LIST_SECTIONS if k != "all_open" or is_manager(viewer_role)]
    if section not in keys:  # not one this person may see (a forged card): the whole list from the top
        section, offset = None, 0
    else:
        keys = [section]
    out: list[Section] = []
    room = limit
    for key in keys:
        query = _section_query(key, viewer_aad_id)
        total = await session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
        start = offset if section is not None else 0
        rows = list((await session.execute(query.offset(start).limit(max(room, 0)))).scalars()) if room > 0 else []
        if total:
            out.append(Section(key, rows, start, total))
        room -= len(rows)
    audit.record(session=session, actor_aad_id=viewer_aad_id, action="referral.list", entity_type="referral",
                 detail={s.key: [r.reference for r in s.rows] for s in out})
    return out


async def unacknowledged_since(*, session: AsyncSession, before: datetime) -> list[Referral]:
    """New referrals nobody has acted on, created before `before`, whose manager was not yet nudged."""
    return list((await session.execute(
        select(Referral).where(Referral.status == ReferralStatus.NEW, Referral.acknowledged_at.is_(None),
                               Referral.manager_nudged_at.is_(None), Referral.created_at < before)
        .order_by(Referral.created_at))).scalars())


async def purge_closed(*, session: AsyncSession, closed_before: datetime) -> list[str]:
    """Delete ended (closed or withdrawn) referrals past retention with their history and outbox rows; keep an
    id-only audit row. A later referral linked to a purged one loses the link, nothing else."""
    rows = (await session.execute(
        select(Referral.id, Referral.reference).where(Referral.status.in_(ENDED_STATUSES), Referral.closed_at < closed_before)
    )).all()
    ids = [row.id for row in rows]
    if not ids:
        return []
    await session.execute(update(Referral).where(Referral.duplicate_of_id.in_(ids)).values(duplicate_of_id=None))
    await session.execute(delete(ReferralEvent).where(ReferralEvent.referral_id.in_(ids)))
    await session.execute(delete(Delivery).where(Delivery.referral_id.in_(ids)))
    await session.execute(delete(Referral).where(Referral.id.in_(ids)))
    for row in rows:
        audit.record(session=session, actor_aad_id=None, action="referral.purged", entity_type="referral",
                     entity_id=row.reference, detail={"retention": "expired"})
    return [row.reference for row in rows]
