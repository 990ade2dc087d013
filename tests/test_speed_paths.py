"""The fast paths of issue 8 behave as the slow ones they replace: our activity JSON equals msrest's for every card
the bot sends; questions recorded in batches are all written (and a button on an answer whose row is still
waiting works); the SQLite state cache never hides another writer's change or a deletion; SQLite writers queue on
one connection while reads go beside them."""
from __future__ import annotations

import asyncio
import datetime as dt
import importlib
import json
import pkgutil

import pytest
from botbuilder.schema import Activity, ChannelAccount, ConversationAccount
from sqlalchemy import func, select

import cards
from bot.messages import activity_body, activity_json, card_activity, text_activity
from storage.bot_state import SqlStorage, StateListener
from storage.db import create_engine, session_factory
from storage.faq_log import QueryLog, own_query
from storage.models import FaqQuery
from tests.conftest import running_bot
from tests.utils.teams import message, submit


def _all_cards():
    for info in pkgutil.iter_modules(cards.__path__):
        module = importlib.import_module(f"cards.{info.name}")
        for name, examples in getattr(module, "samples", dict)().items():
            for n, card in enumerate(examples):
                yield f"{info.name}.{name}[{n}]", card


def _addressed(activity: Activity) -> Activity:
    activity.conversation = ConversationAccount(id="a:1", conversation_type="personal", tenant_id="t")
    activity.conversation.additional_properties = {"tenantId": "t"}
    activity.from_property = ChannelAccount(id="28:bot", name="Virtual School Assistant")
    activity.recipient = ChannelAccount(id="29:user", name="Sam [x](https://evil.example)", aad_object_id="aad")
    activity.reply_to_id, activity.service_url, activity.channel_id = "r1", "https://smba.example/uk/", "msteams"
    activity.locale, activity.timestamp = "en-GB", dt.datetime(2026, 12, 1, 9, 30, tzinfo=dt.timezone.utc)
    return activity


def test_activity_json_equals_msrest_for_every_card():
    seen = 0
    for name, card in _all_cards():
        activity = _addressed(card_activity(card, summary="A summary"))
        assert activity_json(activity) == activity.serialize(), name
        body, encoded = activity_body(activity)  # the text a reply is sent as (encoded once) says the same
        assert json.loads(encoded) == body == activity.serialize(), name
        seen += 1
    assert seen > 40  # every module's samples were found
    text = _addressed(text_activity("Plain *text* with [a link](https://example.org)"))
    assert activity_json(text) == text.serialize()


def test_a_sent_activity_is_copied_shallowly_and_the_original_stays_unaddressed():
    """botbuilder's TurnContext deep-copies what it sends and addresses the copy; ours copy shallowly (the card's
    tree is shared, read-only) and addressing the copy still leaves the original as it was made."""
    import copy

    from botbuilder.core import TurnContext

    card = {"type": "AdaptiveCard", "body": [{"type": "TextBlock", "text": "Hello"}]}
    original = card_activity(card, summary="A summary")
    before = original.serialize()
    sent = TurnContext.apply_conversation_reference(copy.deepcopy(original), TurnContext.get_conversation_reference(
        _addressed(text_activity("incoming"))))
    assert sent is not original and sent.attachments[0].content is card  # no deep copy of the card
    assert sent.conversation.id == "a:1" and original.conversation is None and original.serialize() == before


def test_activity_json_hands_anything_unusual_to_msrest():
    activity = _addressed(card_activity({"type": "AdaptiveCard", "when": dt.date(2026, 1, 1)}))
    assert activity_json(activity) == activity.serialize()  # a date inside a card: msrest's job, same result
    body, encoded = activity_body(activity)
    assert json.loads(encoded) == body == activity.serialize()


async def _count(sessions) -> int:
    async with sessions() as session:
        return await session.scalar(select(func.count()).select_from(FaqQuery))


