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
    if type(value) is int:  # digits and a sign: nothing to escape (the common count)
        return Html(value)
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
    "command.language": "Choose the language NightSafe answers in",
    "command.simple": "Plain answers for screen readers (on/off)",
    "command.discreet": "Discreet mode: delete shared locations, neutral alerts (on/off)",
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
    "nearby.item": (
        "{number}. {badge} <b>{name}</b>\n   {distance} · 🚶 {minutes} min walk · {state}"
    ),
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
    "number.decimal_point": ".",
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
    # A moment after "until"/"next": translations carry their own linking word here
    # ("hasta las 04:00", "hasta el sáb a las 22:00"), since it differs with a day.
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
    "command.myvenue": "Your venue tonight: open, closed, hours (venue staff)",
    "command.reports": "Problems people reported with venues (staff)",
    "command.accredit": "See or set a venue's accreditation expiry dates (staff)",
    # registration: the questions, in order
    "registration.intro": (
        "📝 <b>Register your venue with {partnership}</b>\n"
        "A few questions, about three minutes. Nothing is saved until you confirm at the "
        "end; send /cancel at any time to stop."
    ),
    "registration.ask.name": "🏷 What is the venue called, as people know it?",
    "registration.ask.where": (
        "📍 Where is it? Share its location (📎 → Location), or type its postcode, "
        "street or a landmark next to it."
    ),
    "registration.ask.where_choose": "Which of these is nearest the venue?",
    "registration.ask.where_confirm": "Is the pin above at the venue (or right next to it)?",
    "registration.approximate": (
        "That's the middle of the {district} postcode district, not the exact spot: "
        "if it's not close enough, tap No and share the location instead."
    ),
    "registration.ask.address": (
        "📫 What is the venue's street address, as people should see it? Include the "
        "postcode if you can, like <i>12 Greek Street, London W1D 4DH</i>."
    ),
    "registration.ask.kind": (
        "What kind of place is it?\n"
        "🛡️ <b>Safe Haven</b>: takes in anyone who feels unsafe, at set hours.\n"
        "✅ <b>Accredited venue</b>: a licensed venue whose staff are trained under a scheme."
    ),
    "registration.ask.schemes": (
        "🏅 Which schemes is the venue accredited under? Tap each one, then Done."
    ),
    "registration.ask.expiry": (
        "📅 When does the venue's <b>{scheme}</b> accreditation expire? Type the last day, "
        "like <i>{example}</i>, or tap “No expiry date”."
    ),
    "registration.ask.facilities": (
        "What can people who need help find there? Tap each one that applies, then Done."
    ),
    "registration.ask.languages": (
        "🗣 Which languages do the staff speak? Tap each one, then Done. "
        "For another language, type its name."
    ),
    "registration.ask.hours": (
        "🕘 When is it open? Tap a usual pattern, or type the hours in OpenStreetMap style:\n"
        "<code>Fr,Sa 22:00-04:00</code> — Friday and Saturday nights\n"
        "<code>Mo-Th 17:00-24:00; Fr,Sa 17:00-03:00</code> — different nights\n"
        "<code>24/7</code> — always open"
    ),
    "registration.ask.phone": (
        "☎️ Which number can people call the venue on? A UK number, like <i>020 7946 0000</i>."
    ),
    "registration.ask.applicant_name": (
        "Nearly done. What is <b>your</b> name? The partnership uses it only to review "
        "this registration."
    ),
    "registration.ask.applicant_role": (
        "And your role at the venue (for example manager, duty manager, door supervisor)?"
    ),
    "registration.summary": "<b>Please check the registration</b>\n\n{details}\n\nIs it all right?",
    "registration.ask.edit": "Which part do you want to change?",
    # registration: the summary's (and the review card's) lines
    "registration.line.name": "🏷 <b>{value}</b>",
    "registration.line.kind": "{value}",
    "registration.line.address": "📫 {value}",
    "registration.line.position": '📍 <a href="{url}">{latitude}, {longitude}</a>',
    "registration.line.schemes": "🏅 {value}",
    "registration.line.scheme_expiry": "{scheme} (until {date})",
    "registration.line.no_facilities": "No facilities listed",
    "registration.line.hours": "🕘 <code>{value}</code>",
    "registration.line.phone": "☎️ {value}",
    "registration.line.applicant": "👤 {name}, {role}",
    # registration: buttons
    "registration.button.yes": "✅ Yes, that's it",
    "registration.button.no": "❌ No, try again",
    "registration.button.done": "Done ✔",
    "registration.button.on": "✓ {label}",
    "registration.button.no_expiry": "No expiry date",
    "registration.button.confirm": "✅ Confirm and send",
    "registration.button.edit": "✏️ Edit a field",
    "registration.button.cancel": "✖️ Cancel",
    "registration.button.back": "↩️ Back to the summary",
    "registration.preset.fri_sat": "Fri and Sat 22:00–04:00",
    "registration.preset.thu_sat": "Thu–Sat 21:00–03:00",
    "registration.preset.every_night": "Every night 18:00–02:00",
    "registration.preset.always": "Always open (24/7)",
    "registration.field.name": "Venue name",
    "registration.field.where": "Location",
    "registration.field.address": "Address",
    "registration.field.kind": "Kind",
    "registration.field.schemes": "Schemes",
    "registration.field.facilities": "Facilities",
    "registration.field.languages": "Languages",
    "registration.field.hours": "Opening hours",
    "registration.field.phone": "Phone",
    "registration.field.applicant_name": "Your name",
    "registration.field.applicant_role": "Your role",
    # registration: bad input (each is followed by the same question again)
    "registration.bad.name_empty": "The name needs at least one letter or number.",
    "registration.bad.name_long": "That's {length} characters; a name can have at most {limit}.",
    "registration.bad.where_not_found": (
        "I couldn't find that place. Try the postcode (like <i>W1D 3QU</i>) or the street, "
        "or share the location."
    ),
    "registration.bad.where_outside": (
        "That's outside the area {partnership} covers, so a venue there can't be listed."
    ),
    "registration.bad.where_unreadable": "I couldn't read that location. Please share it again.",
    "registration.bad.too_long": "That's too long: at most {limit} characters, please.",
    "registration.bad.address": (
        "Please type the street address, between {low} and {high} characters, with a letter "
        "or two in it."
    ),
    "registration.bad.schemes_none": "Choose at least one scheme first.",
    "registration.bad.date": (
        "I couldn't read that date. Type it as day/month/year, like {example}."
    ),
    "registration.bad.date_past": (
        "That day has already passed. If the accreditation has lapsed, renew it first; "
        "otherwise type the day it ends."
    ),
    "registration.bad.date_far": "That's more than {years} years away: please check the year.",
    "registration.bad.language": (
        "Type a language's name in letters, like <i>Portuguese</i> (at most {limit} characters)."
    ),
    "registration.bad.languages_full": "That's the most languages one venue can list ({limit}).",
    "registration.bad.hours": "I couldn't read those opening hours. {problem}",
    "registration.bad.hours_never_open": (
        "With those hours the venue is never open, so it would never be shown. "
        "Type the hours it is open."
    ),
    "registration.bad.phone": (
        "That isn't a UK phone number. Type it like <i>020 7946 0000</i> or <i>07700 900123</i>."
    ),
    "registration.bad.person": "Please type it in words (at most {limit} characters).",
    "registration.bad.button": "Please use the buttons under the question.",
    "registration.bad.text_or_location": "Please type the answer or share a location.",
    "registration.bad.type_answer": "Please type the answer.",
    "hours.problem.day_names": (
        "Write days with two letters: Mo Tu We Th Fr Sa Su (so <code>Fr,Sa</code>, "
        "not <i>Fri,Sat</i>)."
    ),
    "hours.problem.time_format": (
        "Write each time with a colon and two digits, like <code>22:00-04:00</code>."
    ),
    "hours.problem.time_range": (
        "Times run from 00:00 to 24:00; past midnight, write the time on the clock, "
        "like <code>22:00-04:00</code>."
    ),
    "hours.problem.trailing": (
        "Something is missing at the end: remove the last <code>;</code> or <code>,</code>."
    ),
    "hours.problem.words": (
        "Start with the days, then the times, like <code>Fr,Sa 22:00-04:00</code>."
    ),
    "hours.problem.at": "It stops making sense here: <code>{rest}</code>",
    # registration: how it ends
    "registration.cancelled": (
        "Registration cancelled: nothing was saved. /register to start again."
    ),
    "registration.timed_out": (
        "⏳ Your venue registration stopped because there was no answer for a while. "
        "Nothing was saved: send /register to start again."
    ),
    "registration.too_many_pending": (
        "You already have {count} registrations waiting for review. You'll hear about them "
        "here: please wait for a decision before sending another."
    ),
    "registration.submitted": (
        "📨 Thank you! <b>{name}</b> has been sent to {partnership} for review. It is not "
        "shown to the public until it is approved; you'll get the decision here."
    ),
    "registration.stale_button": "That registration is over. Send /register to start again.",
    # review by partnership staff
    "review.card_new": "🆕 <b>New venue to review</b> · application {application}",
    "review.card_change": "✏️ <b>Change of place or kind to review</b> · application {application}",
    "review.change_from": "Now listed as:\n{details}",
    "review.change_to": "Asked for:\n{details}",
    "review.submitted": "Sent {when}",
    "review.applicant": "👤 {name}, {role}",
    "review.applicant_forgotten": "👤 The applicant asked NightSafe to forget their details.",
    "review.button.approve": "✅ Approve",
    "review.button.reject": "❌ Reject",
    "review.decided.approved": "✅ Approved by {reviewer}, {when}.",
    "review.decided.rejected": "❌ Rejected by {reviewer}, {when}. Reason: {reason}",
    "review.answer.approved": "Approved: it is live now.",
    "review.answer.already_approved": "Already approved by {reviewer}: nothing more to do.",
    "review.answer.already_rejected": (
        "Already rejected by {reviewer}, so it can't be approved now. The venue can register again."
    ),
    "review.answer.already_rejected_plain": "Already rejected by {reviewer}: nothing more to do.",
    "review.answer.gone": "That application no longer exists.",
    "review.ask_reason": (
        "Why is <b>{name}</b> not approved? Your words go to the applicant as you write them. "
        "/cancel to leave it waiting."
    ),
    "review.bad_reason": "Please type the reason in words, at most {limit} characters.",
    "review.reason_cancelled": "Not rejected: it is still waiting for review.",
    "review.rejected_done": "❌ Rejected. The applicant has been told why.",
    "review.already_decided_reason": (
        "It was decided in the meantime ({decision}), so your reason was not sent."
    ),
    "review.status.approved": "approved by {reviewer}",
    "review.status.rejected": "rejected by {reviewer}",
    "review.pending_none": "✅ Nothing is waiting for review.",
    "review.pending_title": "📋 <b>{count} waiting for review</b>, oldest first:",
    "review.pending_more": "…and {count} more: decide these first.",
    "review.applicant_approved": (
        "🎉 <b>{name}</b> is approved and now listed with {partnership}. You're linked as its "
        "staff: send /myvenue each night to say whether it's open, or if its hours change. "
        "Its QR-code poster comes next: print it and put it where people can see it."
    ),
    "review.applicant_change_approved": (
        "✅ The change to <b>{name}</b> is approved and shown to the public now."
    ),
    "review.applicant_rejected": (
        "Sorry: <b>{name}</b> was not approved by {partnership}. Their reason: {reason}\n"
        "Once that's sorted you can /register again."
    ),
    "review.applicant_change_rejected": (
        "The change to <b>{name}</b> was not approved. Reason: {reason}\n"
        "The venue stays listed as it was."
    ),
    "poster.caption": (
        "🖨 The poster for <b>{name}</b>. Scanning it opens NightSafe and shows whether the "
        "venue is current: {link}"
    ),
    "poster.scan": "Scan to check this venue is a current NightSafe venue",
    # accreditation expiry
    "accredit.usage": (
        "Send <code>/accredit VENUE_ID</code> to see a venue's accreditations, or "
        "<code>/accredit VENUE_ID SCHEME DATE</code> to set when one expires "
        "(DATE like <code>31/03/2027</code>, or <code>none</code>). Schemes: {schemes}"
    ),
    "accredit.unknown_venue": "There is no venue {venue}.",
    "accredit.unknown_scheme": "{scheme} isn't one of the partnership's schemes: {schemes}",
    "accredit.title": "🏅 <b>{name}</b> (venue {venue}) · {status}",
    "accredit.line": "• {scheme}: {until}",
    "accredit.none": "No accreditations recorded.",
    "accredit.no_expiry": "no expiry date",
    "accredit.until": "until {date}",
    "accredit.expired": "expired {date}",
    "accredit.set": "✅ {scheme} for {name}: {until}.",
    "accredit.relisted": "🟢 {name} is listed again.",
    "expiry.reminder": (
        "📅 The <b>{scheme}</b> accreditation of <b>{name}</b> ends on {date}, in {days} days. "
        "Renew it and ask {partnership} to update the date, so the venue stays listed."
    ),
    "expiry.expired_staff": (
        "⚠️ The <b>{scheme}</b> accreditation of <b>{name}</b> ended on {date}, so it is "
        "no longer shown."
    ),
    "expiry.unlisted_staff": (
        "<b>{name}</b> has no current accreditation left, so it is no longer listed. "
        "Once renewed, ask {partnership} to update the date."
    ),
    "expiry.expired_partnership": (
        "📅 {name} (venue {venue}): the {scheme} accreditation ended on {date}."
    ),
    "expiry.unlisted_partnership": (
        "{name} (venue {venue}) has no current accreditation left and is no longer listed. "
        "<code>/accredit {venue}</code> to see it."
    ),
    # venue staff: /myvenue
    "myvenue.none": (
        "You aren't linked to a venue yet. Register one with /register: once the "
        "partnership approves it, it shows here."
    ),
    "myvenue.card": "{badge} <b>{name}</b>\n{listing}\nNow: {state}\n🕘 <code>{hours}</code>",
    "myvenue.listing.active": "🟢 Listed on NightSafe",
    "myvenue.listing.pending": "⏳ Waiting for review",
    "myvenue.listing.suspended": "⛔ Not listed at the moment: please contact the partnership",
    "myvenue.listing.rejected": "Not approved",
    "myvenue.change_waiting": "✏️ A change of place or kind is waiting for review.",
    "myvenue.button.open": "✅ Open as usual tonight",
    "myvenue.button.closed": "🚫 Closed tonight",
    "myvenue.button.hours": "🕘 Hours changed",
    "myvenue.button.card": "👁 See the public card",
    "myvenue.button.moved": "📍 Moved or changed kind",
    "myvenue.button.poster": "🖨 Poster",
    "myvenue.poster_not_listed": "The poster is for listed venues: this one isn't listed now.",
    "myvenue.button.same_place": "Same place",
    "myvenue.button.same_kind": "Same as now",
    "myvenue.opened": "✅ {name} is shown as open as usual.",
    "myvenue.closed": "🚫 {name} is shown as closed until {until}: nobody is sent there tonight.",
    "myvenue.ask_hours": (
        "New opening hours for <b>{name}</b>? Now: <code>{hours}</code>\n"
        "Tap a usual pattern or type them, like <code>Fr,Sa 22:00-04:00</code>. "
        "/cancel to keep them."
    ),
    "myvenue.hours_saved": "🕘 Saved: {name} now opens <code>{hours}</code>.",
    "myvenue.unchanged": "Nothing changed.",
    "myvenue.ask_where": (
        "Where is <b>{name}</b> now? Share its location, type its postcode or street, "
        "or tap “Same place”."
    ),
    "myvenue.ask_kind": "What kind of place is <b>{name}</b> now?",
    "myvenue.change_submitted": (
        "📨 Sent for review. {name} stays listed as it is until the partnership approves "
        "the change."
    ),
    "myvenue.change_nothing": "That's the same as now, so there is nothing to review.",
    "myvenue.change_already_waiting": "A change to this venue is already waiting for review.",
    "myvenue.role": "venue staff",
    "myvenue.not_listed_yet": "It is still waiting for review: a change can wait until then.",
    "myvenue.timed_out": "⏳ No answer for a while, so nothing was changed. /myvenue to try again.",
    # reports from the public
    "report.button": "⚠️ Report a problem with this place",
    "report.ask_category": "What's wrong with <b>{name}</b>?\n(In danger now? Call {emergency}.)",
    "report.category.closed": "Closed when it should be open",
    "report.category.unhelpful": "Staff did not help",
    "report.category.unsafe": "Not a safe place",
    "report.category.other": "Something else",
    "report.ask_words": (
        "In your own words, what happened? Please leave out people's names and contact "
        "details. Or tap “Send without words”."
    ),
    "report.button.no_words": "Send without words",
    "report.bad_words": "Please keep it to words, at most {limit} characters.",
    "report.thanks": (
        "🙏 Thank you. {partnership} will look into it. Where you are is never stored "
        "with a report."
    ),
    "report.cancelled": "Report cancelled: nothing was sent.",
    "report.timed_out": "Your report wasn't finished, so nothing was sent.",
    "report.too_many": (
        "You've sent several reports today: thank you. Please try again tomorrow, "
        "or contact {partnership} directly."
    ),
    "report.staff_notice": (
        "⚠️ New report about <b>{name}</b> (venue {venue}): {category}. "
        "Open reports for it: {count}. /reports to see them."
    ),
    "reports.none": "✅ No open reports.",
    "reports.title": "⚠️ <b>Open reports</b>, most first:",
    "reports.venue_line": "<b>{name}</b> (venue {venue}) · {listing} · {count}: {categories}",
    "reports.button.view": "{name} ({count})",
    "reports.venue_title": "⚠️ <b>Reports about {name}</b> (venue {venue}) · {listing}",
    "reports.item": "• {when} · {category}",
    "reports.item_words": "• {when} · {category}\n   “{words}”",
    "reports.none_open": "No open reports for it.",
    "reports.button.suspend": "⛔ Suspend the venue",
    "reports.button.reinstate": "🟢 List it again",
    "reports.button.reviewed": "✔ Mark reports reviewed",
    "reports.answer.suspended": "Suspended: it is no longer shown, and its staff were told.",
    "reports.answer.not_listed": "It isn't listed at the moment, so there is nothing to suspend.",
    "reports.answer.reinstated": "Listed again; its staff were told.",
    "reports.answer.not_suspended": "It isn't suspended, so there is nothing to undo.",
    "reports.answer.reviewed": "Marked as reviewed.",
    "reports.suspended_staff": (
        "⛔ {partnership} has suspended <b>{name}</b> after reports from the public, so it is "
        "no longer shown. Please contact the partnership."
    ),
    "reports.reinstated_staff": "🟢 <b>{name}</b> is listed on NightSafe again.",
    # --- broadcast (issue 5): keys of the broadcast chat and delivery reports ----------------
    "command.broadcasts": "Recent alerts and how their delivery went (staff)",
    # What recipients see (rendered per recipient at send time; previews use the same).
    "broadcast.message.header": "⚠️ <b>Safety alert</b> · {partnership}",
    "broadcast.message.header_urgent": "🚨 <b>URGENT safety alert</b> · {partnership}",
    "broadcast.message.where": "📍 {zones} · until {until}",
    "broadcast.message.footer": "/alerts shows every current alert.",
    "broadcast.message.all_clear": (
        "✅ <b>All clear</b> · {partnership}\nThis alert is over:\n<i>{excerpt}</i>"
    ),
    "broadcast.everywhere": "All areas",
    # The staff's guided chat.
    "broadcast.ask_text": (
        "📣 <b>New safety alert</b>\nType the alert as people should read it "
        "(at most {limit} characters). /cancel stops at any step."
    ),
    "broadcast.text_expected": "Please type the alert's text, or /cancel.",
    "broadcast.text_too_long": (
        "That's {length} characters; an alert can have at most {limit}. Please shorten it."
    ),
    "broadcast.preview": "👁 Preview — the next message is exactly what people will see:",
    "broadcast.ask_audience": "Who should get it?",
    "broadcast.audience.public": "🔔 Public subscribers",
    "broadcast.audience.venues": "🏠 Venue staff",
    "broadcast.audience.both": "👥 Both",
    "broadcast.ask_zones": "Where does it apply? Tap one or more areas, then Done — or Everywhere.",
    "broadcast.zones.everywhere": "🌍 Everywhere",
    "broadcast.zones.on": "✓ {zone}",
    "broadcast.zones.done": "Done",
    "broadcast.zones.nothing": "Choose at least one area, or Everywhere.",
    "broadcast.ask_priority": (
        "How urgent is it? Urgent alerts also reach people during their quiet hours."
    ),
    "broadcast.priority.normal": "Normal",
    "broadcast.priority.urgent": "🚨 Urgent",
    "broadcast.ask_expiry": (
        "Until when does it apply? After that it leaves /alerts and is not sent any more."
    ),
    "broadcast.expiry.2h": "2 hours",
    "broadcast.expiry.6h": "6 hours",
    "broadcast.expiry.0600": "Until 06:00",
    "broadcast.expiry.24h": "24 hours",
    "broadcast.confirm": (
        "<b>Ready to send?</b>\nTo: {audience}\nWhere: {zones}\nPriority: {priority}\n"
        "Until: {until}\n\nRecipients: <b>{people}</b> "
        "({subscribers} subscribers, {venue_staff} venue staff)."
    ),
    "broadcast.confirm_waiting": "🌙 In their quiet hours, so getting it when those end: {waiting}",
    "broadcast.confirm_missed": (
        "⌛ In quiet hours until after it expires, so not getting it: {missed}"
    ),
    "broadcast.confirm_channel": "📢 It is also posted to the channel {channel}.",
    "broadcast.confirm_paid": (
        "⚡ Fast paid delivery would cost about {stars} ⭐ ({left} ⭐ of the budget left)."
    ),
    "broadcast.confirm_nobody": (
        "Nobody would get it: no one has subscribed to those areas or works there. "
        "Sending still lists it in /alerts."
    ),
    "broadcast.button.send": "📣 Send",
    "broadcast.button.send_paid": "⚡ Send fast (paid)",
    "broadcast.button.cancel": "✖ Cancel",
    "broadcast.paid_refused": (
        "⚡ Paid delivery refused: it would cost about {stars} ⭐ and only {left} ⭐ of the "
        "{budget} ⭐ budget is left. Send it at the normal rate, or /cancel."
    ),
    "broadcast.paid_off": "Paid delivery isn't switched on.",
    "broadcast.cancelled_draft": "Cancelled. Nothing was sent.",
    "broadcast.timed_out": (
        "The alert you were writing timed out, so nothing was sent. /broadcast to start again."
    ),
    "broadcast.use_buttons": "Please use the buttons above, or /cancel.",
    "broadcast.answered": "{question}\n<b>→ {choice}</b>",
    # Progress, report, the list, cancelling and the all clear.
    "broadcast.progress": (
        "📣 <b>Alert #{number}</b> — sending: {handled} of {total} done\n"
        "✅ {delivered} delivered · 🚫 {blocked} blocked · ⚠️ {failed} failed"
    ),
    "broadcast.progress_waiting": "🌙 {waiting} wait for their quiet hours to end.",
    "broadcast.progress_finished": "📣 <b>Alert #{number}</b> — finished: {delivered} delivered.",
    "broadcast.progress_cancelled": "📣 <b>Alert #{number}</b> — cancelled.",
    "broadcast.report": (
        "📣 <b>Alert #{number}: delivery report</b>\n"
        "✅ Delivered: {delivered}\n"
        "🚫 Blocked the bot (unsubscribed): {blocked}\n"
        "⚠️ Failed: {failed}\n"
        "❔ Ambiguous (may have arrived): {ambiguous}\n"
        "⏱ Took {duration}"
    ),
    "broadcast.report_not_found": "❓ Chat not found: {count}",
    "broadcast.report_waiting": "🌙 Waiting for quiet hours to end: {count}",
    "broadcast.report_skipped": "⌛ Not sent, the alert ended first: {count}",
    "broadcast.report_cancelled": "⏹ Cancelled before sending: {count}",
    "broadcast.report_channel": "📢 Channel: {state}",
    "broadcast.channel.delivered": "posted",
    "broadcast.channel.pending": "waiting",
    "broadcast.channel.sending": "posting",
    "broadcast.channel.other": "not posted",
    "broadcast.duration_seconds": "{seconds} s",
    "broadcast.duration_minutes": "{minutes} min {seconds} s",
    "broadcast.button.stop": "⏹ Cancel sending",
    "broadcast.button.all_clear": "✅ All clear for #{number}",
    "broadcast.button.all_clear_send": "✅ Send the all clear",
    "broadcast.stopped": "⏹ Sending alert #{number} was cancelled. Messages not sent: {dropped}",
    "broadcast.not_running": (
        "Alert #{number} isn't sending any more, so there's nothing to cancel."
    ),
    "broadcast.all_clear_confirm": (
        "Send an all clear for alert #{number} to everyone it reached ({people})? "
        "The alert then leaves /alerts."
    ),
    "broadcast.all_clear_exists": "Alert #{number} already has an all clear.",
    "broadcast.all_clear_nobody": "Alert #{number} reached nobody, so there's no one to tell.",
    "broadcast.unknown": "That alert doesn't exist any more.",
    "broadcast.list_title": "📣 <b>Recent alerts</b>",
    "broadcast.list_item": "<b>#{number}</b> · {when} · {status}\n<i>{excerpt}</i>\n{figures}",
    "broadcast.list_figures": "✅ {delivered} of {total} delivered · 🚫 {blocked} · ⚠️ {failed}",
    "broadcast.list_none": "No alerts have been sent yet. /broadcast sends one.",
    "broadcast.status.sending": "sending",
    "broadcast.status.done": "sent",
    "broadcast.status.cancelled": "cancelled",
    "broadcast.status.all_clear": "all clear for #{number}",
    # Subscribers' quiet hours (/subscribe).
    "quiet.ask": "🌙 Quiet hours? Normal alerts wait until they end; urgent ones come at once.",
    "quiet.off": "No quiet hours",
    "quiet.range": "{start}–{end}",
    "quiet.set": "🌙 Quiet hours {start}–{end}: urgent alerts still come at once.",
    "quiet.cleared": "🔔 No quiet hours: alerts come as they happen.",
    # --- live location, inline mode, settings (issue 7) -------------------------------------
    "settings.language_choose": "🌐 Choose the language NightSafe answers in:",
    "settings.language_auto": "Automatic (as my Telegram app)",
    "settings.language_set": "🌐 NightSafe will answer in {name}. /language to change it.",
    "settings.language_automatic": (
        "🌐 NightSafe will answer in your Telegram app's language when it can ({name} now)."
    ),
    "settings.simple_on": (
        "Simple answers are on: plain text, no icons and no buttons under answers. "
        "Send /simple again to turn them off."
    ),
    "settings.simple_off": "Simple answers are off: answers have icons and buttons again.",
    "settings.discreet_on": (
        "🤫 Discreet mode is on: after answering I delete the location or place you sent, "
        "and safety alerts arrive with a neutral first line. Send /discreet to turn it off."
    ),
    "settings.discreet_off": "Discreet mode is off.",
    "simple.link": "{label}: {url}",
    "discreet.alert_heading": "NightSafe: a new message for you",
    # Each language's own name for itself, shown in the language picker.
    "language_name.en": "English",
    "language_name.fr": "Français",
    "language_name.es": "Español",
    "language_name.de": "Deutsch",
    "language_name.it": "Italiano",
    "language_name.pt": "Português",
    "language_name.pl": "Polski",
    "language_name.ar": "العربية",
    "language_name.zh": "中文",
    "live.following": "📡 <i>Live: this list follows you while you share your live location.</i>",
    "live.stopped": "⏹ <i>Live updates stopped. Share your location again for a fresh list.</i>",
    # Inline mode (@bot in any chat): titles, descriptions and buttons are plain text.
    "inline.title": "{name}",
    "inline.description": "{badge} · {distance} away · {state}",
    "inline.far_description": "{badge} · nearest open place, {distance} away · {state}",
    "inline.checked_at": "🕘 <i>Checked on NightSafe on {day} at {time}.</i>",
    "inline.none_open_title": "Nothing on NightSafe's list is open right now",
    "inline.none_open_description": "In an emergency call {emergency_number}.",
    "inline.emergency_title": "🆘 In danger now? Call {emergency_number}",
    "inline.emergency_description": "What to do now: tap to share this guidance.",
    "inline.button.share_location": "📍 Share your location with the bot",
    "inline.button.not_found": "🔎 Place not found: try a street, station or postcode",
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


