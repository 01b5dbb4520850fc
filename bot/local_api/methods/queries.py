"""answerCallbackQuery and answerInlineQuery."""

from __future__ import annotations

from typing import Any

from ..errors import QUERY_TOO_OLD, bad_request
from ..formatting import MAX_CALLBACK_ANSWER_LENGTH, message_text
from ..markup import check_inline_markup
from ..params import Params
from ..state import ChatEvent, TelegramState

MAX_INLINE_RESULTS = 50


def answer_callback_query(state: TelegramState, p: Params) -> bool:
    query = state.callback_queries.get(str(p.get("callback_query_id") or ""))
    if query is None or query.answer is not None:
        raise bad_request(QUERY_TOO_OLD)
    text = p.get("text") or ""
    if len(text) > MAX_CALLBACK_ANSWER_LENGTH:
        raise bad_request("MESSAGE_TOO_LONG")
    query.answer = {
        "text": text,
        "show_alert": bool(p.get("show_alert")),
        "url": p.get("url"),
        "cache_time": p.get("cache_time") or 0,
    }
    chat = state.chats.get(query.chat_id)
    if chat is not None:
        kind = "alert" if query.answer["show_alert"] else "toast"
        chat.events.append(ChatEvent(kind, query.message_id, text))
    return True


def answer_inline_query(state: TelegramState, p: Params) -> bool:
    query = state.inline_queries.get(str(p.get("inline_query_id") or ""))
    if query is None or query.answer is not None:
        raise bad_request(QUERY_TOO_OLD)
    results = p.get("results")
    if not isinstance(results, list):
        raise bad_request("can't parse inline query results JSON object")
    if len(results) > MAX_INLINE_RESULTS:
        raise bad_request("RESULTS_TOO_MUCH")
    seen: set[str] = set()
    for result in results:
        _check_result(state, result, seen)
    query.answer = {
        "results": results,
        "cache_time": p.get("cache_time"),
        "is_personal": bool(p.get("is_personal")),
        "next_offset": p.get("next_offset") or "",
        "button": p.get("button"),
    }
    return True


def _check_result(state: TelegramState, result: Any, seen: set[str]) -> None:
    if not isinstance(result, dict) or not result.get("type"):
        raise bad_request('can\'t parse InlineQueryResult: Field "type" must be of type String')
    result_id = str(result.get("id") or "")
    if not result_id or len(result_id.encode("utf-8")) > 64:
        raise bad_request("RESULT_ID_INVALID")
    if result_id in seen:
        raise bad_request("RESULT_ID_DUPLICATE")
    seen.add(result_id)
    check_inline_markup(result.get("reply_markup"), strict=state.strict)
    content = result.get("input_message_content")
    if isinstance(content, dict) and "message_text" in content:
        message_text(
            content["message_text"],
            content.get("parse_mode"),
            content.get("entities"),
            state.strict,
        )
