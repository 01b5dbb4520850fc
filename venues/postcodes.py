"""UK postcodes: recognise, normalise (`w1d3qu` → `W1D 3QU`) and split."""

from __future__ import annotations

import re

# The Royal Mail shapes: A9, A99, AA9, AA99, A9A, AA9A outward codes, then 9AA.
_OUTCODE = r"[A-Z]{1,2}[0-9][A-Z0-9]?"
_INCODE = r"[0-9][A-Z]{2}"
_FULL = re.compile(rf"^({_OUTCODE})\s*({_INCODE})$")
_OUTCODE_ONLY = re.compile(rf"^{_OUTCODE}$")


class PostcodeError(ValueError):
    """Text that is not a UK postcode."""


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text).upper()


def normalise_postcode(text: str) -> str:
    """`w1d3qu` → `W1D 3QU`; raises PostcodeError when it is not a full postcode."""
    match = _FULL.match(_squash(text))
    if not match:
        raise PostcodeError(f"{text.strip()!r} is not a UK postcode (like W1D 3QU)")
    return f"{match.group(1)} {match.group(2)}"


def is_postcode(text: str) -> bool:
    return bool(_FULL.match(_squash(text)))


def is_outcode(text: str) -> bool:
    """A postcode district on its own, like `W1D` or `wc2h`."""
    return bool(_OUTCODE_ONLY.match(_squash(text)))


def outcode_of(postcode: str) -> str:
    """The district part of a full postcode: `W1D 3QU` → `W1D`."""
    return normalise_postcode(postcode).split(" ")[0]