@cache
def available_languages() -> tuple[str, ...]:
    found = sorted(path.stem for path in LOCALES_DIR.glob("*.toml"))
    return (DEFAULT_LANGUAGE, *(lang for lang in found if lang != DEFAULT_LANGUAGE))


@cache
def _language_for_code(code: str) -> str:
    base = code.lower().replace("_", "-").split("-")[0]
    return base if base in available_languages() else DEFAULT_LANGUAGE


def language_for(code: str | None) -> str:
    """The catalogue language for a Telegram `language_code` (`pt-br` → `pt`)."""
    if not code:
        return DEFAULT_LANGUAGE
    return _language_for_code(code)


def t(key: str, language: str | None = None, /, **values: object) -> Html:
    """The text for `key` in `language` (English when untranslated), values escaped."""
    if not values:
        return _fixed(key, language_for(language))
    return Html(_template(key, language_for(language)).format_map(_escaped(values)))


def _template(key: str, language: str) -> str:
    template = _catalogue(language).get(key)
    if template is None:
        raise KeyError(f"no text with key {key!r}")
    return template


def _escaped(values: dict[str, object]) -> dict[str, Html]:
    return {name: escape(value) for name, value in values.items()}


@cache
def _fixed(key: str, language: str) -> Html:
    """A text without values, formatted once (`{{` still becomes `{`): answers use the
    same labels, badges and weekdays again and again."""
    return Html(_template(key, language).format())


def has_key(key: str) -> bool:
    return key in ENGLISH


def placeholders_of(key: str, language: str) -> set[str]:
    return _placeholders(_catalogue(language).get(key, ""))
