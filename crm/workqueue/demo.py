"""The demo's follow-ups: each demo coach finds work in their queue (overdue, today, this week)."""
from datetime import timedelta

from sqlalchemy import select

from crm.enterprises import timeline
from crm.enterprises.models import Enterprise, FollowUpTask
from crm.extensions import db

# (days from today, title): one overdue, one today, one later this week.
DEMO_FOLLOW_UPS = [(-3, "Rappeler pour le plan numérique"), (0, "Envoyer le compte rendu de la rencontre"),
                   (3, "Confirmer la date du diagnostic")]


def seed_follow_ups(users) -> int:
    """Give every coach (of ``users``) without an open follow-up the ``DEMO_FOLLOW_UPS`` on their first enterprises;
    returns how many were added (seeding again adds none)."""
    today = timeline.today_in_quebec()
    added = 0
    for coach in (user for user in users if user.role == "coach"):
        busy = db.session.scalar(select(FollowUpTask.id).where(FollowUpTask.assignee_id == coach.id,
                                                               FollowUpTask.done_at.is_(None)).limit(1))
        if busy is not None:
            continue
        enterprises = db.session.scalars(select(Enterprise).where(
            Enterprise.coach_id == coach.id, Enterprise.archived_at.is_(None))
            .order_by(Enterprise.id).limit(len(DEMO_FOLLOW_UPS))).all()
        for enterprise, (days, title) in zip(enterprises, DEMO_FOLLOW_UPS, strict=False):
            timeline.add_task(enterprise, actor=coach, title=title, due_on=today + timedelta(days=days),
                              assignee=coach)
            added += 1
    return added

