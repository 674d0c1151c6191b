"""The enterprise list's export links: the list's own filters, and a line in the Law 25 access log."""
import csv
import io

from sqlalchemy import select

from crm.extensions import db
from crm.privacy.models import AccessLogEntry
from tests.enterprises_helpers import world  # noqa: F401 - fixture


def test_export_links_carry_the_filters_and_the_export_is_logged(app, client, auth, make, world):  # noqa: F811
    make.enterprise(world.org, name="Coop Estrie", region_code="05")
    make.enterprise(world.org, name="Coop Montréal", region_code="06")
    make.enterprise(world.other_org, name="Ailleurs", region_code="05")
    auth.sign_in(world.manager)
    page = client.get("/enterprises?region=05&sort=-name").get_data(as_text=True)
    assert "Exporter (CSV)" in page and "Exporter (Excel)" in page
    assert 'href="/reports/enterprises.csv?region=05&amp;sort=-name"' in page
    assert 'href="/reports/enterprises.xlsx?region=05&amp;sort=-name"' in page
    response = client.get("/reports/enterprises.csv?region=05&sort=-name")
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig")), delimiter=";"))
    assert [row[0] for row in rows[1:]] == ["Coop Estrie"]
    assert client.get("/reports/enterprises.xlsx").status_code == 200
    with app.app_context():
        entries = db.session.scalars(select(AccessLogEntry).where(AccessLogEntry.action == "export_enterprises")
                                     .order_by(AccessLogEntry.id)).all()
        assert [(e.user_id, e.subject_type, e.details) for e in entries] == [
            (world.manager.id, "enterprises", {"count": 1, "format": "csv"}),
            (world.manager.id, "enterprises", {"count": 2, "format": "xlsx"})]


def test_a_refused_export_is_not_logged(app, client, auth, world):  # noqa: F811
    auth.sign_in(world.manager)
    assert client.get("/reports/enterprises.csv?stage=nowhere").status_code == 400
    with app.app_context():
        assert db.session.scalars(select(AccessLogEntry).where(
            AccessLogEntry.action == "export_enterprises")).all() == []
