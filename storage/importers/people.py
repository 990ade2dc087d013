"""Imports of the staff directory and of localities (postcode routes and their officers)."""
from __future__ import annotations

import re

from storage import directory
from storage.importers.common import person_id
from storage.models import StaffMemberBase
from storage.vocabulary import DIRECTORY_ROLES

async def staff(session, line, row, report, problems) -> None:
    if not row.get("aad_object_id") or not row.get("name"):
        problems.append(f"line {line}: aad_object_id and name are required")
        return
    role = row.get("role", "").lower()
    if role not in DIRECTORY_ROLES:
        problems.append(f"line {line}: role {row.get('role')!r} is not one of {', '.join(sorted(DIRECTORY_ROLES))}")
        return
    staff_in = StaffMemberBase(aad_object_id=row["aad_object_id"], email=(row.get("email") or "").lower() or None,
                               name=row["name"], role=role, locality=row.get("locality") or None)
    _, created = await directory.upsert_staff(session=session, staff_in=staff_in)
    report.created += created
    report.updated += not created
    await session.flush()


async def localities(session, line, row, report, problems) -> None:
    prefix = " ".join(row.get("postcode_prefix", "").upper().split())
    if not re.fullmatch(r"[A-Z]{1,2}[0-9][A-Z0-9]?( [0-9])?", prefix):
        problems.append(f"line {line}: postcode_prefix {row.get('postcode_prefix')!r} is not a district (HA1) or sector (HA1 2)")
        return
    if not row.get("locality"):
        problems.append(f"line {line}: locality is required")
        return
    officer = await person_id(session, row.get("officer", ""))
    if row.get("officer") and officer is None:
        problems.append(f"line {line}: officer {row['officer']!r} is not in the staff directory")
        return
    locality = await directory.upsert_locality(session=session, name=row["locality"], officer_aad_id=officer)
    await directory.set_postcode_route(session=session, prefix=prefix, locality=locality)
    report.created += 1


