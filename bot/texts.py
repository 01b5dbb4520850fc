"""Every sentence a user can see, keyed, and the one way to get it: `t(key, lang, **values)`.

English lives here; translations live in `bot/locales/<language>.toml` with the
same keys and placeholders (a test holds them to it). Messages use Telegram's
HTML parse mode: `t()` escapes every value it is given unless the value is
already `Html` (text this project built and escaped itself), so a user's words
can never break or inject markup.
"""

from __future__ import annotations

import html
import string
import tomllib
from functools import cache
from pathlib import Path

LOCALES_DIR = Path(__file__).resolve().parent / "locales"
DEFAULT_LANGUAGE = "en"


class Html(str):
    """Text that is already safe to send in Telegram's HTML parse mode."""

    __slots__ = ()


def escape(value: object) -> Html:
    """Escape a value for Telegram HTML (text and attribute values alike)."""
    if isinstance(value, Html):
        return value
    return Html(html.escape(str(value), quote=True))


def join(parts: list[Html] | tuple[Html, ...], separator: str = "\n") -> Html:
    return Html(escape(separator).join(escape(part) for part in parts))


ENGLISH: dict[str, str] = {
    # --- start and help -------------------------------------------------------------
    "start.intro": (
        "<b>{partnership}</b> — NightSafe\n"
        "📍 Share your location, or type a place like <i>Leicester Square</i> or "
        "<i>W1D 3QU</i>, to see the nearest Safe Havens and venues open right now.\n"
        "🆘 In danger? Call <b>999</b>. Tap Emergency for what to do now.\n"
        "⭐ Night Stars volunteers and 🔔 safety alerts are a tap away."
    ),
    "help.commands": "<b>Commands</b>\n{commands}",
    "help.command_line": "/{command} — {description}",
    "keyboard.share_location": "📍 Share my location",
    "keyboard.emergency": "🆘 Emergency",
    "keyboard.night_stars": "⭐ Night Stars",
    "keyboard.alerts": "🔔 Alerts",
    "keyboard.placeholder": "Type a place or share your location",
    # --- command descriptions (setMyCommands and /help) -------------------------------
    "command.start": "What NightSafe does",
    "command.help": "Commands and how to use NightSafe",
    "command.emergency": "What to do in an emergency",
    "command.nightstars": "Night Stars volunteers: on duty now?",
    "command.alerts": "Safety alerts for your areas",
    "command.subscribe": "Get safety alerts",
    "command.unsubscribe": "Stop safety alerts",
    "command.privacy": "What NightSafe keeps about you",
    "command.forget": "Delete everything NightSafe keeps about you",
    "command.register": "Register your venue (venue staff)",
    "command.cancel": "Cancel what you are doing",
    "command.pending": "Registrations waiting for review (staff)",
    "command.broadcast": "Send a safety alert (staff)",
    "command.grant": "Make someone partnership staff (staff)",
    "command.revoke": "Remove someone's staff role (staff)",
    "command.stats": "Usage figures (staff)",
    # --- emergency --------------------------------------------------------------------
    "emergency.title": "🆘 <b>If you are in danger now</b>",
    "emergency.call": "📞 Call <b>{emergency_number}</b> (or <b>{international_number}</b>).",
    "emergency.silent": "🤫 {silent}",
    "emergency.sms": "💬 {sms}",
    "emergency.non_emergency": "☎️ Not an emergency? Call <b>{non_emergency_number}</b>.",
    "emergency.angela": "🗣 {angela}",
    "emergency.share": "📍 Share your location and I'll show the nearest open Safe Haven.",
    "emergency.line": "🆘 In an emergency call <b>{emergency_number}</b>.",
    # --- answers with nearby places ----------------------------------------------------
    "nearby.title_here": "<b>Open near you now</b> · {time}",
    "nearby.title_place": "<b>Open near {place} now</b> · {time}",
    "nearby.title_here_all": "<b>Near you</b>, open or not · {time}",
    "nearby.title_place_all": "<b>Near {place}</b>, open or not · {time}",
    "nearby.approximate": "(around the {district} postcode district)",
    "nearby.filters": "Only places with: {filters}",
    "nearby.item": "{number}. {badge} <b>{name}</b>\n   {distance} · 🚶 {minutes} min · {state}",
    "nearby.address": "   📫 {address}",
    "nearby.phone": "   ☎️ {phone}",
    "nearby.facilities": "   {facilities}",
    "nearby.none_within": (
        "Nothing on NightSafe's list is open within {radius} of {where} right now."
    ),
    "nearby.none_match": "Nothing open within {radius} has all of: {filters}.",
    "nearby.nearest_far": "The nearest open place is {distance} away:",
    "nearby.none_open": "Nothing on NightSafe's list is open right now.",
    "nearby.where_you": "you",
    "nearby.pin_title": "{name}",
    "distance.m": "{metres} m",
    "distance.km": "{km} km",
    "state.open_until": "open until {time}",
    "state.open_until_day": "open until {day} {time}",
    "state.open_24h": "open 24 hours",
    "state.closed_opens": "closed now, opens {time}",
    "state.closed_opens_day": "closed now, opens {day} {time}",
    "state.closed_tonight": "closed tonight, opens {day} {time}",
    "state.closed_unknown": "closed now",
    "kind.safe_haven": "🛡️ Safe Haven",
    "kind.accredited": "✅ Accredited venue",
    "facility.female_staff": "👩 female staff",
    "facility.first_aid": "⛑️ first aid",
    "facility.toilets": "🚻 toilets",
    "facility.phone_charging": "🔌 phone charging",
    "facility.step_free": "♿ step-free",
    "facility.water": "💧 water",
    "facility.seating": "🪑 seating",
    "facility.cctv": "📹 CCTV",
    "facility.languages": "🗣 speaks {languages}",
    # Languages venue staff speak, by ISO 639-1 code (unknown codes are shown as given).
    "language.ar": "Arabic",
    "language.bn": "Bengali",
    "language.de": "German",
    "language.el": "Greek",
    "language.en": "English",
    "language.es": "Spanish",
    "language.fr": "French",
    "language.hi": "Hindi",
    "language.it": "Italian",
    "language.ja": "Japanese",
    "language.ko": "Korean",
    "language.nl": "Dutch",
    "language.pl": "Polish",
    "language.pt": "Portuguese",
    "language.ro": "Romanian",
    "language.ru": "Russian",
    "language.tr": "Turkish",
    "language.uk": "Ukrainian",
    "language.ur": "Urdu",
    "language.zh": "Chinese",
    "button.directions": "🧭 Directions",
    "button.more": "➕ More",
    "button.include_closed": "🕘 Include closed",
    "button.only_open": "✅ Only open now",
    "button.filter_on": "✓ {label}",
    "button.filter.female_staff": "👩 Female staff",
    "button.filter.step_free": "♿ Step-free",
    "button.filter.toilets": "🚻 Toilets",
    "button.filter.phone_charging": "🔌 Charging",
    "when.time": "{time}",
    "when.day_time": "{day} {time}",
    "weekday.0": "Mon",
    "weekday.1": "Tue",
    "weekday.2": "Wed",
    "weekday.3": "Thu",
    "weekday.4": "Fri",
    "weekday.5": "Sat",
    "weekday.6": "Sun",
    # --- typed places --------------------------------------------------------------------
    "places.choose": "Which one do you mean?",
    "places.not_found": (
        "I couldn't find that place. Share your location with 📍, or try a street, "
        "a station or a postcode like <i>W1D 3QU</i>."
    ),
    "places.invalid_coordinates.not_numbers": (
        "Those coordinates aren't ordinary numbers. Try something like <i>51.5101, -0.1340</i>."
    ),
    "places.invalid_coordinates.latitude_range": (
        "That latitude is impossible: it must be between -90 and 90. "
        "Try something like <i>51.5101, -0.1340</i>."
    ),
    "places.invalid_coordinates.longitude_range": (
        "That longitude is impossible: it must be between -180 and 180. "
        "Try something like <i>51.5101, -0.1340</i>."
    ),
    "places.too_long": "That's a very long message. Type a place name or a postcode, please.",
    "places.outside_area": "That's outside the area NightSafe covers.",
    "places.bad_location": "I couldn't read that location. Please share it again with 📍.",
    # --- venue cards (deep links from posters) --------------------------------------------
    "venue.card": "{badge} <b>{name}</b>\n📫 {address}\n{state}",
    "venue.card_phone": "☎️ {phone}",
    "venue.card_schemes": "🏅 {schemes}",
    "venue.current": "✅ Listed with {partnership} and current.",
    "venue.not_current": (
        "⚠️ This venue is not currently listed with {partnership}. "
        "Its sticker or poster may be out of date."
    ),
    "venue.unknown": "⚠️ That venue is not on NightSafe's list.",
    # --- Night Stars ------------------------------------------------------------------------
    "nightstars.title": "⭐ <b>Night Stars</b>",
    "nightstars.on_duty": "🟢 On duty now, until {until}.",
    "nightstars.off_duty": "⚪ Not on duty now. Next on duty: {next}.",
    "nightstars.no_schedule": "⚪ No patrols are scheduled at the moment.",
    "nightstars.where": "📍 Where: {where}",
    "nightstars.when": "🗓 When: {when}",
    "nightstars.contact": "📞 How to reach them: {contact}",
    # --- subscriptions and alerts ----------------------------------------------------------
    "subscribe.choose_zones": (
        "🔔 Choose the areas you want safety alerts for, then tap Done. "
        "Your location is never stored."
    ),
    "subscribe.done": "🔔 You'll get safety alerts for: {zones}. Stop any time with /unsubscribe.",
    "subscribe.nothing_chosen": "Choose at least one area first.",
    "subscribe.button_done": "Done",
    "subscribe.zone_on": "✓ {zone}",
    "unsubscribe.done": "🔕 You won't get safety alerts any more. /subscribe to start again.",
    "unsubscribe.not_subscribed": "You aren't subscribed to alerts. /subscribe to start.",
    "alerts.none": "✅ No active safety alerts for your areas right now.",
    "alerts.title": "🔔 <b>Active safety alerts</b>",
    "alerts.item": "⚠️ {text}\n<i>{zones} · until {until}</i>",
    "alerts.not_subscribed_hint": "Get these as they happen: /subscribe",
    # --- privacy ---------------------------------------------------------------------------
    "privacy.text": (
        "🔒 <b>Privacy</b>\n"
        "• Your location is used to answer you and then forgotten: it is never stored "
        "or written to a log.\n"
        "• If you subscribe to alerts, we keep your chat id, your chosen areas and quiet "
        "hours until you unsubscribe.\n"
        "• If you register a venue, we keep the details you give for the registration "
        "and the partnership's review.\n"
        "• /forget deletes everything kept about you, at once."
    ),
    "forget.done": (
        "🗑 Done. Everything NightSafe kept about you has been deleted "
        "(subscription, settings and drafts)."
    ),
    # --- staff access ----------------------------------------------------------------------
    "access.staff_only": "🔒 That's for partnership staff only.",
    "access.venue_staff_only": "🔒 That's for the venue's own staff only.",
    # --- partnership staff: roles and figures ----------------------------------------------
    "staff.grant_usage": "Send <code>/grant USER_ID</code> — the person's numeric Telegram id.",
    "staff.revoke_usage": "Send <code>/revoke USER_ID</code> — the person's numeric Telegram id.",
    "staff.granted": "✅ {user_id} is now partnership staff.",
    "staff.already_staff": "{user_id} is already partnership staff.",
    "staff.revoked": "✅ {user_id} is no longer partnership staff.",
    "staff.not_staff": "{user_id} isn't partnership staff, so there was nothing to revoke.",
    "staff.cannot_revoke_self": "You can't revoke your own role: ask another member of staff.",
    "stats.title": "📊 <b>NightSafe figures</b>",
    "stats.venues": "Venues: {active} listed · {pending} to review · {suspended} suspended",
    "stats.subscribers": "Alert subscribers: {count}",
    "stats.alerts": "Alerts: {active} active · {total} sent in all",
    "stats.staff": "Staff: {partnership} partnership · {venue} venue",
    # --- registration (issue 4): keys of the venue registration and review chats -------------
    # --- broadcast (issue 5): keys of the broadcast chat and delivery reports ----------------
    # --- live location, inline mode, settings (issue 7) -------------------------------------
    # --- flood control and errors ------------------------------------------------------------
    "flood.slow_down": "⏳ That's a lot of messages at once — give me a second, please.",
    "callback.expired": "This button doesn't work any more. Please ask again.",
    "error.generic": (
        "😕 Sorry, something went wrong on our side. Please try again. In an emergency call 999."
    ),
    "unknown.command": "I don't know that command. /help lists what I can do.",
    "unsupported.message": (
        "I can read text and shared locations. Share your location with 📍 or type a place."
    ),
}


