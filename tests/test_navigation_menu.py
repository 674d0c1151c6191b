"""The header's entries, grouped: the daily work as links, the other groups as menus (<details>) that
need no JavaScript, a group of one entry as a plain link, the account beside the person's name."""
import re

from tests.enterprises_helpers import world  # noqa: F401 - fixture


def _header(client, path="/enterprises") -> str:
    page = client.get(path).get_data(as_text=True)
    return page[page.index('<header class="site-header">'):page.index("</header>")]


def _menus(header) -> dict[str, list[str]]:
    """Each menu's summary and the names of its links."""
    menus = re.findall(r'<details name="nav-group">\s*<summary[^>]*>([^<]+)</summary>(.*?)</details>', header, re.S)
    return {label: re.findall(r">([^<]+)</a>", links) for label, links in menus}


def test_a_manager_has_the_daily_work_as_links_and_the_rest_in_menus(client, auth, world):  # noqa: F811
    auth.sign_in(world.manager)
    header = _header(client)
    menus = _menus(header)
    assert menus["Programme"] == ["Cohortes", "Mes séances", "Calendrier", "Événements", "Rappels"]
    assert menus["Administration"] == ["Importations", "Équipe", "Webhooks"]
    assert menus["Rapports"] == ["Tableau de bord", "Sondages"]
    assert 'href="/enterprises" aria-current="page">Entreprises</a>' in header
    # Every entry once, the account beside the name (not in the menu).
    assert header.count('href="/cohorts"') == 1
    assert re.search(r'<a class="user-name" href="/account/"><span class="visually-hidden">Mon compte, </span>'
                     r"Gestionnaire Montréal", header)
    # The page's own group is marked.
    cohorts = _header(client, "/cohorts")
    assert '<summary class="is-current">Programme</summary>' in cohorts
    assert cohorts.count('aria-current="page"') == 1


def test_a_coach_sees_only_the_groups_of_her_entries(client, auth, world):  # noqa: F811
    auth.sign_in(world.coach)
    header = _header(client)
    menus = _menus(header)
    assert list(menus) == ["Programme"]
    assert "Administration" not in header and "Importations" not in header
    assert 'href="/caseload">Mon portefeuille</a>' in header