async def test_questions_are_written_in_one_batch_after_the_delay(engine):
    sessions = session_factory(engine)
    log = QueryLog(sessions, delay=0.2)
    refs = [await log.record(asker_aad_id="a", question=f"q{n}", entry_id=None, verdict="unknown",
                             reason="low_confidence", score=0.1) for n in range(5)]
    assert len(set(refs)) == 5
    assert await _count(sessions) == 0  # nothing written on the turn's path
    await asyncio.sleep(0.5)
    assert await _count(sessions) == 5
    async with sessions() as session:
        row = await own_query(session=session, query_id=refs[2], asker_aad_id="a")
        assert row is not None and row.question == "q2"
        assert await own_query(session=session, query_id=refs[2], asker_aad_id="someone else") is None


async def test_a_waiting_row_is_written_before_it_is_looked_up_and_at_close(engine):
    sessions = session_factory(engine)
    log = QueryLog(sessions, delay=60)
    ref = await log.record(asker_aad_id="a", question="q", entry_id=None, verdict="unknown", reason="x", score=0)
    assert await log.flush() == 1  # what feedback and forward do first
    async with sessions() as session:
        assert (await own_query(session=session, query_id=ref, asker_aad_id="a")) is not None
    await log.record(asker_aad_id="a", question="q2", entry_id=None, verdict="unknown", reason="x", score=0)
    await log.close()  # shutdown: nothing waiting is lost
    assert await _count(sessions) == 2


async def test_feedback_on_an_answer_whose_row_is_still_waiting(database_url, connector):
    async with running_bot(database_url, connector, VSB_FAQ_LOG_DELAY_SECONDS="10") as bot:
        await bot.post(message("do you chair PEP meetings?", service_url=connector.url))
        [card] = [c for s in connector.sent for c in s.cards if c.get("id") == "faq-answer"]
        vote = next(a["data"] for a in card["actions"] if a.get("data", {}).get("helpful") == "yes")
        assert isinstance(vote["query_id"], str) and len(vote["query_id"]) == 32
        sessions = bot.runtime.services.sessions
        assert await _count(sessions) == 0  # the row is still waiting (10 s)
        connector.clear()
        await bot.post(submit(vote, service_url=connector.url))
        await connector.wait_for(lambda sent: any("Thanks" in s.text for s in sent))
        async with sessions() as session:
            row = (await session.execute(select(FaqQuery).where(FaqQuery.ref == vote["query_id"]))).scalar_one()
        assert row.helpful is True


async def test_state_cache_sees_own_writes_and_refuses_a_stale_write(database_url):
    engine = create_engine(database_url)
    try:
        cached = SqlStorage(engine, cache_entries=100)
        other = SqlStorage(engine)  # another writer of the same rows (another process, the CLI)
        await cached.write({"k": {"n": 1}})
        first = (await cached.read(["k"]))["k"]
        assert first["n"] == 1
        await other.write({"k": {**(await other.read(["k"]))["k"], "n": 2}})
        stale = (await cached.read(["k"]))["k"]  # still the cached copy: no read this turn
        stale["n"] = 3
        with pytest.raises(KeyError, match="Etag conflict"):
            await cached.write({"k": stale})  # compare-and-swap in SQL catches it
        assert (await cached.read(["k"]))["k"]["n"] == 2  # and the next read goes to the database
        await cached.delete(["k"])
        assert await cached.read(["k"]) == {}
    finally:
        await engine.dispose()


async def test_state_cache_forgets_after_its_age_limit(database_url):
    engine = create_engine(database_url)
    try:
        cached = SqlStorage(engine, cache_entries=100, cache_seconds=0.05)
        assert await cached.read(["gone"]) == {}  # remembered as absent
        await SqlStorage(engine).write({"gone": {"form": "half filled"}})
        await asyncio.sleep(0.1)
        assert (await cached.read(["gone"]))["gone"]["form"] == "half filled"
    finally:
        await engine.dispose()


