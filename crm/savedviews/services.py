"""Writes on saved views: save, rename (or share), delete. They flush, never commit; the access
rules (who may change a view) are the caller's, through crm/access.py."""
import logging

from crm.domain import DomainError
from crm.enterprises.filtering import args_from_query_string, filter_query_string
from crm.extensions import db
from crm.i18n import _l
from crm.savedviews.models import NAME_MAX, QUERY_MAX, SavedView
from crm.text import single_line

log = logging.getLogger(__name__)


def _clean_name(name: str) -> str:
    name = single_line(name or "").strip()
    if not name:
        raise DomainError(_l("Give the view a name."), field="name")
    if len(name) > NAME_MAX:
        raise DomainError(_l("A view's name has at most %(max)s characters.", max=NAME_MAX), field="name")
    return name


def clean_query_string(query_string: str) -> str:
    """Only the list's filter, sort and column parameters, in a stable form (the page number and
    anything else is dropped)."""
    cleaned = filter_query_string(args_from_query_string(query_string))
    if len(cleaned) > QUERY_MAX:
        raise DomainError(_l("These filters are too long to be saved."))
    return cleaned


def save_view(*, actor, name: str, query_string: str, shared: bool) -> SavedView:
    view = SavedView(organization_id=actor.organization_id, owner_id=actor.id, name=_clean_name(name),
                     query_string=clean_query_string(query_string), shared=bool(shared))
    db.session.add(view)
    db.session.flush()
    log.info("saved view %s created by user %s (shared: %s)", view.id, actor.id, view.shared)
    return view


def change_view(view: SavedView, *, actor, name: str, shared: bool) -> SavedView:
    view.name = _clean_name(name)
    view.shared = bool(shared)
    db.session.flush()
    log.info("saved view %s changed by user %s", view.id, actor.id)
    return view


def delete_view(view: SavedView, *, actor) -> None:
    db.session.delete(view)
    db.session.flush()
    log.info("saved view %s deleted by user %s", view.id, actor.id)
