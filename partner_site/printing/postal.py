"""A French postal address, laid out as La Poste reads it (NF Z 10-011).

At most six lines of at most 38 characters, no blank line, the last one being the postcode and
the locality in capitals without accents or punctuation.
"""
import re
import unicodedata

from ..domain.communes import commune

MAX_LINES, MAX_CHARS = 6, 38


def plain_capitals(text: str) -> str:
    """Return `text` in capitals without accents, hyphens or apostrophes (line 6 of an address)."""
    bare = "".join(ch for ch in unicodedata.normalize("NFKD", text) if not unicodedata.combining(ch))
    return re.sub(r"[\s\-'’]+", " ", bare).upper().strip()


def recipient_name(civility: str, first_name: str, last_name: str) -> str:
    return " ".join(part for part in (civility, first_name, last_name.upper()) if part)


def address_lines(request) -> list[str]:
    """Return the address block of a beneficiary request, line 1 to line 6, blank lines dropped."""
    place = commune(request.commune_insee)
    locality = plain_capitals(place.name if place else "")
    lines = [recipient_name(request.civility, request.first_name, request.last_name), request.address_recipient,
             request.address_building, request.address_street, request.address_place,
             f"{request.postcode} {locality}".strip()]
    return [line[:MAX_CHARS] for line in lines if line and line.strip()][:MAX_LINES]
