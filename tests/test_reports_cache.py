"""Cached dashboard figures (crm.reports.cache): reused while nothing they count has changed, made
again on the next view after a change in an organization they cover, whether made through the ORM
or a bulk statement, and kept after a change in another organization."""
import re
import time
import uuid

import pytest
from sqlalchemy import insert, select

from crm.enterprises.models import Enterprise, StageChange
from crm.extensions import cache, db
from crm.reports.models import OrganizationVersion
from tests.enterprises_helpers import QueryCounter
from tests.reports_helpers import add_identified, build_programme, enterprises_counted
from tests.security_helpers import require_redis
from tests.smtp import free_port


@pytest.fixture
def programme(app, make):
    return build_programme(app, make)


def statements_of(app, client, path) -> list[str]:
    with QueryCounter(app) as queries:
        assert client.get(path).status_code == 200
    return queries.statements


def computed(app, client, path="/reports/") -> bool:
    """Whether a view computed its figures (read the stage history) rather than took them from the cache."""
    return any("stage_changes" in statement for statement in statements_of(app, client, path))


def version(app, organization) -> int:
    with app.app_context():
        return db.session.scalar(select(OrganizationVersion.version)
                                 .where(OrganizationVersion.organization_id == organization.id)) or 0


def test_a_second_view_reads_the_cached_figures_instead_of_the_history(app, client, auth, programme):
    auth.sign_in(programme.manager_a)
    first = statements_of(app, client, "/reports/")
    second = statements_of(app, client, "/reports/")
    assert any("stage_changes" in s for s in first)
    assert not any("stage_changes" in s or "attendances" in s for s in second)
    assert len(second) < len(first)
    # The same page, but for its form tokens (signed with the second they were made in).
    assert without_tokens(client.get("/reports/")) == without_tokens(client.get("/reports/"))


def without_tokens(response) -> str:
    return re.sub(r'name="csrf_token"[^>]*>', "", response.get_data(as_text=True))


def test_each_scope_and_filter_has_its_own_figures(app, client, auth, programme):
    auth.sign_in(programme.admin)
    assert enterprises_counted(client) == 6
    assert enterprises_counted(client, f"/reports/funder.xlsx?organization={programme.org_b.id}") == 2
    assert enterprises_counted(client, "/reports/funder.xlsx?region=03") == 1
    assert not computed(app, client, f"/reports/?organization={programme.org_b.id}")
    auth.logout()
    auth.sign_in(programme.manager_a)
    assert enterprises_counted(client) == 4
    assert enterprises_counted(client) == 4


def test_a_change_through_the_application_shows_on_the_next_view(app, client, auth, programme):
    auth.sign_in(programme.manager_a)
    assert enterprises_counted(client) == 4
    before = version(app, programme.org_a)
    add_identified(app, programme.org_a.id, 2)  # the enterprise services, through the ORM
    assert version(app, programme.org_a) > before
    assert enterprises_counted(client) == 6


def test_a_write_in_one_organization_leaves_the_others_figures_cached(app, client, auth, programme):
    auth.sign_in(programme.manager_b)
    assert enterprises_counted(client) == 2
    auth.logout()
    auth.sign_in(programme.admin)
    assert enterprises_counted(client) == 6
    assert enterprises_counted(client, f"/reports/funder.xlsx?organization={programme.org_b.id}") == 2
    auth.logout()
    auth.sign_in(programme.manager_a)
    assert enterprises_counted(client) == 4

    add_identified(app, programme.org_a.id, 1)  # a write in organization A

    assert enterprises_counted(client) == 5  # A's next view shows it
    auth.logout()
    auth.sign_in(programme.admin)
    assert enterprises_counted(client) == 7  # and so does the programme-wide one
    assert not computed(app, client, f"/reports/?organization={programme.org_b.id}")
    auth.logout()
    auth.sign_in(programme.manager_b)
    assert not computed(app, client)  # B's figures stayed in the cache
    assert enterprises_counted(client) == 2


def test_an_enterprise_moved_to_another_organization_changes_both(app, client, auth, programme):
    organizations = (programme.org_a, programme.org_b, programme.org_c)
    before = [version(app, organization) for organization in organizations]
    with app.app_context():
        db.session.get(Enterprise, programme.enterprise_ids["E1"]).organization_id = programme.org_b.id
        db.session.commit()
    assert [version(app, organization) for organization in organizations] == [before[0] + 1, before[1] + 1, before[2]]
    auth.sign_in(programme.manager_b)
    assert enterprises_counted(client) == 3


