"""Card actions on existing referrals (outside any flow): the officer's buttons and "my referrals"."""
from __future__ import annotations

from bot.messages import card_activity
from bot.services import Services
from cards.referrals import referral_list_card
from dialogs.common.intents import actor_id
from dialogs.referrals.service import act
from storage import directory, referrals


async def on_officer_action(context, services: Services, value: dict) -> None:
    verb = str(value.get("action", "")).removeprefix("referral.")
    outcome = await act(services, actor_aad_id=actor_id(context), verb=verb, data=value)
    await context.send_activity(outcome.message)


async def on_my_referrals(context, services: Services, _value: dict) -> None:
    viewer = actor_id(context)
    async with services.sessions() as session:
        role = await directory.role_of(session=session, aad_object_id=viewer)
        groups = await referrals.list_for_viewer(session=session, viewer_aad_id=viewer, viewer_role=role)
        names = {loc.id: loc.name for loc in await directory.list_localities(session=session)}
        await session.commit()  # the audit row of this read
    await context.send_activity(card_activity(referral_list_card(groups=groups, locality_names=names, now=services.now())))


ACTIONS = {
    "referral.accept": on_officer_action,
    "referral.ask": on_officer_action,
    "referral.close": on_officer_action,
    "referral.reassign": on_officer_action,
    "my_referrals": on_my_referrals,
}
