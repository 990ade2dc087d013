"""Make a referral: one form card; server-side validation; the form comes back with everything kept and the
problems listed until it is right; then eligibility, routing, the record and the officer's card.

The draft lives in dialog state (in the database), so a half-filled form survives a restart."""
from __future__ import annotations

import logging
import uuid

from botbuilder.dialogs import Dialog, DialogTurnResult, WaterfallDialog, WaterfallStepContext

from bot.messages import card_activity
from bot.services import Services
from cards.referrals import form_closed_card, referral_confirmation_card, referral_form_card, signpost_card
from dialogs.common.base_dialog import CancelAndHelpDialog
from dialogs.common.intents import actor_id
from dialogs.referrals.rules import assess
from dialogs.referrals.service import submit
from storage import directory
from storage.models import Locality
from storage.referrals import find_by_token

FORM_INPUTS = ("child_first_name", "child_last_name", "child_dob", "home_postcode", "school_name", "legal_status",
               "reasons", "details", "consent", "referrer_role", "is_allocated_sw", "social_worker_name",
               "social_worker_email")
log = logging.getLogger("vsbot.referrals")
MAX_RAW = 5000  # longest value kept from a submit (the form's own limits are lower; this bounds state size)


def submitted_values(value: dict) -> dict:
    return {k: str(value.get(k))[:MAX_RAW] for k in FORM_INPUTS if value.get(k) is not None}


async def default_role(services: Services, aad_id: str) -> str:
    async with services.sessions() as session:
        role = await directory.role_of(session=session, aad_object_id=aad_id)
    return role if role in {"social_worker", "iro", "dsl", "designated_teacher", "send", "ep"} else ""


async def retire_form(context, message: str) -> None:
    """Turn the form that was just submitted into a one-line note (Teams gives its id as replyToId)."""
    form_id = context.activity.reply_to_id
    if not form_id:
        return
    activity = card_activity(form_closed_card(message=message))
    activity.id = form_id
    try:
        await context.update_activity(activity)
    except Exception:  # noqa: BLE001 - cosmetic: the submit itself has been handled
        log.info("could not update the submitted form in place")


async def send_confirmation(context, services: Services, clean: dict, token: str) -> None:
    account = context.activity.from_property
    referral, _created, locality_name = await submit(services, actor_aad_id=actor_id(context),
                                                     actor_name=(account.name if account else None), clean=clean,
                                                     token=token)
    await retire_form(context, f"Sent as referral {referral.reference}.")
    await context.send_activity(card_activity(referral_confirmation_card(referral=referral, locality_name=locality_name),
                                              summary=f"Referral {referral.reference} received"))


class ReferralDialog(CancelAndHelpDialog):
    VERBS = ("referral.submit", "referral.cancel")

    def __init__(self, services: Services):
        super().__init__(ReferralDialog.__name__)
        self.services = services
        self.add_dialog(WaterfallDialog("referral.steps", [self.form_step, self.submit_step]))
        self.initial_dialog_id = "referral.steps"

    async def form_step(self, step: WaterfallStepContext) -> DialogTurnResult:
        options = step.options if isinstance(step.options, dict) else {}
        if options.get("notice"):
            await step.context.send_activity(options["notice"])
        token = options.get("token") or uuid.uuid4().hex
        step.values["token"] = token
        step.values["draft"] = options.get("values") or {}
        if options.get("resend", True):
            role = await default_role(self.services, actor_id(step.context))
            form = referral_form_card(token=token, values=step.values["draft"], errors=options.get("errors"),
                                      default_role=role)
            await step.context.send_activity(card_activity(form, summary="Referral form"))
        return Dialog.end_of_turn

    async def submit_step(self, step: WaterfallStepContext) -> DialogTurnResult:
        token, draft = step.values["token"], step.values["draft"]
        value = step.context.activity.value if isinstance(step.context.activity.value, dict) else {}
        action = value.get("action")
        if not action:
            await step.context.send_activity("Please fill in the referral form above and press **Send referral**, "
                                             "or type **cancel** to stop.")
            return await step.replace_dialog(self.initial_dialog_id, {"token": token, "values": draft, "resend": False})
        if action == "referral.cancel":
            await retire_form(step.context, "Cancelled — nothing was sent.")
            await step.context.send_activity("Referral cancelled — nothing was sent.")
            return await step.end_dialog()
        if value.get("token") != token:
            if await resend_confirmation(step.context, self.services, value):
                return await step.end_dialog()
            # An older form (or a forged one): never act on it, but keep what was typed in the current form.
            await step.context.send_activity("That form is out of date, so nothing was sent. Please use the form "
                                             "below — what you entered is kept.")
            return await step.replace_dialog(self.initial_dialog_id,
                                             {"token": token, "values": submitted_values(value) or draft})
        values = submitted_values(value)
        clean, errors, decision = assess(values, today=self.services.today())
        if errors:
            await retire_form(step.context, "Replaced by the form below, with your answers kept.")
            return await step.replace_dialog(self.initial_dialog_id, {"token": token, "values": values, "errors": errors})
        if not decision.eligible:
            await retire_form(step.context, "Not sent — see the message below.")
            await step.context.send_activity(card_activity(signpost_card(title=decision.title, message=decision.message)))
            return await step.end_dialog()
        await send_confirmation(step.context, self.services, clean, token)
        return await step.end_dialog()


async def resend_confirmation(context, services: Services, value: dict) -> bool:
    """Teams retries a submit it thinks timed out: if this form already made a referral for this person,
    answer with the same confirmation (never a second referral). False when the token is unknown."""
    token = str(value.get("token") or "")
    if not token:
        return False
    async with services.sessions() as session:
        existing = await find_by_token(session=session, submit_token=token)
        if existing is None or existing.referrer_aad_id != actor_id(context):
            return False
        locality_name = (await session.get(Locality, existing.locality_id)).name if existing.locality_id else None
    await context.send_activity(card_activity(referral_confirmation_card(referral=existing, locality_name=locality_name),
                                              summary=f"Referral {existing.reference} received"))
    return True
