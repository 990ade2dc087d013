"""Make a referral: one form card; server-side validation; the form comes back with everything kept and the
problems listed until it is right; then eligibility, the duplicate check, routing, the record and the
officer's card.

A child who matches an open referral (same names and date of birth) is not accepted silently: the referrer
gets the duplicate card and chooses to add what they know to the open referral, or to send a new referral
anyway with a reason (the two are then linked). The open referral's id stays in dialog state, never in
the card, so someone who may not see that referral never learns its reference.

The draft lives in dialog state (in the database), so a half-filled form survives a restart. While the
form is open the router answers anything typed (a question, `my referrals`) and leaves the form open;
only the form's own buttons reach the steps below."""
from __future__ import annotations

import logging
import uuid

from botbuilder.dialogs import Dialog, DialogContext, DialogTurnResult, WaterfallDialog, WaterfallStepContext

from cards.referrals import (
    duplicate_card,
    form_closed_card,
    referral_confirmation_card,
    referral_form_card,
    signpost_card,
)
from dialogs.common.base_dialog import CancelAndHelpDialog, step_flow_state
from dialogs.common.services import Services
from dialogs.common.turn import Turn, turn_of
from dialogs.referrals import service
from dialogs.referrals.rules import assess
from storage.vocabulary import FIELD_LIMITS, REFERRER_ROLES

FORM_INPUTS = ("child_first_name", "child_last_name", "child_dob", "home_postcode", "school_name", "legal_status",
               "reasons", "details", "consent", "referrer_role", "is_allocated_sw", "social_worker_name",
               "social_worker_email")
FORM_MESSAGE_ID = "form_message_id"
DUPLICATE_STEPS = "referral.duplicate"
log = logging.getLogger("vsbot.referrals")
MAX_KEPT = 5000  # longest value kept in the draft (lengths are validated on the full text first)


def submitted_values(value: dict, *, keep: int | None = MAX_KEPT) -> dict:
    """The form's inputs as text: in full for validation (`keep=None`), cut to MAX_KEPT for the draft the form
    shows again (a card has a size limit)."""
    return {k: str(value.get(k))[:keep] for k in FORM_INPUTS if value.get(k) is not None}