def test_a_bulk_statement_also_marks_the_figures_stale(app, client, auth, programme):
    auth.sign_in(programme.manager_a)
    assert enterprises_counted(client) == 4
    with app.app_context():
        enterprise_id = db.session.execute(insert(Enterprise.__table__).values(
            name="Importée", name_key="importee", legal_form="obnl", region_code="05",
            organization_id=programme.org_a.id, stage="identified", preferred_language="fr")
            .returning(Enterprise.__table__.c.id)).scalar()
        db.session.execute(insert(StageChange.__table__), [{"enterprise_id": enterprise_id,
                                                            "to_stage": "identified",
                                                            "organization_id": programme.org_a.id}])
        db.session.commit()
    assert enterprises_counted(client) == 5


def test_a_rolled_back_change_leaves_the_figures_alone(app, client, auth, programme):
    auth.sign_in(programme.manager_a)
    assert enterprises_counted(client) == 4
    before = version(app, programme.org_a)
    with app.app_context():
        db.session.get(Enterprise, programme.enterprise_ids["E1"]).city = "Magog"
        db.session.flush()
        db.session.rollback()
        db.session.commit()
    assert version(app, programme.org_a) == before
    assert not computed(app, client)


def test_caching_can_be_turned_off(app, client, auth, programme):
    app.config["REPORT_CACHE_SECONDS"] = 0
    auth.sign_in(programme.manager_a)
    assert enterprises_counted(client) == 4
    assert computed(app, client) and computed(app, client)


def test_figures_older_than_the_limit_are_computed_again(app, client, auth, programme):
    app.config["REPORT_CACHE_SECONDS"] = 4  # long enough for the next view on a busy machine
    auth.sign_in(programme.manager_a)
    assert computed(app, client)
    assert not computed(app, client)
    time.sleep(5)  # the data may have changed since without a write (a session now held)
    assert computed(app, client)


def test_figures_are_shared_by_the_workers_of_a_host_through_files(app, client, auth, programme, tmp_path):
    """The default cache: files in the instance folder, which every worker of the host reads."""
    app.config.update(CACHE_TYPE="FileSystemCache", CACHE_DIR=str(tmp_path))
    cache.init_app(app)
    auth.sign_in(programme.manager_a)
    assert computed(app, client)
    cache.init_app(app)  # another worker: nothing in its memory
    assert not computed(app, client)
    assert any(tmp_path.iterdir())
    assert enterprises_counted(client) == 4


def test_a_cache_that_does_not_answer_costs_speed_not_the_page(app, client, auth, programme, caplog, monkeypatch):
    monkeypatch.setattr("crm.reports.cache._next_warning", 0.0)
    app.config.update(CACHE_TYPE="RedisCache", CACHE_REDIS_URL=f"redis://127.0.0.1:{free_port()}/0",
                      CACHE_OPTIONS={"socket_connect_timeout": 1, "socket_timeout": 1})
    cache.init_app(app)
    auth.sign_in(programme.manager_a)
    assert computed(app, client) and computed(app, client)
    assert enterprises_counted(client) == 4
    assert client.get("/enterprises").status_code == 200
    response = client.get("/reports/enterprises.csv")
    assert response.status_code == 200 and "Entreprise E1" in response.get_data(as_text=True)
    assert caplog.text.count("report cache unreachable") == 1  # once a minute, not on every view


def test_figures_are_shared_by_every_host_through_redis(app, client, auth, programme):
    require_redis()
    app.config.update(CACHE_TYPE="RedisCache", CACHE_REDIS_URL="redis://127.0.0.1:6379/0",
                      CACHE_KEY_PREFIX=f"virage-test-{uuid.uuid4().hex}-")
    cache.init_app(app)
    try:
        auth.sign_in(programme.manager_a)
        assert computed(app, client)
        cache.init_app(app)  # another host
        assert not computed(app, client)
        add_identified(app, programme.org_a.id, 1)
        assert enterprises_counted(client) == 5
    finally:
        with app.app_context():
            cache.clear()  # this test's keys (their prefix)
