"""Routes a turn that no flow is waiting for: a typed command, a menu button, or a question."""
from __future__ import annotations

from botbuilder.dialogs import ComponentDialog, DialogTurnResult, WaterfallDialog, WaterfallStepContext

from bot.messages import card_activity
from bot.services import Services
from cards.menu import main_menu_card, notice_card
from dialogs.faq_dialog import FaqDialog
from dialogs.intents import Intent, parse

NOT_YET = {
    "refer": "Making referrals",
    "book": "Booking surgeries",
    "my_referrals": "Seeing your referrals",
    "my_bookings": "Seeing your bookings",
}


def intent_of(activity) -> Intent:
    value = activity.value if isinstance(activity.value, dict) else None
    if value and value.get("action") == "menu.open":
        return Intent(str(value.get("target") or "help"))
    if value and value.get("action"):
        return Intent("stale_submit", str(value.get("action")))
    return parse(activity.text)


class MainDialog(ComponentDialog):
    def __init__(self, services: Services, flows: dict[str, ComponentDialog] | None = None):
        super().__init__(MainDialog.__name__)
        self.services = services
        self.flows = {"ask": FaqDialog(services), **(flows or {})}
        for flow in self.flows.values():
            self.add_dialog(flow)
        self.add_dialog(WaterfallDialog("main.steps", [self.route_step, self.done_step]))
        self.initial_dialog_id = "main.steps"

    async def route_step(self, step: WaterfallStepContext) -> DialogTurnResult:
        intent = intent_of(step.context.activity)
        if intent.name in self.flows:
            return await step.begin_dialog(self.flows[intent.name].id, {"question": intent.argument} if intent.argument else None)
        if intent.name == "question":
            return await step.begin_dialog(self.flows["ask"].id, {"question": intent.argument})
        if intent.name in NOT_YET:
            await step.context.send_activity(card_activity(notice_card(
                "Not available yet",
                f"{NOT_YET[intent.name]} through Teams is not available in this version yet. "
                "Until it is, please use the Virtual School's usual e-mail route.",
                card_id="not-yet", show_menu=True)))
            return await step.end_dialog()
        if intent.name == "stale_submit":
            await step.context.send_activity(
                "That card is no longer active, so nothing was changed. Type help to start again."
            )
            return await step.end_dialog()
        if intent.name == "cancel":
            await step.context.send_activity("There's nothing to cancel. Type help to see what I can do.")
            return await step.end_dialog()
        await step.context.send_activity(card_activity(main_menu_card()))
        return await step.end_dialog()

    async def done_step(self, step: WaterfallStepContext) -> DialogTurnResult:
        return await step.end_dialog()
