"""Publish (or edit) a surgery: one form card; checked on the server (dialogs/surgeries/rules.py); the form comes
back with everything kept and the problems listed until it is right; then the surgery (or every date of a
repeating one) is published, or the edit is saved and everyone affected is told.

For Virtual School staff only (the router checks the role). The draft lives in dialog state, so a half-filled
form survives a restart; only the form's own buttons reach the steps below."""
from __future__ import annotations

import uuid

from botbuilder.dialogs import Dialog, DialogContext, DialogTurnResult, WaterfallDialog, WaterfallStepContext

from cards.surgeries import publish_form_card, publish_form_closed_card, published_card
from dialogs.common.base_dialog import CancelAndHelpDialog, step_flow_state
from dialogs.common.services import Services
from dialogs.common.turn import Turn, turn_of
from dialogs.surgeries import service
from dialogs.surgeries.rules import validate

FORM_INPUTS = ("title", "subject", "audience", "date", "start_time", "end_time", "kind", "slot_minutes", "places",
               "join_url", "venue", "cutoff_hours", "repeat", "repeat_until", "term_time_only", "apply_to_series")
FORM_MESSAGE_ID = "form_message_id"
MAX_KEPT = 600


def submitted_values(value: dict) -> dict:
    return {k: str(value.get(k))[:MAX_KEPT] for k in FORM_INPUTS if value.get(k) is not None}


async def retire_form(turn: Turn, message: str, message_id: str | None = None) -> None:
    """Turn a form into a one-line note in place, so an old form can't be sent again by mistake."""
    await turn.replace_card(publish_form_closed_card(message=message), message_id)


async def edit_options(services: Services, surgery_id) -> dict | None:
    """The dialog's options to edit a surgery, or None if it can't be edited."""
    found = await service.edit_values(services, surgery_id=surgery_id)
    if found is None:
        return None
    surgery, values = found
    return {"surgery_id": surgery.id, "version": surgery.version, "values": values, "in_series": bool(surgery.series_id)}


