"""Updates of different chats go side by side, those of one chat in the order they came."""

from __future__ import annotations

import asyncio

from telegram import Update

from bot.update_order import ChatOrderedUpdates, chat_key

_next_id = iter(range(1, 10_000))


def _message(chat_id: int, text: str) -> Update:
    update_id = next(_next_id)
    return Update.de_json(
        {
            "update_id": update_id,
            "message": {
                "message_id": update_id,
                "date": 0,
                "chat": {"id": chat_id, "type": "private"},
                "from": {"id": chat_id, "is_bot": False, "first_name": "P"},
                "text": text,
            },
        },
        None,
    )


async def test_one_chat_waits_its_turn_while_other_chats_go_ahead() -> None:
    processor = ChatOrderedUpdates(8)
    handled: list[str] = []
    release_first = asyncio.Event()

    async def handle(name: str, wait: asyncio.Event | None = None) -> None:
        handled.append(f"{name} started")
        if wait is not None:
            await wait.wait()
        handled.append(f"{name} done")

    updates = [
        (_message(1, "a"), handle("alex 1", release_first)),
        (_message(1, "b"), handle("alex 2")),
        (_message(2, "c"), handle("sam 1")),
    ]
    tasks = [asyncio.create_task(processor.process_update(u, c)) for u, c in updates]
    for _ in range(5):
        await asyncio.sleep(0)
    # Sam is not held up by Alex's slow first update; Alex's second waits for it.
    assert handled == ["alex 1 started", "sam 1 started", "sam 1 done"]
    release_first.set()
    await asyncio.gather(*tasks)
    assert handled[3:] == ["alex 1 done", "alex 2 started", "alex 2 done"]
    assert processor._turns == {}  # nothing kept for chats with nothing waiting


async def test_a_failing_update_does_not_block_the_chat() -> None:
    processor = ChatOrderedUpdates(4)

    async def fail() -> None:
        raise RuntimeError("a bug")

    async def fine() -> str:
        return "answered"

    first = asyncio.create_task(processor.process_update(_message(1, "a"), fail()))
    second = asyncio.create_task(processor.process_update(_message(1, "b"), fine()))
    results = await asyncio.gather(first, second, return_exceptions=True)
    assert isinstance(results[0], RuntimeError)
    assert results[1] is None  # handled (process_update returns nothing)
    assert processor._turns == {}


def test_chat_key_is_the_chat_else_the_sender() -> None:
    assert chat_key(_message(42, "hi")) == 42
    query = Update.de_json(
        {
            "update_id": 9,
            "inline_query": {
                "id": "q",
                "from": {"id": 7, "is_bot": False, "first_name": "P"},
                "query": "",
                "offset": "",
            },
        },
        None,
    )
    assert chat_key(query) == 7
    assert chat_key("not an update") is None
