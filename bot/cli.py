"""The command line: parses arguments and calls into the project."""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from bot.settings import Settings


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="bot.py", description="NightSafe Telegram bot")
    commands = parser.add_subparsers(dest="command")
    commands.add_parser("run", help="run the bot (the default)")
    demo_cmd = commands.add_parser("demo", help="run the bot offline with a terminal chat")
    demo_cmd.add_argument(
        "--database", type=Path, help="keep the demo database in FILE (default: a temporary one)"
    )
    demo_cmd.add_argument(
        "--staff", action="store_true", help="start as partnership staff (or type /staff)"
    )
    demo_cmd.add_argument("--verbose", action="store_true", help="show informational logs")
    import_cmd = commands.add_parser("import-venues", help="validate and import a venue CSV")
    import_cmd.add_argument("file", type=Path)
    export_cmd = commands.add_parser("export-venues", help="write the register as CSV")
    export_cmd.add_argument("file", type=Path)
    commands.add_parser("migrate", help="bring the database to this code's schema (Alembic)")
    return parser


# python-telegram-bot 22 reads this to give time periods (RetryAfter.retry_after,
# live_period…) as timedelta; without it every 429 raises a deprecation warning.
PTB_TIMEDELTA = "PTB_TIMEDELTA"


def main(argv: Sequence[str]) -> int:
    os.environ.setdefault(PTB_TIMEDELTA, "true")
    arguments = _parser().parse_args(argv)
    settings = Settings()
    command = arguments.command or "run"
    if command == "demo":
        from bot.demo import DemoOptions, run_demo

        options = DemoOptions(arguments.database, arguments.staff, arguments.verbose)
        return run_demo(settings, options)
    if command == "import-venues":
        from bot.venue_files import import_venues_command

        return asyncio.run(import_venues_command(settings, arguments.file))
    if command == "export-venues":
        from bot.venue_files import export_venues_command

        return asyncio.run(export_venues_command(settings, arguments.file))
    if command == "migrate":
        from bot.migrations import migrate_command

        return asyncio.run(migrate_command(settings.database_url))
    if command == "run":
        from bot.runner import run_command

        return run_command(settings)
    print(f"{command}: not available yet", file=sys.stderr)
    return 2
