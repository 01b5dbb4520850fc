"""The person's own settings: language picker, simple and discreet modes."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.render import Reply
from bot.texts import Html, available_languages, t


def language_picker(language: str) -> Reply:
    rows = [
        [InlineKeyboardButton(t(f"language_name.{code}"), callback_data=f"lang|{code}")]
        for code in available_languages()
    ]
    rows.append(
        [InlineKeyboardButton(t("settings.language_auto", language), callback_data="lang|auto")]
    )
    return Reply(
        t("settings.language_choose", language), InlineKeyboardMarkup(rows), interactive=True
    )


def language_set(language: str, *, automatic: bool) -> Reply:
    key = "settings.language_automatic" if automatic else "settings.language_set"
    return Reply(t(key, language, name=t(f"language_name.{language}")))


def simple_set(simple: bool, language: str) -> Reply:
    return Reply(t("settings.simple_on" if simple else "settings.simple_off", language))


def discreet_set(discreet: bool, language: str) -> Reply:
    return Reply(t("settings.discreet_on" if discreet else "settings.discreet_off", language))


def expired(language: str) -> Html:
    return t("callback.expired", language)
