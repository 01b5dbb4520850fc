"""Repositories of the bot's aggregates: named functions, each taking a session."""
