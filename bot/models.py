"""Tables of the bot's own aggregates: subscribers, alerts, people's settings…

They share `venues.orm.Base`, so one metadata (and one migration history)
describes the whole database. No table here holds a person's location.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from venues.orm import Base, utcnow


class SubscriberRow(Base):
    """A person who opted in to public safety alerts, for named zones."""

    __tablename__ = "subscribers"

    chat_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    zones: Mapped[list[str]] = mapped_column(JSON, default=list)
    language: Mapped[str] = mapped_column(String(8), default="en")
    # Quiet hours in local time, "HH:MM"; urgent alerts ignore them.
    quiet_from: Mapped[str | None] = mapped_column(String(5))
    quiet_until: Mapped[str | None] = mapped_column(String(5))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class AlertRow(Base):
    """A safety message from the partnership, for an audience and zones, until it expires."""

    __tablename__ = "alerts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    text: Mapped[str] = mapped_column(Text)
    audience: Mapped[str] = mapped_column(String(10))  # public | venues | both
    zones: Mapped[list[str]] = mapped_column(JSON, default=list)  # empty: everywhere
    priority: Mapped[str] = mapped_column(String(10), default="normal")  # normal | urgent
    created_by: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    cancelled_at: Mapped[datetime | None]
    follows_alert_id: Mapped[int | None] = mapped_column(ForeignKey("alerts.id"))


class UserSettingsRow(Base):
    """A person's own choices, kept only once they make one (and gone with /forget)."""

    __tablename__ = "user_settings"

    user_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    language: Mapped[str | None] = mapped_column(String(8))
    simple_mode: Mapped[bool] = mapped_column(default=False)
    discreet: Mapped[bool] = mapped_column(default=False)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class ConversationRow(Base):
    """Where a person is in a guided chat (registration, broadcast…), and their draft."""

    __tablename__ = "conversations"

    chat_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    user_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    name: Mapped[str] = mapped_column(String(40), index=True)
    state: Mapped[str] = mapped_column(String(40))
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    updated_at: Mapped[datetime] = mapped_column(index=True)


class StaffRoleRow(Base):
    """A staff role: partnership staff (venue_id None) or staff of one venue.

    Revoked roles keep their row (revoked_at set), so the bootstrap admins from
    the settings are not granted again after someone revoked them."""

    __tablename__ = "staff_roles"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    user_id: Mapped[int] = mapped_column(BigInteger, index=True)
    role: Mapped[str] = mapped_column(String(20))  # partnership | venue_staff
    venue_id: Mapped[int | None] = mapped_column(ForeignKey("venues.id", ondelete="CASCADE"))
    granted_by: Mapped[int | None] = mapped_column(BigInteger)
    granted_at: Mapped[datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[datetime | None]


class AuditRow(Base):
    """Every staff action: who did what to what, when."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    actor_id: Mapped[int] = mapped_column(BigInteger, index=True)
    action: Mapped[str] = mapped_column(String(40))
    target_type: Mapped[str] = mapped_column(String(20))
    target_id: Mapped[str] = mapped_column(String(40))
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)


# --- safety alert delivery (issue 5) ------------------------------------------------------


class BroadcastRow(Base):
    """How an alert is being delivered: who sent it, where its progress is shown, done or not.

    `started_at` / `finished_at` are real (wall-clock) times: they measure the delivery."""

    __tablename__ = "broadcasts"

    alert_id: Mapped[int] = mapped_column(
        ForeignKey("alerts.id", ondelete="CASCADE"), primary_key=True, autoincrement=False
    )
    status: Mapped[str] = mapped_column(String(12), index=True)  # sending | done | cancelled
    staff_chat_id: Mapped[int] = mapped_column(BigInteger)
    staff_language: Mapped[str] = mapped_column(String(8), default="en")
    progress_message_id: Mapped[int | None] = mapped_column(BigInteger)
    paid: Mapped[bool] = mapped_column(default=False)
    recipients: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]
    reported_at: Mapped[datetime | None]


class OutboxRow(Base):
    """One message to one recipient of one alert, written before anything is sent.

    pending → sending (claimed just before the HTTP call) → delivered | blocked |
    not_found | failed | ambiguous; or skipped (expired while waiting) / cancelled."""

    __tablename__ = "alert_outbox"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    alert_id: Mapped[int] = mapped_column(ForeignKey("alerts.id", ondelete="CASCADE"))
    chat_id: Mapped[int] = mapped_column(BigInteger, index=True)  # 0 for the channel mirror
    kind: Mapped[str] = mapped_column(String(12))  # subscriber | venue_staff | channel
    language: Mapped[str] = mapped_column(String(8), default="en")
    priority: Mapped[int] = mapped_column(Integer, default=0)  # 1: urgent, sent first
    paid: Mapped[bool] = mapped_column(default=False)
    # Quiet hours: not sent before this (domain time); None: at once.
    not_before: Mapped[datetime | None]
    state: Mapped[str] = mapped_column(String(12), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    claimed_by: Mapped[str | None] = mapped_column(String(40))
    message_id: Mapped[int | None] = mapped_column(BigInteger)
    reply_to: Mapped[int | None] = mapped_column(BigInteger)  # an all clear answers the alert
    error: Mapped[str | None] = mapped_column(String(200))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (
        UniqueConstraint("alert_id", "chat_id", name="uq_alert_outbox_recipient"),
        Index("ix_alert_outbox_due", "state", "paid", "priority", "id"),
        Index("ix_alert_outbox_alert_state", "alert_id", "state"),
    )


class DeliveryLeaseRow(Base):
    """Which replica's worker may send, until when; and a flood wait all replicas honour."""

    __tablename__ = "delivery_lease"

    name: Mapped[str] = mapped_column(String(20), primary_key=True)
    owner: Mapped[str] = mapped_column(String(40))
    expires_at: Mapped[datetime]
    paused_until: Mapped[datetime | None]


# --- venue registration and review (issue 4) ------------------------------------------


class VenueApplicationRow(Base):
    """A request for review: a new venue, or a change of an approved venue's place or kind.

    The applicant's details are what they gave for the review; /forget blanks them
    (the decision itself stays, as the venue's history)."""

    __tablename__ = "venue_applications"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    venue_id: Mapped[int] = mapped_column(ForeignKey("venues.id", ondelete="CASCADE"), index=True)
    purpose: Mapped[str] = mapped_column(String(10))  # new | change
    # For a change: the proposed fields (latitude, longitude, address, postcode, kind).
    change: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    applicant_user_id: Mapped[int | None] = mapped_column(BigInteger, index=True)
    applicant_chat_id: Mapped[int | None] = mapped_column(BigInteger)
    applicant_name: Mapped[str | None] = mapped_column(String(120))
    applicant_role: Mapped[str | None] = mapped_column(String(120))
    status: Mapped[str] = mapped_column(String(10), default="pending", index=True)
    submitted_at: Mapped[datetime]
    reviewed_by: Mapped[int | None] = mapped_column(BigInteger)
    reviewer_name: Mapped[str | None] = mapped_column(String(120))
    reviewed_at: Mapped[datetime | None]
    reason: Mapped[str | None] = mapped_column(Text)


class ReviewCardRow(Base):
    """A review card sent to one member of staff, so it can be updated once decided."""

    __tablename__ = "review_cards"

    application_id: Mapped[int] = mapped_column(
        ForeignKey("venue_applications.id", ondelete="CASCADE"), primary_key=True
    )
    chat_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    message_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)


