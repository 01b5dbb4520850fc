"""The NightSafe domain: venues, opening hours, distances, places.

Knows nothing about Telegram (a test enforces it); usable from a script.
"""
