"""One transaction per request or command, committed or rolled back in one place.

Services add and flush, never commit. After the view has answered, ``finish_transaction`` commits
when the answer is a success (a status below 400: a page, a download, a redirect after a form) and
rolls back otherwise (a form shown again with its errors, a refusal, an error page). An exception
in a view reaches the error handlers, whose pages are errors too: nothing is half written.

A view turns a service's refusal into the form's errors with ``refusals_shown_on(form)``::

    if form.validate_on_submit():
        with refusals_shown_on(form):
            services.change_stage(enterprise, form.stage.data, actor=current_user, comment=…)
            flash(_("Stage changed."), "success")
            return redirect(…)
    return render_template(…, form=form), 400

A command of the command line writes inside ``with step():``, which commits when the block ends and
rolls back when it raises; it says what it did after the block, once the writes are committed::

    with step():
        user = services.create_user(…)
    click.echo(f"User {user.email} created.")
"""
from collections.abc import Iterator
from contextlib import contextmanager

import click
from flask import Flask, flash, session
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm.exc import StaleDataError

from crm.domain import DomainError
from crm.extensions import db
from crm.i18n import _l


class ChangedMeanwhile(DomainError):
    """Someone saved the same record between this person's reading and writing it (its version moved)."""

    def __init__(self):
        super().__init__(_l("Someone else changed this record at the same time. Reload the page and try again."))


def show_refusal(form, error: DomainError) -> None:
    """The refusal next to its field when the form has it, else above the form."""
    field = getattr(form, error.field, None) if error.field else None
    if field is not None and hasattr(field, "errors"):
        field.errors = [*field.errors, str(error.message)]
    else:
        form.form_errors.append(str(error.message))


@contextmanager
def refusals_shown_on(form) -> Iterator[None]:
    """Run services; a refusal (or a record changed meanwhile) undoes their writes and lands on ``form``."""
    try:
        yield
    except StaleDataError:
        db.session.rollback()
        show_refusal(form, ChangedMeanwhile())
    except DomainError as error:
        db.session.rollback()
        show_refusal(form, error)


@contextmanager
def refusals_flashed(category: str = "warning") -> Iterator[None]:
    """For an action without a form (a button): a refusal undoes its writes and is flashed."""
    try:
        yield
    except StaleDataError:
        db.session.rollback()
        flash(str(ChangedMeanwhile().message), category)
    except DomainError as error:
        db.session.rollback()
        flash(str(error.message), category)


@contextmanager
def step() -> Iterator[None]:
    """A command's transaction: committed when the block ends, rolled back when it raises. A service's
    refusal ends the command with its message (and exit status 1), like a form's error on the web."""
    try:
        yield
    except DomainError as error:
        db.session.rollback()
        raise click.ClickException(str(error.message)) from None
    except BaseException:
        db.session.rollback()
        raise
    db.session.commit()


def finish_transaction(response):
    """Commit a success, roll back anything else; runs after every view (``install``)."""
    if response.status_code >= 400:
        db.session.rollback()
        return response
    # The answer is built: nothing reads the loaded objects again, so the commit need not expire them
    # (on the enterprise page, expiring its loaded objects cost more than the access log's insert).
    request_session = db.session()
    request_session.expire_on_commit = False
    try:
        request_session.commit()
    except SQLAlchemyError:
        # The error page ("nothing was saved") follows; a "saved" message must not.
        session.pop("_flashes", None)
        raise
    finally:
        request_session.expire_on_commit = True
    return response


def install(app: Flask) -> None:
    app.after_request(finish_transaction)
