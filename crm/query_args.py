"""What the address bar may say, read safely: ids in paths, page numbers, dates, query strings that
links carry along.

Anyone can type any URL: an id beyond what the database stores, ``page=99999999999999999999``,
``date=9999-12-31`` or ``?endpoint=x`` must answer a page, a translated message or a 404, never a
500 (Python's OverflowError, SQLite's "int too large", PostgreSQL's "bigint out of range",
``date + timedelta`` past year 9999, a query key that url_for() takes for one of its own arguments).
"""
from datetime import date
from urllib.parse import urlencode

from flask import Flask, abort, current_app, request, url_for
from werkzeug.routing import IntegerConverter
from wtforms.validators import ValidationError

from crm.extensions import db
from crm.i18n import _l
from crm.validators import is_number

# Every table's id is an INTEGER (PostgreSQL's int4): a larger one names no row.
MAX_ID = 2**31 - 1
# Beyond this a page number is not a page of any list (100,000 pages of 50 rows: five million).
MAX_PAGE = 100_000
# Dates read from a query string: what a calendar, a period or a log filter can mean. Outside,
# date arithmetic (the next day, the Monday before) could leave Python's years 1 to 9999.
MIN_DATE = date(1900, 1, 1)
MAX_DATE = date(2199, 12, 31)


class IdConverter(IntegerConverter):
    """``<int:…>`` in routes: an id no table can hold does not match the route (a 404)."""

    def __init__(self, map, fixed_digits=0, min=None, max=MAX_ID, signed=False):  # noqa: A002 - werkzeug's names
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


def page_number(args=None) -> int:
    """The ``page`` asked for: 1 when absent or not a positive number, a 404 beyond ``MAX_PAGE``."""
    raw = (request.args if args is None else args).get("page", "")
    if not is_number(raw):
        return 1
    if len(raw) > len(str(MAX_PAGE)) or int(raw) > MAX_PAGE:
        abort(404)
    return max(int(raw), 1)


def short_text(name: str, *, max_length: int, args=None) -> str:
    """A short text argument (a code, a name), or "" when it could not be one: longer than
    ``max_length``, or holding a NUL character, which PostgreSQL refuses in any text it compares."""
    raw = (request.args if args is None else args).get(name, "")
    return "" if len(raw) > max_length or "\x00" in raw else raw


def paginate(query, *, per_page: int):
    """``db.paginate`` at the page the query string asks for; beyond the last page (a list that got
    shorter since the link was made), the last page."""
    page = db.paginate(query, page=page_number(), per_page=per_page, error_out=False)
    if page.page > 1 and page.page > page.pages:
        page = db.paginate(query, page=max(page.pages, 1), per_page=per_page, error_out=False)
    return page


def in_supported_range(day: date | None) -> bool:
    return day is None or MIN_DATE <= day <= MAX_DATE


class SupportedDate:
    """A WTForms validator: a date between ``MIN_DATE`` and ``MAX_DATE``."""

    def __call__(self, form, field):
        if not in_supported_range(field.data):
            # Years as text: a year is no quantity, « 1 900 » would read wrong.
            raise ValidationError(_l("Enter a date between %(first)s and %(last)s.",
                                     first=str(MIN_DATE.year), last=str(MAX_DATE.year)))


def url_with_query(endpoint: str | None = None, **changes) -> str:
    """The URL of ``endpoint`` (default: this page, with its route's values) keeping this request's
    query string, where ``changes`` replace (or, with None, remove) parameters or give route values.

    The query string never goes through url_for()'s keyword arguments: a parameter named
    ``endpoint``, ``_scheme``, ``_anchor``, ``_method`` or ``_external`` would be taken for one of
    url_for()'s own (a TypeError or a BuildError: a 500), or turn the link absolute.
    """
    same = endpoint is None or endpoint == request.endpoint
    endpoint = request.endpoint if endpoint is None else endpoint
    arguments = set().union(*(rule.arguments for rule in current_app.url_map.iter_rules(endpoint)))
    route = {**((request.view_args or {}) if same else {}), **{k: v for k, v in changes.items() if k in arguments}}
    query, done = [], set()
    for key, value in request.args.items(multi=True):
        if key in arguments:
            continue
        if key not in changes:
            query.append((key, value))
        elif key not in done:
            done.add(key)
            if changes[key] is not None:
                query.append((key, changes[key]))
    query += [(k, v) for k, v in changes.items() if k not in arguments and k not in done and v is not None]
    url = url_for(endpoint, **route)
    return f"{url}?{urlencode(query)}" if query else url


def init_app(app: Flask) -> None:
    """Before the blueprints add their routes, which read the converters when they are added."""
    app.url_map.converters["int"] = IdConverter
    app.jinja_env.globals["url_with_query"] = url_with_query
