"""Routes of an import: upload → column mapping → preview → commit → detail and report."""
import logging

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from werkzeug.datastructures import ImmutableMultiDict
from werkzeug.exceptions import RequestEntityTooLarge

from crm import access, signals
from crm.access import can_choose_organization, can_import, get_import_or_404, visible_imports
from crm.contributions import MenuItem
from crm.domain import DomainError
from crm.extensions import db
from crm.formatting import format_decimal
from crm.i18n import _, _l, ngettext
from crm.imports import services
from crm.imports.forms import (
    CancelForm,
    CommitForm,
    UploadForm,
    defaults_from,
    header_row_form,
    mapping_form,
    mapping_from,
)
from crm.imports.headers import mapping_warnings
from crm.imports.matching import outcome
from crm.imports.models import ImportBatch
from crm.imports.report import error_report_csv
from crm.imports.validation import FIELDS, is_error, issue_message
from crm.organizations.models import Organization
from crm.query_args import paginate
from crm.reference import choices
from crm.transaction import refusals_flashed, refusals_shown_on

bp = Blueprint("imports", __name__, template_folder="templates", url_prefix="/imports")
log = logging.getLogger(__name__)
SHOWN_ISSUES = 500  # on a page; the CSV report has them all


@bp.before_request
@login_required
def require_importer():
    if not can_import(current_user):
        abort(403)


@bp.app_template_global()
def import_issue_message(issue):
    return issue_message(issue)


@bp.route("/")
def index():
    query = visible_imports(current_user).order_by(ImportBatch.created_at.desc(), ImportBatch.id.desc())
    page = paginate(query, per_page=25)
    return render_template("imports/index.html", page=page)


def _upload_form(**kwargs) -> UploadForm:
    form = UploadForm(**kwargs)
    if can_choose_organization(current_user):
        organizations = db.session.scalars(
            select(Organization).where(Organization.is_active).order_by(Organization.name)).all()
        form.organization.choices = choices({o.id: o.name for o in organizations})
        if not form.is_submitted():
            form.organization.data = current_user.organization_id
    else:
        del form.organization
    return form


@bp.route("/new", methods=["GET", "POST"])
def new():
    form = _upload_form()
    if form.validate_on_submit():
        organization = (db.session.get(Organization, form.organization.data) if can_choose_organization(current_user)
                        else current_user.organization)
        data = form.file.data.read(current_app.config["IMPORT_MAX_BYTES"] + 1)
        with refusals_shown_on(form):
            batch = services.start_import(data, form.file.data.filename, organization=organization,
                                          actor=current_user)
            return redirect(url_for(".mapping", batch_id=batch.id))
    return render_template("imports/new.html", form=form), 400 if form.errors else 200


@bp.errorhandler(RequestEntityTooLarge)
def too_large(error):
    db.session.rollback()
    # The body is not read: the page (and the layout's language form) must see an empty form.
    request.form = request.files = ImmutableMultiDict()
    form = _upload_form(formdata=None)  # the body was not read: it is too large
    form.file.errors = [str(services.too_large_message(current_app.config["IMPORT_MAX_BYTES"]))]
    return render_template("imports/new.html", form=form), 413


def _sample_values(batch: ImportBatch) -> list[list[str]]:
    """The first values of each column, to help recognize it (kept on the batch at upload)."""
    rows = [cells for line, cells in batch.head_rows if line > batch.header_line][:3]
    return [[cells[i] for cells in rows if i < len(cells) and cells[i]] for i in range(len(batch.headers))]


def _editable(batch: ImportBatch):
    """None when the columns may still be chosen; else where to go instead."""
    if batch.status not in ("uploaded", "previewed"):
        return redirect(url_for(".detail", batch_id=batch.id))
    if len(batch.headers) > current_app.config["IMPORT_MAX_COLUMNS"]:  # uploaded before the limit
        flash(_("The file has more than %(max)s columns: delete the columns you do not import.",
                max=format_decimal(current_app.config["IMPORT_MAX_COLUMNS"])), "error")
        return redirect(url_for(".detail", batch_id=batch.id))
    return None


def _render_mapping(batch, form, header_form=None, status=200):
    chosen = mapping_from(form) if form.is_submitted() else batch.mapping
    return render_template("imports/mapping.html", batch=batch, form=form,
                           header_form=header_form or header_row_form(batch), samples=_sample_values(batch),
                           warnings=mapping_warnings(batch.headers, chosen)), status


@bp.route("/<int:batch_id>/mapping", methods=["GET", "POST"])
def mapping(batch_id):
    batch = get_import_or_404(batch_id, current_user)
    if (elsewhere := _editable(batch)) is not None:
        return elsewhere
    form = mapping_form(batch.headers, batch.mapping, batch.defaults)
    if form.validate_on_submit():
        try:
            services.check_mapping(mapping_from(form))
            _run_step(batch, "validating", ("uploaded", "previewed"), services.preview_import,
                      mapping=mapping_from(form), defaults=defaults_from(form))
        except DomainError as error:
            form.form_errors.append(str(error.message))
        else:
            return redirect(url_for(".preview", batch_id=batch.id))
    return _render_mapping(batch, form, status=400 if form.errors or form.form_errors else 200)


