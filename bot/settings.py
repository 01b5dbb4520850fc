"""The one settings class. Nothing else in the project reads os.environ."""

from __future__ import annotations

import socket
from datetime import time
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from venues.model import BoundingBox

PROJECT_ROOT = Path(__file__).resolve().parent.parent
TELEGRAM_API_BASE_URL = "https://api.telegram.org/bot"


def _comma_separated(value: object) -> object:
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    return value


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore", populate_by_name=True)

    # --- the SPEC's fixed names -------------------------------------------------
    telegram_bot_token: SecretStr | None = Field(default=None, alias="TELEGRAM_BOT_TOKEN")
    telegram_api_base_url: str = Field(default=TELEGRAM_API_BASE_URL, alias="TELEGRAM_API_BASE_URL")
    database_url: str = Field(default="sqlite+aiosqlite:///./nightsafe.db", alias="DATABASE_URL")
    admin_ids: Annotated[list[int], NoDecode] = Field(
        default_factory=list, alias="NIGHTSAFE_ADMIN_IDS"
    )

    # Log level of the bot's own modules (libraries stay at WARNING).
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = Field(
        default="INFO", alias="NIGHTSAFE_LOG_LEVEL"
    )

    # --- the deployment's area ---------------------------------------------------
    data_dir: Path = Field(default=PROJECT_ROOT / "data", alias="NIGHTSAFE_DATA_DIR")
    timezone: str = Field(default="Europe/London", alias="NIGHTSAFE_TIMEZONE")
    # min_lat,min_lon,max_lat,max_lon — Greater London by default.
    bounding_box: Annotated[list[float], NoDecode] = Field(
        default_factory=lambda: [51.28, -0.51, 51.70, 0.34], alias="NIGHTSAFE_BOUNDING_BOX"
    )
    search_radius_m: int = Field(default=1500, ge=100, le=50_000, alias="NIGHTSAFE_SEARCH_RADIUS_M")
    # How often (at most) a replica checks whether the venue register changed.
    index_check_seconds: float = Field(default=1.0, ge=0, alias="NIGHTSAFE_INDEX_CHECK_SECONDS")
    walking_speed_kmh: float = Field(default=4.8, gt=1, lt=10, alias="NIGHTSAFE_WALKING_SPEED_KMH")

    # --- Telegram's limits ------------------------------------------------------------
    # Messages a second across all chats (Telegram allows about 30).
    global_send_rate: float = Field(default=25, gt=0, le=30, alias="NIGHTSAFE_SEND_RATE")
    # To one chat: a short burst, then this many a second (Telegram asks for about 1).
    per_chat_send_rate: float = Field(default=1.0, gt=0, alias="NIGHTSAFE_PER_CHAT_SEND_RATE")
    per_chat_burst: int = Field(default=3, ge=1, le=20, alias="NIGHTSAFE_PER_CHAT_BURST")

    # Incoming: a person may send a burst of this many updates, then this many a second.
    user_burst: int = Field(default=8, ge=1, alias="NIGHTSAFE_USER_BURST")
    user_rate: float = Field(default=2.0, gt=0, alias="NIGHTSAFE_USER_RATE")

    # --- safety alerts: the outbox worker (issue 5) ---------------------------------
    # The worker sends at most NIGHTSAFE_SEND_RATE a second (all replicas together: one
    # sends at a time). Sends in flight at once (and the worker's HTTP connection pool):
    alert_concurrency: int = Field(default=32, ge=1, le=200, alias="NIGHTSAFE_ALERT_CONCURRENCY")
    # Seconds between two messages to one chat (Telegram: about one a second).
    alert_per_chat_seconds: float = Field(
        default=1.0, ge=1.0, alias="NIGHTSAFE_ALERT_PER_CHAT_SECONDS"
    )
    # A send with no answer after this many seconds is recorded as ambiguous.
    alert_send_timeout: float = Field(default=10.0, gt=0, alias="NIGHTSAFE_ALERT_SEND_TIMEOUT")
    # Attempts per recipient on network errors and 5xx (429s are not attempts).
    alert_max_attempts: int = Field(default=5, ge=1, le=20, alias="NIGHTSAFE_ALERT_MAX_ATTEMPTS")
    # First retry after this many seconds, doubling each time.
    alert_retry_seconds: float = Field(default=1.0, gt=0, alias="NIGHTSAFE_ALERT_RETRY_SECONDS")
    # After a crash, what was in flight may or may not have left: sent again (on: nobody
    # misses a safety alert, the few in flight at the crash may get it twice), or left
    # ambiguous (off: nobody gets it twice, a send that had not left is never made).
    alert_resend_in_flight: bool = Field(default=True, alias="NIGHTSAFE_ALERT_RESEND_IN_FLIGHT")
    # The sending lease: one replica sends at a time; it is renewed while held.
    alert_lease_seconds: float = Field(default=15.0, ge=2, alias="NIGHTSAFE_ALERT_LEASE_SECONDS")
    # How often an idle worker looks for work another replica queued.
    alert_poll_seconds: float = Field(default=1.0, gt=0, alias="NIGHTSAFE_ALERT_POLL_SECONDS")
    # Staff's progress message is edited at most this often.
    alert_progress_seconds: float = Field(
        default=5.0, ge=0.1, alias="NIGHTSAFE_ALERT_PROGRESS_SECONDS"
    )
    # Mirror public alerts to this channel ("@name" or "-100…"); empty: off.
    alert_channel: str | None = Field(default=None, alias="NIGHTSAFE_ALERT_CHANNEL")
    # Paid broadcasts (allow_paid_broadcast): faster, charged in Stars; off by default.
    paid_broadcasts: bool = Field(default=False, alias="NIGHTSAFE_PAID_BROADCASTS")
    paid_send_rate: float = Field(default=1000, gt=0, le=1000, alias="NIGHTSAFE_PAID_SEND_RATE")
    stars_per_paid_message: float = Field(
        default=0.1, ge=0, alias="NIGHTSAFE_STARS_PER_PAID_MESSAGE"
    )
    # Stars the partnership allows paid broadcasts to spend in all.
    paid_budget_stars: float = Field(default=0, ge=0, alias="NIGHTSAFE_PAID_BUDGET_STARS")

    # --- venue registration, review and accreditation expiry (issue 4) -----------
    # A /register (or another venue chat) idle this long is ended politely.
    registration_timeout_minutes: int = Field(
        default=60, ge=5, le=24 * 60, alias="NIGHTSAFE_REGISTRATION_TIMEOUT_MINUTES"
    )
    # Registrations one person may have waiting for review at once.
    registration_max_pending: int = Field(
        default=3, ge=1, le=50, alias="NIGHTSAFE_REGISTRATION_MAX_PENDING"
    )
    # Local time (HH:MM) the daily accreditation expiry check runs.
    expiry_check_time: time = Field(default=time(9, 0), alias="NIGHTSAFE_EXPIRY_CHECK_TIME")
    # Days before an accreditation expires that its venue's staff are reminded.
    expiry_reminder_days: Annotated[list[Annotated[int, Field(ge=1, le=365)]], NoDecode] = Field(
        default_factory=lambda: [30, 7], alias="NIGHTSAFE_EXPIRY_REMINDER_DAYS"
    )
    # Local time a night ends: "Closed tonight" on a 24/7 venue lasts until then.
    night_ends_at: time = Field(default=time(6, 0), alias="NIGHTSAFE_NIGHT_ENDS_AT")
    # Problem reports one person may send in a day (spam protection).
    reports_per_day: int = Field(default=5, ge=1, le=100, alias="NIGHTSAFE_REPORTS_PER_DAY")

    # --- running for real: webhook, health, migrations, replicas (issue 6) ---------
    # Public HTTPS URL Telegram posts updates to; set: webhook mode, empty: long polling.
    webhook_url: str = Field(default="", alias="NIGHTSAFE_WEBHOOK_URL")
    # Required in webhook mode: Telegram echoes it in X-Telegram-Bot-Api-Secret-Token.
    webhook_secret: SecretStr | None = Field(default=None, alias="NIGHTSAFE_WEBHOOK_SECRET")
    # Where the webhook server listens (the reverse proxy in front forwards the URL's path).
    webhook_listen: str = Field(default="127.0.0.1", alias="NIGHTSAFE_WEBHOOK_LISTEN")
    webhook_port: int = Field(default=8080, ge=0, le=65535, alias="NIGHTSAFE_WEBHOOK_PORT")
    # /healthz and /metrics (never exposes personal data); port 0 picks a free one.
    health_listen: str = Field(default="127.0.0.1", alias="NIGHTSAFE_HEALTH_LISTEN")
    health_port: int = Field(default=8081, ge=0, le=65535, alias="NIGHTSAFE_HEALTH_PORT")
    # Apply pending database migrations at start instead of refusing to run.
    auto_migrate: bool = Field(default=False, alias="NIGHTSAFE_AUTO_MIGRATE")
    # This replica's name in the update inbox's claims (the host name by default).
    replica_id: str = Field(
        default_factory=socket.gethostname,
        min_length=1,
        max_length=64,
        alias="NIGHTSAFE_REPLICA_ID",
    )
    # A received update another replica may take over once its claim is this old.
    inbox_lease_seconds: float = Field(default=60, ge=5, alias="NIGHTSAFE_INBOX_LEASE_SECONDS")
    # Handled update ids kept this long, so Telegram's re-deliveries are recognised.
    inbox_keep_hours: float = Field(default=48, gt=0, alias="NIGHTSAFE_INBOX_KEEP_HOURS")
    # On SIGTERM/SIGINT: seconds to finish the updates in flight before stopping anyway.
    shutdown_grace_seconds: float = Field(
        default=20, ge=0, alias="NIGHTSAFE_SHUTDOWN_GRACE_SECONDS"
    )

    # --- live location and inline mode (issue 7) ----------------------------------
    # Seconds between two edits of a live answer in one chat (Telegram allows about 1 a second).
    live_edit_seconds: float = Field(
        default=5.0, ge=1.0, le=60, alias="NIGHTSAFE_LIVE_EDIT_SECONDS"
    )
    # Live locations followed at once by this process; beyond it an answer is not followed.
    live_max_sessions: int = Field(default=10_000, ge=1, alias="NIGHTSAFE_LIVE_MAX_SESSIONS")
    # Seconds Telegram may cache an inline answer (what is open changes through the night).
    inline_cache_seconds: int = Field(
        default=60, ge=0, le=600, alias="NIGHTSAFE_INLINE_CACHE_SECONDS"
    )

    # --- optional online geocoder (off: the offline gazetteer answers alone) -----
    geocoder: Literal["off", "nominatim"] = Field(default="off", alias="NIGHTSAFE_GEOCODER")
    geocoder_domain: str = Field(
        default="nominatim.openstreetmap.org", alias="NIGHTSAFE_GEOCODER_DOMAIN"
    )
    geocoder_scheme: Literal["http", "https"] = Field(
        default="https", alias="NIGHTSAFE_GEOCODER_SCHEME"
    )
    geocoder_user_agent: str = Field(default="nightsafe-bot", alias="NIGHTSAFE_GEOCODER_USER_AGENT")

    @field_validator("admin_ids", "bounding_box", "expiry_reminder_days", mode="before")
    @classmethod
    def _split_commas(cls, value: object) -> object:
        return _comma_separated(value)

    @field_validator("bounding_box")
    @classmethod
    def _four_corners(cls, value: list[float]) -> list[float]:
        if len(value) != 4 or value[0] >= value[2] or value[1] >= value[3]:
            raise ValueError("NIGHTSAFE_BOUNDING_BOX is min_lat,min_lon,max_lat,max_lon")
        return value

    @property
    def area(self) -> BoundingBox:
        return BoundingBox(*self.bounding_box)

    @property
    def webhook_mode(self) -> bool:
        """Webhook when NIGHTSAFE_WEBHOOK_URL is set; long polling otherwise."""
        return bool(self.webhook_url.strip())
