"""One router, one policy. Every typed command, card verb (Action.Submit) and Action.Execute invoke goes
through `dispatch`: the route is looked up in one registry (each capability's ROUTES), where it may run and
who may use it are checked before any handler, and only then does a handler or a flow (dialog) run.

While a flow is open, typed text means what it means anywhere else — a question is answered, a command runs
— and a form flow stays open with one line saying so; `help` and `cancel` apply to the flow."""
from __future__ import annotations

import logging

from botbuilder.dialogs import DialogSet

from cards.menu import main_menu_card, refusal_card
from dialogs.common.base_dialog import CancelAndHelpDialog
from dialogs.common.intents import parse
from dialogs.common.routing import Kind, Route
from dialogs.common.services import Services
from dialogs.common.turn import Turn
from storage import audit
from storage.referrals import REFERENCE_RE
from storage.vocabulary import ChatType

log = logging.getLogger("vsbot.router")

MENU_VERB = "menu.open"
PLACE_REFUSAL = ("Let's do that in a personal chat",
                 "That is only available in a personal chat with me, because it can involve children's details. "
                 "Open a chat with the Virtual School assistant and try it there.")
ROLE_REFUSAL = ("That isn't available to you",
                "That is for Virtual School staff with a particular role, so nothing was done. If you think you "
                "should be able to do it, ask the Virtual School to check your entry in the staff directory.")
UNKNOWN_VERB = ("I don't recognise that button",
                "It may be from an older version of this app, so nothing was changed. Type **help** to see what I "
                "can do.")


class RouteRegistry:
    """Every route of every capability, each name once per kind."""

    def __init__(self, routes: list[Route]):
        self.commands: dict[str, Route] = {}
        self.verbs: dict[str, Route] = {}
        for route in routes:
            table = self.commands if route.kind is Kind.COMMAND else self.verbs
            if route.name in table:
                raise ValueError(f"{route.kind} {route.name!r} is registered twice")
            table[route.name] = route

    def __iter__(self):
        return iter([*self.commands.values(), *self.verbs.values()])


class Router:
    def __init__(self, services: Services, registry: RouteRegistry, flows: list[CancelAndHelpDialog], accessor):
        self.services = services
        self.registry = registry
        self.flows = {flow.id: flow for flow in flows}
        self.dialog_set = DialogSet(accessor)
        for flow in flows:
            self.dialog_set.add(flow)
        for route in registry:
            if route.dialog and route.dialog not in self.flows:
                raise ValueError(f"route {route.name!r} names an unknown flow {route.dialog!r}")

    async def dispatch(self, turn: Turn, context) -> None:
        dc = await self.dialog_set.create_context(context)
        verb = str(turn.value.get("action") or "") if turn.value else ""
        if verb == MENU_VERB:
            await self._command(turn, dc, str(turn.value.get("target") or "help"), "")
        elif verb:
            await self._verb(turn, dc, verb)
        else:
            await self._text(turn, dc)

    # --- card buttons ---------------------------------------------------------------------------------
    async def _verb(self, turn: Turn, dc, verb: str) -> None:
        route = self.registry.verbs.get(verb)
        if route is None:
            await turn.reply(refusal_card(title=UNKNOWN_VERB[0], message=UNKNOWN_VERB[1], card_id="unknown-action"))
            return
        if not await self._allowed(turn, route):
            return
        if route.dialog:
            if not route.starts_afresh and await self._bring_to_top(dc, route.dialog):
                await dc.continue_dialog()
                return
            options = await route.run(turn, self.services, turn.value) if route.run else None
            if isinstance(options, dict):
                if route.starts_afresh and dc.stack:
                    await dc.cancel_all_dialogs()  # the new form takes the place of one left open
                await dc.begin_dialog(route.dialog, options)
            return
        await route.run(turn, self.services, turn.value)

    async def _bring_to_top(self, dc, flow_id: str) -> bool:
        """If the flow a button belongs to is open (under a question prompt, say), close what is above it."""
        stack = [instance.id for instance in dc.stack]
        if flow_id not in stack:
            return False
        while dc.active_dialog and dc.active_dialog.id != flow_id:
            await dc.end_dialog()
        return True

    # --- typed text -----------------------------------------------------------------------------------
    async def _text(self, turn: Turn, dc) -> None:
        intent = parse(turn.text)
        active = self.flows.get(dc.active_dialog.id) if dc.active_dialog else None
        if active is not None:
            if intent.name == "help":
                await active.help(dc)
                return
            if intent.name == "cancel":
                await active.cancel(dc)
                return
            if not active.form:
                if intent.name in ("question", "empty"):
                    await dc.continue_dialog()  # a prompt takes the text as its answer
                    return
                await dc.end_dialog()  # a command typed at a prompt: the prompt gives way
        await self._command(turn, dc, intent.name, intent.argument)

    async def _command(self, turn: Turn, dc, name: str, argument: str) -> None:
        form = self._open_form(dc)
        if name in ("help", "empty") or (name not in self.registry.commands and name != "cancel"):
            await turn.reply(main_menu_card())
            return
        if name == "cancel":
            await turn.reply("There's nothing to cancel. Type help to see what I can do.")
            return
        route = self.registry.commands[name]
        if not await self._allowed(turn, route):
            return
        if route.dialog:
            if form is not None and form.id == route.dialog:
                await turn.reply(form.still_open_note or "That is already open above.")
                return
            await dc.begin_dialog(route.dialog, route.options(argument) if route.options else None)
        else:
            await route.run(turn, self.services, {"question": argument} if argument else {})
        if form is not None and form.still_open_note:
            await turn.reply(form.still_open_note)

    def _open_form(self, dc) -> CancelAndHelpDialog | None:
        for instance in reversed(dc.stack):
            flow = self.flows.get(instance.id)
            if flow is not None and flow.form:
                return flow
        return None

    # --- the policy -----------------------------------------------------------------------------------
    async def _allowed(self, turn: Turn, route: Route) -> bool:
        if turn.chat not in route.where:
            await self._refuse(turn, route, "place", PLACE_REFUSAL, "personal-only")
            return False
        if turn.role not in route.roles:
            await self._refuse(turn, route, "role", ROLE_REFUSAL, "not-your-role")
            return False
        return True

    async def _refuse(self, turn: Turn, route: Route, why: str, words: tuple[str, str], card_id: str) -> None:
        log.info("refused %s %s: %s chat=%s role=%s", route.kind, route.name, why, turn.chat, turn.role)
        if route.audit:
            reference = str(turn.value.get("reference") or "").strip().upper()
            async with self.services.sessions() as session:
                audit.record(session=session, actor_aad_id=turn.actor_id, action=f"{route.name}.refused",
                             entity_type=route.audit, entity_id=reference if REFERENCE_RE.match(reference) else None,
                             detail={"why": why, "chat": str(turn.chat), "role": str(turn.role)})
                await session.commit()
        # Nothing about a child or a referral is ever posted into a shared chat: the refusal names neither.
        await turn.reply(refusal_card(title=words[0], message=words[1], card_id=card_id))


def is_shared(chat: ChatType) -> bool:
    return chat is not ChatType.PERSONAL
