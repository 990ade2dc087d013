"""Card actions on existing referrals (outside any flow): the officer's buttons and "my referrals".
The router has already checked where the action came from and the actor's role."""
from __future__ import annotations

from cards.referrals import referral_confirmation_card, referral_list_card
from dialogs.common.services import Services
from dialogs.common.turn import Turn
from dialogs.referrals import service
from dialogs.referrals.referral_dialog import retire_form, submitted_values


async def on_officer_action(turn: Turn, services: Services, value: dict) -> None:
    verb = str(value.get("action", "")).removeprefix("referral.")
    outcome = await service.act(services, actor_aad_id=turn.actor_id, role=turn.role, verb=verb, data=value)
    await turn.reply(outcome.message)


async def on_my_referrals(turn: Turn, services: Services, _value: dict) -> None:
    groups, names = await service.visible_to(services, viewer_aad_id=turn.actor_id, role=turn.role)
    await turn.reply(referral_list_card(groups=groups, locality_names=names, now=services.now()))


async def on_stale_form(turn: Turn, services: Services, value: dict) -> dict | None:
    """A referral form's button pressed when no form is open in this chat. Teams resending a submit that
    already made a referral gets the same confirmation; anything else gets a fresh form with what was typed
    (returned as the options the router starts the form with)."""
    found = await service.find_submitted(services, token=str(value.get("token") or ""), actor_aad_id=turn.actor_id)
    if found is not None:
        await turn.reply(referral_confirmation_card(referral=found.referral, locality_name=found.locality_name),
                         summary=f"Referral {found.referral.reference} received")
        return None
    if value.get("action") == "referral.cancel":
        await retire_form(turn, "Cancelled — nothing was sent.")
        await turn.reply("That form was already closed; nothing was sent.")
        return None
    return {"values": submitted_values(value),
            "notice": "That form is no longer active, so nothing was sent. Here it is again with what you entered — "
                      "please check it and send it."}
