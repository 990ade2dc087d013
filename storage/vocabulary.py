"""The domain's vocabulary in one place: roles, statuses, legal statuses, chat types, and the referral
lifecycle as a transition table. Everything else (cards, dialogs, storage, the router) imports these
instead of spelling the strings again. StrEnum members compare equal to their stored strings."""
from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    """Who someone is, from the staff directory. Anyone not in it is an external professional."""

    SOCIAL_WORKER = "social_worker"
    IRO = "iro"
    DSL = "dsl"
    DESIGNATED_TEACHER = "designated_teacher"
    SEND = "send"
    EP = "ep"
    OFFICER = "officer"
    MANAGER = "manager"
    # Admins run the staff directory, imports and jobs. They do not read referrals unless they are also
    # managers (the brief: only the referrer, the assigned officer and managers see a referral).
    ADMIN = "admin"
    EXTERNAL = "external"  # not in the directory: a teacher elsewhere, a health colleague (may refer and book)


DIRECTORY_ROLES = frozenset(r for r in Role if r is not Role.EXTERNAL)  # what a staff import may say
PROFESSIONAL_ROLES = frozenset({Role.SOCIAL_WORKER, Role.IRO, Role.DSL, Role.DESIGNATED_TEACHER, Role.SEND, Role.EP,
                                Role.EXTERNAL})
VIRTUAL_SCHOOL_STAFF = frozenset({Role.OFFICER, Role.MANAGER, Role.ADMIN})
MANAGER_ROLES = frozenset({Role.MANAGER})
EVERYONE = frozenset(Role)


class ChatType(StrEnum):
    """Where a turn happens. Children's details only ever go to personal chats."""

    PERSONAL = "personal"
    GROUP = "groupChat"
    CHANNEL = "channel"

    @classmethod
    def of(cls, conversation_type: str | None) -> "ChatType":
        try:
            return cls(conversation_type or "personal")
        except ValueError:
            return cls.GROUP  # an unknown kind of conversation is treated as shared: the safe side


PERSONAL_ONLY = frozenset({ChatType.PERSONAL})
ANYWHERE = frozenset(ChatType)


class LegalStatus(StrEnum):
    CIN = "cin"
    CP = "cp"
    CIC = "cic"
    PLAC = "plac"
    KINSHIP = "kinship"
    PREVIOUS_CIN_CP = "previous_cin_cp"


LEGAL_STATUS_LABELS = {
    LegalStatus.CIN: "Child in Need plan (s17)",
    LegalStatus.CP: "Child Protection plan",
    LegalStatus.KINSHIP: "Kinship arrangement",
    LegalStatus.PREVIOUS_CIN_CP: "CiN or CP plan in the last six years",
    LegalStatus.CIC: "Child in care (looked after)",
    LegalStatus.PLAC: "Previously looked after (adopted, SGO, CAO)",
}
NO_SOCIAL_WORKER = "none"  # a form choice only (signposted, never stored)


class ReferralStatus(StrEnum):
    NEW = "new"
    ACCEPTED = "accepted"
    INFO_REQUESTED = "info_requested"
    INFO_RECEIVED = "info_received"  # the referrer answered the officer's request; the officer's move next
    CLOSED = "closed"
    WITHDRAWN = "withdrawn"  # by the referrer, with a reason; ends the referral like closing it


OPEN_REFERRAL_STATUSES = frozenset({ReferralStatus.NEW, ReferralStatus.ACCEPTED, ReferralStatus.INFO_REQUESTED,
                                    ReferralStatus.INFO_RECEIVED})
ENDED_REFERRAL_STATUSES = frozenset({ReferralStatus.CLOSED, ReferralStatus.WITHDRAWN})  # kept until retention ends
REFERRAL_STATUS_LABELS = {
    ReferralStatus.NEW: "New — waiting for the locality officer",
    ReferralStatus.ACCEPTED: "Accepted",
    ReferralStatus.INFO_REQUESTED: "More information requested",
    ReferralStatus.INFO_RECEIVED: "Information received — with the officer",
    ReferralStatus.CLOSED: "Closed",
    ReferralStatus.WITHDRAWN: "Withdrawn",
}


class ReferralAction(StrEnum):
    """What someone can do to a referral; the card verb is `referral.<value>`. Officer actions are taken by
    the assigned officer or a manager; referrer actions by the person who made the referral (adding
    information, from the duplicate warning, by anyone who was told the referral exists)."""

    ACCEPT = "accept"
    ASK = "ask"
    CLOSE = "close"
    REASSIGN = "reassign"
    REPLY = "reply"
    WITHDRAW = "withdraw"
    ADD_INFO = "add_info"


