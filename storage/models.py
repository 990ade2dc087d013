"""All tables in one module. Datetimes are aware UTC (see storage.clock); dates are local calendar dates."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, Column, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from storage.clock import utcnow
from storage.vocabulary import (  # noqa: F401 - re-exported: the vocabulary lives in storage.vocabulary
    CLOSE_OUTCOMES,
    REFERRAL_REASONS,
    DeliveryOperation,
    DeliveryStatus,
    ReferralStatus,
)


# --- people and places -------------------------------------------------------------------------
class StaffMemberBase(SQLModel):
    aad_object_id: str = Field(max_length=64, index=True, unique=True)
    email: str | None = Field(default=None, max_length=320, index=True)
    name: str = Field(max_length=200)
    role: str = Field(max_length=40)
    locality: str | None = Field(default=None, max_length=80)


class StaffMember(StaffMemberBase, table=True):
    __tablename__ = "staff_member"
    id: int | None = Field(default=None, primary_key=True)
    active: bool = Field(default=True)
    updated_at: datetime = Field(default_factory=utcnow)


class Locality(SQLModel, table=True):
    __tablename__ = "locality"
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=80, unique=True)
    officer_aad_id: str | None = Field(default=None, max_length=64)
    manager_aad_id: str | None = Field(default=None, max_length=64)


class PostcodeRoute(SQLModel, table=True):
    """A postcode district ("HA1") or sector ("HA1 2") routed to a locality; the longest prefix wins."""

    __tablename__ = "postcode_route"
    id: int | None = Field(default=None, primary_key=True)
    prefix: str = Field(max_length=8, unique=True)
    locality_id: int = Field(foreign_key="locality.id", index=True)


class School(SQLModel, table=True):
    __tablename__ = "school"
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200, unique=True)
    phase: str | None = Field(default=None, max_length=40)


# --- Teams plumbing -------------------------------------------------------------------------------
class ConversationRef(SQLModel, table=True):
    """Where to send proactive messages: per user (aad object id) and per team channel."""

    __tablename__ = "conversation_ref"
    __table_args__ = (UniqueConstraint("scope", "key", name="uq_conversation_ref_scope_key"),)
    id: int | None = Field(default=None, primary_key=True)
    scope: str = Field(max_length=16)  # "user" | "channel"
    key: str = Field(max_length=256)
    tenant_id: str | None = Field(default=None, max_length=64)
    reference: str = Field(sa_column=Column(Text, nullable=False))  # JSON of a ConversationReference
    updated_at: datetime = Field(default_factory=utcnow)


class BotStateItem(SQLModel, table=True):
    """botbuilder Storage rows (conversation and user state), guarded by e_tag."""

    __tablename__ = "bot_state"
    key: str = Field(primary_key=True, max_length=1024)
    e_tag: str = Field(max_length=64)
    data: str = Field(sa_column=Column(Text, nullable=False))
    updated_at: datetime = Field(default_factory=utcnow)


class AuditEvent(SQLModel, table=True):
    """Who read or changed what. Carries ids only, never names or free text."""

    __tablename__ = "audit_event"
    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=utcnow, index=True)
    actor_aad_id: str | None = Field(default=None, max_length=64)
    action: str = Field(max_length=64)
    entity_type: str = Field(max_length=40)
    entity_id: str | None = Field(default=None, max_length=64, index=True)
    detail: str | None = Field(default=None, sa_column=Column(Text, nullable=True))


class SchedulerLease(SQLModel, table=True):
    """One row per lease name; the holder runs the scheduler until the lease goes stale."""

    __tablename__ = "scheduler_lease"
    name: str = Field(primary_key=True, max_length=64)
    holder: str = Field(max_length=128)
    expires_at: datetime


# --- children and their education ---------------------------------------------------------------
class Child(SQLModel, table=True):
    __tablename__ = "child"
    id: int | None = Field(default=None, primary_key=True)
    local_id: str = Field(max_length=64, unique=True)
    first_name: str = Field(max_length=100)
    last_name: str = Field(max_length=100)
    date_of_birth: date
    legal_status: str = Field(max_length=20)
    school_id: int | None = Field(default=None, foreign_key="school.id")
    social_worker_aad_id: str | None = Field(default=None, max_length=64, index=True)
    designated_teacher_aad_id: str | None = Field(default=None, max_length=64)
    home_postcode: str | None = Field(default=None, max_length=10)


class PepReview(SQLModel, table=True):
    __tablename__ = "pep_review"
    __table_args__ = (UniqueConstraint("child_id", "due_date", name="uq_pep_review_child_due"),)
    id: int | None = Field(default=None, primary_key=True)
    child_id: int = Field(foreign_key="child.id", index=True)
    due_date: date
    completed_date: date | None = None


class AttendanceRecord(SQLModel, table=True):
    __tablename__ = "attendance_record"
    __table_args__ = (UniqueConstraint("child_id", "period_start", "period_end", name="uq_attendance_period"),)
    id: int | None = Field(default=None, primary_key=True)
    # No index of its own: the unique index above starts with child_id and serves those lookups (one index
    # fewer to maintain made bulk imports faster, issue 10).
    child_id: int = Field(foreign_key="child.id")
    period_start: date
    period_end: date
    possible_sessions: int
    attended_sessions: int


# --- alerts (issue 10): PEP nudges, attendance alerts, the manager digest --------------------------
class Alert(SQLModel, table=True):
    """One alert to one person. Its key is the key of the card's outbox row, (job, recipient, subject,
    period), so a job run twice, a crash half way or two instances never alert anyone twice."""

    __tablename__ = "alert"
    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=200, unique=True)
    job: str = Field(max_length=40)
    kind: str = Field(max_length=30, index=True)  # vocabulary.AlertKind
    child_id: int = Field(foreign_key="child.id", index=True)
    pep_review_id: int | None = Field(default=None, foreign_key="pep_review.id", index=True)
    recipient_aad_id: str = Field(max_length=64, index=True)
    period: str = Field(max_length=20)  # the PEP's due date, or the day attendance crossed the line
    figures: str = Field(sa_column=Column(Text, nullable=False))  # JSON: what the card shows
    status: str = Field(default="open", max_length=20, index=True)  # vocabulary.AlertStatus
    created_at: datetime = Field(default_factory=utcnow)
    acted_at: datetime | None = None
    snoozed_until: datetime | None = Field(default=None, index=True)
    resent: int = Field(default=0)  # times it came back after a snooze


class AttendanceAlertState(SQLModel, table=True):
    """Where each child's attendance stood at the last evaluation: alerts fire when this changes for the
    worse (a crossing), not every day a child stays under a line."""

    __tablename__ = "attendance_alert_state"
    child_id: int = Field(foreign_key="child.id", primary_key=True)
    level: str = Field(default="ok", max_length=12)  # ok | persistent | severe
    dropped: bool = Field(default=False)
    four_weeks: float | None = None  # attendance % at the last evaluation (for the digest)
    term: float | None = None
    updated_at: datetime = Field(default_factory=utcnow)


# --- surgeries (issue 9) -----------------------------------------------------------------------
class SurgerySeries(SQLModel, table=True):
    """A repeating surgery is one definition: its rule; each date is a Surgery row carrying series_id."""

    __tablename__ = "surgery_series"
    id: int | None = Field(default=None, primary_key=True)
    interval_weeks: int = Field(ge=1)
    first_date: date
    until_date: date
    term_time_only: bool = Field(default=False)
    created_by_aad_id: str | None = Field(default=None, max_length=64)
    created_at: datetime = Field(default_factory=utcnow)


class Surgery(SQLModel, table=True):
    """One advice session on one date. `version` is bumped on every change: cards carry it, so a booking made
    from a card shown before the surgery changed (or was cancelled) is refused."""

    __tablename__ = "surgery"
    id: int | None = Field(default=None, primary_key=True)
    series_id: int | None = Field(default=None, foreign_key="surgery_series.id", index=True)
    title: str = Field(max_length=200)
    subject: str = Field(default="general", max_length=40)  # vocabulary.SURGERY_SUBJECTS
    audience: str = Field(max_length=200)  # comma list of vocabulary.Role values who may book
    kind: str = Field(max_length=16)  # vocabulary.SurgeryKind
    starts_at: datetime = Field(index=True)
    ends_at: datetime
    slot_minutes: int | None = None  # slots surgeries only
    join_url: str | None = Field(default=None, max_length=500)  # a Teams meeting link...
    venue: str | None = Field(default=None, max_length=200)  # ...or a place (or both)
    cutoff_minutes: int = Field(default=120, ge=0)
    booking_closes_at: datetime = Field(index=True)  # starts_at - cutoff_minutes
    host_aad_id: str | None = Field(default=None, max_length=64)
    status: str = Field(default="published", max_length=16, index=True)  # vocabulary.SurgeryStatus
    version: int = Field(default=1)
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)
    cancelled_at: datetime | None = None


class SurgerySlot(SQLModel, table=True):
    """Places, enforced by the database: a place is taken only by `UPDATE ... SET booked = booked + 1 WHERE
    booked < capacity` (storage.surgeries.take_place), and the CHECK makes any other overbooking an error."""

    __tablename__ = "surgery_slot"
    __table_args__ = (CheckConstraint("booked >= 0 AND booked <= capacity", name="ck_surgery_slot_places"),)
    id: int | None = Field(default=None, primary_key=True)
    surgery_id: int = Field(foreign_key="surgery.id", index=True)
    starts_at: datetime
    ends_at: datetime
    capacity: int = Field(default=1, ge=1)
    booked: int = Field(default=0)


class SurgeryBooking(SQLModel, table=True):
    """One row per person per surgery (the unique constraint is the one-booking rule); booking again after a
    cancellation reuses the row. Waiting-list order is `queued_at`, then id."""

    __tablename__ = "surgery_booking"
    __table_args__ = (UniqueConstraint("surgery_id", "attendee_aad_id", name="uq_surgery_booking_attendee"),)
    id: int | None = Field(default=None, primary_key=True)
    surgery_id: int = Field(foreign_key="surgery.id", index=True)
    slot_id: int | None = Field(default=None, foreign_key="surgery_slot.id", index=True)  # the place held
    attendee_aad_id: str = Field(max_length=64, index=True)
    attendee_name: str | None = Field(default=None, max_length=200)  # Teams display name when booked
    topic: str | None = Field(default=None, max_length=300)  # never kept when it looks like it names a child
    status: str = Field(max_length=20, index=True)  # vocabulary.BookingStatus
    version: int = Field(default=1)  # bumped on every change; outbox keys and card buttons carry it
    queued_at: datetime | None = None
    offer_expires_at: datetime | None = Field(default=None, index=True)
    invite_token: str = Field(max_length=64, unique=True)  # unguessable: the calendar invite link's secret
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)
    confirmed_at: datetime | None = None
    cancelled_at: datetime | None = None


# --- referrals -----------------------------------------------------------------------------------
class ReferenceCounter(SQLModel, table=True):
    """Per-year sequence for referral references; incremented in the referral's own transaction (gap-free)."""

    __tablename__ = "reference_counter"
    year: int = Field(primary_key=True)
    last: int = Field(default=0)


