"""The Telegram side of NightSafe: everything that knows about updates and chats."""
