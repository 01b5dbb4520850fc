"""The one error handler: log what went wrong without personal data, answer kindly."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.error import Forbidden, NetworkError, RetryAfter

from bot.context import NightSafeContext
from bot.texts import t

logger = logging.getLogger(__name__)


def _update_kind(update: object) -> str:
    if not isinstance(update, Update):
        return type(update).__name__
    for kind in ("message", "edited_message", "callback_query", "inline_query"):
        if getattr(update, kind) is not None:
            return kind
    return "other"


async def on_error(update: object, context: NightSafeContext) -> None:
    error = context.error
    update_id = update.update_id if isinstance(update, Update) else None
    # Only the update's id and kind: never its text, location or user.
    if isinstance(error, NetworkError | RetryAfter | Forbidden):
        logger.warning("update %s (%s): %s", update_id, _update_kind(update), type(error).__name__)
        return
    logger.error(
        "update %s (%s) failed",
        update_id,
        _update_kind(update),
        exc_info=(type(error), error, error.__traceback__) if error else None,
    )
    if not isinstance(update, Update) or update.effective_chat is None:
        return
    try:
        if update.callback_query is not None:
            await update.callback_query.answer(t("error.generic", context.language)[:200])
        else:
            await context.bot.send_message(
                update.effective_chat.id, t("error.generic", context.language)
            )
    except Exception:  # the apology itself failed: nothing more to do
        logger.warning("could not tell update %s about the error", update_id)
