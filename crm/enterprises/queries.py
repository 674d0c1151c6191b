"""Reusable read queries of the enterprises feature; each returns a select() or a fixed number of queries.

``filtered_enterprises(user, filters)`` is the one query behind the list, its bulk actions and the
exports: it applies the access rules first, then the filters, then the sort.
"""
from dataclasses import dataclass, field
from datetime import timedelta
from functools import cache

from sqlalchemy import Select, and_, bindparam, case, func, or_, select
from sqlalchemy.orm import lazyload, load_only, selectinload

from crm.access import contacts_seen_condition, visible_enterprises
from crm.audit.models import AuditEntry
from crm.auth.models import User
from crm.db import utcnow
from crm.enterprises.models import (
    Activity,
    DigitalDiagnostic,
    Enterprise,
    FollowUpTask,
    StageChange,
)
from crm.extensions import db
from crm.reference import NO_SECTOR, STAGE_ORDER
from crm.reports.cache import Key, cached_or_computed
from crm.text import fold, without_legal_noise

STALE_AFTER = timedelta(days=30)
UNASSIGNED = "none"
SORTS = ("name", "-name", "stage", "-stage", "-last_activity", "last_activity")
# Withdrawn enterprises sort after every stage of the journey.
_STAGE_RANK = case({**STAGE_ORDER, "withdrawn": 9}, value=Enterprise.stage, else_=9)


@dataclass
class EnterpriseFilters:
    q: str = ""
    stages: list[str] = field(default_factory=list)
    region: str = ""
    legal_form: str = ""
    sector: str = ""  # a code of SECTORS, or NO_SECTOR
    organization_id: int | None = None
    coach: int | str | None = None  # a user id, or UNASSIGNED
    sort: str = "name"


def search_terms(text: str) -> list[str]:
    """Folded words; each one must appear in the enterprise's search text."""
    return fold(text).split()[:10]


def _containing(column, term: str):
    escaped = term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return column.like(f"%{escaped}%", escape="\\")


def _searched(query: Select, user, terms: list[str]) -> Select:
    """Enterprises whose search text has every term. It holds their contacts' names and addresses
    too: where the user may not see the contacts (a share that did not share them), the enterprise's
    own words (name, city, NEQ) must have every term but the legal words its key leaves out."""
    if not terms:
        return query
    query = query.where(*(_containing(Enterprise.search_text, term) for term in terms))
    contacts_seen = contacts_seen_condition(user)
    identifying = [term for term in terms if without_legal_noise(term)]
    if contacts_seen is None or not identifying:
        return query
    own_words = Enterprise.name_key + " " + Enterprise.city_key + " " + func.coalesce(Enterprise.neq, "")
    return query.where(or_(contacts_seen, and_(*(_containing(own_words, term) for term in identifying))))


def filtered_enterprises(user, filters: EnterpriseFilters, *, ordered: bool = True) -> Select:
    query = _searched(visible_enterprises(user), user, search_terms(filters.q))
    if filters.stages:
        query = query.where(Enterprise.stage.in_(filters.stages))
    if filters.region:
        query = query.where(Enterprise.region_code == filters.region)
    if filters.legal_form:
        query = query.where(Enterprise.legal_form == filters.legal_form)
    if filters.sector == NO_SECTOR:
        query = query.where(Enterprise.sector_code.is_(None))
    elif filters.sector:
        query = query.where(Enterprise.sector_code == filters.sector)
    if filters.organization_id:
        query = query.where(Enterprise.organization_id == filters.organization_id)
    if filters.coach == UNASSIGNED:
        query = query.where(Enterprise.coach_id.is_(None))
    elif filters.coach:
        query = query.where(Enterprise.coach_id == filters.coach)
    return query.order_by(*_order(filters.sort)) if ordered else query