OFFICER_ACTIONS = frozenset({ReferralAction.ACCEPT, ReferralAction.ASK, ReferralAction.CLOSE,
                             ReferralAction.REASSIGN})
REFERRER_ACTIONS = frozenset({ReferralAction.REPLY, ReferralAction.WITHDRAW})

# The referral lifecycle: (status, action) -> status after it. An action missing here is not offered on a
# card and is refused if a forged or stale card sends it.
_S, _A = ReferralStatus, ReferralAction
REFERRAL_TRANSITIONS: dict[tuple[ReferralStatus, ReferralAction], ReferralStatus] = {
    (_S.NEW, _A.ACCEPT): _S.ACCEPTED,
    (_S.NEW, _A.ASK): _S.INFO_REQUESTED,
    (_S.NEW, _A.CLOSE): _S.CLOSED,
    (_S.NEW, _A.REASSIGN): _S.NEW,
    (_S.ACCEPTED, _A.ASK): _S.INFO_REQUESTED,
    (_S.ACCEPTED, _A.CLOSE): _S.CLOSED,
    (_S.ACCEPTED, _A.REASSIGN): _S.ACCEPTED,
    (_S.INFO_REQUESTED, _A.ACCEPT): _S.ACCEPTED,
    (_S.INFO_REQUESTED, _A.ASK): _S.INFO_REQUESTED,
    (_S.INFO_REQUESTED, _A.CLOSE): _S.CLOSED,
    (_S.INFO_REQUESTED, _A.REASSIGN): _S.INFO_REQUESTED,
    (_S.INFO_REQUESTED, _A.REPLY): _S.INFO_RECEIVED,  # one reply per request: a second one is a stale card
    (_S.INFO_RECEIVED, _A.ACCEPT): _S.ACCEPTED,
    (_S.INFO_RECEIVED, _A.ASK): _S.INFO_REQUESTED,
    (_S.INFO_RECEIVED, _A.CLOSE): _S.CLOSED,
    (_S.INFO_RECEIVED, _A.REASSIGN): _S.INFO_RECEIVED,
    # Withdrawing and adding information are possible while the referral is open, whatever its state.
    **{(status, _A.WITHDRAW): _S.WITHDRAWN for status in OPEN_REFERRAL_STATUSES},
    **{(status, _A.ADD_INFO): status for status in OPEN_REFERRAL_STATUSES},
}


def allowed_actions(status: str, *, of: frozenset[ReferralAction] = OFFICER_ACTIONS) -> list[ReferralAction]:
    """A card's buttons, in card order, derived from the transition table: the officer's by default, or
    `of=REFERRER_ACTIONS` for the referrer's."""
    return [action for action in ReferralAction
            if action in of and (ReferralStatus(status), action) in REFERRAL_TRANSITIONS]


REFERRAL_REASONS = {
    "not_in_education": "Not in education",
    "suspension_risk": "At risk of suspension",
    "exclusion_risk": "At risk of permanent exclusion",
    "suspended": "Suspended",
    "permanently_excluded": "Permanently excluded",
    "attendance": "Attendance",
    "barriers": "Barriers to accessing education",
    "other": "Other",
}
CLOSE_OUTCOMES = {
    "advice_given": "Advice given",
    "signposted": "Signposted",
    "joined_up_with_school": "Joined up with school",
    "not_eligible": "Not eligible",
    "other": "Other",
}


class DeliveryStatus(StrEnum):
    """A proactive message in the outbox."""

    PENDING = "pending"  # waiting to be sent (or to be retried at next_attempt_at)
    SENDING = "sending"  # claimed by one instance; a claim older than the claim lease is taken over
    SENT = "sent"
    FAILED = "failed"  # Teams refused it for good, or it ran out of attempts: listed and escalated
    NO_REFERENCE = "no_reference"  # the recipient never opened a chat with the bot: listed and escalated
    SKIPPED = "skipped"  # an update superseded by a newer one, or whose message never arrived


UNDELIVERED_STATUSES = frozenset({DeliveryStatus.PENDING, DeliveryStatus.SENDING, DeliveryStatus.FAILED,
                                  DeliveryStatus.NO_REFERENCE})


class DeliveryOperation(StrEnum):
    SEND = "send"
    UPDATE = "update"  # replace a message sent earlier (a card updated in place)


# --- the referral form ---------------------------------------------------------------------------
REFERRER_ROLES = {
    "social_worker": "Social worker",
    "iro": "Independent Reviewing Officer",
    "dsl": "Designated Safeguarding Lead",
    "designated_teacher": "Designated teacher",
    "send": "SEND team",
    "ep": "Educational psychologist",
    "other_professional": "Other professional",
    "parent_carer": "Parent or carer",
}
FORM_LEGAL_STATUS_CHOICES = {**{str(k): v for k, v in LEGAL_STATUS_LABELS.items()},
                             NO_SOCIAL_WORKER: "No social worker (for example SEND only)"}