class AccreditationRow(Base):
    """One scheme a venue is accredited under, and until when (None: no expiry known)."""

    __tablename__ = "accreditations"
    __table_args__ = (UniqueConstraint("venue_id", "scheme"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    venue_id: Mapped[int] = mapped_column(ForeignKey("venues.id", ondelete="CASCADE"), index=True)
    scheme: Mapped[str] = mapped_column(String(120))  # the scheme's name, as on the venue
    # The last day the accreditation is valid (local date).
    expires_on: Mapped[date | None] = mapped_column(Date)
    # Set once the daily job has handled its expiry (hidden, people told).
    expired_at: Mapped[datetime | None]
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class AccreditationReminderRow(Base):
    """A reminder sent (days_before the expiry); the key makes each one go out once."""

    __tablename__ = "accreditation_reminders"

    accreditation_id: Mapped[int] = mapped_column(
        ForeignKey("accreditations.id", ondelete="CASCADE"), primary_key=True
    )
    expires_on: Mapped[date] = mapped_column(Date, primary_key=True)
    days_before: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    sent_at: Mapped[datetime]


class VenueSuspensionRow(Base):
    """Why an active venue was taken off the public list (reports, an expired accreditation)."""

    __tablename__ = "venue_suspensions"

    venue_id: Mapped[int] = mapped_column(
        ForeignKey("venues.id", ondelete="CASCADE"), primary_key=True, autoincrement=False
    )
    reason: Mapped[str] = mapped_column(String(20))  # reports | expired
    suspended_by: Mapped[int | None] = mapped_column(BigInteger)
    suspended_at: Mapped[datetime]


class VenueReportRow(Base):
    """A problem someone reported with a venue: a category and their own words, never where
    they were."""

    __tablename__ = "venue_reports"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    venue_id: Mapped[int] = mapped_column(ForeignKey("venues.id", ondelete="CASCADE"), index=True)
    reporter_user_id: Mapped[int] = mapped_column(BigInteger, index=True)
    category: Mapped[str] = mapped_column(String(20))
    words: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(index=True)
    reviewed_by: Mapped[int | None] = mapped_column(BigInteger)
    reviewed_at: Mapped[datetime | None]


# --- the webhook's update inbox (issue 6) -------------------------------------------------


class InboxUpdateRow(Base):
    """An update Telegram posted to the webhook, recorded before it was acknowledged.

    Keyed by update_id, so a re-delivery is recognised. The payload is erased once the
    update is handled; an update carrying a location is never stored (payload None):
    it is handled before Telegram is answered, so Telegram itself keeps it until then."""

    __tablename__ = "update_inbox"

    update_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    kind: Mapped[str] = mapped_column(String(32))  # message | callback_query | …
    # none_as_null: an erased payload is SQL NULL, not the JSON value null.
    payload: Mapped[dict[str, Any] | None] = mapped_column(JSON(none_as_null=True))
    received_at: Mapped[datetime]
    # The replica handling it, until when; another replica may take it over after that.
    claimed_by: Mapped[str] = mapped_column(String(64))
    claimed_until: Mapped[datetime]
    handled_at: Mapped[datetime | None] = mapped_column(index=True)
