"""Card actions on existing referrals (outside any flow): the officer's buttons, the referrer's reply and
withdrawal, a referral's details, and "my referrals". The router has already checked where the action came
from and the actor's role; the service checks the rest (who, the lifecycle, the card's version)."""
from __future__ import annotations

from cards.referrals import referral_list_card
from dialogs.common.services import Services
from dialogs.common.turn import Turn
from dialogs.referrals import service
from dialogs.referrals.referral_dialog import _confirm, retire_form, submitted_values
from storage.referrals import LIST_SECTIONS

MAX_OFFSET = 100_000


async def on_officer_action(turn: Turn, services: Services, value: dict) -> None:
    verb = str(value.get("action", "")).removeprefix("referral.")
    outcome = await service.act(services, actor_aad_id=turn.actor_id, role=turn.role, verb=verb, data=value,
                                actor_name=turn.actor_name)
    await turn.reply(outcome.message)


async def on_referrer_action(turn: Turn, services: Services, value: dict) -> None:
    """`referral.reply` (the answer to the officer's request, input `info_reply`) and `referral.withdraw`
    (input `withdraw_reason`). Done: the pressed card is updated in place (no reply box or Withdraw button
    left to press twice). Refused: the reason, and the current details with what was typed kept."""
    verb = str(value.get("action", "")).removeprefix("referral.")
    outcome = await service.act(services, actor_aad_id=turn.actor_id, role=turn.role, verb=verb, data=value,
                                actor_name=turn.actor_name)
    if outcome.replace is not None:
        await turn.replace_card(outcome.replace)
    await turn.reply(outcome.message)
    if outcome.card is not None:
        await turn.reply(outcome.card, summary="Referral details")


async def on_view(turn: Turn, services: Services, value: dict) -> None:
    """`referral.view`: a row of "my referrals" opens the referral's details (checked and audited)."""
    found = await service.view(services, viewer_aad_id=turn.actor_id, role=turn.role,
                               reference=str(value.get("reference") or ""))
    if isinstance(found, str):
        await turn.reply(found)
        return
    for card in found:
        await turn.reply(card, summary="Referral details")


async def on_my_referrals(turn: Turn, services: Services, value: dict) -> None:
    section = value.get("section") if value.get("section") in LIST_SECTIONS else None
    try:
        offset = min(max(int(value.get("offset") or 0), 0), MAX_OFFSET) if section else 0
    except (TypeError, ValueError):
        offset = 0
    sections, names = await service.visible_to(services, viewer_aad_id=turn.actor_id, role=turn.role,
                                               section=section, offset=offset)
    await turn.reply(referral_list_card(sections=sections, locality_names=names, now=services.now(),
                                        tz=services.settings.timezone))


async def on_stale_form(turn: Turn, services: Services, value: dict) -> dict | None:
    """A referral form's button pressed when no form is open in this chat. Teams resending a submit that
    already made a referral gets the same confirmation; anything else gets a fresh form with what was typed
    (returned as the options the router starts the form with)."""
    found = await service.find_submitted(services, token=str(value.get("token") or ""), actor_aad_id=turn.actor_id)
    if found is not None:
        await _confirm(turn, found, retire=False)
        return None
    if value.get("action") == "referral.cancel":
        await retire_form(turn, "Cancelled — nothing was sent.")
        await turn.reply("That form was already closed; nothing was sent.")
        return None
    return {"values": submitted_values(value),
            "notice": "That form is no longer active, so nothing was sent. Here it is again with what you entered — "
                      "please check it and send it."}


async def on_stale_choice(turn: Turn, services: Services, value: dict) -> None:
    """A duplicate card's choice when no referral flow is open: a resend of a choice that took effect says so
    (the referral it made, or the information it added); otherwise nothing is done."""
    token = str(value.get("token") or "")
    if value.get("action") == "referral.submit_anyway":
        found = await service.find_submitted(services, token=token, actor_aad_id=turn.actor_id)
        if found is not None:
            await _confirm(turn, found, retire=False)
            return
    else:
        added = await service.find_added(services, token=token, actor_aad_id=turn.actor_id, role=turn.role)
        if added is not None:
            await turn.reply(added.message)
            return
    await retire_form(turn, "This choice is no longer open — nothing was sent.")
    await turn.reply("That choice is no longer open, so nothing was sent or added. Type **refer** to start again.")
