"""The local Bot API server: an aiohttp app speaking Telegram's Bot API over real HTTP at
`base_url` (python-telegram-bot appends TOKEN/METHOD), plus the handles tests and the demo
use: simulated users, the call log, transcripts, fault injection and flood counters."""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import json
import logging
import time
from collections.abc import Callable
from typing import Any, TypeVar

from aiohttp import web

from .errors import BotApiError, not_found, unauthorized
from .faults import Fault, FaultKind, FaultPlan
from .flood import FloodControl
from .methods import MethodSpec, WithDescription, find_method
from .params import Params, read_params
from .recorder import CallLog, RecordedCall
from .state import BotIdentity, ChatMessage, ChatState, TelegramState
from .transcript import Transcript
from .users import SimulatedUser
from .webhook import WebhookWorker

logger = logging.getLogger(__name__)
T = TypeVar("T")

DEFAULT_TOKEN = "7000000001:AAE-local-NightSafe-token-for-tests_0"
MAX_UPLOAD_BYTES = 60 * 1024 * 1024


class LocalBotApiServer:
    """`async with LocalBotApiServer(port=0) as server:` → `server.base_url`, `server.token`."""

    def __init__(
        self,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        token: str = DEFAULT_TOKEN,
        bot_username: str = "NightSafeBot",
        bot_first_name: str = "NightSafe",
        sends_per_second: int = 30,
        per_chat_per_second: float = 1.0,
        per_chat_burst: int = 1,
        enforce_per_chat_limit: bool = False,
        strict: bool = True,
        first_update_id: int = 1,
        webhook_retry_delay: float = 0.5,
        clock: Callable[[], float] = time.monotonic,
        wall_clock: Callable[[], float] = time.time,
    ) -> None:
        bot_id, _, secret = token.partition(":")
        if not bot_id.isdigit() or not secret:
            raise ValueError("a bot token looks like 123456789:secret")
        self.host, self.port, self.token = host, port, token
        self.clock = clock
        bot = BotIdentity(int(bot_id), bot_first_name, bot_username)
        self.calls = CallLog()
        self.state = TelegramState(
            bot,
            strict=strict,
            first_update_id=first_update_id,
            wall_clock=wall_clock,
            on_poll=self.calls.notify,
        )
        self.flood = FloodControl(
            sends_per_second,
            per_chat_per_second,
            per_chat_burst=per_chat_burst,
            enforce_per_chat=enforce_per_chat_limit,
            clock=clock,
        )
        self.faults = FaultPlan()
        self.webhook = WebhookWorker(self.state, webhook_retry_delay, on_attempt=self.calls.notify)
        self._users: dict[int, SimulatedUser] = {}
        self.internal_errors: list[BaseException] = []  # bugs of this server, not the bot's
        self._closing = asyncio.Event()
        self._runner: web.AppRunner | None = None

    # --- lifecycle ----------------------------------------------------------------------
    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}/bot"

    @property
    def base_file_url(self) -> str:
        return f"http://{self.host}:{self.port}/file/bot"

    async def start(self) -> LocalBotApiServer:
        app = web.Application(client_max_size=MAX_UPLOAD_BYTES)
        app.router.add_route("*", "/bot{token}/{method}", self._handle_api)
        app.router.add_get("/file/bot{token}/{path:.+}", self._handle_file)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self.port)
        await site.start()
        self.port = self._runner.addresses[0][1]
        self.webhook.start()
        logger.info("local Bot API server listening on %s", self.base_url)
        return self

    async def stop(self) -> None:
        self._closing.set()
        self.state.queue.close()
        await self.webhook.stop()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> LocalBotApiServer:
        return await self.start()

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()

    # --- the simulated world ------------------------------------------------------------
    @property
    def bot_user(self) -> dict[str, Any]:
        return self.state.bot.user()

    def user(
        self,
        user_id: int,
        first_name: str = "Alex",
        *,
        last_name: str | None = None,
        username: str | None = None,
        language_code: str | None = "en",
    ) -> SimulatedUser:
        """The simulated user with this id (created, with a private chat, on first use)."""
        if user_id not in self._users:
            info: dict[str, Any] = {"id": user_id, "is_bot": False, "first_name": first_name}
            optional = {
                "last_name": last_name,
                "username": username,
                "language_code": language_code,
            }
            info.update({k: v for k, v in optional.items() if v})
            self._users[user_id] = SimulatedUser(self, info)
        return self._users[user_id]

    def chat(self, chat_id: int) -> ChatState:
        return self.state.chats[chat_id]

    def transcript(self, chat_id: int) -> Transcript:
        chat = self.chat(chat_id)
        return Transcript(chat.id, chat.visible(), list(chat.events))

    def sent_messages(self, chat_id: int | None = None) -> list[ChatMessage]:
        """Messages the bot sent, in one chat or in all chats."""
        chats = [self.chat(chat_id)] if chat_id is not None else list(self.state.chats.values())
        return [m for chat in chats for m in chat.bot_messages()]

    async def push_update(self, kind: str, payload: dict[str, Any]) -> dict[str, Any] | None:
        update = self.state.queue.push(kind, payload)
        self.webhook.kick()
        await self.calls.notify()
        return update

    # --- observing ----------------------------------------------------------------------
    async def wait_for(
        self,
        predicate: Callable[[list[RecordedCall]], T],
        timeout: float = 5.0,  # noqa: ASYNC109
    ) -> T:
        return await self.calls.wait_for(predicate, timeout)

    def calls_to(self, method: str) -> list[RecordedCall]:
        return self.calls.of(method)

    @property
    def flood_violations(self) -> int:
        """Sends to one chat less than a second after the previous one (Telegram's 1/s)."""
        return self.flood.violations

    # --- fault injection ----------------------------------------------------------------
    def fail_next(
        self,
        method: str | None = None,
        kind: FaultKind | str = FaultKind.SERVER_ERROR,
        *,
        times: int = 1,
        chat_id: int | str | None = None,
        **options: Any,
    ) -> Fault:
        """The next `times` matching calls fail with `kind` (retry_after=, status=,
        hold_seconds=, deliver= tune it)."""
        return self.faults.add(
            Fault(FaultKind(kind), method=method, chat_id=chat_id, times=times, **options)
        )

    def fail_randomly(
        self,
        method: str | None,
        kind: FaultKind | str,
        probability: float,
        *,
        seed: int = 0,
        chat_id: int | str | None = None,
        **options: Any,
    ) -> Fault:
        """Each matching call fails with `probability`, drawn from a seeded generator."""
        fault = Fault(
            FaultKind(kind),
            method=method,
            chat_id=chat_id,
            times=None,
            probability=probability,
            seed=seed,
            **options,
        )
        return self.faults.add(fault)

    def clear_faults(self) -> None:
        self.faults.clear()

    # --- HTTP ---------------------------------------------------------------------------
    def _check_token(self, token: str) -> None:
        if token == self.token:
            return
        head, _, secret = token.partition(":")
        # Telegram: a malformed token is 404 Not Found, a well-formed wrong one 401.
        raise unauthorized() if head.isdigit() and secret else not_found()

    async def _handle_api(self, request: web.Request) -> web.Response:
        received = self.clock()
        name = request.match_info["method"]
        params = Params({}, {})
        try:
            self._check_token(request.match_info["token"])
            spec = find_method(name)
            if spec is None:
                raise not_found()
            params = await read_params(request)
        except BotApiError as error:
            return await self._reply(name, params, error.body(), received)
        fault = self.faults.take(spec.name, params.get("chat_id"))
        if fault is not None and fault.kind is FaultKind.TIMEOUT:
            return await self._hold(spec, params, fault, received)
        if fault is not None:
            return await self._reply(spec.name, params, fault.error().body(), received, fault=fault)
        body = await self._execute(spec, params)
        return await self._reply(spec.name, params, body, received)

    async def _execute(self, spec: MethodSpec, params: Params) -> dict[str, Any]:
        chat_id = params.get("chat_id")
        counted = spec.sends or spec.edits
        try:
            if counted:
                self.flood.check(chat_id, counts_globally=spec.sends)
            result = spec.handler(self.state, params)
            if inspect.isawaitable(result):
                result = await result
        except BotApiError as error:
            return error.body()
        except Exception as error:  # a bug here must not look like a network fault
            logger.exception("local Bot API server failed on %s", spec.name)
            self.internal_errors.append(error)
            return BotApiError(500, f"Internal Server Error: {error!r}").body()
        if counted:
            self.flood.record(chat_id, counts_globally=spec.sends)
        self.webhook.kick()
        if isinstance(result, WithDescription):
            return {"ok": True, "result": result.result, "description": result.description}
        return {"ok": True, "result": result}

    async def _hold(
        self, spec: MethodSpec, params: Params, fault: Fault, received: float
    ) -> web.Response:
        """Keep the client waiting past its timeout; the call may have taken effect."""
        body = await self._execute(spec, params) if fault.deliver else fault.error().body()
        response = await self._reply(
            spec.name,
            params,
            body,
            received,
            fault=fault,
            timed_out=True,
            delivered=fault.deliver and bool(body.get("ok")),
        )
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._closing.wait(), fault.hold_seconds)
        return response

    async def _reply(
        self,
        method: str,
        params: Params,
        body: dict[str, Any],
        received: float,
        *,
        fault: Fault | None = None,
        timed_out: bool = False,
        delivered: bool | None = None,
    ) -> web.Response:
        status = 200 if body.get("ok") else int(body["error_code"])
        text = json.dumps(body, ensure_ascii=False)
        call = RecordedCall(
            seq=self.calls.next_seq(),
            method=method,
            params=dict(params),
            files=dict(params.files),
            status=status,
            response=json.loads(text),  # a snapshot: later edits must not change it
            at=received,
            chat_id=params.get("chat_id"),
            fault=fault.kind.value if fault else None,
            timed_out=timed_out,
            delivered=bool(body.get("ok")) if delivered is None else delivered,
        )
        await self.calls.record(call)
        return web.Response(status=status, text=text, content_type="application/json")

    async def _handle_file(self, request: web.Request) -> web.Response:
        try:
            self._check_token(request.match_info["token"])
        except BotApiError as error:
            return web.json_response(error.body(), status=error.error_code)
        stored = self.state.files.by_path(request.match_info["path"])
        if stored is None:
            return web.json_response(not_found().body(), status=404)
        return web.Response(
            body=stored.data, content_type=stored.mime_type or "application/octet-stream"
        )
