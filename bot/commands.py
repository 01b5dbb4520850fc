"""Bot commands, declared once: used for handlers, /help and setMyCommands."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Audience(StrEnum):
    PUBLIC = "public"
    STAFF = "staff"  # partnership staff


@dataclass(frozen=True, slots=True)
class Command:
    name: str
    audience: Audience = Audience.PUBLIC

    @property
    def description_key(self) -> str:
        return f"command.{self.name}"


START = Command("start")
HELP = Command("help")
EMERGENCY = Command("emergency")
NIGHTSTARS = Command("nightstars")
ALERTS = Command("alerts")
SUBSCRIBE = Command("subscribe")
UNSUBSCRIBE = Command("unsubscribe")
PRIVACY = Command("privacy")
FORGET = Command("forget")
REGISTER = Command("register")
MYVENUE = Command("myvenue")  # venue staff: checked per venue, so listed for all
CANCEL = Command("cancel")
LANGUAGE = Command("language")
SIMPLE = Command("simple")
DISCREET = Command("discreet")
PENDING = Command("pending", Audience.STAFF)
BROADCAST = Command("broadcast", Audience.STAFF)
BROADCASTS = Command("broadcasts", Audience.STAFF)
GRANT = Command("grant", Audience.STAFF)
REVOKE = Command("revoke", Audience.STAFF)
STATS = Command("stats", Audience.STAFF)
REPORTS = Command("reports", Audience.STAFF)
ACCREDIT = Command("accredit", Audience.STAFF)

ALL_COMMANDS: tuple[Command, ...] = (
    START,
    HELP,
    EMERGENCY,
    NIGHTSTARS,
    ALERTS,
    SUBSCRIBE,
    UNSUBSCRIBE,
    PRIVACY,
    FORGET,
    LANGUAGE,
    SIMPLE,
    DISCREET,
    REGISTER,
    MYVENUE,
    CANCEL,
    PENDING,
    BROADCAST,
    BROADCASTS,
    GRANT,
    REVOKE,
    STATS,
    REPORTS,
    ACCREDIT,
)


def commands_for(audience: Audience) -> list[Command]:
    """Public commands for everyone; staff see theirs too."""
    if audience is Audience.STAFF:
        return list(ALL_COMMANDS)
    return [command for command in ALL_COMMANDS if command.audience is Audience.PUBLIC]