@bp.route("/<int:batch_id>/header", methods=["POST"])
def header(batch_id):
    batch = get_import_or_404(batch_id, current_user)
    if (elsewhere := _editable(batch)) is not None:
        return elsewhere
    header_form = header_row_form(batch)
    if header_form.validate_on_submit():
        with refusals_shown_on(header_form):
            services.choose_header_line(batch, header_form.header_line.data, actor=current_user)
            flash(_("The column names are now read from line %(line)s.", line=batch.header_line), "success")
            return redirect(url_for(".mapping", batch_id=batch.id))
    form = mapping_form(batch.headers, batch.mapping, batch.defaults, formdata=None)
    return _render_mapping(batch, form, header_form, status=400)


def _run_step(batch, busy_status, from_statuses, step, **kwargs):
    """Run a long step once (whatever the number of workers), with its progress stored.

    The one view helper that commits itself: the claim, the progress that other requests read while
    the step runs, and the release after a failure are transactions of their own."""
    previous = batch.status
    if not services.claim(batch.id, busy_status, from_statuses):
        raise DomainError(_l("This import is already being processed, or is finished."))
    try:
        step(batch, actor=current_user, progress=services.DatabaseProgress(batch.id), **kwargs)
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        services.release(batch.id, previous, "conflict")
        raise DomainError(_l("Enterprises changed meanwhile; nothing was imported. Check the preview again.")) \
            from None
    except BaseException:
        db.session.rollback()
        services.release(batch.id, previous)
        raise


@bp.route("/<int:batch_id>/preview")
def preview(batch_id):
    batch = get_import_or_404(batch_id, current_user)
    if batch.status != "previewed":
        return redirect(url_for(".detail", batch_id=batch.id))
    return _render_preview(batch, CommitForm())


def _render_preview(batch, form, status=200):
    errors = [i for i in batch.issues if is_error(i)]
    notices = [i for i in batch.issues if not is_error(i)]
    return render_template(
        "imports/preview.html", batch=batch, form=form, cancel_form=CancelForm(),
        if_skip=outcome(batch.counts, False), if_update=outcome(batch.counts, True),
        errors=errors[:SHOWN_ISSUES], error_total=len(errors), notices=notices[:SHOWN_ISSUES],
        notice_total=len(notices), shown=SHOWN_ISSUES, fields=FIELDS,
        warnings=mapping_warnings(batch.headers, batch.mapping)), status


@bp.route("/<int:batch_id>/commit", methods=["POST"])
def commit(batch_id):
    batch = get_import_or_404(batch_id, current_user)
    form = CommitForm()
    if not form.validate_on_submit():
        return _render_preview(batch, form, 400)
    try:
        _run_step(batch, "committing", ("previewed",), services.commit_import,
                  update_empty=form.duplicates.data == "update_empty")
    except DomainError as error:
        flash(str(error.message), "error")
        return redirect(url_for(".preview", batch_id=batch.id))
    created, updated = batch.counts["created"], batch.counts["updated"]
    flash(_("Import finished: %(created)s, %(updated)s.",
            created=ngettext("%(count)s enterprise created", "%(count)s enterprises created", created,
                             count=format_decimal(created)),
            updated=ngettext("%(count)s updated", "%(count)s updated", updated, count=format_decimal(updated))),
          "success")
    return redirect(url_for(".detail", batch_id=batch.id))


@bp.route("/<int:batch_id>/cancel", methods=["POST"])
def cancel(batch_id):
    batch = get_import_or_404(batch_id, current_user)
    if not CancelForm().validate_on_submit():
        abort(400)
    with refusals_flashed("error"):
        services.cancel_import(batch, actor=current_user)
        flash(_("Import cancelled; nothing was imported."), "info")
    return redirect(url_for(".detail", batch_id=batch.id))


@bp.route("/<int:batch_id>")
def detail(batch_id):
    batch = get_import_or_404(batch_id, current_user)
    return render_template("imports/detail.html", batch=batch, issues=batch.issues[:SHOWN_ISSUES],
                           issue_total=len(batch.issues), shown=SHOWN_ISSUES, is_error=is_error)


@bp.route("/<int:batch_id>/report.csv")
def report(batch_id):
    batch = get_import_or_404(batch_id, current_user)
    return Response(error_report_csv(batch), mimetype="text/csv",
                    headers={"Content-Disposition": f"attachment; filename=import-{batch.id}-report.csv"})


@bp.route("/<int:batch_id>/progress")
def progress(batch_id):
    batch = get_import_or_404(batch_id, current_user)
    phase = services.PHASES.get(batch.phase or "")
    return jsonify(status=batch.status, phase=batch.phase, label=str(phase) if phase else "",
                   done=batch.progress_done, total=batch.progress_total, percent=batch.percent)


@signals.menu_items.connect
def menu_items(_sender, **_extra):
    return MenuItem("imports.index", _l("Imports"), 60, access.can_import, group="admin")