def _placeholders(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


@cache
def _catalogue(language: str) -> dict[str, str]:
    path = LOCALES_DIR / f"{language}.toml"
    if language == DEFAULT_LANGUAGE or not path.is_file():
        return ENGLISH
    with path.open("rb") as file:
        translated = tomllib.load(file)
    # A key missing from a translation falls back to English, never to a blank.
    return {**ENGLISH, **{key: value for key, value in translated.items() if key in ENGLISH}}


def available_languages() -> list[str]:
    found = sorted(path.stem for path in LOCALES_DIR.glob("*.toml"))
    return [DEFAULT_LANGUAGE, *(lang for lang in found if lang != DEFAULT_LANGUAGE)]


def language_for(code: str | None) -> str:
    """The catalogue language for a Telegram `language_code` (`pt-br` → `pt`)."""
    if not code:
        return DEFAULT_LANGUAGE
    base = code.lower().replace("_", "-").split("-")[0]
    return base if base in available_languages() else DEFAULT_LANGUAGE


def t(key: str, language: str | None = None, /, **values: object) -> Html:
    """The text for `key` in `language` (English when untranslated), values escaped."""
    template = _catalogue(language_for(language)).get(key)
    if template is None:
        raise KeyError(f"no text with key {key!r}")
    return Html(template.format(**{name: escape(value) for name, value in values.items()}))


def has_key(key: str) -> bool:
    return key in ENGLISH


def placeholders_of(key: str, language: str) -> set[str]:
    return _placeholders(_catalogue(language).get(key, ""))
