"""What the dashboard shows, in the user's language: charts with their text alternatives, and the
funder report's sheets. Numbers are formatted by locale (``1 120``, ``12,5 %`` in French)."""
import functools

from markupsafe import Markup, escape

from crm.formatting import dollars_filter, format_date, format_decimal, percent_filter
from crm.i18n import _, current_locale, pgettext
from crm.reference import STAGES, label
from crm.reports import charts
from crm.reports.queries import Dashboard


def number(value) -> str:
    return format_decimal(value or 0)


def percent(value) -> str:
    return "–" if value is None else percent_filter(value)


def days(value) -> str:
    return "–" if value is None else format_decimal(round(value, 1), format="#,##0.#")


def month_label(month, fmt="MMM yyyy") -> str:
    return format_date(month, fmt)


def funnel_chart(report: Dashboard):
    bars, words = [], []
    for step in report.funnel:
        text = number(step.count) if step.conversion is None else f"{number(step.count)} · {percent(step.conversion)}"
        bars.append(charts.FunnelBar(str(step.label), step.count, text))
        words.append(_("%(step)s: %(count)s", step=step.label, count=number(step.count))
                     if step.conversion is None else
                     _("%(step)s: %(count)s (%(rate)s of the previous step)", step=step.label,
                       count=number(step.count), rate=percent(step.conversion)))
    return charts.funnel_chart("chart-funnel", _("Funnel of the programme"), "; ".join(words) + ".", bars)


def breakdown_chart(chart_id: str, title: str, rows, *, with_targets=False):
    bars, words = [], []
    for row in rows:
        reached = row.figures.reached
        if with_targets and row.target:
            name = _("%(region)s (behind)", region=row.label) if row.lagging else row.label
            bars.append(charts.HBar(name, reached, f"{number(reached)} / {number(row.target)}",
                                    target=row.target, flagged=row.lagging))
            sentence = _("%(name)s: reached, %(reached)s of a target of %(target)s (%(rate)s)",
                         name=row.label, reached=number(reached), target=number(row.target),
                         rate=percent(row.progress))
            words.append(_("%(sentence)s, behind", sentence=sentence) if row.lagging else sentence)
        else:
            bars.append(charts.HBar(row.label, reached, number(reached)))
            words.append(_("%(name)s: reached, %(reached)s of %(total)s enterprises", name=row.label,
                           reached=number(reached), total=number(row.figures.enterprises)))
    desc = "; ".join(words) + "." if words else _("No enterprise.")
    return charts.bar_chart(chart_id, title, desc, bars,
                            target_label=_("Share of the programme's target") if with_targets else "")


def monthly_series(report: Dashboard) -> list[tuple[str, str, list[int]]]:
    """(stage code, label, counts per month) for the stages that had entries."""
    keys = [f"{m:%Y-%m}" for m in report.months]
    series = []
    for code, stage_label in STAGES.items():
        values = [report.monthly.get((key, code), 0) for key in keys]
        series.append((code, str(stage_label), values))
    return series


def monthly_chart(report: Dashboard):
    series = monthly_series(report)
    months = report.months
    month_names = [format_date(m, "MMM") for m in months]
    years = [str(m.year) for m in months]
    words = []
    for _code, stage_label, values in series:
        total = sum(values)
        peak = max(values) if values else 0
        peak_month = month_label(months[values.index(peak)]) if peak else ""
        words.append(_("%(stage)s: %(total)s in all", stage=stage_label, total=number(total)) if not peak else
                     _("%(stage)s: %(total)s in all, at most %(peak)s in %(month)s", stage=stage_label,
                       total=number(total), peak=number(peak), month=peak_month))
    title = _("Enterprises entering each stage, by month")
    if months:
        title = _("Enterprises entering each stage, by month, from %(start)s to %(end)s",
                  start=month_label(months[0]), end=month_label(months[-1]))
    return charts.monthly_chart(
        "chart-monthly", title, "; ".join(words) + ".", month_names, years,
        [charts.Series(stage_label, values) for _code, stage_label, values in series],
        max_text=lambda value: _("max. %(value)s", value=number(value)),
    )