async def test_sqlite_writers_queue_on_one_connection_and_reads_go_beside(tmp_path):
    url = f"sqlite+aiosqlite:///{tmp_path / 'funnel.db'}"
    from storage.migrate import upgrade

    writer, reader = create_engine(url), create_engine(url, reader=True)
    try:
        await upgrade(writer)
        sessions = session_factory(writer)

        async def add(n: int) -> None:
            async with sessions() as session:
                session.add(FaqQuery(question=f"q{n}", verdict="unknown", reason="x"))
                await session.commit()

        async with writer.begin():  # a writer holds the one connection ...
            async with reader.connect() as conn:  # ... and a read still runs at once
                assert (await conn.execute(select(func.count()).select_from(FaqQuery))).scalar() == 0
        await asyncio.gather(*(add(n) for n in range(50)))  # 50 writers at once: all land, none waits on SQLite
        assert await _count(sessions) == 50
    finally:
        await writer.dispose()
        await reader.dispose()


async def test_postgresql_instances_drop_each_others_cached_state(database_url):
    if not database_url.startswith("postgresql"):
        pytest.skip("the invalidation listener is PostgreSQL's (one process serves an SQLite file)")
    from sqlalchemy.engine import make_url

    dsn = make_url(database_url).set(drivername="postgresql").render_as_string(hide_password=False)
    engine_a, engine_b = create_engine(database_url), create_engine(database_url)
    a = SqlStorage(engine_a, cache_entries=100, cache_enabled=False)
    b = SqlStorage(engine_b, cache_entries=100, cache_enabled=False)
    listeners = [StateListener(a, dsn), StateListener(b, dsn)]
    try:
        for listener in listeners:
            listener.start()
        for listener in listeners:
            await asyncio.wait_for(listener.listening.wait(), 10)
        await a.write({"conv": {"step": 1}})
        assert (await a.read(["conv"]))["conv"]["step"] == 1  # cached in A from here on
        assert (await b.read(["conv"]))["conv"]["step"] == 1  # and in B
        await b.write({"conv": {**(await b.read(["conv"]))["conv"], "step": 2}})
        for _ in range(100):  # the NOTIFY arrives a moment after B's commit
            if (await a.read(["conv"]))["conv"]["step"] == 2:
                break
            await asyncio.sleep(0.02)
        assert (await a.read(["conv"]))["conv"]["step"] == 2
        await listeners[0].stop()  # without its listener, A reads the database every time
        await b.write({"conv": {**(await b.read(["conv"]))["conv"], "step": 3}})
        assert (await a.read(["conv"]))["conv"]["step"] == 3
    finally:
        for listener in listeners:
            await listener.stop()
        await engine_a.dispose()
        await engine_b.dispose()


class _Trips:
    """Counts trips to aiosqlite's thread (each waits for the event loop to come round under load)."""

    def __init__(self, monkeypatch):
        import aiosqlite

        self.calls = 0
        original = aiosqlite.Connection._execute

        async def counted(connection, fn, *args, **kwargs):
            self.calls += 1
            return await original(connection, fn, *args, **kwargs)

        monkeypatch.setattr(aiosqlite.Connection, "_execute", counted)


async def test_sqlite_statements_and_state_writes_take_one_trip_each(tmp_path, monkeypatch):
    from storage.migrate import upgrade

    url = f"sqlite+aiosqlite:///{tmp_path / 'trips.db'}"
    engine = create_engine(url)
    try:
        await upgrade(engine)
        storage = SqlStorage(engine)
        await storage.write({"conv": {"step": 1}})
        trips = _Trips(monkeypatch)
        await storage.write({"conv": {**(await SqlStorage(engine).read(["conv"]))["conv"], "step": 2}})
        assert trips.calls == 2  # one for the read, one for the whole write transaction (BEGIN to COMMIT)
        trips.calls = 0
        async with session_factory(engine)() as session:
            assert await session.scalar(select(func.count()).select_from(FaqQuery)) == 0
        assert trips.calls == 3  # BEGIN, the SELECT, ROLLBACK (SQLAlchemy's own adapter took 8: a cursor made,
        # run, read and closed in a trip each)
        trips.calls = 0
        stale = {"step": 1, "e_tag": "not-the-current-one"}
        with pytest.raises(KeyError, match="Etag conflict"):
            await storage.write({"conv": stale})
        assert trips.calls == 1
        assert (await SqlStorage(engine).read(["conv"]))["conv"]["step"] == 2  # the refused write left no trace
    finally:
        await engine.dispose()