FIELD_LIMITS = {"child_first_name": 100, "child_last_name": 100, "school_name": 200, "details": 4000,
                "social_worker_name": 200, "social_worker_email": 320, "info_request": 1000,
                "info_reply": 2000, "added_info": 2000, "withdraw_reason": 1000, "duplicate_reason": 500}


# --- surgeries (issue 9) -------------------------------------------------------------------------
class SurgeryKind(StrEnum):
    SLOTS = "slots"  # bookable slots of N minutes, one place each
    GROUP = "group"  # one session with N places


class SurgeryStatus(StrEnum):
    PUBLISHED = "published"
    CANCELLED = "cancelled"  # by staff: everyone booked is told


class BookingStatus(StrEnum):
    CONFIRMED = "confirmed"  # holds a place
    OFFERED = "offered"  # a freed place held for the first in line until the offer expires
    WAITLISTED = "waitlisted"
    CANCELLED = "cancelled"  # by the attendee (a released offer or a left waiting list too)
    EXPIRED = "expired"  # an offer nobody took up in time: the place passed on
    SURGERY_CANCELLED = "surgery_cancelled"


ACTIVE_BOOKING_STATUSES = frozenset({BookingStatus.CONFIRMED, BookingStatus.OFFERED, BookingStatus.WAITLISTED})
PLACE_HOLDING_STATUSES = frozenset({BookingStatus.CONFIRMED, BookingStatus.OFFERED})
SURGERY_PUBLISHERS = VIRTUAL_SCHOOL_STAFF  # who publishes, edits and cancels surgeries and sees who booked
SURGERY_SUBJECTS = {
    "attendance": "Attendance",
    "exclusions": "Suspensions and exclusions",
    "send": "SEND",
    "peps": "PEPs",
    "cwsw": "Children with a social worker",
    "transition": "Transitions",
    "general": "General advice",
}
# Who may book (a surgery's audience). "Open to all professionals" is every one of them.
SURGERY_AUDIENCE_LABELS = {
    Role.SOCIAL_WORKER: "Social workers",
    Role.IRO: "IROs",
    Role.DSL: "DSLs",
    Role.DESIGNATED_TEACHER: "Designated teachers",
    Role.SEND: "SEND teams",
    Role.EP: "Educational psychologists",
    Role.EXTERNAL: "Other professionals",
}
ALL_PROFESSIONALS = PROFESSIONAL_ROLES  # every key of SURGERY_AUDIENCE_LABELS
SURGERY_REPEATS = {"none": ("Does not repeat", 0), "weekly": ("Every week", 1), "fortnightly": ("Every 2 weeks", 2),
                   "three_weekly": ("Every 3 weeks", 3), "four_weekly": ("Every 4 weeks", 4)}
SURGERY_LIMITS = {"title": 120, "venue": 200, "join_url": 500, "topic": 300, "places": 200, "slot_minutes": 240,
                  "cutoff_hours": 336, "occurrences": 52}


# --- alerts (issue 10) ---------------------------------------------------------------------------
class AlertKind(StrEnum):
    PEP_DUE = "pep_due"  # review due within the nudge window (14 days): social worker and designated teacher
    PEP_REMINDER = "pep_reminder"  # due within the reminder window (3 days): the same people again
    PEP_OVERDUE = "pep_overdue"  # past its due date and not done: the locality manager
    PERSISTENT_ABSENCE = "persistent_absence"  # attendance crossed to 90% or below: social worker and manager
    SEVERE_ABSENCE = "severe_absence"  # crossed to 50% or below
    ATTENDANCE_DROP = "attendance_drop"  # 10 points or more below the previous four weeks


PEP_ALERTS = frozenset({AlertKind.PEP_DUE, AlertKind.PEP_REMINDER, AlertKind.PEP_OVERDUE})
ATTENDANCE_ALERTS = frozenset({AlertKind.PERSISTENT_ABSENCE, AlertKind.SEVERE_ABSENCE, AlertKind.ATTENDANCE_DROP})


class AlertStatus(StrEnum):
    OPEN = "open"
    ACKNOWLEDGED = "acknowledged"
    SNOOZED = "snoozed"  # comes back after the snooze if it still applies
    RESOLVED = "resolved"  # no longer applies (PEP done, attendance recovered) when its snooze ended


class AttendanceLevel(StrEnum):
    OK = "ok"
    PERSISTENT = "persistent"
    SEVERE = "severe"


ATTENDANCE_LEVEL_RANK = {AttendanceLevel.OK: 0, AttendanceLevel.PERSISTENT: 1, AttendanceLevel.SEVERE: 2}
