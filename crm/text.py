"""Text normalization for accent- and case-insensitive search and duplicate detection."""
import re
import unicodedata

_NON_WORD = re.compile(r"[^a-z0-9@._+-]+")


# The accents of Latin letters once decomposed (combining marks; U+034F, a joiner, is not one):
# removed in one pass, so that most text needs no look at each of its characters.
_LATIN_ACCENTS = re.compile("[\u0300-\u034e\u0350-\u036f]")


def fold(value: str | None) -> str:
    """'Coopérative  de Montréal' -> 'cooperative de montreal' (lowercase, no accents)."""
    if not value:
        return ""
    if value.isascii():  # nothing to decompose, no accent, no bidirectional control
        stripped = value
    else:
        stripped = _LATIN_ACCENTS.sub("", unicodedata.normalize("NFKD", strip_bidi_controls(value)))
        if not stripped.isascii():
            stripped = "".join(ch for ch in stripped if not unicodedata.combining(ch))
    return " ".join(_NON_WORD.sub(" ", stripped.casefold()).split())


def normalized_name(value: str | None) -> str:
    """Key used to spot duplicates: folded, without punctuation and legal suffixes."""
    return without_legal_noise(fold(value))


def without_legal_noise(folded: str) -> str:
    """``normalized_name`` of text already folded (``fold``), for callers that fold it once."""
    return " ".join([w for w in folded.replace(".", " ").split() if w not in _LEGAL_NOISE])


_LEGAL_NOISE = frozenset({"inc", "ltee", "ltd", "enr", "coop", "cooperative", "la", "le", "les"})


# Bidirectional formatting characters: embeddings and overrides (U+202A–U+202E), isolates
# (U+2066–U+2069), the marks (U+200E, U+200F, U+061C). Stored in a name, an override such as
# U+202E reverses whatever is shown after it on the same line ("Coop\u202eevil" shows "Coop" + "live").
# Letters of every script stay: the browser orders them without these characters.
_BIDI_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]")
# What ends a line or is not text: control characters (C0, DEL, C1: tab, line feed, carriage return,
# NEL…) and the Unicode line and paragraph separators. str.splitlines() breaks on every one of them,
# and so does Python's email package, which refuses a header that holds one.
_BREAKS = "\x00-\x1f\x7f-\x9f\u2028\u2029"
_LINE_BREAKS_AND_CONTROLS = re.compile(f"[{_BREAKS}]")
_BREAK_RUNS = re.compile(f"[ {_BREAKS}]*[{_BREAKS}][ {_BREAKS}]*")


def strip_bidi_controls(value):
    """The text without bidirectional formatting characters; anything else is returned as is."""
    if not isinstance(value, str):
        return value
    return _BIDI_CONTROLS.sub("", value)


def has_line_break_or_control(value: str | None) -> bool:
    return bool(value) and _LINE_BREAKS_AND_CONTROLS.search(value) is not None


def single_line(value):
    """One line of plain text: bidirectional controls removed, each run of line breaks and control
    characters (with the spaces around it) made one space. For values that do not come through a
    form (an import's cells, a stored row, an email header); forms refuse such text instead."""
    if not isinstance(value, str) or value.isprintable():
        # Printable text holds no control, format (bidirectional) or line-separator character.
        return value
    return _BREAK_RUNS.sub(" ", strip_bidi_controls(value))
