"""Keyset pagination: a page ends with a cursor naming its last row's sort key, and the next page
starts after it. Rows added or removed meanwhile shift nothing: no row is seen twice or skipped."""
import base64
import json

from flask import abort

from crm import problems
from crm.i18n import _


def encode(*key) -> str:
    return base64.urlsafe_b64encode(json.dumps(key, separators=(",", ":")).encode()).decode().rstrip("=")


MAX_INT = 2**31 - 1
MAX_TEXT = 200


def _fits(part, kind) -> bool:
    if type(part) is not kind:
        return False
    return 0 <= part <= MAX_INT if kind is int else len(part) <= MAX_TEXT


def decode(cursor: str, *types) -> tuple:
    """The key a cursor names, its parts of ``types``; a cursor not made here is a 400."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        key = json.loads(raw)
    except ValueError:
        key = None
    if not isinstance(key, list) or len(key) != len(types) or not all(
            _fits(part, kind) for part, kind in zip(key, types, strict=True)):
        abort(problems.problem(400, _("This cursor is not one this API gave."), code="invalid-cursor",
                               errors=[{"location": "query", "field": "cursor",
                                        "message": _("This cursor is not one this API gave.")}]))
    return tuple(key)
