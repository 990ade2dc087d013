"""Imports of the staff directory and of localities (postcode routes and their officers).

Every problem is one line naming its line number; nothing here may end in a traceback. Values are checked
against the columns' limits before anything is built from them, a key used twice in one file is an error
(never "the last row wins"), and e-mail addresses are compared ignoring case, in the file and against the
directory (two people with one address would make every later lookup by e-mail ambiguous)."""
from __future__ import annotations

import re
import unicodedata

from storage import directory
from storage.models import StaffMemberBase
from storage.vocabulary import DIRECTORY_ROLES, Role

LIMITS = {"aad_object_id": 64, "email": 320, "name": 200, "locality": 80, "officer": 320}
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_PREFIX = re.compile(r"[A-Z]{1,2}[0-9][A-Z0-9]?( [0-9])?")
OFFICER_ROLES = frozenset({Role.OFFICER, Role.MANAGER})


def _seen(report) -> dict[str, object]:
    """Keys already used in this file (key -> line). Kept on the report, which lives for one import."""
    return report.__dict__.setdefault("_people_keys", {})


def _checked(row: dict, line: int, problems: list[str], columns) -> bool:
    """Lengths and characters of the given columns; False (with the problems listed) when any is wrong."""
    before = len(problems)
    for column in columns:
        value = row.get(column) or ""
        if len(value) > LIMITS[column]:
            problems.append(f"line {line}: {column} is longer than {LIMITS[column]} characters")
        elif any(unicodedata.category(ch) in ("Cc", "Cf") for ch in value):
            problems.append(f"line {line}: {column} contains control or invisible characters")
    return len(problems) == before


def _once(report, key: str, line: int, problems: list[str], what: str) -> bool:
    first = _seen(report).setdefault(key, line)
    if first != line:
        problems.append(f"line {line}: {what} is also on line {first}")
        return False
    return True


async def staff(session, line, row, report, problems) -> None:
    if not row.get("aad_object_id") or not row.get("name"):
        problems.append(f"line {line}: aad_object_id and name are required")
        return
    if not _checked(row, line, problems, ("aad_object_id", "email", "name", "locality")):
        return
    aad_id = row["aad_object_id"]
    if any(ch.isspace() for ch in aad_id):
        problems.append(f"line {line}: aad_object_id must not contain spaces")
        return
    role = row.get("role", "").lower()
    if role not in DIRECTORY_ROLES:
        problems.append(f"line {line}: role {row.get('role')!r} is not one of {', '.join(sorted(DIRECTORY_ROLES))}")
        return
    email = (row.get("email") or "").lower() or None
    if email and not _EMAIL.match(email):
        problems.append(f"line {line}: email {row['email']!r} is not an e-mail address")
        return
    unique = _once(report, f"aad:{aad_id.lower()}", line, problems, f"aad_object_id {aad_id}")
    if email:
        unique = _once(report, f"email:{email}", line, problems,
                       f"email {email} (e-mail addresses are compared ignoring case)") and unique
    if not unique:
        return
    if email:
        others = [m.aad_object_id for m in await directory.staff_with_email(session=session, email=email)
                  if m.aad_object_id != aad_id]
        if others:
            problems.append(f"line {line}: email {email} already belongs to staff member {others[0]} "
                            "(e-mail addresses are compared ignoring case)")
            return
    staff_in = StaffMemberBase(aad_object_id=aad_id, email=email, name=row["name"], role=role,
                               locality=row.get("locality") or None)
    _, created = await directory.upsert_staff(session=session, staff_in=staff_in)
    report.created += created
    report.updated += not created
    await session.flush()


async def _officer(session, ref: str, line: int, problems: list[str]) -> str | None:
    """The officer's AAD object id, given by that id or by e-mail; they must be an active officer or manager."""
    if "@" in ref:
        matches = await directory.staff_with_email(session=session, email=ref)
        if len(matches) > 1:
            problems.append(f"line {line}: officer {ref} matches {len(matches)} staff members: give their "
                            "aad_object_id instead")
            return None
        member = matches[0] if matches and matches[0].active else None
    else:
        member = await directory.get_staff(session=session, aad_object_id=ref)
    if member is None or not member.active:
        problems.append(f"line {line}: officer {ref!r} is not in the staff directory")
        return None
    if member.role not in OFFICER_ROLES:
        problems.append(f"line {line}: officer {ref!r} is a {member.role} in the staff directory, not an officer or "
                        "manager")
        return None
    return member.aad_object_id


async def localities(session, line, row, report, problems) -> None:
    if not _checked(row, line, problems, ("locality", "officer")):
        return
    raw_prefix = row.get("postcode_prefix", "")
    prefix = " ".join(raw_prefix.upper().split())
    if len(prefix) > 8 or not _PREFIX.fullmatch(prefix):
        shown = raw_prefix if len(raw_prefix) <= 12 else raw_prefix[:12] + "…"
        problems.append(f"line {line}: postcode_prefix {shown!r} is not a district (HA1) or sector (HA1 2)")
        return
    name = " ".join(row.get("locality", "").split())
    if not name:
        problems.append(f"line {line}: locality is required")
        return
    if not _once(report, f"prefix:{prefix}", line, problems, f"postcode_prefix {prefix}"):
        return
    officer = await _officer(session, row["officer"], line, problems) if row.get("officer") else None
    if row.get("officer") and officer is None:
        return
    # One locality, one officer: two rows naming different officers for it would leave whichever came last.
    first = _seen(report).setdefault(f"officer-of:{name.lower()}", (line, officer))
    if officer is not None and first[1] is not None and first[1] != officer:
        problems.append(f"line {line}: locality {name} has a different officer on line {first[0]}")
        return
    if first[1] is None and officer is not None:
        _seen(report)[f"officer-of:{name.lower()}"] = (line, officer)
    existing = await directory.get_route(session=session, prefix=prefix)
    locality = await directory.upsert_locality(session=session, name=name, officer_aad_id=officer)
    await directory.set_postcode_route(session=session, prefix=prefix, locality=locality)
    report.created += existing is None
    report.updated += existing is not None
