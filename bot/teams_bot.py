"""The bot: turns Teams activities into Turns for the router, remembers where to reach people, greets them,
and saves state at the end of every turn. It holds no business logic of its own."""
from __future__ import annotations

import logging
from copy import copy

from botbuilder.core import ConversationState, InvokeResponse, TurnContext
from botbuilder.core.teams import TeamsActivityHandler
from botbuilder.schema import ChannelAccount
from botbuilder.schema.teams import TeamInfo, TeamsChannelAccount

from bot.adapter import tenant_of
from bot.auth import sender_verified
from bot.messages import reference_to_dict
from bot.router import Router
from bot.turn import RoleCache, TeamsTurn
from cards.menu import welcome_card
from dialogs.common.services import Services
from storage import conversations, outbox
from storage.bot_state import EtagConflictError

log = logging.getLogger("vsbot.bot")


class VirtualSchoolBot(TeamsActivityHandler):
    def __init__(self, services: Services, conversation_state: ConversationState, router: Router, roles: RoleCache):
        self.services = services
        self.conversation_state = conversation_state
        self.router = router
        self.roles = roles
        self._dialog_state = conversation_state.create_property("DialogState")
        # aad id -> where the reference last stored came from (skip identical writes, and the work of building it)
        self._known_addressing: dict[str, tuple] = {}

    async def on_turn(self, turn_context: TurnContext):
        await super().on_turn(turn_context)
        # Save at the end of every turn: a flow half way through survives a restart or another instance.
        try:
            await self.conversation_state.save_changes(turn_context)
        except EtagConflictError:
            # Another instance handled a turn of this conversation at the same moment and saved first. Its
            # state stands; this turn's replies are already sent, so there is nothing to tell the user.
            log.warning("state not saved: a concurrent turn saved first (e_tag conflict)")

    async def _turn(self, turn_context: TurnContext, value: dict | None = None) -> TeamsTurn:
        account = turn_context.activity.from_property
        aad_id = getattr(account, "aad_object_id", None) if account else None
        return TeamsTurn(turn_context, role=await self.roles.role_of(aad_id or ""), value=value)

    # --- messages, card submits and Action.Execute ------------------------------------------------------
    async def on_message_activity(self, turn_context: TurnContext):
        turn = await self._turn(turn_context)
        first_contact = await self._remember_user(turn_context)
        if first_contact and turn_context.activity.conversation.conversation_type in (None, "personal"):
            await turn.reply(welcome_card(first_name=_first_name(turn_context)), summary="Welcome")
        await self.router.dispatch(turn, turn_context)

    async def on_invoke_activity(self, turn_context: TurnContext):
        """Action.Execute arrives as an `adaptiveCard/action` invoke: routed exactly like Action.Submit."""
        if turn_context.activity.name != "adaptiveCard/action":
            # The edge answers other invokes before a turn (bot/inbound.py); botbuilder's handlers for them
            # would deserialise the value again and answer 501, which Teams shows the user as an error.
            return InvokeResponse(status=200, body={})
        value = turn_context.activity.value if isinstance(turn_context.activity.value, dict) else {}
        action = value.get("action") if isinstance(value.get("action"), dict) else {}
        data = dict(action.get("data") or {}) if isinstance(action.get("data"), dict) else {}
        data["action"] = str(action.get("verb") or data.get("action") or "")
        if action.get("type") != "Action.Execute" or not data["action"]:
            return InvokeResponse(status=400, body={"statusCode": 400, "type": "application/vnd.microsoft.error",
                                                    "value": {"code": "BadRequest", "message": "not an Action.Execute"}})
        turn = await self._turn(turn_context, value=data)
        await self._remember_user(turn_context)
        await self.router.dispatch(turn, turn_context)
        return InvokeResponse(status=200, body={"statusCode": 200, "type": "application/vnd.microsoft.activity.message",
                                                "value": "Done"})

    # --- installs and first contact ---------------------------------------------------------------------
    async def on_installation_update_add(self, turn_context: TurnContext):
        await self._greet(turn_context)

    async def on_teams_members_added_dispatch(  # pylint: disable=arguments-differ
        self, members_added: list[ChannelAccount], team_info: TeamInfo, turn_context: TurnContext
    ):
        """botbuilder's version looks every added member up with TeamsInfo (a roster call through msrest);
        we only need to know whether the bot itself was added, which the activity already says."""
        members = [TeamsChannelAccount(id=m.id, name=m.name, aad_object_id=m.aad_object_id, role=m.role)
                   for m in members_added]
        return await self.on_teams_members_added(members, team_info, turn_context)

    async def on_teams_members_added(  # pylint: disable=arguments-differ
        self, teams_members_added: list[TeamsChannelAccount], team_info: TeamInfo, turn_context: TurnContext
    ):
        bot_id = turn_context.activity.recipient.id if turn_context.activity.recipient else None
        if any(member.id == bot_id for member in teams_members_added):
            await self._greet(turn_context)

    async def _greet(self, turn_context: TurnContext) -> None:
        conversation = turn_context.activity.conversation
        is_team = bool(conversation and conversation.conversation_type == "channel")
        if is_team:
            await self._remember_channel(turn_context)
        new = await self._remember_user(turn_context)
        # Teams sends both installationUpdate and conversationUpdate on install: greet once.
        if is_team or new or turn_context.activity.type == "installationUpdate":
            if not await self._already_greeted(turn_context):
                turn = await self._turn(turn_context)
                await turn.reply(welcome_card(first_name=None if is_team else _first_name(turn_context), team=is_team),
                                 summary="Welcome")

    async def _already_greeted(self, turn_context: TurnContext) -> bool:
        greeted = self.conversation_state.create_property("greeted")
        if await greeted.get(turn_context, False):
            return True
        await greeted.set(turn_context, True)
        return False

    async def _remember_user(self, turn_context: TurnContext) -> bool:
        """Store the user's conversation reference for proactive messages (only when it changed). True on
        first contact; then anything that waited for them (they had never opened a chat) goes out."""
        activity = turn_context.activity
        aad_id = getattr(activity.from_property, "aad_object_id", None) if activity.from_property else None
        if not aad_id or (activity.conversation and activity.conversation.conversation_type not in (None, "personal")):
            return False
        # The reference is made of these fields only (TurnContext.get_conversation_reference, less the activity id):
        # the same fields, compared as models, mean the same reference without building it (2-3 % of a FAQ turn).
        addressing = (activity.service_url, activity.channel_id, activity.locale, copy(activity.from_property),
                      copy(activity.recipient), copy(activity.conversation))
        if self._known_addressing.get(aad_id) == addressing:
            return False
        reference = reference_to_dict(activity)
        reference.pop("activityId", None)  # changes every turn and is not needed to reach the chat
        # Where proactive cards about children go is only ever set by a request whose token we verified (or in
        # development mode): an unauthenticated request naming an officer must not redirect their cards.
        trusted = sender_verified(turn_context) or self.services.settings.is_development
        async with self.services.sessions() as session:
            existing = await conversations.get_reference(session=session, scope=conversations.USER_SCOPE, key=aad_id)
            if existing != reference and not trusted:
                log.warning("conversation reference not stored: the request was not authenticated")
                return False
            if existing != reference:
                await conversations.save_reference(session=session, scope=conversations.USER_SCOPE, key=aad_id,
                                                   reference=reference, tenant_id=tenant_of(activity))
            if existing is None:
                await outbox.requeue_for(session=session, recipient_aad_id=aad_id)
            await session.commit()
        if len(self._known_addressing) > 10_000:
            self._known_addressing.clear()
        self._known_addressing[aad_id] = addressing
        return existing is None

    async def _remember_channel(self, turn_context: TurnContext) -> None:
        activity = turn_context.activity
        if not (sender_verified(turn_context) or self.services.settings.is_development):
            return
        async with self.services.sessions() as session:
            await conversations.save_reference(
                session=session, scope=conversations.CHANNEL_SCOPE, key=activity.conversation.id,
                reference=reference_to_dict(activity), tenant_id=tenant_of(activity))
            await session.commit()


def _first_name(turn_context: TurnContext) -> str | None:
    account: ChannelAccount | None = turn_context.activity.from_property
    name = (account.name or "").strip() if account else ""
    return name.split()[0] if name else None