class Referral(SQLModel, table=True):
    __tablename__ = "referral"
    id: int | None = Field(default=None, primary_key=True)
    reference: str = Field(max_length=20, unique=True)
    submit_token: str = Field(max_length=64, unique=True)  # from the form card: a resubmit is the same referral
    status: str = Field(default=ReferralStatus.NEW, max_length=20, index=True)  # vocabulary.ReferralStatus
    outcome: str | None = Field(default=None, max_length=40)
    version: int = Field(default=1)  # bumped on every change; card actions carry it, so stale ones are refused

    child_first_name: str = Field(max_length=100)
    child_last_name: str = Field(max_length=100)
    child_dob: date
    home_postcode: str = Field(max_length=10)
    school_name: str = Field(max_length=200)
    legal_status: str = Field(max_length=20)
    reasons: str = Field(max_length=200)  # comma list of REFERRAL_REASONS keys
    details: str = Field(sa_column=Column(Text, nullable=False))
    # Names and date of birth, case and spacing folded (storage.referrals.child_key): finds an open referral
    # for the same child with one indexed lookup.
    child_key: str = Field(max_length=420, index=True)
    duplicate_of_id: int | None = Field(default=None, foreign_key="referral.id")  # sent anyway, despite this one
    duplicate_reason: str | None = Field(default=None, sa_column=Column(Text, nullable=True))

    referrer_aad_id: str = Field(max_length=64, index=True)
    referrer_role: str = Field(max_length=40)
    referrer_name: str | None = Field(default=None, max_length=200)  # Teams display name at submit time
    social_worker_name: str | None = Field(default=None, max_length=200)
    social_worker_email: str | None = Field(default=None, max_length=320)

    locality_id: int | None = Field(default=None, foreign_key="locality.id", index=True)  # None = triage
    assigned_aad_id: str | None = Field(default=None, max_length=64, index=True)
    created_at: datetime = Field(default_factory=utcnow, index=True)
    updated_at: datetime = Field(default_factory=utcnow)
    acknowledged_at: datetime | None = None
    manager_nudged_at: datetime | None = None
    closed_at: datetime | None = Field(default=None, index=True)


