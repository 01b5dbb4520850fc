"""NightSafe's entry point: `python bot.py [run|demo|import-venues|export-venues|…]`."""

from __future__ import annotations

import sys

from bot.cli import main

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
