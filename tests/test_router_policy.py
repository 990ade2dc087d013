"""Generated from the router's registry: every command and card verb × chat type × role, over HTTP.

Where a route may not run, or not for that role, the answer is the refusal, nothing changes, and nothing
about a child or a referral is posted into the chat. A route added later is covered here without anyone
remembering to add a test."""
from __future__ import annotations

import json
from dataclasses import dataclass

from sqlalchemy import func, select

from bot.app import ROUTES
from dialogs.common.routing import Kind
from storage import directory
from storage.db import session_factory
from storage.models import AuditEvent, Delivery, FaqQuery, Referral, ReferralEvent, StaffMemberBase
from storage.vocabulary import ChatType, Role
from tests.test_referrals import NAMES, SAM, installed, make_referral  # noqa: F401 - fixture
from tests.utils.teams import TENANT, aad, message, submit

REFUSALS = {"personal-only", "not-your-role"}


@dataclass(frozen=True)
class Persona:
    role: Role
    aad_id: str
    name: str


async def _personas(engine) -> list[Persona]:
    """One person per role: the demo seed's, plus directory entries for the roles it has no persona for."""
    seeded = {Role.SOCIAL_WORKER: aad("0a1"), Role.DSL: aad("0b1"), Role.OFFICER: aad("0c1"),
              Role.MANAGER: aad("0d1"), Role.ADMIN: aad("0e1")}
    extra = {Role.IRO: aad("1a1"), Role.DESIGNATED_TEACHER: aad("1a2"), Role.SEND: aad("1a3"), Role.EP: aad("1a4")}
    async with session_factory(engine)() as session:
        for role, aad_id in extra.items():
            await directory.upsert_staff(session=session, staff_in=StaffMemberBase(
                aad_object_id=aad_id, email=f"{role}@example.org", name=f"Test {role}", role=role))
        await session.commit()
    people = {**seeded, **extra, Role.EXTERNAL: "99999999-0000-0000-0000-000000000001"}
    assert set(people) == set(Role), "a role without a persona would go untested"
    return [Persona(role, aad_id, f"Persona {role}") for role, aad_id in people.items()]


def _activity(route, persona: Persona, chat: ChatType, url: str, fill: dict) -> dict:
    conversation = {ChatType.PERSONAL: None, ChatType.GROUP: "19:group-chat-policy@thread.v2",
                    ChatType.CHANNEL: "19:channel-policy@thread.tacv2"}[chat]
    if route.kind is Kind.COMMAND:
        activity = message(route.example, service_url=url, aad_id=persona.aad_id, name=persona.name,
                           conversation_id=conversation)
    else:
        data = {k: (fill.get(v[1:-1], v) if isinstance(v, str) and v.startswith("{") else v)
                for k, v in (route.example or {}).items()}
        activity = submit({"action": route.name, **data}, service_url=url, aad_id=persona.aad_id, name=persona.name,
                          conversation_id=conversation)
    if chat is not ChatType.PERSONAL:
        activity["conversation"]["conversationType"] = str(chat)
        if chat is ChatType.CHANNEL:
            activity["channelData"] = {"tenant": {"id": TENANT}, "team": {"id": "19:team-policy@thread.tacv2"},
                                       "channel": {"id": conversation}}
    return activity


async def _counts(engine) -> dict[str, int]:
    async with session_factory(engine)() as session:
        return {table.__tablename__: await session.scalar(select(func.count()).select_from(table))
                for table in (Referral, ReferralEvent, Delivery, FaqQuery)}


async def test_every_route_in_every_chat_for_every_role(installed, engine):  # noqa: F811
    bot = installed
    reference = await make_referral(bot)
    async with session_factory(engine)() as session:
        referral = (await session.execute(select(Referral))).scalar_one()
        localities = await directory.list_localities(session=session)
    fill = {"reference": reference, "version": str(referral.version), "query_id": "1",
            "other_locality_id": str(next(loc.id for loc in localities if loc.id != referral.locality_id))}
    personas = await _personas(engine)
    checked = 0
    for route in ROUTES:
        assert route.example is not None, f"route {route.name!r} has no example to test it with"
        for chat in ChatType:
            for persona in personas:
                bot.connector.clear()
                before = await _counts(engine)
                audits_before = await _audit_count(engine)
                await bot.post(_activity(route, persona, chat, bot.connector.url, fill))
                await bot.sender.drain()
                replies = [x for x in bot.connector.sent if x.conversation_id != f"a:personal-{persona.aad_id}"
                           or chat is ChatType.PERSONAL]
                refused = {card_id for x in replies for card_id in x.card_ids} & REFUSALS
                where = f"{route.kind} {route.name} in {chat} as {persona.role}"
                if chat not in route.where:
                    assert refused == {"personal-only"}, where
                elif persona.role not in route.roles:
                    assert refused == {"not-your-role"}, where
                else:
                    assert not refused, where
                if refused:
                    assert await _counts(engine) == before, f"{where}: a refusal changed something"
                    if route.audit:
                        assert await _audit_count(engine) == audits_before + 1, f"{where}: refusal not audited"
                if chat is not ChatType.PERSONAL:
                    posted = json.dumps([x.body for x in bot.connector.sent if x.conversation_id.startswith("19:")])
                    assert reference not in posted and "Ava" not in posted, f"{where}: a referral reached a shared chat"
                checked += 1
    assert checked == len(ROUTES) * len(ChatType) * len(Role)


async def _audit_count(engine) -> int:
    async with session_factory(engine)() as session:
        return await session.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.action.like("%.refused")))
