"""Routes of calendars: "Mes séances", month and week views, private feed."""
import calendar as pycalendar
from datetime import date, timedelta

from flask import Response, abort, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required

from crm.cohorts import bp, feeds, ics, queries, timeutil
from crm.cohorts.forms import FeedForm
from crm.extensions import csrf
from crm.i18n import _
from crm.query_args import in_supported_range

FEED_PAST_DAYS = 90
FEED_FUTURE_DAYS = 400
_NEW_TOKEN_KEY = "cohorts_new_feed_token"  # noqa: S105 - a session key, not a secret


def _today() -> date:
    return timeutil.to_local(timeutil.now()).date()


@bp.route("/calendar/mine")
@login_required
def my_sessions():
    sessions = queries.upcoming_for_facilitator(current_user, timeutil.now())
    token = session.pop(_NEW_TOKEN_KEY, None)
    feed_url = url_for("cohorts.feed", token=token, _external=True) if token else None
    return render_template("cohorts/mine.html", sessions=sessions, feed=feeds.active_feed(current_user),
                           feed_url=feed_url, feed_form=FeedForm())


def _parse_month(raw: str | None) -> date | None:
    if not raw:
        return _today().replace(day=1)
    try:
        year, month = (int(part) for part in raw.split("-"))
        first = date(year, month, 1)
    except ValueError:
        return None
    return first if in_supported_range(first) else None


@bp.route("/calendar/month")
@login_required
def month():
    first = _parse_month(request.args.get("month"))
    if first is None:
        abort(404)
    weeks = pycalendar.Calendar(firstweekday=0).monthdatescalendar(first.year, first.month)
    start, end = timeutil.local_day_bounds(weeks[0][0], weeks[-1][-1])
    days = queries.group_by_local_day(queries.sessions_between(current_user, start, end))
    previous = (first - timedelta(days=1)).replace(day=1)
    following = (first + timedelta(days=32)).replace(day=1)
    # A phone shows the month as an agenda: the days of this month that have sessions.
    agenda_days = sorted(day for day in days if day.month == first.month and day.year == first.year)
    return render_template("cohorts/month.html", first=first, weeks=weeks, days=days, today=_today(),
                           previous=previous, following=following, agenda_days=agenda_days)


@bp.route("/calendar/week")
@login_required
def week():
    raw = request.args.get("date")
    try:
        day = date.fromisoformat(raw) if raw else _today()
    except ValueError:
        abort(404)
    if not in_supported_range(day):  # a week no calendar shows, like a month that is not one
        abort(404)
    monday = day - timedelta(days=day.weekday())
    week_days = [monday + timedelta(days=i) for i in range(7)]
    start, end = timeutil.local_day_bounds(week_days[0], week_days[-1])
    days = queries.group_by_local_day(queries.sessions_between(current_user, start, end))
    return render_template("cohorts/week.html", week_days=week_days, days=days, today=_today(),
                           previous=monday - timedelta(days=7), following=monday + timedelta(days=7))


@bp.route("/calendar/feed", methods=["POST"])
@login_required
def regenerate_feed():
    if not FeedForm().validate_on_submit():
        abort(400)
    token = feeds.regenerate_feed(current_user, actor=current_user)
    # Shown once on the next page, never stored in clear in the database.
    session[_NEW_TOKEN_KEY] = token
    flash(_("Your private calendar address is ready. Copy it now: it will not be shown again."), "success")
    return redirect(url_for("cohorts.my_sessions"))


@bp.route("/calendar/feed/revoke", methods=["POST"])
@login_required
def revoke_feed():
    if not FeedForm().validate_on_submit():
        abort(400)
    if feeds.revoke_feed(current_user, actor=current_user):
        flash(_("Your private calendar address no longer works."), "success")
    return redirect(url_for("cohorts.my_sessions"))


@bp.route("/calendar/feed/<token>.ics")
@csrf.exempt
def feed(token):
    """Public, for calendar applications: the secret token is the only credential."""
    subscription = feeds.feed_for_token(token)
    if subscription is None:
        abort(404)
    now = timeutil.now()
    subscription.last_used_at = now
    sessions = queries.sessions_between(subscription.user, now - timedelta(days=FEED_PAST_DAYS),
                                        now + timedelta(days=FEED_FUTURE_DAYS))
    body = ics.calendar_bytes(sessions, name=_("Virage sessions"), url_for_session=lambda s: url_for(
        "cohorts.session_page", session_id=s.id, _external=True))
    return Response(body, mimetype="text/calendar")  # no-store, as every personal response (crm/security.py)
