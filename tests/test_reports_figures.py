"""The dashboard's figures against a hand-built programme (tests/reports_helpers.py)."""
from datetime import date

import pytest

from crm.extensions import db
from crm.reference import REGION_WEIGHTS
from crm.reports import queries
from tests.reports_helpers import build_programme


@pytest.fixture
def programme(app, make):
    return build_programme(app, make)


def figures_for(app, user, **filters):
    with app.app_context():
        user = db.session.merge(user)
        return queries.dashboard(queries.build_scope(user, **filters), today=date(2026, 4, 15))


def test_whole_programme_funnel_stages_and_conversions(app, programme):
    report = figures_for(app, programme.admin)
    totals = report.totals
    assert totals.enterprises == 6  # E7 is archived
    assert totals.reached == 4  # E1, E2 (withdrawn keeps the reach), E3, E5
    assert totals.levels == {0: 6, 1: 4, 2: 3, 3: 2, 4: 1}
    assert [(s.count, s.conversion) for s in report.funnel] == [
        (6, None), (4, 4 / 6), (3, 3 / 4), (2, 2 / 3), (1, 1 / 2)]
    assert totals.at_stage == {"identified": 2, "awareness": 0, "training": 1, "coaching_individual": 0,
                               "coaching_collective": 1, "completed": 1, "withdrawn": 1}
    assert totals.ever == {"identified": 6, "awareness": 4, "training": 2, "coaching_individual": 1,
                           "coaching_collective": 1, "completed": 1, "withdrawn": 1}


def test_medians_of_time_spent_in_each_stage(app, programme):
    durations = figures_for(app, programme.admin).durations_by_stage
    # identified: 10, 20, 10, 20 days -> 15; awareness: 30, 40, 20, 15 -> (20 + 30) / 2
    assert (durations["identified"].median_days, durations["identified"].stays) == (pytest.approx(15), 4)
    assert (durations["awareness"].median_days, durations["awareness"].stays) == (pytest.approx(25), 4)
    assert (durations["training"].median_days, durations["training"].stays) == (pytest.approx(10), 1)
    assert durations["coaching_individual"].median_days == pytest.approx(31)
    assert durations["coaching_collective"].median_days is None  # E5 is still there


def test_odd_number_of_stays_takes_the_middle_one(app, programme):
    durations = figures_for(app, programme.manager_a).durations_by_stage
    assert durations["awareness"].stays == 3  # 30, 40, 20 days
    assert durations["awareness"].median_days == pytest.approx(30)


def test_breakdowns_by_region_organization_and_legal_form(app, programme):
    report = figures_for(app, programme.admin)
    regions = {r.key: (r.figures.enterprises, r.figures.reached) for r in report.regions}
    assert len(regions) == 17
    assert regions["05"] == (3, 2) and regions["03"] == (1, 1) and regions["06"] == (2, 1)
    assert sum(e for e, _ in regions.values()) == 6
    montreal = next(r for r in report.regions if r.key == "06")
    # Its share of the target, in proportion to its social-economy enterprises.
    assert montreal.target == round(1120 * REGION_WEIGHTS["06"] / sum(REGION_WEIGHTS.values()))
    organizations = {r.label: (r.figures.enterprises, r.figures.reached, r.figures.completed_now)
                     for r in report.organizations}
    assert organizations == {"Pôle A": (4, 3, 1), "Pôle B": (2, 1, 0)}
    legal_forms = {r.key: (r.figures.enterprises, r.figures.reached) for r in report.legal_forms}
    assert legal_forms == {"obnl": (4, 2), "coop_work": (1, 1), "coop_solidarity": (1, 1)}


def test_monthly_entries_count_in_quebec_months(app, programme):
    report = figures_for(app, programme.admin, date_from=date(2026, 1, 1), date_to=date(2026, 4, 30))
    assert report.months == [date(2026, m, 1) for m in (1, 2, 3, 4)]
    assert report.monthly == {
        ("2026-01", "identified"): 3, ("2026-01", "awareness"): 2,
        # E4's change at 03:00 UTC on March 1st is February 28 in Québec
        ("2026-02", "identified"): 3, ("2026-02", "awareness"): 2, ("2026-02", "training"): 1,
        ("2026-02", "coaching_collective"): 1,
        ("2026-03", "coaching_individual"): 1, ("2026-03", "training"): 1, ("2026-03", "withdrawn"): 1,
        ("2026-04", "completed"): 1,
    }


def test_a_period_counts_stages_as_of_its_end_and_entries_within_it(app, programme):
    report = figures_for(app, programme.admin, date_from=date(2026, 2, 1), date_to=date(2026, 2, 28))
    totals = report.totals
    assert totals.enterprises == 6  # E4 exists on February 28 in Québec
    assert totals.at_stage["training"] == 1 and totals.at_stage["awareness"] == 2
    assert totals.at_stage["coaching_collective"] == 1 and totals.at_stage["identified"] == 2
    assert totals.reached == 4 and totals.reached_in_period == 2  # E2 and E3 first reached in February
    assert totals.entered["identified"] == 3 and totals.entered["awareness"] == 2
    durations = report.durations_by_stage
    assert durations["identified"].median_days == pytest.approx(15)  # E2 20 days, E3 10 days
    assert durations["awareness"].median_days == pytest.approx(22.5)  # E1 30 days, E5 15 days


def test_a_manager_counts_their_organization_only(app, programme):
    a = figures_for(app, programme.manager_a)
    assert (a.totals.enterprises, a.totals.reached) == (4, 3)
    assert [o.label for o in a.organizations] == ["Pôle A"]
    assert (a.totals.levels[2], a.totals.levels[3]) == (2, 1)
    b = figures_for(app, programme.manager_b)
    assert (b.totals.enterprises, b.totals.reached) == (2, 1)
    c = figures_for(app, programme.manager_c)
    assert (c.totals.enterprises, c.totals.reached, c.monthly) == (0, 0, {})
    # A manager's organization filter is not theirs to choose.
    forced = figures_for(app, programme.manager_a, organization_id=programme.org_b.id)
    assert forced.totals.enterprises == 4


def test_admin_filters_by_organization_and_region(app, programme):
    b = figures_for(app, programme.admin, organization_id=programme.org_b.id)
    assert (b.totals.enterprises, b.totals.reached) == (2, 1)
    estrie = figures_for(app, programme.admin, region="05")
    assert (estrie.totals.enterprises, estrie.totals.reached) == (3, 2)
    assert [r.key for r in estrie.regions] == ["05"]
