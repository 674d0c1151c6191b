"""The funnel board: one column per stage, a card per enterprise, read in one query whatever the
number of enterprises (each column's first cards and its count come from window functions)."""
from dataclasses import dataclass, field

from sqlalchemy import func, select

from crm import access
from crm.auth.models import User
from crm.enterprises.models import Enterprise
from crm.extensions import db
from crm.reference import STAGES

PER_COLUMN = 40
WHO = ("mine", "all")  # the coach's own enterprises, or the whole organization's


@dataclass
class Column:
    stage: str
    cards: list = field(default_factory=list)
    total: int = 0

    @property
    def more(self) -> int:
        return self.total - len(self.cards)


def default_who(user) -> str:
    return "mine" if access.has_caseload(user) else "all"


def board(user, who: str) -> list[Column]:
    """The columns of the user's board, in the journey's order: their organization's enterprises
    (the whole programme's for the programme office), or with ``who="mine"`` those they follow;
    each column's most recently active first."""
    query = access.visible_enterprises(user)
    if not access.can_choose_organization(user):
        query = query.where(Enterprise.organization_id == user.organization_id)
    if who == "mine":
        query = query.where(Enterprise.coach_id == user.id)
    recent_first = (Enterprise.last_activity_at.desc().nulls_last(), Enterprise.name_key, Enterprise.id)
    ranked = query.with_only_columns(
        Enterprise.id, Enterprise.name, Enterprise.stage, Enterprise.city, Enterprise.coach_id,
        Enterprise.organization_id, Enterprise.last_activity_at,
        func.row_number().over(partition_by=Enterprise.stage, order_by=recent_first).label("position"),
        func.count().over(partition_by=Enterprise.stage).label("total")).subquery()
    rows = db.session.execute(
        select(ranked, User.full_name.label("coach_name")).outerjoin(User, User.id == ranked.c.coach_id)
        .where(ranked.c.position <= PER_COLUMN).order_by(ranked.c.stage, ranked.c.position))
    columns = {stage: Column(stage) for stage in STAGES}
    for row in rows:
        column = columns.get(row.stage)
        if column is not None:
            column.cards.append(row)
            column.total = row.total
    return list(columns.values())