def _order(sort: str):
    descending = sort.startswith("-")
    key = sort.lstrip("-")
    if key == "stage":
        column = _STAGE_RANK.desc() if descending else _STAGE_RANK
        return (column, Enterprise.name_key, Enterprise.id)
    if key == "last_activity":
        column = Enterprise.last_activity_at
        column = column.desc().nulls_last() if descending else column.asc().nulls_first()
        return (column, Enterprise.name_key, Enterprise.id)
    if descending:
        return (Enterprise.name_key.desc(), Enterprise.id.desc())
    return (Enterprise.name_key, Enterprise.id)


LIST_COLUMNS = (Enterprise.id, Enterprise.name, Enterprise.neq, Enterprise.stage, Enterprise.city,
                Enterprise.region_code, Enterprise.coach_id, Enterprise.last_activity_at, Enterprise.version)
# What a row of the enterprise list shows, with its coach's name (``page_of``).
ROW_COLUMNS = (Enterprise.id, Enterprise.name, Enterprise.neq, Enterprise.stage, Enterprise.city,
               Enterprise.region_code, Enterprise.last_activity_at)


def listed(query: Select) -> Select:
    """Only what a row of a list shows. The enterprise's wide row (search keys, address…) and its
    organization and coach joined on every row cost more to load than the page's SQL at ten times
    the province; a list that shows the coach joins the name alone (``page_of``)."""
    return query.options(load_only(*LIST_COLUMNS), lazyload(Enterprise.organization), lazyload(Enterprise.coach))


@dataclass
class ListPage:
    """One page of the list, with what its template needs (as Flask-SQLAlchemy's Pagination)."""

    items: list
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return -(-self.total // self.per_page)

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def prev_num(self) -> int:
        return self.page - 1

    @property
    def next_num(self) -> int:
        return self.page + 1


def page_of(query: Select, page: int, per_page: int, *, together: bool, count_key: Key | None = None) -> ListPage:
    """A page of the list as (row, coach's name) pairs, and the number of matches.

    A row carries the ``ROW_COLUMNS`` as attributes (``row.name``, ``row.stage``…): plain rows, not
    entities, since a page of fifty entities cost more to build than its query.

    ``together``: the page and the count come from one scan (``count(*) OVER ()``), for a text
    search whose matches the trigram index finds, the costly part. Otherwise the page is read in
    index order and counted apart, from the index alone, and the count is cached under
    ``count_key`` until the enterprises of its organization change (crm.reports.cache): the
    programme office's list counted 112,000 rows on every view at ten times the province.
    """
    shown = (query.with_only_columns(*ROW_COLUMNS, User.full_name.label("coach_name"))
             .outerjoin(User, User.id == Enterprise.coach_id).limit(per_page).offset((page - 1) * per_page))
    if together:
        rows = db.session.execute(shown.add_columns(func.count().over().label("total"))).all()
        total = rows[0].total if rows else (count(query) if page > 1 else 0)
    else:
        rows = db.session.execute(shown).all()
        total = (cached_or_computed(count_key, lambda: {"count": count(query)})["count"] if count_key
                 else count(query))
    return ListPage([(row, row.coach_name) for row in rows], total, page, per_page)


def selected_enterprises(user, filters: EnterpriseFilters, ids: list[int] | None) -> Select:
    """The target of a bulk action: every enterprise matching the filters, or the chosen ones among them."""
    query = filtered_enterprises(user, filters)
    if ids is not None:
        query = query.where(Enterprise.id.in_(ids))
    return query


def count(query: Select) -> int:
    return db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))


def overdue_condition(today):
    return and_(FollowUpTask.done_at.is_(None), FollowUpTask.due_on < today)


def caseload(coach, today) -> list[tuple[Enterprise, int, bool]]:
    """The coach's enterprises with their overdue follow-ups and staleness, attention first in each stage."""
    overdue = (select(func.count(FollowUpTask.id))
               .where(FollowUpTask.enterprise_id == Enterprise.id, overdue_condition(today))
               .correlate(Enterprise).scalar_subquery())
    stale = func.coalesce(Enterprise.last_activity_at, Enterprise.created_at) < utcnow() - STALE_AFTER
    needs_attention = case((or_(overdue > 0, stale), 0), else_=1)
    query = (listed(visible_enterprises(coach))
             .where(Enterprise.coach_id == coach.id)
             .add_columns(overdue.label("overdue"), stale.label("stale"))
             .order_by(_STAGE_RANK, needs_attention, Enterprise.name_key, Enterprise.id))
    return [(row[0], row.overdue, bool(row.stale)) for row in db.session.execute(query)]


