"""Make a referral: one form card; server-side validation; the form comes back with everything kept and the
problems listed until it is right; then eligibility, routing, the record and the officer's card.

The draft lives in dialog state (in the database), so a half-filled form survives a restart. While the
form is open the router answers anything typed (a question, `my referrals`) and leaves the form open;
only the form's own buttons reach the steps below."""
from __future__ import annotations

import logging
import uuid

from botbuilder.dialogs import Dialog, DialogContext, DialogTurnResult, WaterfallDialog, WaterfallStepContext

from cards.referrals import form_closed_card, referral_confirmation_card, referral_form_card, signpost_card
from dialogs.common.base_dialog import CancelAndHelpDialog, step_flow_state
from dialogs.common.services import Services
from dialogs.common.turn import Turn, turn_of
from dialogs.referrals import service
from dialogs.referrals.rules import assess
from storage import directory
from storage.vocabulary import REFERRER_ROLES

FORM_INPUTS = ("child_first_name", "child_last_name", "child_dob", "home_postcode", "school_name", "legal_status",
               "reasons", "details", "consent", "referrer_role", "is_allocated_sw", "social_worker_name",
               "social_worker_email")
FORM_MESSAGE_ID = "form_message_id"
log = logging.getLogger("vsbot.referrals")
MAX_KEPT = 5000  # longest value kept in the draft (lengths are validated on the full text first)


def submitted_values(value: dict, *, keep: int | None = MAX_KEPT) -> dict:
    """The form's inputs as text: in full for validation (`keep=None`), cut to MAX_KEPT for the draft the form
    shows again (a card has a size limit)."""
    return {k: str(value.get(k))[:keep] for k in FORM_INPUTS if value.get(k) is not None}


async def default_role(services: Services, aad_id: str) -> str:
    async with services.sessions() as session:
        role = await directory.role_of(session=session, aad_object_id=aad_id)
    return role if role in REFERRER_ROLES else ""


async def retire_form(turn: Turn, message: str, message_id: str | None = None) -> None:
    """Turn a form into a one-line note in place, so an old form can't be sent again by mistake."""
    await turn.replace_card(form_closed_card(message=message), message_id)


class ReferralDialog(CancelAndHelpDialog):
    form = True
    title = "a referral"
    help_text = ("You have a referral form open above. Fill it in and press **Send referral** — I'll check it and "
                 "tell you if anything needs changing, keeping what you entered. You can still ask me questions "
                 "or type **my referrals** while it is open.")
    still_open_note = ("Your referral form is still open above — press **Send referral** when it's ready, or type "
                       "**cancel** to close it.")

    def __init__(self, services: Services):
        super().__init__(ReferralDialog.__name__)
        self.services = services
        self.add_dialog(WaterfallDialog("referral.steps", [self.form_step, self.submit_step]))
        self.initial_dialog_id = "referral.steps"

    async def form_step(self, step: WaterfallStepContext) -> DialogTurnResult:
        turn = turn_of(step.context)
        options = step.options if isinstance(step.options, dict) else {}
        if options.get("notice"):
            await turn.reply(options["notice"])
        token = options.get("token") or uuid.uuid4().hex
        step.values["token"] = token
        step.values["draft"] = options.get("values") or {}
        if options.get("resend", True):
            form = referral_form_card(token=token, values=step.values["draft"], errors=options.get("errors"),
                                      default_role=await default_role(self.services, turn.actor_id))
            step_flow_state(step)[FORM_MESSAGE_ID] = await turn.reply(form, summary="Referral form")
        return Dialog.end_of_turn

    async def submit_step(self, step: WaterfallStepContext) -> DialogTurnResult:
        turn = turn_of(step.context)
        token, draft = step.values["token"], step.values["draft"]
        value = turn.value
        if value.get("action") == "referral.cancel":
            await retire_form(turn, "Cancelled — nothing was sent.")
            await turn.reply("Referral cancelled — nothing was sent.")
            return await step.end_dialog()
        if value.get("token") != token:
            found = await service.find_submitted(self.services, token=str(value.get("token") or ""),
                                                 actor_aad_id=turn.actor_id)
            if found is not None:  # a retried submit of a form that already made a referral
                await turn.reply(referral_confirmation_card(referral=found.referral, locality_name=found.locality_name),
                                 summary=f"Referral {found.referral.reference} received")
                return await step.replace_dialog(self.initial_dialog_id, {"token": token, "values": draft,
                                                                          "resend": False})
            # An older form (or a forged one): never act on it, but keep what was typed in the current form.
            await retire_form(turn, "Replaced by the form below.")
            return await step.replace_dialog(self.initial_dialog_id, {
                "token": token, "values": submitted_values(value) or draft,
                "notice": "That form is out of date, so nothing was sent. Please use the form below — what you "
                          "entered is kept."})
        values = submitted_values(value)
        # Validated on the full text: 100,000 characters of details must not be judged on the first 5,000.
        clean, errors, decision = assess(submitted_values(value, keep=None), today=self.services.today())
        if errors:
            await retire_form(turn, "Replaced by the form below, with your answers kept.")
            return await step.replace_dialog(self.initial_dialog_id, {"token": token, "values": values, "errors": errors})
        if not decision.eligible:
            await retire_form(turn, "Not sent — see the message below.")
            await turn.reply(signpost_card(title=decision.title, message=decision.message))
            return await step.end_dialog()
        submitted = await service.submit(self.services, actor_aad_id=turn.actor_id, actor_name=turn.actor_name,
                                         clean=clean, token=token)
        await retire_form(turn, f"Sent as referral {submitted.referral.reference}.")
        await turn.reply(referral_confirmation_card(referral=submitted.referral, locality_name=submitted.locality_name),
                         summary=f"Referral {submitted.referral.reference} received")
        return await step.end_dialog()

    async def on_cancel(self, dc: DialogContext, state: dict) -> None:
        turn = turn_of(dc.context)
        await retire_form(turn, "Cancelled — nothing was sent.", state.get(FORM_MESSAGE_ID))
        await turn.reply("Referral cancelled — nothing was sent. Type **refer** to start again.")
