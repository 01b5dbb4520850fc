"""getUpdates and the webhook methods."""

from __future__ import annotations

import ipaddress
import re
from typing import Any
from urllib.parse import urlsplit

from ..errors import WEBHOOK_CONFLICT, BotApiError, bad_request
from ..params import Params
from ..state import TelegramState, WebhookConfig
from .common import WithDescription

_SECRET_TOKEN = re.compile(r"[A-Za-z0-9_-]{1,256}")


async def get_updates(state: TelegramState, p: Params) -> list[dict[str, Any]]:
    if state.webhook is not None:
        raise BotApiError(409, WEBHOOK_CONFLICT)
    state.queue.set_allowed(p.get("allowed_updates"))
    timeout = max(float(p.get("timeout") or 0), 0.0)
    return await state.queue.long_poll(p.get("offset"), p.get("limit"), timeout)


def _is_loopback(url: str) -> bool:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return False
    if parts.hostname == "localhost":
        return True
    try:
        return ipaddress.ip_address(parts.hostname).is_loopback
    except ValueError:
        return False


def set_webhook(state: TelegramState, p: Params) -> WithDescription:
    url = str(p.get("url") or "").strip()
    if not url:
        return delete_webhook(state, p)
    if not _is_loopback(url):
        # A local server: it only ever calls back into this machine.
        raise bad_request("bad webhook: this local Bot API server delivers only to loopback URLs")
    secret = p.get("secret_token")
    if secret is not None and not _SECRET_TOKEN.fullmatch(str(secret)):
        raise bad_request("secret token contains unallowed characters")
    if p.get("drop_pending_updates"):
        state.queue.drop_pending()
    state.queue.set_allowed(p.get("allowed_updates"))
    state.queue.end_polling()
    was = state.webhook
    state.webhook = WebhookConfig(
        url=url,
        secret_token=str(secret) if secret else None,
        max_connections=int(p.get("max_connections") or 40),
        allowed_updates=p.get("allowed_updates"),
    )
    same = was is not None and was.url == url
    return WithDescription(True, "Webhook is already set" if same else "Webhook was set")


def delete_webhook(state: TelegramState, p: Params) -> WithDescription:
    if p.get("drop_pending_updates"):
        state.queue.drop_pending()
    if state.webhook is None:
        return WithDescription(True, "Webhook is already deleted")
    state.webhook = None
    return WithDescription(True, "Webhook was deleted")


def get_webhook_info(state: TelegramState, p: Params) -> dict[str, Any]:
    hook = state.webhook
    info: dict[str, Any] = {
        "url": hook.url if hook else "",
        "has_custom_certificate": False,
        "pending_update_count": len(state.queue.pending),
    }
    if hook:
        info["max_connections"] = hook.max_connections
        if hook.allowed_updates:
            info["allowed_updates"] = hook.allowed_updates
        if hook.last_error_date:
            info["last_error_date"] = hook.last_error_date
            info["last_error_message"] = hook.last_error_message
    return info
