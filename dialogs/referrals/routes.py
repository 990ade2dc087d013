"""What referrals offer the router: commands and card verbs, where they may run and who may use them.
Referrals hold children's details, so every one of them is for personal chats only."""
from __future__ import annotations

from dialogs.common.routing import command, verb
from dialogs.referrals.handlers import (
    on_my_referrals,
    on_officer_action,
    on_referrer_action,
    on_stale_choice,
    on_stale_form,
    on_view,
)
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
    # The referrer's side. Anyone may have made a referral (an officer too), so every role may use these and
    # the service checks that the actor is the referrer; reading is checked and audited there as well.
    verb("referral.view", where=PERSONAL_ONLY, roles=EVERYONE, run=on_view, audit="referral",
         example={"reference": "{reference}"}),
    verb("referral.reply", where=PERSONAL_ONLY, roles=EVERYONE, run=on_referrer_action, audit="referral",
         example={**_CARD, "info_reply": "He is on roll at Meadow Lane and attends two days a week."}),
    verb("referral.withdraw", where=PERSONAL_ONLY, roles=EVERYONE, run=on_referrer_action, audit="referral",
         example={**_CARD, "withdraw_reason": "The family has moved out of the area."}),
    # The duplicate card's two ways on: continue the referral flow that showed it (or, with no flow open, a
    # resend of a choice already made says so).
    verb("referral.add_info", where=PERSONAL_ONLY, roles=EVERYONE, dialog=ReferralDialog.__name__,
         run=on_stale_choice, audit="referral", example={"token": "stale-token", "added_info": "New school from Monday."}),
    verb("referral.submit_anyway", where=PERSONAL_ONLY, roles=EVERYONE, dialog=ReferralDialog.__name__,
         run=on_stale_choice, audit="referral", example={"token": "stale-token", "duplicate_reason": "Sibling."}),
]