def overdue_tasks(user, today) -> list[FollowUpTask]:
    """Follow-ups past due that the user must do, on enterprises they may see."""
    visible = visible_enterprises(user).with_only_columns(Enterprise.id)
    query = (select(FollowUpTask)
             .where(FollowUpTask.assignee_id == user.id, overdue_condition(today),
                    FollowUpTask.enterprise_id.in_(visible))
             .options(selectinload(FollowUpTask.enterprise))
             .order_by(FollowUpTask.due_on, FollowUpTask.id))
    return list(db.session.scalars(query))


# The timeline shows its latest entries; the page links to the whole of it.
TIMELINE_SHOWN = 25
TIMELINE_MAX = 1000


@dataclass
class EnterprisePage:
    stage_changes: list
    activities: list
    tasks: list
    diagnostics: list
    history: list
    more_activities: bool = False


@cache
def _page_statements() -> dict[str, Select]:
    """The enterprise page's statements, built once with the enterprise bound when they run: building
    them (with their cache keys) cost more Python than running them."""
    enterprise_id = bindparam("enterprise_id")
    return {
        "stage_changes": select(StageChange).where(StageChange.enterprise_id == enterprise_id)
        .order_by(StageChange.changed_at.desc(), StageChange.id.desc()),
        "activities": select(Activity).where(Activity.enterprise_id == enterprise_id)
        .order_by(Activity.occurred_on.desc(), Activity.id.desc()).limit(bindparam("limit")),
        "tasks": select(FollowUpTask).where(FollowUpTask.enterprise_id == enterprise_id)
        .order_by(FollowUpTask.done_at.is_not(None), FollowUpTask.due_on, FollowUpTask.id),
        "diagnostics": select(DigitalDiagnostic).where(DigitalDiagnostic.enterprise_id == enterprise_id)
        .options(selectinload(DigitalDiagnostic.scores))
        .order_by(DigitalDiagnostic.performed_on.desc(), DigitalDiagnostic.id.desc()),
        "history": select(AuditEntry).where(AuditEntry.enterprise_id == enterprise_id)
        .order_by(AuditEntry.at.desc(), AuditEntry.id.desc()).limit(200),
        "people": select(User).where(User.id.in_(bindparam("ids", expanding=True)))
        .options(lazyload(User.organization)),
    }


def enterprise_page(enterprise: Enterprise, *, with_history: bool, whole_timeline: bool = False) -> EnterprisePage:
    """Everything the enterprise page shows, in a fixed number of queries.

    The timeline holds its latest ``TIMELINE_SHOWN`` entries, or with ``whole_timeline`` up to
    ``TIMELINE_MAX``; ``more_activities`` says whether older ones were left out.
    """
    shown = TIMELINE_MAX if whole_timeline else TIMELINE_SHOWN
    statements, bound = _page_statements(), {"enterprise_id": enterprise.id}

    def rows(name, **more):
        return list(db.session.scalars(statements[name], {**bound, **more}))

    stage_changes = rows("stage_changes")
    activities, tasks, diagnostics = rows("activities", limit=shown + 1), rows("tasks"), rows("diagnostics")
    history = rows("history") if with_history else []
    # The names behind changed_by, author, assignee and actor, in one query: those relationships then
    # find their user in the session's identity map instead of one query each.
    people = {c.changed_by_id for c in stage_changes} | {a.author_id for a in activities} \
        | {t.assignee_id for t in tasks} | {h.actor_id for h in history}
    people.discard(None)
    if people:
        db.session.scalars(statements["people"], {"ids": sorted(people)}).all()
    return EnterprisePage(
        stage_changes=stage_changes, activities=activities[:shown], tasks=tasks, diagnostics=diagnostics,
        history=history, more_activities=len(activities) > shown,
    )
