"""Help and cancel work the same inside every flow: every flow's dialog inherits from this one."""
from __future__ import annotations

from botbuilder.dialogs import ComponentDialog, DialogContext, DialogTurnResult, DialogTurnStatus
from botbuilder.schema import ActivityTypes

from bot.messages import card_activity
from cards.menu import main_menu_card
from dialogs.common.intents import parse


class CancelAndHelpDialog(ComponentDialog):
    async def on_continue_dialog(self, inner_dc: DialogContext) -> DialogTurnResult:
        result = await self._interrupt(inner_dc)
        if result is not None:
            return result
        return await super().on_continue_dialog(inner_dc)

    async def _interrupt(self, inner_dc: DialogContext) -> DialogTurnResult | None:
        activity = inner_dc.context.activity
        if activity.type != ActivityTypes.message or not activity.text or activity.value:
            return None
        intent = parse(activity.text).name
        if intent == "help":
            await inner_dc.context.send_activity(
                card_activity(main_menu_card(intro="You're part way through something: answer the last question "
                                                   "to carry on, or type cancel to stop."))
            )
            return DialogTurnResult(DialogTurnStatus.Waiting)
        if intent == "cancel":
            await inner_dc.context.send_activity("Okay, I've stopped that. Type help to see what I can do.")
            return await inner_dc.cancel_all_dialogs()
        return None
