"""The one settings class. Nothing else in the project reads os.environ."""

from __future__ import annotations

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

    # --- optional online geocoder (off: the offline gazetteer answers alone) -----
    geocoder: Literal["off", "nominatim"] = Field(default="off", alias="NIGHTSAFE_GEOCODER")
    geocoder_domain: str = Field(
        default="nominatim.openstreetmap.org", alias="NIGHTSAFE_GEOCODER_DOMAIN"
    )
    geocoder_scheme: Literal["http", "https"] = Field(
        default="https", alias="NIGHTSAFE_GEOCODER_SCHEME"
    )
    geocoder_user_agent: str = Field(default="nightsafe-bot", alias="NIGHTSAFE_GEOCODER_USER_AGENT")

    @field_validator("admin_ids", "bounding_box", mode="before")
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
