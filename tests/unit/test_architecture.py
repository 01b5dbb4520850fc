"""The domain stays free of Telegram: `venues/` never imports `telegram` or `bot`."""

from __future__ import annotations

import ast
from pathlib import Path

VENUES = Path(__file__).resolve().parents[2] / "venues"
FORBIDDEN = {"telegram", "bot"}


def _imported_roots(source: str) -> set[str]:
    roots: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            roots.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            roots.add(node.module.split(".")[0])
    return roots


def test_imported_roots_sees_every_import_form() -> None:
    source = "import telegram\nfrom bot.settings import Settings\nimport os, bot.db as d\n"
    assert _imported_roots(source) == {"telegram", "bot", "os"}


def test_venues_never_imports_telegram_or_bot() -> None:
    modules = sorted(VENUES.rglob("*.py"))
    assert modules, "venues/ has no modules"
    leaks = {
        str(path.relative_to(VENUES)): sorted(_imported_roots(path.read_text()) & FORBIDDEN)
        for path in modules
    }
    assert {module: roots for module, roots in leaks.items() if roots} == {}
