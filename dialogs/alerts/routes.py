"""What alerts offer the router: the alert card's buttons. Alerts name children (by initials and id) and the
referral form they open holds a child's details, so all of them are for personal chats only. Anyone may press
them (a designated teacher or a social worker may not be in the staff directory); the service then checks that
the alert was sent to the person pressing the button."""
from __future__ import annotations

from dialogs.alerts.handlers import on_acknowledge, on_refer, on_snooze
from dialogs.common.routing import verb
from dialogs.referrals.referral_dialog import ReferralDialog
from storage.vocabulary import EVERYONE, PERSONAL_ONLY

ROUTES = [
    verb("alert.ack", where=PERSONAL_ONLY, roles=EVERYONE, run=on_acknowledge, audit="alert",
         example={"alert_id": "1"}),
    verb("alert.snooze", where=PERSONAL_ONLY, roles=EVERYONE, run=on_snooze, audit="alert",
         example={"alert_id": "1"}),
    verb("alert.refer", where=PERSONAL_ONLY, roles=EVERYONE, run=on_refer, dialog=ReferralDialog.__name__,
         starts_afresh=True,
         audit="alert", example={"alert_id": "1"}),
]
