"""Does a message read like an emergency? Safety first: such messages are answered
with what to do now before anything else.

The detector errs on the side of safety (a false alarm costs one extra reply; a
miss can cost far more), but ordinary night-out messages — place names, "where
is open", thanks — must not trigger it. Typos are tolerated by fuzzy matching
of longer words; short words are matched through their common misspellings.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from rapidfuzz import fuzz, process

# Phrases that are an emergency on their own, matched on the normalised text
# (lower case, accents and punctuation removed, repeated letters squeezed).
_PHRASES = (
    r"\b(?:h+e+l+p+|halp|hlep|hepl)\b(?! (?:desk|page|menu|command)\b)",
    r"\bsos\b",
    r"\bmayday\b",
    r"\b(?:999|112|911)\b",
    r"\bemergen\w*",
    r"\bspik(?:e|ed|d|ing)\b",
    r"\b(?:drugged|roofied|roofies|rohypnol|ghb)\b",
    r"\bsomething in my drink\b",
    r"\b(?:follow(?:ed|ing)|folow(?:ed|ing)|followin)\b(?: me| us| my)?",
    r"\b(?:stalk(?:ed|ing)|chas(?:ed|ing) me|grabbed me|touched me)\b",
    r"\b(?:attack(?:ed|ing)?|assault(?:ed)?|rap(?:ed|e)|grop(?:ed|ing)|harass(?:ed|ing)?)\b",
    r"\b(?:not|dont|don t|do not|never) (?:feel )?(?:safe|ok|okay)\b",
    r"\bunsafe\b",
    r"\b(?:scared|scarred|afraid|frightened|terrified|panick?ing)\b",
    r"\bin danger\b",
    r"\b(?:threaten(?:ed|ing)?|knife|stabbed|gun|weapon)\b",
    r"\b(?:hurt|injured|bleeding|unconscious|collapsed|passed out|overdos\w*|cant breathe)\b",
    r"\b(?:police|ambulance|paramedics?)\b",
    r"\b(?:mugged|robbed|kidnap\w*)\b",
    r"\bget (?:me )?out of here\b",
    r"\b(?:lost|cant find) my (?:friend|friends|mate|mates)\b",
    # A few other languages, for visitors: help / danger.
    r"\b(?:au secours|aidez moi|ayuda|socorro|hilfe|aiuto|pomocy|ratunku)\b",
    r"(?:救命|帮帮我|النجدة|ساعدني)",
)
_PATTERN = re.compile("|".join(f"(?:{phrase})" for phrase in _PHRASES))

# Longer alarm words, matched fuzzily word by word so that typos still count.
_FUZZY_WORDS = (
    "emergency",
    "spiked",
    "following",
    "followed",
    "attacked",
    "assaulted",
    "harassed",
    "frightened",
    "terrified",
    "threatened",
    "unconscious",
    "collapsed",
    "bleeding",
    "ambulance",
    "police",
    "drugged",
    "scared",
    "danger",
)
# Real words a typo-tolerant match would otherwise take for an alarm word.
_ORDINARY_LOOKALIKES = frozenset(
    {
        "flowing",
        "talking",
        "walking",
        "attached",
        "breeding",
        "anger",
        "dancer",
        "ranger",
        "polite",
        "policy",
        "shared",
        "sacred",
        "dragged",
        "collected",
        "sleeping",
        "spicy",
    }
)
_FUZZY_THRESHOLD = 87
_MIN_FUZZY_LENGTH = 5
_MAX_CHECKED_LENGTH = 1000  # an emergency is said in a few words; bound the work


def _normalise(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    stripped = stripped.replace("'", "").replace("’", "")
    words = re.sub(r"[^\w\s]", " ", stripped)
    # "heeelp" → "heelp": squeeze runs of three or more of the same letter.
    squeezed = re.sub(r"([^\W\d_])\1{2,}", r"\1\1", words)
    return re.sub(r"\s+", " ", squeezed).strip()


@lru_cache(maxsize=4096)
def _fuzzy_hit(word: str) -> bool:
    if len(word) < _MIN_FUZZY_LENGTH or word.isdigit() or word in _ORDINARY_LOOKALIKES:
        return False
    best = process.extractOne(word, _FUZZY_WORDS, scorer=fuzz.ratio)
    return best is not None and best[1] >= _FUZZY_THRESHOLD


def looks_like_emergency(text: str | None) -> bool:
    """True when the message reads like someone needs help now."""
    if not text:
        return False
    normalised = _normalise(text[:_MAX_CHECKED_LENGTH])
    if not normalised:
        return False
    if _PATTERN.search(normalised):
        return True
    return any(_fuzzy_hit(word) for word in normalised.split())