async def test_statements_inline_run_a_write_transaction_between_begin_and_commit_without_trips(tmp_path, monkeypatch):
    """storage.db.statements_inline (a referral's transaction, the outbox sender's claims and outcomes): on SQLite
    the statements between BEGIN and COMMIT run on the event loop's thread; they return the same rows, raise the
    same errors, and a rollback undoes them. BEGIN (which may wait for another process) and COMMIT still go to the
    thread, and so does everything outside the block."""
    from sqlalchemy import text

    from storage.db import UniqueViolation, reader_engine, statements_inline
    from storage.migrate import upgrade

    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'inline.db'}")
    sessions = session_factory(engine)
    try:
        await upgrade(engine)
        trips = _Trips(monkeypatch)
        with statements_inline():
            async with sessions() as session:
                await session.execute(text("INSERT INTO reference_counter (year, last) VALUES (2026, 7)"))
                last = await session.scalar(text("UPDATE reference_counter SET last = last + 1 WHERE year = 2026 "
                                                 "RETURNING last"))
                assert last == 8
                await session.commit()
        assert trips.calls == 2  # BEGIN and COMMIT only (each statement was a trip before)
        trips.calls = 0
        with statements_inline():
            async with sessions() as session:
                await session.execute(text("UPDATE reference_counter SET last = 100 WHERE year = 2026"))
                with pytest.raises(UniqueViolation):  # an error inline is the DBAPI's error, as from the thread
                    await session.execute(text("INSERT INTO reference_counter (year, last) VALUES (2026, 1)"))
                await session.rollback()
        async with sessions() as session:  # outside the block: a trip a statement, as before
            trips.calls = 0
            assert await session.scalar(text("SELECT last FROM reference_counter WHERE year = 2026")) == 8
            assert trips.calls == 2  # BEGIN, SELECT
        reader = reader_engine(engine)
        reads = session_factory(reader)
        async with reads() as session:
            await session.scalar(text("SELECT 1"))  # the reader's connection is made (and its pragmas set)
        async with reads() as session:  # a read outside the block: BEGIN, SELECT, ROLLBACK, a trip each
            trips.calls = 0
            assert await session.scalar(text("SELECT last FROM reference_counter WHERE year = 2026")) == 8
        assert trips.calls == 3
        trips.calls = 0
        with statements_inline():  # inside: a read never waits for a lock (WAL), so no trip at all
            async with reads() as session:
                assert await session.scalar(text("SELECT last FROM reference_counter WHERE year = 2026")) == 8
                async with sessions() as writer:  # a write committed meanwhile is seen by the next read
                    await writer.execute(text("UPDATE reference_counter SET last = 9 WHERE year = 2026"))
                    await writer.commit()
            async with reads() as session:
                assert await session.scalar(text("SELECT last FROM reference_counter WHERE year = 2026")) == 9
        assert trips.calls == 2  # the writer's BEGIN and COMMIT only
        with statements_inline():  # a statement without a transaction (no BEGIN) is not run inline
            async with engine.connect() as conn:
                conn = await conn.execution_options(vsb_one_statement=True)
                trips.calls = 0
                assert (await conn.execute(text("SELECT count(*) FROM reference_counter"))).scalar() == 1
                assert trips.calls == 1
    finally:
        if 'reader' in locals():
            await reader.dispose()
        await engine.dispose()


