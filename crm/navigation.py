"""Main navigation: each feature answers ``signals.menu_items`` with its entries
(``crm.contributions.MenuItem``); the header shows those the person may use (``shown_to``, a
predicate of crm/access.py)."""
from flask import Flask, request, url_for
from flask_login import current_user

from crm import signals


def nav_items() -> list[dict]:
    if not current_user.is_authenticated:
        return []
    items = sorted((item for item in signals.answers(signals.menu_items) if item.shown_to(current_user)),
                   key=lambda item: (item.order, item.endpoint))
    active_prefix = (request.endpoint or "").split(".")[0]
    # The entry of this very page; else the first entry of the page's blueprint (a blueprint may
    # have several entries: only one of them is current).
    current = next((item for item in items
                    if request.endpoint == item.endpoint or request.endpoint in item.also), None) or next(
        (item for item in items
         if item.endpoint.split(".")[0] == active_prefix and item.endpoint != "main.home"), None)
    return [{"url": url_for(item.endpoint), "label": item.label, "active": item is current} for item in items]


def register(app: Flask) -> None:
    app.jinja_env.globals["nav_items"] = nav_items