def default_role(role: str) -> str:
    """The form's "your role" chosen beforehand: the directory role the turn already carries (bot.turn.RoleCache,
    no second read of the directory), when it is one a referrer may give."""
    return str(role) if role in REFERRER_ROLES else ""


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
        self.add_dialog(WaterfallDialog(DUPLICATE_STEPS, [self.duplicate_step, self.choice_step]))
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
                                      default_role=default_role(turn.role))
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
            return await self._other_form(step, turn, token, draft)
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
        result = await service.submit(self.services, actor_aad_id=turn.actor_id, actor_name=turn.actor_name,
                                      role=turn.role, clean=clean, token=token)
        if isinstance(result, service.DuplicateFound):
            await retire_form(turn, "Not sent yet — there is already an open referral for this child (below).")
            return await step.replace_dialog(DUPLICATE_STEPS, {
                "token": token, "values": values, "existing_id": result.existing.id,
                "added_info": values.get("details", "")[:FIELD_LIMITS["added_info"]]})
        await _confirm(turn, result)
        return await step.end_dialog()

    async def _other_form(self, step: WaterfallStepContext, turn: Turn, token: str, draft: dict,
                          duplicate: dict | None = None) -> DialogTurnResult:
        """A button of another form than the open one: a retried submit of a form that already made a referral
        gets its confirmation again; an older (or forged) form is never acted on, and what it carried is kept.
        The open step carries on: the form, or (`duplicate`, its options) the choice on the duplicate card."""
        value = turn.value
        found = await service.find_submitted(self.services, token=str(value.get("token") or ""),
                                             actor_aad_id=turn.actor_id)
        if found is not None:
            await _confirm(turn, found, retire=False)
            if duplicate is not None:
                return await step.replace_dialog(DUPLICATE_STEPS, {**duplicate, "resend": False})
            return await step.replace_dialog(self.initial_dialog_id, {"token": token, "values": draft,
                                                                      "resend": False})
        if duplicate is not None:
            await retire_form(turn, "Out of date — nothing was sent.")
            return await step.replace_dialog(DUPLICATE_STEPS, {**duplicate, "resend": False, "notice": (
                "That card is out of date, so nothing was sent. There is already an open referral for this child: "
                "please choose on the card above.")})
        await retire_form(turn, "Replaced by the form below.")
        return await step.replace_dialog(self.initial_dialog_id, {
            "token": token, "values": submitted_values(value) or draft,
            "notice": "That form is out of date, so nothing was sent. Please use the form below — what you "
                      "entered is kept."})

    # --- an open referral for the same child --------------------------------------------------------------
    async def duplicate_step(self, step: WaterfallStepContext) -> DialogTurnResult:
        turn = turn_of(step.context)
        options = dict(step.options) if isinstance(step.options, dict) else {}
        step.values.update(options)
        if options.get("notice"):
            await turn.reply(options["notice"])
        if options.get("resend", True):
            existing = await service.duplicate_view(self.services, referral_id=options["existing_id"],
                                                    viewer_aad_id=turn.actor_id, role=turn.role)
            if existing is None:  # purged meanwhile: nothing to be a duplicate of, so the form goes again
                return await step.replace_dialog(self.initial_dialog_id, {
                    "token": options["token"], "values": options["values"],
                    "notice": "The open referral for this child has ended, so please check and send your form."})
            card = duplicate_card(token=options["token"], existing=existing.existing, visible=existing.visible,
                                  officer_name=existing.officer_name, locality_name=existing.locality_name,
                                  yours=existing.yours, tz=self.services.settings.timezone,
                                  added_info=options.get("added_info", ""), reason=options.get("reason", ""),
                                  errors=options.get("errors"))
            step_flow_state(step)[FORM_MESSAGE_ID] = await turn.reply(card, summary="Open referral for this child")
        return Dialog.end_of_turn

    async def choice_step(self, step: WaterfallStepContext) -> DialogTurnResult:
        turn = turn_of(step.context)
        token, values, existing_id = step.values["token"], step.values["values"], step.values["existing_id"]
        value, verb = turn.value, str(turn.value.get("action") or "")
        again = {"token": token, "values": values, "existing_id": existing_id,
                 "added_info": step.values.get("added_info", ""), "reason": step.values.get("reason", "")}
        if verb == "referral.cancel":
            await retire_form(turn, "Cancelled — nothing was sent.")
            await turn.reply("Referral cancelled — nothing was sent or added.")
            return await step.end_dialog()
        if value.get("token") != token:
            return await self._other_form(step, turn, token, values, duplicate=again)
        if verb == "referral.submit":  # Teams resending the submit that led here: the choice is still open
            return await step.replace_dialog(DUPLICATE_STEPS, {**again, "resend": False, "notice": (
                "There is already an open referral for this child: please choose on the card above whether to "
                "add to it or to send a new referral anyway.")})
        if verb == "referral.add_info":
            added = str(value.get("added_info") or "").strip()
            problem = _length_problem(added, "added_info", "Say what the officer of the open referral should know")
            if problem:
                await retire_form(turn, "Replaced by the card below, with what you wrote kept.")
                return await step.replace_dialog(DUPLICATE_STEPS, {**again, "added_info": added,
                                                                   "errors": {"added_info": problem}})
            outcome = await service.add_information(self.services, actor_aad_id=turn.actor_id,
                                                    actor_name=turn.actor_name, role=turn.role,
                                                    referral_id=existing_id, token=token, note=added)
            if not outcome.ok:  # the open referral ended meanwhile: sending a new one is still possible
                await turn.reply(outcome.message)
                return await step.replace_dialog(DUPLICATE_STEPS, {**again, "added_info": added, "resend": False})
            await retire_form(turn, "Added to the open referral — no new referral was made.")
            await turn.reply(outcome.message)
            return await step.end_dialog()
        # referral.submit_anyway: the form again, through the same checks, linked to the open referral
        reason = str(value.get("duplicate_reason") or "").strip()
        problem = _length_problem(reason, "duplicate_reason", "Say why a new referral is needed")
        if problem:
            await retire_form(turn, "Replaced by the card below, with what you wrote kept.")
            return await step.replace_dialog(DUPLICATE_STEPS, {**again, "reason": reason,
                                                               "errors": {"duplicate_reason": problem}})
        clean, errors, decision = assess(values, today=self.services.today())
        if errors or not decision.eligible:  # cannot happen for a form that reached here; never act on it
            return await step.replace_dialog(self.initial_dialog_id, {"token": token, "values": values,
                                                                      "errors": errors})
        result = await service.submit(self.services, actor_aad_id=turn.actor_id, actor_name=turn.actor_name,
                                      role=turn.role, clean=clean, token=token, duplicate_of_id=existing_id,
                                      duplicate_reason=reason)
        if isinstance(result, service.DuplicateFound):  # the open one was purged meanwhile, and another is open
            await retire_form(turn, "Replaced by the card below.")
            return await step.replace_dialog(DUPLICATE_STEPS, {**again, "existing_id": result.existing.id,
                                                               "reason": reason})
        await _confirm(turn, result)
        return await step.end_dialog()

    async def on_cancel(self, dc: DialogContext, state: dict) -> None:
        turn = turn_of(dc.context)
        await retire_form(turn, "Cancelled — nothing was sent.", state.get(FORM_MESSAGE_ID))
        await turn.reply("Referral cancelled — nothing was sent. Type **refer** to start again.")


def _length_problem(text: str, key: str, empty: str) -> str | None:
    if not text:
        return f"{empty}."
    if len(text) > FIELD_LIMITS[key]:
        return f"Keep it under {FIELD_LIMITS[key]:,} characters (you have {len(text):,})."
    return None


async def _confirm(turn: Turn, submitted, *, retire: bool = True) -> None:
    if retire:
        await retire_form(turn, f"Sent as referral {submitted.referral.reference}.")
    await turn.reply(referral_confirmation_card(referral=submitted.referral, locality_name=submitted.locality_name,
                                                linked_reference=submitted.linked_reference),
                     summary=f"Referral {submitted.referral.reference} received")