async def test_a_role_lookup_does_not_wait_for_the_sqlite_writer(tmp_path):
    """Every turn looks up the actor's role (bot.turn.RoleCache, built on the reader sessions as bot.app builds
    it); the referral form takes its "your role" from it too. A long write must not hold either up."""
    from bot.app import build_runtime
    from bot.turn import RoleCache
    from dialogs.referrals.referral_dialog import default_role
    from storage.demo import SAM
    from storage.migrate import upgrade
    from tests.conftest import make_settings

    url = f"sqlite+aiosqlite:///{tmp_path / 'reads.db'}"
    runtime = build_runtime(make_settings(url), load_faq=False)
    try:
        await upgrade(runtime.engine)
        from storage.demo import seed

        async with runtime.services.sessions() as session:
            await seed(session=session, today=runtime.services.today(), timezone="Europe/London")
            await session.commit()
        roles = RoleCache(runtime.services.reads)
        async with runtime.engine.begin():  # the one writer connection is busy (a long submit, say) ...
            role = await asyncio.wait_for(roles.role_of(SAM), 5)  # ... and the turn (and its form) still go on
        assert role == "social_worker" and default_role(role) == "social_worker"
        assert default_role("officer") == ""  # not a role a referrer gives: the form asks
    finally:
        await runtime.close()


def _same(a, b) -> bool:
    """Structural equality of what msrest builds: models by type and every attribute (extra keys included)."""
    from msrest.serialization import Model

    if isinstance(a, Model) or isinstance(b, Model):
        return type(a) is type(b) and vars(a).keys() == vars(b).keys() and all(
            _same(v, vars(b)[k]) for k, v in vars(a).items())
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_same(v, b[k]) for k, v in a.items())
    return type(a) is type(b) and a == b


def _inbound_examples():
    from tests.utils.teams import installation_update, message, submit

    url = "https://smba.example/uk/"
    yield message("help", service_url=url)
    yield submit({"action": "referral.submit", "token": "t", "consent": True}, reply_to_id="1:abc", service_url=url)
    yield installation_update(service_url=url, team=True)
    execute = message(None, service_url=url)
    execute.update(type="invoke", name="adaptiveCard/action",
                   value={"action": {"type": "Action.Execute", "verb": "alert.ack", "data": {"id": 3}}})
    yield execute
    odd = message("<at>Virtual School</at> help", service_url=url)
    odd.update(localTimestamp="2026-11-23T10:00:00.000+01:00", timestamp="2026-11-23T10:00:00Z", surprise={"x": 1},
               entities=[{"type": "mention", "mentioned": {"id": "28:bot", "name": "Virtual School"},
                          "text": "<at>Virtual School</at>"}, {"type": "clientInfo", "locale": "en-GB"}],
               attachments=[{"contentType": "text/html", "content": "<p>hi</p>"}], membersAdded=[{"id": "29:x"}],
               historyDisclosed=False, listenFor=["yes", "no"])
    odd["from"]["role"] = "user"
    odd["from"]["unknownKey"] = [1, 2]
    yield odd
    wrong = message("help", service_url=url)
    wrong.update(text=12345, locale=None, historyDisclosed="true")  # msrest turns these (str(), a bool)
    yield wrong


def test_inbound_activity_equals_msrest_on_examples(monkeypatch):
    from msrest.serialization import Model

    from bot.messages import activity_from_json

    *plain, wrong = list(_inbound_examples())
    expected = [Activity().deserialize(body) for body in [*plain, wrong]]

    def no_msrest(*_args, **_kwargs):
        raise AssertionError("a plain activity went to msrest")

    with monkeypatch.context() as patched:
        patched.setattr(Model, "deserialize", classmethod(no_msrest))
        for body, want in zip(plain, expected[:-1], strict=True):
            assert _same(activity_from_json(body), want), body
    assert _same(activity_from_json(wrong), expected[-1])  # a number for text: msrest's str(), as before


