"""The dashboard for one organization hides the regions where it has nothing (a toggle shows them);
the monthly chart is drawn at its natural size, its labels the size of the page's text."""
import re
from pathlib import Path

import pytest

from tests.reports_helpers import build_programme


@pytest.fixture
def programme(app, make):
    return build_programme(app, make)


def _region_rows(page: str) -> list[str]:
    table = page.split("Entreprises et entreprises rejointes par région administrative</caption>", 1)[1]
    return re.findall(r'<th scope="row">([^<]+)</th>', table.split("</tbody>", 1)[0])


def test_one_organizations_dashboard_hides_empty_regions_until_asked(client, auth, programme):
    auth.sign_in(programme.manager_a)  # Pôle A: enterprises in Estrie (05) and Capitale-Nationale (03)
    page = client.get("/reports/").get_data(as_text=True)
    assert _region_rows(page) == ["Capitale-Nationale", "Estrie"]
    assert "15 régions sans entreprises sont masquées." in page
    assert '<a href="/reports/?empty_rows=y">Les afficher</a>' in page
    shown = client.get("/reports/?empty_rows=y").get_data(as_text=True)
    assert len(_region_rows(shown)) == 17 and "sont masquées" not in shown
    assert re.search(r'<input [^>]*checked id="empty_rows" name="empty_rows" type="checkbox" value="y"', shown)
    assert 'href="/reports/">Masquer les régions sans entreprises</a>' in shown
    # The other filters are kept; the funder report follows the same rule.
    funder = client.get("/reports/funder?region=05").get_data(as_text=True)
    assert _region_rows(funder) == ["Estrie"]


def test_a_bad_toggle_is_refused_with_a_message(client, auth, programme):
    auth.sign_in(programme.manager_a)
    response = client.get("/reports/?empty_rows=%00maybe")
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and "Cochez la case ou laissez-la vide." in page


def test_the_programme_shows_every_region(client, auth, programme):
    auth.sign_in(programme.admin)
    page = client.get("/reports/").get_data(as_text=True)
    assert len(_region_rows(page)) == 17 and "masquée" not in page
    one = client.get(f"/reports/?organization={programme.org_b.id}").get_data(as_text=True)
    assert _region_rows(one) == ["Montréal"] and "16 régions sans entreprises sont masquées." in one


def test_the_monthly_chart_is_drawn_at_its_natural_size(app, client, auth, programme):
    auth.sign_in(programme.manager_a)
    page = client.get("/reports/?date_from=2026-01-01&date_to=2026-06-30").get_data(as_text=True)
    svg = re.search(r'<figure class="chart chart-wide"[^>]*>(<svg[^>]*>)', page).group(1)
    width, height = re.search(r'width="(\d+)" height="(\d+)"', svg).groups()
    assert f'viewBox="0 0 {width} {height}"' in svg  # one unit, one pixel
    css = (Path(app.static_folder) / "css" / "reports.css").read_text("utf-8")
    assert re.search(r"\.chart-wide \.chart-svg \{ width: 40rem; max-width: none;", css) and int(width) == 40 * 16
    chart = page.split('<figure class="chart chart-wide"', 1)[1].split("</figure>", 1)[0]
    assert set(re.findall(r'font-size="(\d+)"', chart)) <= {"12", "14"}  # the page's text sizes, not doubled
