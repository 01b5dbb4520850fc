"""Tables of the bot's own aggregates (users, roles, conversations, alerts…).

They share `venues.orm.Base` so one metadata describes the whole database.
"""

from __future__ import annotations
