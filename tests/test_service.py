"""HTTP-level tests: real app on a port, real Teams activities, a fake connector receiving the replies."""
from __future__ import annotations

import json

from sqlalchemy import select

from storage import conversations
from storage.db import session_factory
from storage.models import ConversationRef
from tests.conftest import running_bot
from tests.utils.teams import aad, installation_update, message, submit


async def test_healthz_and_readyz(bot):
    async with bot.http.get(f"{bot.url}/healthz") as resp:
        assert resp.status == 200
        assert (await resp.json())["status"] == "ok"
    async with bot.http.get(f"{bot.url}/readyz") as resp:
        assert resp.status == 200
        assert (await resp.json())["status"] == "ready"


async def test_install_then_help_gives_welcome_and_menu_and_stores_reference(bot, engine):
    resp = await bot.post(installation_update(service_url=bot.connector.url))
    assert resp.status in (200, 201)
    sent = await bot.connector.wait_for(lambda s: any("welcome" in x.card_ids for x in s))
    welcome = next(x for x in sent if "welcome" in x.card_ids)
    assert welcome.conversation_id == f"a:personal-{aad('0a1')}"
    titles = [a["title"] for a in welcome.cards[0]["actions"]]
    assert titles[0] == "Make a referral" and "My bookings" in titles

    bot.connector.clear()
    resp = await bot.post(message("help", service_url=bot.connector.url))
    assert resp.status in (200, 201)
    sent = await bot.connector.wait_for(lambda s: any("main-menu" in x.card_ids for x in s))
    assert len(sent) == 1, "help after install answers with the menu only (no second welcome)"
    menu = sent[0].cards[0]
    assert [a["data"]["action"] for a in menu["actions"]] == ["menu.open"] * 5
    assert [a["data"]["target"] for a in menu["actions"]] == ["refer", "book", "ask", "my_referrals", "my_bookings"]

    async with session_factory(engine)() as session:
        ref = await conversations.get_reference(session=session, scope="user", key=aad("0a1"))
    assert ref is not None
    assert ref["conversation"]["id"] == f"a:personal-{aad('0a1')}"
    assert ref["serviceUrl"] == bot.connector.url  # serialized with the wire names, ready for proactive sends


async def test_first_message_without_install_welcomes_once(bot):
    await bot.post(message("menu", service_url=bot.connector.url, aad_id=aad("0b1"), name="Dana Cole"))
    sent = await bot.connector.wait_for(lambda s: any("main-menu" in x.card_ids for x in s))
    assert [cid for x in sent for cid in x.card_ids] == ["welcome", "main-menu"]
    bot.connector.clear()
    await bot.post(message("menu", service_url=bot.connector.url, aad_id=aad("0b1"), name="Dana Cole"))
    sent = await bot.connector.wait_for(lambda s: any("main-menu" in x.card_ids for x in s))
    assert [cid for x in sent for cid in x.card_ids] == ["main-menu"]


async def test_team_install_stores_channel_reference_and_welcomes_the_team(bot, engine):
    await bot.post(installation_update(service_url=bot.connector.url, team=True))
    sent = await bot.connector.wait_for(lambda s: any("welcome" in x.card_ids for x in s))
    assert sent[0].conversation_id.startswith("19:team-channel-")
    async with session_factory(engine)() as session:
        rows = (await session.execute(select(ConversationRef).where(ConversationRef.scope == "channel"))).scalars().all()
    assert len(rows) == 1 and json.loads(rows[0].reference)["conversation"]["conversationType"] == "channel"


async def test_menu_book_button_opens_the_booking_card(bot):
    await bot.post(submit({"action": "menu.open", "target": "book"}, service_url=bot.connector.url))
    sent = await bot.connector.wait_for(lambda s: any("surgery-booking" in x.card_ids for x in s))
    card = next(x for x in sent if "surgery-booking" in x.card_ids).cards[0]
    assert "not available" not in json.dumps(card).lower()
    slot_choice = next(e for e in card["body"] if e.get("id") == "slot_id")
    assert any("Attendance network (group)" in c["title"] for c in slot_choice["choices"])


async def test_stale_unknown_submit_is_refused_politely(bot):
    await bot.post(submit({"action": "no.such.verb", "token": "x"}, service_url=bot.connector.url))
    sent = await bot.connector.wait_for(lambda s: any("unknown-action" in x.card_ids for x in s))
    assert "nothing was changed" in json.dumps(sent[-1].cards[0])


