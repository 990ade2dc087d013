"""All tables in one module. Datetimes are aware UTC (see storage.clock); dates are local calendar dates."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Column, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from storage.clock import utcnow

ROLES = frozenset(
    {"social_worker", "iro", "dsl", "designated_teacher", "send", "ep", "officer", "manager", "admin"}
)
LEGAL_STATUSES = frozenset({"cin", "cp", "cic", "plac", "kinship", "previous_cin_cp"})


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
    child_id: int = Field(foreign_key="child.id", index=True)
    period_start: date
    period_end: date
    possible_sessions: int
    attended_sessions: int


# --- surgeries -----------------------------------------------------------------------------------
class Surgery(SQLModel, table=True):
    __tablename__ = "surgery"
    id: int | None = Field(default=None, primary_key=True)
    title: str = Field(max_length=200)
    kind: str = Field(max_length=16)  # "group" (N places) | "slots" (single-place slots)
    audience: str = Field(default="all", max_length=120)  # comma list of roles, or "all"
    starts_at: datetime
    ends_at: datetime
    join_url: str | None = Field(default=None, max_length=500)
    location: str | None = Field(default=None, max_length=200)
    host_aad_id: str | None = Field(default=None, max_length=64)


class SurgerySlot(SQLModel, table=True):
    __tablename__ = "surgery_slot"
    id: int | None = Field(default=None, primary_key=True)
    surgery_id: int = Field(foreign_key="surgery.id", index=True)
    starts_at: datetime
    ends_at: datetime
    capacity: int = Field(default=1, ge=1)
