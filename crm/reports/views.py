"""Programme dashboard, printable funder report, the ministry's report pack and the exports. Read-only pages."""
from flask import Blueprint, abort, render_template, request
from flask_login import current_user, login_required
from sqlalchemy import select

from crm import access, signals
from crm.access import can_filter_reports_by_organization, can_view_reports
from crm.contributions import MenuItem
from crm.db import utcnow
from crm.enterprises import queries as enterprise_queries
from crm.enterprises.filtering import parse_filters
from crm.errors import render_error
from crm.extensions import db
from crm.formatting import format_date
from crm.i18n import _, _l, current_locale
from crm.organizations.models import Organization
from crm.reference import region_label
from crm.reports import exports, pack, periods, presentation, queries
from crm.reports.cache import cached_or_computed
from crm.reports.forms import PackFilterForm, ReportFilterForm

bp = Blueprint("reports", __name__, url_prefix="/reports", template_folder="templates")


def _load_report():
    """The filter form and, when it is valid, the figures the user may see (else None)."""
    if not can_view_reports(current_user):
        abort(403)
    organizations = _organizations_filtered()
    form = ReportFilterForm(formdata=request.args, organizations=organizations)
    if not form.validate():
        return form, None, {}
    scope = queries.build_scope(current_user, date_from=form.date_from.data, date_to=form.date_to.data,
                                organization_id=form.organization_id, region=form.region_code)
    report = queries.dashboard(scope)
    names = dict(organizations or [])
    context = {
        "scope_name": _scope_name(scope, names),
        "period": _period(scope),
    }
    return form, report, context


def _scope_name(scope, organization_names) -> str:
    if scope.organization_id is None:
        name = _("Whole programme")
    elif can_filter_reports_by_organization(current_user):
        name = organization_names.get(scope.organization_id, "")
    else:
        name = current_user.organization.name
    if scope.region:
        return _("%(scope)s, %(region)s", scope=name, region=region_label(scope.region))
    return name


def _period(scope) -> str:
    if scope.date_from and scope.date_to:
        return _("From %(start)s to %(end)s", start=format_date(scope.date_from, "long"),
                 end=format_date(scope.date_to, "long"))
    if scope.date_from:
        return _("Since %(start)s", start=format_date(scope.date_from, "long"))
    if scope.date_to:
        return _("Until %(end)s", end=format_date(scope.date_to, "long"))
    return _("Since the beginning of the programme")


def _page(template: str):
    form, report, context = _load_report()
    if report is None:
        return render_template(template, form=form, report=None), 400
    # One organization's pages: the regions where it has nothing are noise, unless asked for. (The
    # funder workbook keeps all 17: it is data to work with.)
    one_organization = report.scope.organization_id is not None
    hidden = queries.hide_empty_regions(report) if one_organization and not form.empty_rows.data else 0
    return render_template(template, form=form, report=report, now=utcnow(), hidden_regions=hidden,
                           month_label=presentation.month_label,
                           charts=presentation.dashboard_charts(report), **context)


@bp.route("/")
@login_required
def dashboard():
    return _page("reports/dashboard.html")


@bp.route("/funder")
@login_required
def funder_report():
    return _page("reports/funder.html")


@bp.route("/funder.xlsx")
@login_required
def funder_xlsx():
    form, report, context = _load_report()
    if report is None:
        return render_template("reports/dashboard.html", form=form, report=None), 400
    # i18n: file name of the funder report, lower case without spaces
    base = _("funder-report")
    filename = f"{base}.xlsx"
    return exports.xlsx_response(presentation.funder_sheets(report, **context), filename)


# --- The ministry's report pack ----------------------------------------------------------------

def _pack_scope():
    """The pack's filter form and, when it is valid, the scope it covers and its names (else None)."""
    if not can_view_reports(current_user):
        abort(403)
    organizations = _organizations_filtered()
    form = PackFilterForm(formdata=request.args, organizations=organizations)
    if not form.validate():
        return form, None, {}
    dates = form.dates()
    scope = queries.build_scope(current_user, date_from=dates.date_from, date_to=dates.date_to,
                                organization_id=form.organization_id, region=form.region_code)
    period = _period(scope)
    if form.period.data in (periods.CURRENT_FISCAL_YEAR, periods.PREVIOUS_FISCAL_YEAR):
        period = _("%(name)s (%(dates)s)", name=periods.fiscal_year_name(dates), dates=period)
    return form, scope, {"scope_name": _scope_name(scope, dict(organizations or [])), "period": period}


def _organizations_filtered():
    if not can_filter_reports_by_organization(current_user):
        return None
    return db.session.execute(select(Organization.id, Organization.name).order_by(Organization.name)).all()


@bp.route("/pack")
@login_required
def report_pack():
    form, scope, context = _pack_scope()
    if scope is None:
        return render_template("reports/pack.html", form=form, pack=None), 400
    figures = pack.report_pack(scope)
    pack_value = presentation.pack_formatter()
    return render_template("reports/pack.html", form=form, pack=figures, now=utcnow(),
                           totals=presentation.pack_totals_row(figures), pack_value=pack_value,
                           number_cells=presentation.number_cells(pack_value),
                           definitions=presentation.breakdown_definitions(), **context)


@bp.route("/pack.xlsx")
@login_required
def report_pack_xlsx():
    """The pack as a workbook, kept in the cache with its figures (the same versions decide)."""
    form, scope, context = _pack_scope()
    if scope is None:
        return render_template("reports/pack.html", form=form, pack=None, filters_endpoint="reports.report_pack"), 400
    language = current_locale()

    def workbook() -> bytes:
        sheets = presentation.pack_sheets(pack.report_pack(scope), language=language, **context)
        with exports.xlsx_file(sheets) as file:
            return file.read()

    content = cached_or_computed(pack.workbook_key(scope, language, context["scope_name"], context["period"]),
                                 workbook)
    # i18n: file name of the ministry's report pack, lower case without spaces
    base = _("report-pack")
    return exports.file_response(content, "xlsx", f"{base}.xlsx")


@bp.route("/enterprises.csv")
@login_required
def enterprises_csv():
    return _export_enterprises("csv")


@bp.route("/enterprises.xlsx")
@login_required
def enterprises_xlsx():
    return _export_enterprises("xlsx")


def _export_enterprises(fmt: str):
    """The enterprise list with its filters (same query string), only what the user may see.

    A filter that is not understood refuses the export (the list would ignore it: exporting more
    than asked is not an option). The export is recorded in the access log (Law 25).
    """
    args = request.args.copy()
    for key in list(args):
        values = [v for v in args.getlist(key) if v != ""]
        if values:
            args.setlist(key, values)
        else:
            del args[key]
    form, filters = parse_filters(current_user, args, quiet=True)
    if any(name in args for name in form.errors):  # absent filters are not errors
        return render_error(400, _("Some filters were not understood: nothing was exported."))
    statement = enterprise_queries.filtered_enterprises(current_user, filters)
    export = exports.export_enterprises(
        statement, fmt, organization_id=access.organization_in_view(current_user, filters.organization_id))
    signals.personal_information_accessed.send(current_user, action="export_enterprises", subject_type="enterprises",
                                               details={"count": export.count, "format": fmt})
    return export.respond()


@signals.menu_items.connect
def menu_items(_sender, **_extra):
    return MenuItem("reports.dashboard", _l("Dashboard"), 20, access.can_view_reports, group="reports")
