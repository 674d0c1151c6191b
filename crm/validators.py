"""Québec and North-American formats: NEQ, postal code, phone, web address.

Each ``clean_*`` function returns the normalized value or raises ``InvalidValue`` with a
translatable message; the WTForms validators below wrap them so forms and imports share them.
"""
import re
from urllib.parse import urlsplit

from wtforms.validators import ValidationError

from crm.i18n import _l
from crm.text import has_line_break_or_control

NEQ_RE = re.compile(r"^[0-9]{10}$")
# Letters D, F, I, O, Q, U are never used; W and Z never first.
POSTAL_RE = re.compile(r"^[ABCEGHJ-NPRSTVXY]\d[ABCEGHJ-NPRSTV-Z] ?\d[ABCEGHJ-NPRSTV-Z]\d$", re.ASCII)
PHONE_EXT_RE = re.compile(r"\s*(?:ext\.?|x|poste|p\.)\s*([0-9]{1,6})\s*$", re.IGNORECASE | re.ASCII)


class InvalidValue(ValueError):
    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


def is_number(text: str | None) -> bool:
    """ASCII digits only. str.isdigit() also accepts « ² » or Arabic-Indic digits, which int() or
    secrets.compare_digest() then refuse with an exception (a 500 for whoever typed them)."""
    return bool(text) and text.isascii() and text.isdigit()


def clean_neq(value: str | None) -> str | None:
    if value is None:
        return None
    digits = re.sub(r"\s+", "", value)
    if not digits:
        return None
    if not NEQ_RE.match(digits):
        raise InvalidValue(_l("The NEQ must have exactly 10 digits."))
    return digits


def clean_postal_code(value: str | None) -> str | None:
    if value is None or not value.strip():
        return None
    compact = re.sub(r"\s+", "", value).upper()
    if not POSTAL_RE.match(compact):
        raise InvalidValue(_l("Enter a Canadian postal code such as H2X 1Y4."))
    return f"{compact[:3]} {compact[3:]}"


def clean_phone(value: str | None) -> str | None:
    """Store as +1 NNN-NNN-NNNN, with ' x123' when there is an extension."""
    if value is None or not value.strip():
        return None
    extension = None
    match = PHONE_EXT_RE.search(value)
    if match:
        extension = match.group(1)
        value = value[: match.start()]
    if re.search(r"[^0-9\s().+-]", value):
        raise InvalidValue(_l("Enter a 10-digit North-American phone number."))
    digits = re.sub(r"[^0-9]", "", value)
    if len(digits) == 11 and digits.startswith("1"):
        digits = digits[1:]
    if len(digits) != 10 or digits[0] in "01" or digits[3] in "01":
        raise InvalidValue(_l("Enter a 10-digit North-American phone number."))
    number = f"+1 {digits[:3]}-{digits[3:6]}-{digits[6:]}"
    return f"{number} x{extension}" if extension else number


def clean_url(value: str | None) -> str | None:
    if value is None or not value.strip():
        return None
    value = value.strip()
    if "://" not in value:
        value = "https://" + value
    try:
        parts = urlsplit(value)
    except ValueError:  # "coop[1].example": an IPv6 bracket left open (a 500 for whoever typed it)
        parts = None
    if parts is None or parts.scheme not in ("http", "https") or "." not in (parts.hostname or "") or " " in value:
        raise InvalidValue(_l("Enter a web address such as https://example.org."))
    return value


class Cleaned:
    """WTForms validator that normalizes ``field.data`` with one of the functions above."""

    def __init__(self, cleaner):
        self.cleaner = cleaner

    def __call__(self, form, field):
        try:
            field.data = self.cleaner(field.data)
        except InvalidValue as error:
            raise ValidationError(str(error.message)) from None


class SingleLine:
    """Refuses line breaks and control characters in a one-line field (a name, a title, a city).

    Nobody types them there; pasted, they would break what is built from the value: an email's
    subject (the mail library refuses a header with a line break), a CSV cell, a calendar entry.
    ``crm.forms.Form`` adds it to every one-line text field.
    """

    message = _l("Write this on one line, without line breaks or control characters.")

    def __call__(self, form, field):
        if isinstance(field.data, str) and has_line_break_or_control(field.data):
            raise ValidationError(str(self.message))
