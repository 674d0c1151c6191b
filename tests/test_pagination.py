"""Page links of long lists (macros/pagination.html): every page reachable, filters kept, accessible."""
import re

from sqlalchemy import select

from crm.auth.models import User
from crm.extensions import db
from crm.organizations.models import Organization
from tests.conftest import Auth

NAV_RE = re.compile(r'<nav class="pagination" aria-label="Pages">.*?</nav>', re.S)


def nav(html: str) -> str:
    found = NAV_RE.findall(html)
    assert len(found) == 1, "one page navigation expected"
    return found[0]


def signed_in(app, user):
    client = app.test_client()
    Auth(client).login(user)
    return client


def test_the_people_list_pages_by_fifty_and_marks_the_current_page(app, make):
    office = make.organization(code="cqcm", name="Bureau du programme")
    admin = make.user(role="admin", organization=office)
    with app.app_context():
        password_hash = db.session.get(User, admin.id).password_hash
        db.session.add_all(User(email=f"personne{n}@virage.example", full_name=f"Personne {n:02}", role="coach",
                                organization_id=office.id, password_hash=password_hash) for n in range(55))
        db.session.commit()
    client = signed_in(app, admin)

    first = nav(client.get("/admin/users").get_data(as_text=True))
    assert 'href="/admin/users?page=1" aria-label="Page 1" aria-current="page">1</a>' in first
    assert 'href="/admin/users?page=2" aria-label="Page 2">2</a>' in first
    assert 'rel="next" href="/admin/users?page=2">Page suivante</a>' in first
    assert "Page précédente" not in first

    second_page = client.get("/admin/users?page=2").get_data(as_text=True)
    second = nav(second_page)
    assert 'rel="prev" href="/admin/users?page=1">Page précédente</a>' in second
    assert 'aria-label="Page 2" aria-current="page"' in second
    assert "Page suivante" not in second
    assert second_page.count('<th scope="row">') == 56 - 50


def test_a_search_stays_in_the_links_to_other_pages(app, make):
    office = make.organization(code="cqcm", name="Bureau du programme")
    admin = make.user(role="admin", organization=office)
    make.enterprise(office, contacts=52, name="Coopérative Boréale")
    make.enterprise(office, contacts=3, name="Autre chose")
    client = signed_in(app, admin)

    first = nav(client.get("/privacy/admin/?q=Bor%C3%A9ale").get_data(as_text=True))
    assert 'href="/privacy/admin/?q=Bor%C3%A9ale&amp;page=2"' in first
    second = client.get("/privacy/admin/?q=Bor%C3%A9ale&page=2").get_data(as_text=True)
    assert 'aria-label="Page 2" aria-current="page"' in nav(second)
    assert second.count("Coopérative Boréale") == 2  # the two contacts left after fifty
    assert "Autre chose" not in second


def test_many_pages_show_the_ends_and_neighbours_and_keep_repeated_filters_and_route_arguments(app, make):
    with app.app_context():
        db.session.add_all(Organization(code=f"o{n}", name=f"O {n}", kind="national") for n in range(12))
        db.session.commit()
    template = app.jinja_env.from_string(
        '{% from "macros/pagination.html" import pagination %}{{ pagination(page) }}')
    with app.test_request_context("/sessions/7/reminders?stage=a&stage=b&page=5"):
        page = db.paginate(select(Organization).order_by(Organization.id), page=5, per_page=1)
        html = template.render(page=page)
    numbers = re.findall(r'aria-label="Page (\d+)"', html)
    assert numbers == ["1", "3", "4", "5", "6", "7", "12"]
    assert html.count('<li class="gap" aria-hidden="true">…</li>') == 2
    assert 'href="/sessions/7/reminders?stage=a&amp;stage=b&amp;page=4">Page précédente' in html
    assert 'aria-current="page"' in html.split('aria-label="Page 5"')[1].split(">")[0]

    with app.test_request_context("/sessions/7/reminders"):
        assert template.render(page=db.paginate(select(Organization), page=1, per_page=50)).strip() == ""
