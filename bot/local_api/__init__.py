"""A local Telegram Bot API server for tests and the offline demo.

The real python-telegram-bot Application talks to it over HTTP exactly as it talks to
Telegram (or to a self-hosted Bot API server): set TELEGRAM_API_BASE_URL to
`server.base_url` and TELEGRAM_BOT_TOKEN to `server.token`. It rejects what Telegram
rejects, with Telegram's error descriptions, applies Telegram's flood limits, records
every call, injects faults on demand and simulates users.

    async with LocalBotApiServer(port=0) as server:
        application = Application.builder().token(server.token).base_url(server.base_url).build()
        async with polling(application):
            alex = server.user(1001, "Alex")
            await alex.send_command("/start")          # also send_text, send_location,
            reply = await alex.next_reply(timeout=5)    # move_live_location, press, …
            print(alex.transcript().render())
        server.calls                                    # every call, with its response
        server.fail_next("sendMessage", FaultKind.FLOOD, retry_after=3)
        server.flood_violations                         # sends breaking 1 msg/s per chat
"""

from .errors import BotApiError
from .faults import Fault, FaultKind
from .harness import all_handled, polling
from .recorder import RecordedCall
from .server import DEFAULT_TOKEN, LocalBotApiServer
from .state import ChatEvent, ChatMessage
from .transcript import Transcript
from .users import SimulatedUser

__all__ = [
    "DEFAULT_TOKEN",
    "BotApiError",
    "ChatEvent",
    "ChatMessage",
    "Fault",
    "FaultKind",
    "LocalBotApiServer",
    "RecordedCall",
    "SimulatedUser",
    "Transcript",
    "all_handled",
    "polling",
]
