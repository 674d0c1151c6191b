"""The OpenAPI 3.1 document, generated from the code by spectree: each API view declares its query,
body and answers as pydantic models (crm/api/schemas.py) with ``@spec.validate``, which also checks
the input before the view runs. Refused input becomes a problem (RFC 9457) in the caller's language.
"""
from flask import abort, request
from spectree import SecurityScheme, SpecTree
from spectree.models import SecureType, SecuritySchemeData

from crm import problems
from crm.api.auth import READ_METHODS
from crm.api.schemas import Problem
from crm.i18n import _

API_VERSION = "1.0.0"


def _message(error: dict) -> str:
    """The caller's language for pydantic's error kinds; our own validators' messages are already."""
    kind, context = error.get("type", ""), error.get("ctx") or {}
    if kind in ("one_line", "invalid_format"):
        return error["msg"]
    if kind == "missing":
        return _("This field is required.")
    if kind == "extra_forbidden":
        return _("Unknown field.")
    if kind == "string_too_long":
        return _("At most %(max)s characters.", max=str(context.get("max_length")))
    if kind == "string_too_short":
        return _("This field is required.") if context.get("min_length") == 1 else \
            _("At least %(min)s characters.", min=str(context.get("min_length")))
    if kind in ("int_parsing", "int_type", "int_from_float"):
        return _("Enter a whole number.")
    if kind in ("greater_than_equal", "less_than_equal", "greater_than", "less_than"):
        return _("This number is out of range.")
    if kind in ("literal_error", "enum"):
        return _("Not one of the allowed values: %(allowed)s.", allowed=str(context.get("expected", "")))
    if kind in ("bool_parsing", "bool_type"):
        return _("Enter true or false.")
    if kind == "timezone_aware":
        return _("Give the time with its offset from UTC, such as 2026-03-14T18:30:00-04:00.")
    if kind.startswith("date") or kind.startswith("datetime"):
        return _("Enter a date as YYYY-MM-DD (a time as YYYY-MM-DDTHH:MM:SS with its offset).")
    if kind in ("string_type", "list_type", "dict_type", "model_type", "model_attributes_type"):
        return _("This value is not of the expected type.")
    return _("This value is not valid.")


def field_errors(errors: list[dict], location: str) -> list[dict]:
    return [{"location": location, "field": ".".join(str(part) for part in error.get("loc", ())) or "(body)",
             "message": _message(error)} for error in errors]


# Endpoint -> check(**view_args) that loads and authorizes what the route acts on (``guarded_by``).
GUARDS: dict = {}


def guarded_by(check):
    """Input is validated before the view runs; ``check`` runs first when it is refused, so that a 422
    never tells a caller that something exists beyond their rights (they get the 404 or 403)."""

    def decorate(view):
        GUARDS[f"api.{view.__name__}"] = check
        return view

    return decorate


def refused_input(_request, _response, error, _instance, _adapter) -> None:
    """spectree's hook before the view: invalid input answers a problem, never spectree's own JSON."""
    if error is None:
        return
    guard = GUARDS.get(request.endpoint)
    if guard is not None:
        guard(**(request.view_args or {}))
    reading = request.method in READ_METHODS
    abort(problems.problem(
        400 if reading else 422,
        _("Some parameters were not understood.") if reading else _("Some values were refused."),
        code="invalid-input", errors=field_errors(error.errors(), "query" if reading else "body")))


spec = SpecTree(
    "flask",
    mode="strict",
    title="Virage API",
    version=API_VERSION,
    description="The programme's enterprises, contacts and journeys, for partners' own tools. "
                "Authenticate with a bearer token (My account, API tokens). Errors are RFC 9457 problem "
                "details in the language of Accept-Language (fr, en).",
    path="apidoc",
    page_templates={},
    before=refused_input,
    naming_strategy=lambda model: model.__name__,
    nested_naming_strategy=lambda _parent, child: child,
    validation_error_model=Problem,
    security_schemes=[SecurityScheme(name="bearer", data=SecuritySchemeData(type=SecureType.HTTP, scheme="bearer"))],
    security={"bearer": []},
)
