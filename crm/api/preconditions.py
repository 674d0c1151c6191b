"""What a change must carry: the ETag of the version read (If-Match), and no null for a field that
cannot be empty."""
from flask import abort, request

from crm import problems
from crm.i18n import _


def check_if_match(current_etag: str, changed_meanwhile: str) -> None:
    """428 without If-Match; 412 when it does not name ``current_etag`` (someone saved since)."""
    if "If-Match" not in request.headers:
        abort(problems.problem(428, _("Send the ETag of the version you read in the If-Match header."),
                               code="if-match-required"))
    if not request.if_match.contains(current_etag.strip('"')):
        abort(problems.problem(412, changed_meanwhile, code="changed-meanwhile"))


def refuse_nulls(values: dict, required) -> None:
    empty = [name for name in required if name in values and values[name] is None]
    if empty:
        abort(problems.problem(422, _("Some values were refused."), code="invalid-input", errors=[
            {"location": "body", "field": name, "message": _("This field is required.")} for name in empty]))
