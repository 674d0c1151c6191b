"""Main navigation: each feature answers ``signals.menu_items`` with its entries
(``crm.contributions.MenuItem``); the header shows those the person may use (``shown_to``, a
predicate of crm/access.py), grouped: the daily work as links, the other groups as menus that open
without JavaScript (``<details>``), a group of one entry as a plain link."""
from dataclasses import dataclass

from flask import Flask, request, url_for
from flask_login import current_user

from crm import signals
from crm.contributions import MENU_GROUPS
from crm.i18n import _l

GROUP_LABELS = {"work": _l("Work"), "programme": _l("Programme"), "reports": _l("Reports"),
                "admin": _l("Administration"), "account": _l("My account")}


@dataclass(frozen=True)
class MenuGroup:
    code: str
    label: object
    links: list[dict]

    @property
    def active(self) -> bool:
        return any(link["active"] for link in self.links)

    @property
    def is_menu(self) -> bool:
        """Shown as a menu that opens; the daily work and a group of one entry are plain links."""
        return self.code != "work" and len(self.links) > 1


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
    return [{"url": url_for(item.endpoint), "label": item.label, "active": item is current, "group": item.group}
            for item in items]


def nav_groups() -> list[MenuGroup]:
    """The entries by group, in the order of ``MENU_GROUPS``; empty groups left out."""
    items = nav_items()
    groups = [MenuGroup(code, GROUP_LABELS[code], [item for item in items if item["group"] == code])
              for code in MENU_GROUPS]
    return [group for group in groups if group.links]


def register(app: Flask) -> None:
    app.jinja_env.globals["nav_items"] = nav_items
    app.jinja_env.globals["nav_groups"] = nav_groups