class PublishDialog(CancelAndHelpDialog):
    form = True
    title = "publishing a surgery"
    help_text = ("You have a surgery form open above. Fill it in and press **Publish** (or **Save changes**) — I'll "
                 "check it and tell you if anything needs changing, keeping what you entered.")
    still_open_note = ("Your surgery form is still open above — press **Publish** when it's ready, or type **cancel** "
                       "to close it.")

    def __init__(self, services: Services):
        super().__init__(PublishDialog.__name__)
        self.services = services
        self.add_dialog(WaterfallDialog("surgery.publish.steps", [self.form_step, self.submit_step]))
        self.initial_dialog_id = "surgery.publish.steps"

    async def form_step(self, step: WaterfallStepContext) -> DialogTurnResult:
        turn = turn_of(step.context)
        options = step.options if isinstance(step.options, dict) else {}
        if options.get("notice"):
            await turn.reply(options["notice"])
        step.values.update(token=options.get("token") or uuid.uuid4().hex, draft=options.get("values") or {},
                           surgery_id=options.get("surgery_id"), version=options.get("version"),
                           in_series=bool(options.get("in_series")))
        if options.get("resend", True):
            form = publish_form_card(token=step.values["token"], values=step.values["draft"],
                                     errors=options.get("errors"), surgery_id=step.values["surgery_id"],
                                     version=step.values["version"], in_series=step.values["in_series"])
            step_flow_state(step)[FORM_MESSAGE_ID] = await turn.reply(form, summary="Surgery form")
        return Dialog.end_of_turn

    def _again(self, step: WaterfallStepContext, **changes) -> dict:
        keys = ("token", "surgery_id", "version", "in_series")
        return {**{k: step.values[k] for k in keys}, "values": step.values["draft"], **changes}

    async def submit_step(self, step: WaterfallStepContext) -> DialogTurnResult:
        turn = turn_of(step.context)
        value = turn.value
        action = value.get("action")
        if action == "surgery.publish_cancel":
            await retire_form(turn, "Cancelled — nothing was published.")
            await turn.reply("Closed the surgery form — nothing was changed.")
            return await step.end_dialog()
        if action == "surgery.edit":  # Edit pressed on a manage card while this form was open: open that one
            options = await edit_options(self.services, value.get("surgery_id"))
            if options is None:
                await turn.reply("That surgery can't be edited (it has been cancelled or has started). Your form above "
                                 "is still open.")
                return await step.replace_dialog(self.initial_dialog_id, self._again(step, resend=False))
            await retire_form(turn, "Replaced by the form below.", step_flow_state(step).get(FORM_MESSAGE_ID))
            return await step.replace_dialog(self.initial_dialog_id, options)
        if value.get("token") != step.values["token"]:
            await retire_form(turn, "Replaced by the form below.")
            return await step.replace_dialog(self.initial_dialog_id, self._again(
                step, values=submitted_values(value) or step.values["draft"],
                notice="That form is out of date, so nothing was saved. Please use the form below — what you entered "
                       "is kept."))
        values = submitted_values(value)
        surgery_id = step.values["surgery_id"]
        plan, errors = validate(values, now=self.services.now(), tz=self.services.settings.timezone,
                                editing=surgery_id is not None)
        if errors:
            await retire_form(turn, "Replaced by the form below, with your answers kept.")
            return await step.replace_dialog(self.initial_dialog_id, self._again(step, values=values, errors=errors))
        if surgery_id is not None:
            outcome = await service.edit(self.services, actor_aad_id=turn.actor_id, surgery_id=surgery_id,
                                         version=step.values["version"], plan=plan,
                                         whole_series=values.get("apply_to_series") == "true")
            if not outcome.ok and outcome.retry:
                await retire_form(turn, "Not saved — see below.")
                return await step.replace_dialog(self.initial_dialog_id, self._again(step, values=values,
                                                                                     notice=outcome.message))
            await retire_form(turn, "Saved." if outcome.ok else "Not saved — see below.")
            await turn.reply(outcome.message)
            return await step.end_dialog()
        published = await service.publish(self.services, actor_aad_id=turn.actor_id, plan=plan)
        if not published.surgeries:
            return await step.replace_dialog(self.initial_dialog_id, self._again(step, values=values, notice=(
                "None of those dates can be published (they fall in holidays or have passed), so nothing was "
                "published. Please check the dates.")))
        await retire_form(turn, f"Published {len(published.surgeries)} date(s).")
        await turn.reply(published_card(surgeries=published.surgeries, tz=self.services.settings.timezone,
                                        skipped=published.skipped), summary="Surgery published")
        return await step.end_dialog()

    async def on_cancel(self, dc: DialogContext, state: dict) -> None:
        turn = turn_of(dc.context)
        await retire_form(turn, "Cancelled — nothing was published.", state.get(FORM_MESSAGE_ID))
        await turn.reply("Closed the surgery form — nothing was changed.")


async def on_stale_form(turn: Turn, services: Services, value: dict) -> dict | None:
    """A surgery form's button pressed when no form is open in this chat: a fresh form with what was typed."""
    if value.get("action") == "surgery.publish_cancel":
        await retire_form(turn, "Cancelled — nothing was published.")
        await turn.reply("That form was already closed; nothing was changed.")
        return None
    options = {"values": submitted_values(value),
               "notice": "That form is no longer active, so nothing was saved. Here it is again with what you "
                         "entered — please check it and send it."}
    if value.get("surgery_id"):
        found = await edit_options(services, value.get("surgery_id"))
        if found is None:
            await turn.reply("That surgery can't be edited (it has been cancelled or has started); nothing was changed.")
            return None
        options.update({k: found[k] for k in ("surgery_id", "version", "in_series")})
    return options


async def on_edit(turn: Turn, services: Services, value: dict) -> dict | None:
    """`surgery.edit` from a manage card: the edit form, filled in with the surgery as it is now."""
    options = await edit_options(services, value.get("surgery_id"))
    if options is None:
        await turn.reply("That surgery can't be edited (it has been cancelled or has started, or doesn't exist).")
    return options
