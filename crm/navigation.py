"""Main navigation: each feature registers its entries; the header shows those the role may use."""
from dataclasses import dataclass

from flask import Flask, request, url_for
from flask_login import current_user


@dataclass(frozen=True)
class NavItem:
    endpoint: str
    label: object  # a lazy string
    roles: frozenset
    order: int
    # Other pages under this entry (e.g. the week view under "Calendar").
    also: frozenset = frozenset()


_ITEMS: list[NavItem] = []


def register_nav(endpoint: str, label, *, roles=("admin", "manager", "coach"), order=50, also=()) -> None:
    if any(item.endpoint == endpoint for item in _ITEMS):
        return
    _ITEMS.append(NavItem(endpoint, label, frozenset(roles), order, frozenset(also)))
    _ITEMS.sort(key=lambda item: item.order)


def nav_items() -> list[dict]:
    if not current_user.is_authenticated:
        return []
    active_prefix = (request.endpoint or "").split(".")[0]
    items = [item for item in _ITEMS if current_user.role in item.roles]
    # The entry of this very page; else the first entry of the page's blueprint (a blueprint may
    # register several entries: only one of them is current).
    current = next((item for item in items
                    if request.endpoint == item.endpoint or request.endpoint in item.also), None) or next(
        (item for item in items
         if item.endpoint.split(".")[0] == active_prefix and item.endpoint != "main.home"), None)
    return [{"url": url_for(item.endpoint), "label": item.label, "active": item is current} for item in items]


def register(app: Flask) -> None:
    app.jinja_env.globals["nav_items"] = nav_items