def test_inbound_activity_equals_msrest_on_fuzzed_activities():
    from hypothesis import HealthCheck, given, settings

    from bot.messages import activity_from_json
    from tests.test_fuzz_activities import activity as fuzzed

    @settings(max_examples=400, derandomize=True, deadline=None, suppress_health_check=list(HealthCheck))
    @given(fuzzed("https://smba.example/uk/"))
    def check(body):
        try:
            expected = Activity().deserialize(body)
        except Exception as exc:  # noqa: BLE001 - then ours must refuse it too, with the same error
            with pytest.raises(type(exc)):
                activity_from_json(body)
            return
        assert _same(activity_from_json(body), expected)

    check()


def test_conversation_reference_json_equals_msrest():
    from botbuilder.core import TurnContext
    from botbuilder.core.serializer_helper import serializer_helper

    from bot.messages import activity_from_json, reference_to_dict

    for body in _inbound_examples():
        activity = activity_from_json(body)
        assert reference_to_dict(activity) == serializer_helper(TurnContext.get_conversation_reference(activity))


async def test_the_conversation_reference_is_built_only_when_where_the_user_is_changes(
        seeded, engine, database_url, connector, monkeypatch):
    """A turn from the same chat as the last one stores nothing and does not even build the reference; a turn from
    another chat (or with another name, service URL...) moves it."""
    import bot.teams_bot as teams_bot
    from storage import conversations

    built = []
    real = teams_bot.reference_to_dict
    monkeypatch.setattr(teams_bot, "reference_to_dict", lambda activity: built.append(1) or real(activity))

    async def stored() -> dict | None:
        async with session_factory(engine)() as session:
            return await conversations.get_reference(session=session, scope=conversations.USER_SCOPE,
                                                     key=aad_id)

    aad_id = "00000000-0000-0000-0000-0000000000a1"
    async with running_bot(database_url, connector) as bot:
        await bot.post(message("help", service_url=connector.url, aad_id=aad_id))
        assert len(built) == 1 and (await stored())["serviceUrl"] == connector.url
        await bot.post(message("do you chair PEP meetings?", service_url=connector.url, aad_id=aad_id))
        assert len(built) == 1  # the same chat: nothing built, nothing written
        await bot.post(message("help", service_url=connector.url, aad_id=aad_id, name="Sam Reed-Jones"))
        assert len(built) == 2 and (await stored())["user"]["name"] == "Sam Reed-Jones"
        await bot.post(message("help", service_url=connector.url, aad_id=aad_id, conversation_id="a:another-chat"))
        assert len(built) == 3 and (await stored())["conversation"]["id"] == "a:another-chat"


def test_state_decoded_again_is_a_fresh_copy_equal_to_a_new_decode():
    """The second decode of the same payload comes from a kept copy: it must be what jsonpickle makes of it, and a
    turn changing what it read must not change what the next turn reads."""
    import jsonpickle
    from botbuilder.dialogs import DialogInstance, DialogState

    from storage.bot_state import _decode, _encode

    state = DialogState([DialogInstance(id="refer", state={"child": {"initials": "A.B."}, "step": 2})])
    payload = _encode({"DialogState": state, "greeted": True})
    first = _decode(payload, "e1")
    first["DialogState"].dialog_stack[0].state["step"] = 3  # this turn moves on
    first["DialogState"].dialog_stack.append(DialogInstance(id="other"))
    second = _decode(payload, "e2")
    fresh = jsonpickle.decode(payload)
    assert second["e_tag"] == "e2" and first["e_tag"] == "e1"
    assert [d.id for d in second["DialogState"].dialog_stack] == ["refer"]
    assert second["DialogState"].dialog_stack[0].state == fresh["DialogState"].dialog_stack[0].state == {
        "child": {"initials": "A.B."}, "step": 2}
    assert _encode({k: v for k, v in second.items() if k != "e_tag"}) == payload
