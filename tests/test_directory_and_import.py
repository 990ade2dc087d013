"""Staff directory, postcode routing, CSV imports and the demo seed, on both databases."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from storage import directory
from storage.db import session_factory
from storage.demo import GROUP_SURGERY_TITLE, seed
from storage.importers import ImportError_, import_csv
from storage.models import Child, PepReview, StaffMember, Surgery, SurgerySlot
from tests.conftest import SEED_DAY


@pytest.mark.parametrize("raw,expected", [
    ("ha1 2ab", "HA1 2AB"), ("HA12AB", "HA1 2AB"), (" n8  7gh ", "N8 7GH"), ("EC1A 1BB", "EC1A 1BB"),
    ("W1A 0AX", "W1A 0AX"), ("not a postcode", None), ("HA1", None), ("12345", None), ("", None),
])
def test_normalise_postcode(raw, expected):
    assert directory.normalise_postcode(raw) == expected


@pytest.mark.parametrize("postcode,locality", [
    ("HA0 1AA", "West"), ("HA3 9ZZ", "West"), ("HA4 1AA", "North"), ("HA6 2BB", "North"),
    ("HA7 1AA", "South and Central"), ("HA9 8CC", "South and Central"), ("N1 1AA", "East"), ("N22 5DD", "East"),
    ("N23 1AA", None), ("SW1A 1AA", None), ("HA10 1AA", None),
])
async def test_demo_routing_by_home_postcode(seeded, postcode, locality):
    async with session_factory(seeded)() as session:
        found = await directory.locality_for_postcode(session=session, postcode=postcode)
    assert (found.name if found else None) == locality


async def test_sector_route_beats_district_route(seeded):
    async with session_factory(seeded)() as session:
        north = await directory.upsert_locality(session=session, name="North")
        await directory.set_postcode_route(session=session, prefix="ha1 9", locality=north)
        await session.commit()
        assert (await directory.locality_for_postcode(session=session, postcode="HA1 9ZZ")).name == "North"
        assert (await directory.locality_for_postcode(session=session, postcode="HA1 2AB")).name == "West"


async def test_demo_seed_is_idempotent_and_has_the_contract_surgeries(seeded):
    async with session_factory(seeded)() as session:
        await seed(session=session, today=SEED_DAY, timezone="Europe/London")
        await session.commit()
        assert await session.scalar(select(func.count()).select_from(StaffMember)) == 8
        assert await session.scalar(select(func.count()).select_from(Child)) == 4
        assert await session.scalar(select(func.count()).select_from(Surgery)) == 2
        assert await session.scalar(select(func.count()).select_from(PepReview)) == 4
        group = (await session.execute(select(Surgery).where(Surgery.title == GROUP_SURGERY_TITLE))).scalar_one()
        slots = (await session.execute(select(SurgerySlot).where(SurgerySlot.surgery_id == group.id))).scalars().all()
        assert [s.capacity for s in slots] == [5]
        assert group.starts_at.date().weekday() < 5 and (group.starts_at.date() - SEED_DAY).days >= 14
        other = (await session.execute(select(Surgery).where(Surgery.kind == "slots"))).scalar_one()
        slot_rows = (await session.execute(select(SurgerySlot).where(SurgerySlot.surgery_id == other.id))).scalars().all()
        assert slot_rows and all((s.ends_at - s.starts_at).total_seconds() == 1200 and s.capacity == 1 for s in slot_rows)
        assert await directory.role_of(session=session, aad_object_id="00000000-0000-0000-0000-0000000000d1") == "manager"
        assert await directory.role_of(session=session, aad_object_id="someone-else") == "external"


async def test_staff_import_reports_every_bad_row_and_changes_nothing(engine):
    content = ("aad_object_id,email,name,role,locality,shoe_size\n"
               "id-1,a@example.org,A Person,social_worker,,9\n"
               "id-2,b@example.org,B Person,wizard,,9\n"
               ",c@example.org,,manager,,9\n")
    async with session_factory(engine)() as session:
        with pytest.raises(ImportError_) as err:
            await import_csv(session=session, kind="staff", content=content)
        await session.rollback()
        assert len(err.value.problems) == 2
        assert "line 3" in err.value.problems[0] and "wizard" in err.value.problems[0]
        assert "line 4" in err.value.problems[1]
        assert await session.scalar(select(func.count()).select_from(StaffMember)) == 0


async def test_staff_import_warns_on_extra_columns_and_updates_in_place(engine):
    content = "aad_object_id,email,name,role,locality,extra\nid-1,A@Example.org,A Person,officer,West,x\n"
    async with session_factory(engine)() as session:
        report = await import_csv(session=session, kind="staff", content=content)
        assert report.created == 1 and report.warnings == ["column 'extra' is not used and was ignored"]
        report = await import_csv(session=session, kind="staff", content=content.replace("A Person", "A Renamed"))
        await session.commit()
        assert report.updated == 1
        member = await directory.get_staff(session=session, aad_object_id="id-1")
        assert member.name == "A Renamed" and member.email == "a@example.org" and member.role == "officer"


async def test_missing_columns_and_bad_dates_are_clear(engine):
    async with session_factory(engine)() as session:
        with pytest.raises(ImportError_, match="missing column"):
            await import_csv(session=session, kind="peps", content="local_id\nX\n")
        with pytest.raises(ImportError_, match="not a date"):
            await import_csv(session=session, kind="children",
                             content="local_id,first_name,last_name,date_of_birth,legal_status\nC1,A,B,31/12/2015,cin\n")
