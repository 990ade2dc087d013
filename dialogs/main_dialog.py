"""Routes every message turn: a flow that is waiting continues; otherwise a typed command, a menu button,
a card action or a question starts the right flow. Flows sit side by side in one DialogSet, so a card
submit for one flow never lands in another's prompt."""
from __future__ import annotations

from botbuilder.dialogs import DialogSet, DialogTurnStatus

from bot.messages import card_activity
from bot.services import Services
from cards.menu import main_menu_card, notice_card
from dialogs.faq.faq_dialog import FaqDialog
from dialogs.common.intents import Intent, parse
from dialogs.referrals.referral_dialog import ReferralDialog, resend_confirmation, submitted_values

NOT_YET = {
    "book": "Booking surgeries",
    "my_bookings": "Seeing your bookings",
}


PERSONAL_ONLY = frozenset({"refer", "my_referrals", "submit"})


def submitted_verb(activity) -> str:
    value = activity.value if isinstance(activity.value, dict) else {}
    return str(value.get("action") or "")


def intent_of(activity) -> Intent:
    value = activity.value if isinstance(activity.value, dict) else {}
    verb = submitted_verb(activity)
    if verb == "menu.open":
        return Intent(str(value.get("target") or "help"))
    if verb:
        return Intent("submit", verb)
    return parse(activity.text)


class MainDialog:
    """Not a dialog itself: the router over the flow dialogs (kept under the name the style guide uses)."""

    def __init__(self, services: Services, actions: dict | None = None):
        self.services = services
        self.actions = actions or {}  # verb -> async handler(turn_context, services, value): card actions outside flows
        self.faq = FaqDialog(services)
        self.referral = ReferralDialog(services)
        self.flows = {"ask": self.faq, "question": self.faq, "refer": self.referral}
        self.owners = {verb: self.referral for verb in ReferralDialog.VERBS}

    def dialog_set(self, accessor) -> DialogSet:
        dialogs = DialogSet(accessor)
        for flow in {id(f): f for f in self.flows.values()}.values():
            dialogs.add(flow)
        return dialogs

    async def on_turn(self, turn_context, accessor) -> None:
        activity = turn_context.activity
        verb = submitted_verb(activity)
        if verb in self.actions:
            await self.actions[verb](turn_context, self.services, activity.value)
            return
        dc = await self.dialog_set(accessor).create_context(turn_context)
        active = dc.active_dialog.id if dc.active_dialog else None
        owner = self.owners.get(verb)
        if verb == "menu.open" or (verb and (owner is None or owner.id != active)):
            await dc.cancel_all_dialogs()  # a button from another card wins over a flow left half way
        result = await dc.continue_dialog()
        if result.status == DialogTurnStatus.Empty:
            await self.route(dc, intent_of(activity))

    async def route(self, dc, intent: Intent) -> None:
        context = dc.context
        conversation = context.activity.conversation
        shared = bool(conversation and conversation.conversation_type not in (None, "personal"))
        if shared and intent.name in PERSONAL_ONLY:
            # Children's details never go into a team channel or group chat.
            await context.send_activity(card_activity(notice_card(
                "Let's do that in a personal chat",
                "Referrals and their status include children's details, so I only handle them in a personal chat "
                "with me. Open a chat with the Virtual School assistant and type the same thing there.",
                card_id="personal-only")))
            return
        if intent.name in ("ask", "question"):
            await dc.begin_dialog(self.faq.id, {"question": intent.argument} if intent.argument else None)
        elif intent.name == "refer":
            await dc.begin_dialog(self.referral.id)
        elif intent.name == "submit" and intent.argument == "referral.submit":
            value = context.activity.value
            if not await resend_confirmation(context, self.services, value):
                await dc.begin_dialog(self.referral.id, {
                    "values": submitted_values(value),
                    "notice": "That form is no longer active, so nothing was sent. Here it is again with what you "
                              "entered — please check it and send it."})
        elif intent.name == "submit":
            await context.send_activity("That card is no longer active, so nothing was changed. Type help to start again.")
        elif intent.name in NOT_YET:
            await context.send_activity(card_activity(notice_card(
                "Not available yet",
                f"{NOT_YET[intent.name]} through Teams is not available in this version yet. "
                "Until it is, please use the Virtual School's usual e-mail route.",
                card_id="not-yet", show_menu=True)))
        elif intent.name == "cancel":
            await context.send_activity("There's nothing to cancel. Type help to see what I can do.")
        elif intent.name == "my_referrals" and "my_referrals" in self.actions:
            await self.actions["my_referrals"](context, self.services, {})
        else:
            await context.send_activity(card_activity(main_menu_card()))
