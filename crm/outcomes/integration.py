"""What the outcome chain adds to other features' pages, answering their signals: its section of the
enterprise page, its words in the enterprise's history, and its section of the dashboard."""
from crm import access, signals
from crm.contributions import (
    DashboardSection,
    Field,
    HistoryTerms,
    Indicator,
    ReportIndicators,
    Section,
    codes,
    show_date,
)
from crm.formatting import dollars_filter
from crm.i18n import _, _l
from crm.outcomes import queries
from crm.outcomes.forms import PlanForm, ProjectForm
from crm.reference import PROJECT_CATEGORIES, PROJECT_STATUSES, REGIONS
from crm.reports.queries import ratio


@signals.enterprise_sections.connect
def enterprise_section(enterprise, *, user, **_extra):
    """Plans and projects (two queries); the forms, closed until needed, for those who may record."""
    context = {"plans": queries.plans_of(enterprise.id), "projects": queries.projects_of(enterprise.id),
               "can_record_outcomes": access.can_record_outcomes(user, enterprise)}
    if context["can_record_outcomes"]:
        context["plan_form"] = PlanForm(prefix="plan", formdata=None)
        context["project_form"] = ProjectForm(prefix="project", formdata=None)
    return Section("outcomes/_enterprise_section.html", context, order=55, anchor="outcomes",
                   label=_l("Plans and projects"))


@signals.history_terms.connect
def history_terms(_sender, **_extra):
    return HistoryTerms(
        entities={"digital_plans": _l("Digital plan"), "digital_projects": _l("Project")},
        fields={
            "digital_plans": {"produced_on": Field(_l("Produced on"), show_date),
                              "link": Field(_l("Link to the document"))},
            "digital_projects": {
                "title": Field(_l("Project")), "category": Field(_l("Category"), codes(PROJECT_CATEGORIES)),
                "status": Field(_l("Status"), codes(PROJECT_STATUSES)),
                "amount_invested": Field(_l("Amount invested"), dollars_filter),
                "public_funding": Field(_l("Public funding obtained"), dollars_filter),
                "jobs_created": Field(_l("Jobs created")), "jobs_maintained": Field(_l("Jobs maintained")),
                "started_on": Field(_l("Started on"), show_date),
                "completed_on": Field(_l("Carried out on"), show_date),
            },
        },
    )


# --- The dashboard -------------------------------------------------------------------------------

def outcome_values(scope) -> dict:
    return {"conversion": queries.conversion_rows(scope), "totals": queries.carried_out_totals(scope)}


def _conversion_row(label, planned, converted) -> dict:
    return {"label": label, "planned": planned, "converted": converted, "rate": ratio(converted, planned)}


def present_outcomes(values: dict) -> dict:
    by_organization, by_region, names = {}, {}, {}
    for organization_id, name, region, planned, converted in values["conversion"]:
        names[organization_id] = name
        for groups, key in ((by_organization, organization_id), (by_region, region)):
            before = groups.get(key, (0, 0))
            groups[key] = (before[0] + planned, before[1] + converted)
    planned = sum(p for p, _c in by_organization.values())
    converted = sum(c for _p, c in by_organization.values())
    return {
        "total": _conversion_row(_("All"), planned, converted),
        "organizations": sorted((_conversion_row(names[key], *counts)
                                 for key, counts in by_organization.items()), key=lambda row: row["label"]),
        "regions": [_conversion_row(name, *by_region[code]) for code, name in REGIONS.items() if code in by_region],
        "totals": values["totals"],
    }


def outcome_sheets(section: dict) -> list:
    header = [_("Enterprises with a digital plan"), _("Of them, with a project carried out"), _("Conversion")]

    def rows(groups):
        return [[row["label"], row["planned"], row["converted"],
                 (row["rate"], "0.0%") if row["rate"] is not None else None] for row in groups]

    totals = section["totals"]
    return [
        (_("Plans to projects"), [_("Organization or region"), *header],
         rows([section["total"], *section["organizations"], *section["regions"]])),
        (_("Projects carried out"), [_("Figure"), _("Value")], [
            [_("Projects carried out"), totals["projects"]], [_("Enterprises"), totals["enterprises"]],
            [_("Amount invested ($)"), totals["invested"]], [_("Public funding obtained ($)"), totals["funding"]],
            [_("Jobs created"), totals["jobs_created"]], [_("Jobs maintained"), totals["jobs_maintained"]]]),
    ]


@signals.dashboard_sections.connect
def dashboard_section(_sender, **_extra):
    return DashboardSection("outcomes", outcome_values, "outcomes/_dashboard_section.html", present_outcomes,
                            order=20, sheets=outcome_sheets)


# --- The ministry's report pack ------------------------------------------------------------------

@signals.report_indicators.connect
def report_indicators(_sender, **_extra):
    return ReportIndicators(
        "outcomes",
        (
            Indicator("plans", _l("Digital plans produced"), _l("Digital plans dated within the period.")),
            Indicator("projects", _l("Projects carried out"),
                      _l("Projects with the status carried out whose completion date falls within the period.")),
            Indicator("conversion", _l("Conversion from plan to project carried out"),
                      _l("Among the distinct enterprises that produced a digital plan during the period, the "
                         "share with a project carried out by the end of the period."),
                      kind="percent", value="converted", per="planned"),
            Indicator("invested", _l("Investment triggered"),
                      _l("Amounts invested in the projects carried out during the period, in dollars."),
                      kind="dollars"),
            Indicator("funding", _l("Public funding obtained"),
                      _l("Public funding obtained for the projects carried out during the period, in dollars."),
                      kind="dollars"),
            Indicator("jobs_created", _l("Jobs created"),
                      _l("Jobs created by the projects carried out during the period.")),
            Indicator("jobs_maintained", _l("Jobs maintained"),
                      _l("Jobs maintained by the projects carried out during the period.")),
        ),
        measures=queries.pack_measures, order=30, heading=_l("Digital plans and projects"),
    )
