"""What referrals offer the router: commands and card verbs, where they may run and who may use them.
Referrals hold children's details, so every one of them is for personal chats only."""
from __future__ import annotations

from dialogs.common.routing import command, verb
from dialogs.referrals.handlers import on_my_referrals, on_officer_action, on_stale_form
from dialogs.referrals.referral_dialog import ReferralDialog
from storage.vocabulary import EVERYONE, PERSONAL_ONLY, Role

OFFICERS_AND_MANAGERS = frozenset({Role.OFFICER, Role.MANAGER})
_CARD = {"reference": "{reference}", "version": "{version}"}  # filled in by the generated tests

ROUTES = [
    command("refer", where=PERSONAL_ONLY, roles=EVERYONE, dialog=ReferralDialog.__name__, example="refer"),
    command("my_referrals", where=PERSONAL_ONLY, roles=EVERYONE, run=on_my_referrals, example="my referrals"),
    verb("my_referrals", where=PERSONAL_ONLY, roles=EVERYONE, run=on_my_referrals, example={}),
    verb("referral.submit", where=PERSONAL_ONLY, roles=EVERYONE, dialog=ReferralDialog.__name__, run=on_stale_form,
         audit="referral", example={"token": "stale-token"}),
    verb("referral.cancel", where=PERSONAL_ONLY, roles=EVERYONE, dialog=ReferralDialog.__name__, run=on_stale_form,
         example={"token": "stale-token"}),
    verb("referral.accept", where=PERSONAL_ONLY, roles=OFFICERS_AND_MANAGERS, run=on_officer_action,
         audit="referral", example=dict(_CARD)),
    verb("referral.ask", where=PERSONAL_ONLY, roles=OFFICERS_AND_MANAGERS, run=on_officer_action,
         audit="referral", example={**_CARD, "info_request": "Which school is he on roll at?"}),
    verb("referral.close", where=PERSONAL_ONLY, roles=OFFICERS_AND_MANAGERS, run=on_officer_action,
         audit="referral", example={**_CARD, "outcome": "advice_given"}),
    verb("referral.reassign", where=PERSONAL_ONLY, roles=OFFICERS_AND_MANAGERS, run=on_officer_action,
         audit="referral", example={**_CARD, "locality_id": "{other_locality_id}"}),
]