def dashboard_charts(report: Dashboard) -> dict:
    programme_wide = report.scope.organization_id is None
    return {
        "funnel": funnel_chart(report),
        "regions": breakdown_chart("chart-regions", _("Enterprises reached by region"), report.regions,
                                   with_targets=programme_wide),
        "organizations": breakdown_chart("chart-organizations", _("Enterprises reached by organization"),
                                         report.organizations),
        "legal_forms": breakdown_chart("chart-legal-forms", _("Enterprises reached by legal form"),
                                       report.legal_forms),
        "sectors": breakdown_chart("chart-sectors", _("Enterprises reached by sector of activity"), report.sectors),
        "monthly": monthly_chart(report),
    }


# --- The funder report as a workbook -------------------------------------------------------------

PERCENT = "0.0%"


def _breakdown_rows(rows, *, with_targets=False):
    for row in rows:
        f = row.figures
        values = [row.label, f.enterprises, f.reached, f.reached_in_period, f.completed_now]
        if with_targets:
            values += [row.target, (row.progress or 0, PERCENT), _("Yes") if row.lagging else _("No")]
        yield values


def funder_sheets(report: Dashboard, *, scope_name: str, period: str) -> list:
    totals = report.totals
    programme_wide = report.scope.organization_id is None
    breakdown_header = [_("Enterprises"), _("Reached"), _("Reached during the period"), _("Completed")]
    durations = {d.stage: d for d in report.durations}
    summary = [
        [_("Scope"), scope_name],
        [_("Period"), period],
        [_("Programme target"), report.target],
        [_("Enterprises reached"), totals.reached],
        [_("Progress toward the target"), (report.target_progress, PERCENT)],
        [_("Reached during the period"), totals.reached_in_period],
        [_("Enterprises"), totals.enterprises],
        [_("Completed"), totals.completed_now],
    ]
    sheets = [
        (_("Summary"), [_("Figure"), _("Value")], summary),
        (pgettext("sheet", "Funnel"), [_("Step"), _("Enterprises at this step or beyond"),
                                        _("Conversion from the previous step")],
         [[str(s.label), s.count, (s.conversion, PERCENT) if s.conversion is not None else None]
          for s in report.funnel]),
        (_("Stages"), [_("Stage"), _("At this stage"), _("Ever at this stage"), _("Entered during the period"),
                       _("Median days in the stage"), _("Finished stays")],
         [[label(STAGES, code), totals.at_stage[code], totals.ever[code], totals.entered[code],
           round(durations[code].median_days, 1) if code in durations and durations[code].median_days is not None
           else None, durations[code].stays if code in durations else None] for code in STAGES]),
        (_("Regions"), [_("Region"), *breakdown_header,
                        *([_("Share of the target"), _("Progress"), _("Behind")] if programme_wide else [])],
         _breakdown_rows(report.regions, with_targets=programme_wide)),
        (_("Organizations"), [_("Organization"), *breakdown_header], _breakdown_rows(report.organizations)),
        (_("Legal forms"), [_("Legal form"), *breakdown_header], _breakdown_rows(report.legal_forms)),
        (_("Sectors"), [_("Sector of activity"), *breakdown_header], _breakdown_rows(report.sectors)),
        (_("Months"), [_("Month"), *[str(s) for s in STAGES.values()]],
         [[month_label(m), *[report.monthly.get((f"{m:%Y-%m}", code), 0) for code in STAGES]]
          for m in report.months]),
    ]
    if report.activity:
        sheets.append((_("Activity"), [_("Figure"), _("Value")],
                       [[str(a.label), (a.value, PERCENT) if a.kind == "percent" else a.value]
                        for a in report.activity]))
    for _template, _section, section_sheets in report.sections:
        sheets.extend(section_sheets)
    return sheets


# --- The ministry's report pack ----------------------------------------------------------------

def pack_formatter():
    """``pack_value(indicator, value)``: a figure of the pack as the page shows it, in the request's
    language (found once: a page formats a couple of thousand figures)."""
    locale = current_locale()

    def pack_value(indicator, value) -> str:
        return "–" if value is None else _pack_text(locale, indicator.kind, value)

    return pack_value


