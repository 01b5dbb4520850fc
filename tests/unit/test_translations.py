"""Translations are complete and safe: every key in every language, the same
placeholders as English, valid Telegram HTML, and the partnership's sentences too."""

from __future__ import annotations

import string
import tomllib
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.local_api.html_mode import parse_html
from bot.render import open_state
from bot.settings import PROJECT_ROOT
from bot.texts import ENGLISH, LOCALES_DIR, available_languages, language_for, t
from venues.hours import ClosedReason, OpenState
from venues.partnership import load_partnership

REQUIRED = ("fr", "es", "de", "it", "pt", "pl", "ar", "zh")


def _catalogue(language: str) -> dict[str, str]:
    with (LOCALES_DIR / f"{language}.toml").open("rb") as file:
        return tomllib.load(file)


def _placeholders(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def test_translations_exist_for_every_required_language() -> None:
    assert set(REQUIRED) <= set(available_languages())


@pytest.mark.parametrize("language", REQUIRED)
def test_translation_has_every_key_and_no_other(language: str) -> None:
    translated = _catalogue(language)
    assert sorted(set(ENGLISH) - set(translated)) == [], "missing keys"
    assert sorted(set(translated) - set(ENGLISH)) == [], "keys English does not have"


@pytest.mark.parametrize("language", REQUIRED)
def test_translation_placeholders_match_english(language: str) -> None:
    translated = _catalogue(language)
    differing = {
        key: (sorted(_placeholders(english)), sorted(_placeholders(translated[key])))
        for key, english in ENGLISH.items()
        if key in translated and _placeholders(english) != _placeholders(translated[key])
    }
    assert differing == {}


@pytest.mark.parametrize("language", ["en", *REQUIRED])
def test_every_text_is_valid_telegram_html(language: str) -> None:
    broken = {}
    for key, template in ENGLISH.items():
        values = {name: "x" for name in _placeholders(template)}
        text = t(key, language, **values)
        try:
            parse_html(text)
        except Exception as error:  # the local server's parser raises Telegram's error
            broken[key] = str(error)
    assert broken == {}


@pytest.mark.parametrize("language", REQUIRED)
def test_translation_is_really_translated(language: str) -> None:
    """A file that copies English is not a translation: most sentences must differ."""
    translated = _catalogue(language)
    sentences = [k for k, v in ENGLISH.items() if len(v) > 40 and not k.startswith("language")]
    same = [key for key in sentences if translated.get(key) == ENGLISH[key]]
    assert len(same) <= len(sentences) // 20, same[:10]


def test_language_is_chosen_from_the_telegram_code() -> None:
    assert language_for("fr") == "fr"
    assert language_for("pt-br") == "pt"
    assert language_for("zh-hans") == "zh"
    assert language_for("ja") == "en"
    assert language_for(None) == "en"


@pytest.mark.parametrize("language", REQUIRED)
def test_partnership_sentences_are_translated_and_numbers_kept(language: str) -> None:
    partnership = load_partnership(PROJECT_ROOT / "data")
    assert language in partnership.translations
    local = partnership.localised(language)
    assert local.emergency.emergency_numbers == ("999", "112")
    assert local.emergency.non_emergency_number == "101"
    assert local.emergency.ask_for_angela != partnership.emergency.ask_for_angela
    assert local.night_stars.description != partnership.night_stars.description
    assert [z.key for z in local.zones] == [z.key for z in partnership.zones]


def test_locale_files_have_no_stray_languages() -> None:
    code_files = {path.stem for path in Path(LOCALES_DIR).glob("*.toml")}
    data_files = {
        path.name.split(".")[1] for path in (PROJECT_ROOT / "data" / "locales").glob("*.toml")
    }
    assert code_files == data_files


def test_closed_tonight_names_the_day_in_the_persons_language() -> None:
    london = ZoneInfo("Europe/London")
    now = datetime(2026, 11, 27, 23, 0, tzinfo=london)  # Friday
    state = OpenState(
        is_open=False,
        opens_next=datetime(2026, 11, 28, 22, 0, tzinfo=london),
        reason=ClosedReason.TEMPORARILY_CLOSED,
    )
    assert open_state(state, now, london, "fr") == "fermé ce soir, ouvre sam. à 22:00"
    assert open_state(state, now, london, "en") == "closed tonight, opens Sat 22:00"
