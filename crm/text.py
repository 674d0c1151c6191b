"""Text normalization for accent- and case-insensitive search and duplicate detection."""
import re
import unicodedata

_NON_WORD = re.compile(r"[^a-z0-9@._+-]+")


def fold(value: str | None) -> str:
    """'Coopérative  de Montréal' -> 'cooperative de montreal' (lowercase, no accents)."""
    if not value:
        return ""
    decomposed = unicodedata.normalize("NFKD", value)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(_NON_WORD.sub(" ", stripped.casefold()).split())


def normalized_name(value: str | None) -> str:
    """Key used to spot duplicates: folded, without punctuation and legal suffixes."""
    words = [w for w in fold(value).replace(".", " ").split() if w not in _LEGAL_NOISE]
    return " ".join(words)


_LEGAL_NOISE = frozenset({"inc", "ltee", "ltd", "enr", "coop", "cooperative", "la", "le", "les"})