def number_cells(pack_value):
    """``cells(indicators, values)``: a breakdown row's figures as ``<td>`` cells, escaped, in one call
    (a page has a couple of thousand of them: a Jinja loop per cell cost most of its time)."""
    def cells(indicators, values) -> Markup:
        html = "".join([f'<td class="num">{escape(pack_value(i, values[i.code]))}</td>' for i in indicators])
        return Markup(html)  # noqa: S704  # nosec B704 - every figure was escaped above

    return cells


@functools.lru_cache(maxsize=4096)
def _pack_text(locale: str, kind: str, value) -> str:  # noqa: ARG001 - the locale is part of the cache key
    """Formatted once per language, kind and value: a breakdown repeats the same small numbers."""
    if kind == "percent":
        return percent_filter(value)
    if kind == "dollars":
        return dollars_filter(value)
    if kind == "hours":
        return format_decimal(value, format="#,##0.0")
    if kind == "average":  # a gain: signed
        return format_decimal(value, format="+#,##0.00;-#,##0.00")
    if kind == "score":  # an average score (satisfaction 1 to 5…)
        return format_decimal(value, format="#,##0.0")
    return number(value)


# Number formats of the workbook's cells: LibreOffice and Excel show them with the separators of
# the reader's locale (« 1 234,5 » in French); the dollar sign and the percent's space follow the
# user's language, as on the page.
XLSX_FORMATS = {
    "fr": {"number": "#,##0", "hours": "#,##0.0", "dollars": '#,##0\\ "$"', "percent": "0.0\\ %",
           "average": "+0.00;-0.00;0.00", "score": "0.0"},
    "en": {"number": "#,##0", "hours": "#,##0.0", "dollars": '"$"#,##0', "percent": "0.0%",
           "average": "+0.00;-0.00;0.00", "score": "0.0"},
}


def _cell(indicator, value, formats: dict):
    return None if value is None else (value, formats[indicator.kind])


def pack_sheets(pack, *, scope_name: str, period: str, language: str) -> list:
    """The report pack as a workbook: its indicators, a sheet per breakdown, and the definitions.
    Sheets are (title, header, rows, column widths)."""
    formats = XLSX_FORMATS.get(language, XLSX_FORMATS["en"])
    indicators = [[_("Scope"), scope_name, None], [_("Period"), period, None]]
    for group in pack.groups:
        indicators.append([group.heading, None, None])
        indicators += [[str(f.indicator.label), _cell(f.indicator, f.value, formats), str(f.indicator.definition)]
                       for f in group.figures]
    sheets = [(_("Indicators"), [_("Indicator"), _("Value"), _("Definition")], indicators, [44, 16, 90])]
    columns, total = pack.broken_down, pack_totals_row(pack)
    for breakdown in pack.breakdowns:
        rows = [[row.label, *(_cell(i, row.values.get(i.code), formats) for i in columns)] for row in breakdown.rows]
        rows.append([_("Total"), *(_cell(i, total[i.code], formats) for i in columns)])
        sheets.append((breakdown.heading, [breakdown.heading, *(str(i.label) for i in columns)], rows,
                       [40, *([16] * len(columns))]))
    definitions = [[str(f.indicator.label), str(f.indicator.definition)] for f in pack.figures]
    definitions += [[str(label), str(text)] for label, text in breakdown_definitions()]
    sheets.append((_("Definitions"), [_("Indicator"), _("Definition")], definitions, [44, 110]))
    return sheets


def pack_totals_row(pack) -> dict:
    return {figure.indicator.code: figure.value for figure in pack.figures}


def breakdown_definitions() -> list:
    """What the breakdowns group by: shown under them and in the workbook's definitions."""
    return [
        (_("Breakdowns"), _("Each breakdown adds up to the total: an enterprise counts in one row of each, "
                            "by its region, sector of activity and legal form, and by the organization that "
                            "follows it today.")),
        (_("Regional hub"), _("The regional hub (pôle régional) that follows the enterprise; the enterprises "
                              "followed by a national partner are counted in a row of their own.")),
        (_("Period"), _("Dates are Québec dates, from midnight to midnight in Québec time. The Québec "
                        "government's fiscal year runs from April 1 to March 31.")),
    ]
