"""The public pages, without an account: upcoming events, an event, its registration form, the
page of a registration (its status, the cancel button) reached from the link in every email."""
from flask import abort, make_response, redirect, render_template, request, url_for

from crm import access
from crm.cohorts import timeutil
from crm.db import as_utc
from crm.events import bp, ics, public, queries, registration, tokens
from crm.events.forms import EVENT_KINDS, RegistrationForm
from crm.events.models import Event, Registration
from crm.extensions import csrf, db, limiter
from crm.i18n import _
from crm.organizations.models import Organization
from crm.query_args import paginate, short_text
from crm.reference import REGIONS
from crm.transaction import refusals_flashed, refusals_shown_on

PUBLIC_PER_PAGE = 20
# The registration form is a few kilobytes; anything much larger is not a person typing.
MAX_FORM_BYTES = 32 * 1024
PUBLIC_ENDPOINTS = frozenset({"events.public_list", "events.public_event", "events.register",
                              "events.registered", "events.public_calendar", "events.registration_page",
                              "events.cancel_registration", "events.confirm_address"})


@bp.before_app_request
def _public_language():
    if request.endpoint in PUBLIC_ENDPOINTS:
        public.remember_language()


def _published_or_404(event_id: int) -> Event:
    event = db.session.scalar(access.public_events().where(Event.id == event_id))
    if event is None:
        abort(404)
    return event


def _page(template: str, status: int = 200, **context):
    context.setdefault("embed", public.embedded() is not None)
    context.setdefault("lang", public.language())
    return public.embeddable(make_response(render_template(template, **context), status))


@bp.route("/events")
def public_list():
    region = request.args.get("region", "")
    kind = request.args.get("kind", "")
    organization = short_text("organization", max_length=Organization.code.type.length)
    region, kind = (region if region in REGIONS else ""), (kind if kind in EVENT_KINDS else "")
    organizer = db.session.scalar(
        access.public_organizations().where(Organization.code == organization)) if organization else None
    now = timeutil.now()
    page = paginate(queries.upcoming_public_events(now, region=region or None, kind=kind or None,
                                                   organization_code=organizer.code if organizer else None),
                    per_page=PUBLIC_PER_PAGE)
    taken = queries.seats_taken_by_event([event.id for event in page.items])
    return _page("events/public_list.html", page=page, taken=taken, region=region, kind=kind,
                 organizer=organizer, regions=REGIONS.items(), kinds=EVENT_KINDS.items(), now=now)


@bp.route("/events/<int:event_id>")
def public_event(event_id):
    event = _published_or_404(event_id)
    now = timeutil.now()
    return _page("events/public_event.html", event=event, taken=registration.seats_taken(event.id),
                 open_now=event.accepts_registrations(now), now=now)


@bp.route("/events/<int:event_id>/calendar.ics")
def public_calendar(event_id):
    event = _published_or_404(event_id)
    body = ics.calendar_bytes(event, url=url_for("events.public_event", event_id=event.id, _external=True))
    response = make_response(body)
    response.headers["Content-Type"] = "text/calendar; charset=utf-8"
    response.headers["Content-Disposition"] = f'attachment; filename="evenement-{event.id}.ics"'
    return response


def _registration_form(event: Event) -> RegistrationForm:
    form = RegistrationForm()
    if request.method == "GET":
        form.form_token.data = tokens.form_token(event.id)
    return form


@bp.route("/events/<int:event_id>/register", methods=["GET", "POST"])
@csrf.exempt  # an embedded form has no session cookie: a signed form token instead (crm/events/tokens.py)
@limiter.limit(public.limit("EVENTS_LIMIT_PER_ADDRESS"), methods=["POST"], scope="event-register-address")
@limiter.limit(public.limit("EVENTS_LIMIT_PER_EMAIL"), key_func=public.client_email, methods=["POST"],
               scope="event-register-email")
@limiter.limit(public.limit("EVENTS_LIMIT_PER_EVENT"), key_func=public.event_key, methods=["POST"],
               scope="event-register-event")
def register(event_id):
    event = _published_or_404(event_id)
    now = timeutil.now()
    if request.method == "POST" and (request.content_length or 0) > MAX_FORM_BYTES:
        abort(413)
    form = _registration_form(event)
    questions = event.question_list
    open_now = event.accepts_registrations(now)
    if open_now and form.validate_on_submit():
        if form.website.data:
            # A robot filled the field people never see: the same answer as a registration, nothing kept.
            return redirect(url_for("events.registered", event_id=event.id, lang=public.language(),
                                    embed=public.embedded()))
        if not tokens.form_token_valid(form.form_token.data, event.id):
            form.form_errors.append(_("This form was open too long. Check your answers and send it again."))
        else:
            with refusals_shown_on(form):
                registration.register(event.id, form.values(), answers=form.answers(questions, request.form),
                                      language=public.language(), now=now)
                return redirect(url_for("events.registered", event_id=event.id, lang=public.language(),
                                        embed=public.embedded()))
        form.form_token.data = tokens.form_token(event.id)
    elif request.method == "POST" and not open_now:
        form.form_errors.append(_("Registration to this event is closed."))
    status = 400 if (form.errors or form.form_errors) else 200
    return _page("events/register.html", status, event=event, form=form, questions=questions,
                 answers=request.form, open_now=open_now)


@bp.route("/events/<int:event_id>/registered")
def registered(event_id):
    event = _published_or_404(event_id)
    return _page("events/registered.html", event=event)


def _registration_or_404(token: str) -> Registration:
    registration_id = tokens.registration_id_from_token(token)
    row = db.session.get(Registration, registration_id) if registration_id else None
    if row is None or row.anonymized_at is not None:
        abort(404)
    return row


def _personal_page(template: str, status: int = 200, **context):
    response = _page(template, status, **context)
    response.headers["Cache-Control"] = "no-store"
    return response


def _can_cancel(row: Registration) -> bool:
    """Until the event ends (a cancellation afterwards would change what happened)."""
    return row.is_active and row.event.ends_at is not None and as_utc(row.event.ends_at) > timeutil.now()


@bp.route("/events/registration/<token>")
def registration_page(token):
    row = _registration_or_404(token)
    event = row.event
    can_cancel = _can_cancel(row)
    return _personal_page("events/registration.html", registration=row, event=event, token=token,
                          position=queries.waiting_position(row), can_cancel=can_cancel)


@bp.route("/events/registration/<token>/cancel", methods=["POST"])
def cancel_registration(token):
    row = _registration_or_404(token)
    if _can_cancel(row):
        registration.cancel(row, now=timeutil.now())
    return redirect(url_for("events.registration_page", token=token, lang=public.language()))


@bp.route("/events/registration/<token>/confirm", methods=["GET", "POST"])
def confirm_address(token):
    """The link of the double opt-in email: a button, so that a mail scanner opening the link
    confirms nothing."""
    row = _registration_or_404(token)
    if request.method == "POST":
        with refusals_flashed():
            registration.confirm_address(row, now=timeutil.now())
        return redirect(url_for("events.registration_page", token=token, lang=public.language()))
    return _personal_page("events/confirm.html", registration=row, event=row.event, token=token)