class ReferralEvent(SQLModel, table=True):
    """Status history of a referral (deleted with it on purge; the audit log keeps an id-only trace)."""

    __tablename__ = "referral_event"
    id: int | None = Field(default=None, primary_key=True)
    referral_id: int = Field(foreign_key="referral.id", index=True)
    at: datetime = Field(default_factory=utcnow)
    actor_aad_id: str | None = Field(default=None, max_length=64)
    kind: str = Field(max_length=30)  # created | accepted | info_requested | info_replied | info_added | closed |
    #                                   withdrawn | reassigned | duplicate_linked | manager_nudged
    note: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    request_key: str | None = Field(default=None, max_length=100, unique=True, index=True)  # a resend adds nothing twice


# --- proactive messages --------------------------------------------------------------------------
class Delivery(SQLModel, table=True):
    """Outbox of proactive messages. The key is claimed in the database before sending, so a message is
    never sent twice, also with several instances; rows are written in the same transaction as the change
    they announce, so a committed change is never left unannounced."""

    __tablename__ = "delivery"
    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=200, unique=True)
    recipient_aad_id: str = Field(max_length=64, index=True)
    payload: str = Field(sa_column=Column(Text, nullable=False))  # JSON: {"card": {...}, "summary": "..."}
    status: str = Field(default=DeliveryStatus.PENDING, max_length=20, index=True)  # vocabulary.DeliveryStatus
    operation: str = Field(default=DeliveryOperation.SEND, max_length=10)  # send | update (in place)
    updates_key: str | None = Field(default=None, max_length=200, index=True)  # the message an update replaces
    attempts: int = Field(default=0)
    next_attempt_at: datetime = Field(default_factory=utcnow, index=True)
    claimed_by: str | None = Field(default=None, max_length=128)
    claimed_at: datetime | None = None
    activity_id: str | None = Field(default=None, max_length=200)
    conversation_id: str | None = Field(default=None, max_length=256)
    referral_id: int | None = Field(default=None, index=True)
    created_at: datetime = Field(default_factory=utcnow)
    sent_at: datetime | None = None
    last_error: str | None = Field(default=None, max_length=200)


# --- FAQ -----------------------------------------------------------------------------------------
class FaqQuery(SQLModel, table=True):
    """A question put to the knowledge base, for staff to find gaps; feedback votes land on the same row.
    Questions about a particular child's case are not kept (question is None)."""

    __tablename__ = "faq_query"
    id: int | None = Field(default=None, primary_key=True)
    # What answer cards carry: made before the row is written (rows are written in batches, off the turn's path).
    ref: str | None = Field(default=None, max_length=32, unique=True, index=True)
    at: datetime = Field(default_factory=utcnow, index=True)
    asker_aad_id: str | None = Field(default=None, max_length=64)
    question: str | None = Field(default=None, max_length=1000)
    entry_id: str | None = Field(default=None, max_length=100)
    verdict: str = Field(max_length=10)
    reason: str = Field(max_length=20, index=True)
    score: float = 0.0
    helpful: bool | None = None
    forwarded_at: datetime | None = None
