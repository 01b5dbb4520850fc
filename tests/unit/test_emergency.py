"""Emergency detection: real phrasings trigger it; ordinary night-out messages do not."""

from __future__ import annotations

import pytest

from venues.emergency import looks_like_emergency

EMERGENCIES = [
    "help",
    "HELP",
    "Help me please",
    "heeeelp",
    "hlep",
    "please help someone is following me",
    "someone is following me",
    "Someone's been following me for 10 minutes",
    "i think im being followed",
    "im being folowed",
    "my drink was spiked",
    "MY DRINK WAS SPIKED",
    "I think I've been spiked",
    "i think my friend got spikd",
    "i think someone put something in my drink",
    "i dont feel safe",
    "I don't feel safe",
    "i do not feel safe here",
    "not safe",
    "i feel unsafe",
    "im scared",
    "I'm really scared right now",
    "so frightend",
    "i was attacked",
    "been assaulted outside the club",
    "a man grabbed me",
    "some guy touched me and won't leave",
    "I'm being harassed by a group of men",
    "call the police",
    "need an ambulance",
    "my friend collapsed",
    "she's unconscious",
    "hes bleeding",
    "there's a guy with a knife",
    "emergency",
    "emergancy!!",
    "SOS",
    "999",
    "call 999",
    "i lost my friends and my phone is dying",
    "Someone is chasing me",
    "I was mugged",
    "I've been drugged",
    "i feel in danger",
    "au secours",
    "ayuda por favor",
    "Hilfe!",
    "救命",
]

ORDINARY = [
    "leicester square",
    "Lester sqare",
    "W1D 3QU",
    "wc2h",
    "51.5101, -0.1340",
    "where is open now",
    "is anywhere open near soho",
    "hello",
    "hi there",
    "thanks!",
    "thank you so much",
    "ok",
    "what time does it close",
    "covent garden",
    "Piccadilly Circus",
    "oxford street",
    "any bars still open?",
    "nearest safe haven",
    "where can I charge my phone",
    "toilets near me",
    "step free places",
    "what are the night stars",
    "how do alerts work",
    "subscribe",
    "stop",
    "good night",
    "we are walking to the station",
    "the drinks are flowing",
    "we're talking about getting food",
    "victoria station",
    "tottenham court road",
    "Marylebone high street",
    "can i get a taxi from here",
    "Mayfair",
    "🍸🍸",
    "😀",
    "1",
    "yes",
    "no",
    "what's the privacy policy",
    "is the theatre open",
    "late night pizza",
    "shared a location",
    "",
]


@pytest.mark.parametrize("message", EMERGENCIES)
def test_looks_like_emergency_recognises_real_phrasings(message: str) -> None:
    assert looks_like_emergency(message), message


@pytest.mark.parametrize("message", ORDINARY)
def test_looks_like_emergency_ignores_ordinary_messages(message: str) -> None:
    assert not looks_like_emergency(message), message


def test_looks_like_emergency_lists_are_large_enough() -> None:
    assert len(EMERGENCIES) >= 40
    assert len(ORDINARY) >= 40


def test_looks_like_emergency_handles_huge_and_odd_text() -> None:
    assert not looks_like_emergency("a" * 4096)
    assert not looks_like_emergency(None)
    assert not looks_like_emergency("مرحبا كيف حالك")
    assert looks_like_emergency("help " + "x" * 4000)
