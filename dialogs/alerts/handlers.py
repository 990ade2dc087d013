"""The alert card's buttons. The router has already checked the place (personal chats only); the service checks
that the alert was sent to the person pressing the button, records what they did, and the card is updated in
place so the buttons cannot be pressed again."""
from __future__ import annotations

from dialogs.alerts import service
from dialogs.common.services import Services
from dialogs.common.turn import Turn


async def on_acknowledge(turn: Turn, services: Services, value: dict) -> None:
    outcome = await service.acknowledge(services, actor=turn.actor_id, alert_id=value.get("alert_id"))
    if outcome.card is not None:
        await turn.replace_card(outcome.card)
    await turn.reply(outcome.message)


async def on_snooze(turn: Turn, services: Services, value: dict) -> None:
    outcome = await service.snooze(services, actor=turn.actor_id, alert_id=value.get("alert_id"))
    if outcome.card is not None:
        await turn.replace_card(outcome.card)
    await turn.reply(outcome.message)


async def on_refer(turn: Turn, services: Services, value: dict) -> dict | None:
    """"Make a referral": the referral form, filled in from the child's record (the router starts it with
    these options). The alert card stays as it is: making a referral does not acknowledge it."""
    values = await service.referral_values(services, actor=turn.actor_id, alert_id=value.get("alert_id"))
    if values is None:
        await turn.reply(service.NOT_YOURS)
        return None
    return {"values": values,
            "notice": "Here is the referral form, filled in from the child's record. Check it, say what is "
                      "happening and what you need, and send it."}