async def test_bad_requests_get_clear_http_errors(bot):
    async with bot.http.post(f"{bot.url}/api/messages", data="not json",
                             headers={"Content-Type": "application/json"}) as resp:
        assert resp.status == 400
    async with bot.http.post(f"{bot.url}/api/messages", data="x", headers={"Content-Type": "text/plain"}) as resp:
        assert resp.status == 415
    async with bot.http.post(f"{bot.url}/api/messages", json={"text": "no type"}) as resp:
        assert resp.status == 400


async def test_tenant_outside_allow_list_is_refused(seeded, database_url, connector):
    async with running_bot(database_url, connector, VSB_ALLOWED_TENANTS="11111111-2222-3333-4444-555555555555") as bot:
        ok = await bot.post(message("help", service_url=connector.url))
        assert ok.status in (200, 201)
        await connector.wait_for(lambda s: any("main-menu" in x.card_ids for x in s))
        connector.clear()
        refused = await bot.post(message("help", service_url=connector.url, tenant="99999999-0000-0000-0000-000000000000"))
        assert refused.status == 403
        assert connector.sent == []


async def test_readyz_fails_when_migrations_are_behind(tmp_path, connector):
    from storage.db import create_engine
    from storage.migrate import upgrade

    url = f"sqlite+aiosqlite:///{tmp_path / 'behind.db'}"
    engine = create_engine(url)
    await upgrade(engine, "0001")
    await engine.dispose()
    async with running_bot(url, connector) as bot:
        async with bot.http.get(f"{bot.url}/readyz") as resp:
            assert resp.status == 503
            assert (await resp.json())["migrations"] == "behind"


async def test_turn_log_has_ids_not_names_or_text(bot, caplog):
    with caplog.at_level("INFO"):
        await bot.post(message("My child Zebedee Quill has been excluded", service_url=bot.connector.url))
        await bot.connector.wait_for(lambda s: len(s) >= 1)
    turn_lines = [r.getMessage() for r in caplog.records if r.getMessage().startswith("turn ")]
    assert turn_lines and "type=message" in turn_lines[0] and "latency_ms=" in turn_lines[0]
    everything = "\n".join(r.getMessage() for r in caplog.records)
    assert "Zebedee" not in everything and "Sam Reed" not in everything and "a:personal" not in everything


async def test_referrals_are_kept_out_of_team_channels(bot):
    activity = message("refer", service_url=bot.connector.url, conversation_id="19:team-channel@thread.tacv2")
    activity["conversation"]["conversationType"] = "channel"
    await bot.post(activity)
    sent = await bot.connector.wait_for(lambda s: any("personal-only" in x.card_ids for x in s))
    assert not any("referral-form" in x.card_ids for x in sent)
    activity = message("my referrals", service_url=bot.connector.url, conversation_id="19:team-channel@thread.tacv2")
    activity["conversation"]["conversationType"] = "channel"
    bot.connector.clear()
    await bot.post(activity)
    await bot.connector.wait_for(lambda s: any("personal-only" in x.card_ids for x in s))


async def test_database_errors_do_not_carry_values_into_logs(engine):
    from sqlalchemy.exc import IntegrityError

    from storage.db import session_factory
    from storage.models import StaffMember

    async with session_factory(engine)() as session:
        session.add(StaffMember(aad_object_id="dup", name="Zebedee Quill", role="dsl"))
        session.add(StaffMember(aad_object_id="dup", name="Zebedee Quill", role="dsl"))
        try:
            await session.commit()
        except IntegrityError as exc:
            assert "Zebedee" not in str(exc)
        else:
            raise AssertionError("a duplicate key must fail")


async def test_a_person_added_to_a_chat_with_the_bot_is_not_an_error(bot, caplog):
    """Teams (and the Agents Playground) send conversationUpdate with the people added; botbuilder's default
    looked each one up in the roster with a client we don't use, and the turn failed."""
    activity = message(None, service_url=bot.connector.url, aad_id=aad("0b1"), name="Dana Cole")
    activity.update({"type": "conversationUpdate", "membersAdded": [
        {"id": f"29:{aad('0b1')}", "name": "Dana Cole", "aadObjectId": aad("0b1")}]})
    with caplog.at_level("INFO"):
        resp = await bot.post(activity)
    assert resp.status in (200, 201)
    assert not [r for r in caplog.records if r.getMessage().startswith("turn failed")]
