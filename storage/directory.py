"""Staff directory, localities and postcode routing."""
from __future__ import annotations

import re

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.clock import utcnow
from storage.models import Locality, PostcodeRoute, StaffMember, StaffMemberBase
from storage.vocabulary import Role

_POSTCODE_RE = re.compile(r"^([A-Z]{1,2}[0-9][A-Z0-9]?) ?([0-9][A-Z]{2})$")


def normalise_postcode(raw: str) -> str | None:
    """`ha1 2ab` -> `HA1 2AB`; None when it is not a well-formed UK postcode."""
    compact = re.sub(r"\s+", "", (raw or "").upper())
    match = _POSTCODE_RE.match(compact[:-3] + " " + compact[-3:]) if len(compact) >= 5 else None
    return f"{match.group(1)} {match.group(2)}" if match else None


async def get_staff(*, session: AsyncSession, aad_object_id: str) -> StaffMember | None:
    if not aad_object_id:
        return None
    return (
        await session.execute(
            select(StaffMember).where(StaffMember.aad_object_id == aad_object_id, StaffMember.active.is_(True))
        )
    ).scalar_one_or_none()


async def role_of(*, session: AsyncSession, aad_object_id: str | None) -> Role:
    """The person's role; anyone not in the directory (or with a role we no longer know) is external."""
    member = await get_staff(session=session, aad_object_id=aad_object_id or "")
    try:
        return Role(member.role) if member else Role.EXTERNAL
    except ValueError:
        return Role.EXTERNAL


async def managers(*, session: AsyncSession) -> list[str]:
    """Active managers' AAD object ids, oldest directory entry first."""
    return list((await session.execute(
        select(StaffMember.aad_object_id).where(StaffMember.role == Role.MANAGER, StaffMember.active.is_(True))
        .order_by(StaffMember.id))).scalars())


async def staff_with_roles(*, session: AsyncSession, roles) -> list[str]:
    return list((await session.execute(
        select(StaffMember.aad_object_id).where(StaffMember.role.in_([str(r) for r in roles]),
                                                StaffMember.active.is_(True)).order_by(StaffMember.id))).scalars())


async def names_of(*, session: AsyncSession, aad_object_ids) -> dict[str, str]:
    """Directory names for the given people (those not in the directory are simply absent)."""
    ids = [a for a in set(aad_object_ids) if a]
    if not ids:
        return {}
    rows = (await session.execute(select(StaffMember.aad_object_id, StaffMember.name)
                                  .where(StaffMember.aad_object_id.in_(ids)))).all()
    return {row.aad_object_id: row.name for row in rows}


async def upsert_staff(*, session: AsyncSession, staff_in: StaffMemberBase) -> tuple[StaffMember, bool]:
    """Create or update by AAD object id. Returns (row, created)."""
    existing = (
        await session.execute(select(StaffMember).where(StaffMember.aad_object_id == staff_in.aad_object_id))
    ).scalar_one_or_none()
    if existing is None:
        row = StaffMember.model_validate(staff_in)
        session.add(row)
        return row, True
    for field, value in staff_in.model_dump().items():
        setattr(existing, field, value)
    existing.active = True
    existing.updated_at = utcnow()
    return existing, False


async def upsert_locality(
    *, session: AsyncSession, name: str, officer_aad_id: str | None = None, manager_aad_id: str | None = None
) -> Locality:
    row = (await session.execute(select(Locality).where(Locality.name == name))).scalar_one_or_none()
    if row is None:
        row = Locality(name=name)
        session.add(row)
    if officer_aad_id is not None:
        row.officer_aad_id = officer_aad_id
    if manager_aad_id is not None:
        row.manager_aad_id = manager_aad_id
    await session.flush()
    return row


async def set_postcode_route(*, session: AsyncSession, prefix: str, locality: Locality) -> PostcodeRoute:
    prefix = " ".join(prefix.upper().split())
    row = (await session.execute(select(PostcodeRoute).where(PostcodeRoute.prefix == prefix))).scalar_one_or_none()
    if row is None:
        row = PostcodeRoute(prefix=prefix, locality_id=locality.id)
        session.add(row)
    else:
        row.locality_id = locality.id
    return row


async def locality_for_postcode(*, session: AsyncSession, postcode: str) -> Locality | None:
    """Longest matching prefix: sector ("HA1 2") before district ("HA1"). None = triage."""
    normalised = normalise_postcode(postcode)
    if not normalised:
        return None
    district, inward = normalised.split(" ")
    candidates = [f"{district} {inward[0]}", district]
    rows = (
        await session.execute(
            select(PostcodeRoute.prefix, Locality)
            .join(Locality, Locality.id == PostcodeRoute.locality_id)
            .where(PostcodeRoute.prefix.in_(candidates))
        )
    ).all()
    by_prefix = {prefix: locality for prefix, locality in rows}
    for candidate in candidates:
        if candidate in by_prefix:
            return by_prefix[candidate]
    return None


async def get_locality(*, session: AsyncSession, locality_id: int) -> Locality | None:
    return await session.get(Locality, locality_id)


async def locality_names(*, session: AsyncSession) -> dict[int | None, str]:
    return {loc.id: loc.name for loc in await list_localities(session=session)}


async def list_localities(*, session: AsyncSession) -> list[Locality]:
    return list((await session.execute(select(Locality).order_by(Locality.name))).scalars())


async def staff_with_email(*, session: AsyncSession, email: str) -> list[StaffMember]:
    """Directory entries with this e-mail address, compared ignoring case (active or not)."""
    return list((await session.execute(select(StaffMember).where(func.lower(StaffMember.email) == email.strip().lower())
                                       .order_by(StaffMember.id))).scalars())


async def get_route(*, session: AsyncSession, prefix: str) -> PostcodeRoute | None:
    prefix = " ".join(prefix.upper().split())
    return (await session.execute(select(PostcodeRoute).where(PostcodeRoute.prefix == prefix))).scalar_one_or_none()
