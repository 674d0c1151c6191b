"""Saved views of the enterprise list (crm/savedviews): save, apply, rename, share, delete; who sees
and changes what; a view whose filters no longer make sense; the list's columns; the query count."""
import html

import pytest
from sqlalchemy import select

from crm.extensions import db
from crm.savedviews.models import SavedView
from tests.conftest import csrf_token
from tests.enterprises_helpers import QueryCounter, world  # noqa: F401 - fixture


def _save(client, name, filters, *, shared=False):
    data = {"csrf_token": csrf_token(client, "/enterprises"), "name": name, "filters": filters}
    if shared:
        data["shared"] = "y"
    return client.post("/enterprises/views", data=data)


def _view(app, name) -> SavedView:
    with app.app_context():
        view = db.session.scalar(select(SavedView).where(SavedView.name == name))
        db.session.expunge(view)
        return view


def test_saving_and_applying_a_view(app, client, auth, make, world):  # noqa: F811
    make.enterprise(world.org, coach=world.coach, name="Coop en formation", stage="training")
    make.enterprise(world.org, coach=world.coach, name="Coop sensibilisée", stage="awareness")
    auth.sign_in(world.coach)
    response = _save(client, "Formation, par activité", "stage=training&sort=-last_activity&columns=stage&page=3&x=1")
    view = _view(app, "Formation, par activité")
    # Only the list's parameters are kept: not the page, nor anything else.
    assert view.query_string == "stage=training&sort=-last_activity&columns=stage"
    assert (view.owner_id, view.organization_id, view.shared) == (world.coach.id, world.org.id, False)
    assert response.status_code == 302 and response.headers["Location"] == f"/enterprises/views/{view.id}"
    applied = client.get(f"/enterprises/views/{view.id}")
    assert applied.headers["Location"] == "/enterprises?stage=training&sort=-last_activity&columns=stage"
    page = html.unescape(client.get(applied.headers["Location"]).get_data(as_text=True))
    assert "Coop en formation" in page and "Coop sensibilisée" not in page
    assert "Formation, par activité" in page  # listed in the panel
    # Only the columns chosen: the stage, not the city nor the coach.
    header = page[page.index("<thead>"):page.index("</thead>")]
    assert "Étape" in header and "Ville" not in header and "Conseillère ou conseiller" not in header


@pytest.mark.parametrize("name, filters, message", [
    ("", "stage=training", "Ce champ est requis."),
    ("x" * 81, "stage=training", "80 caractères"),
    ("Trop long", "q=" + "x" * 2100, "trop longs pour être enregistrés"),
])
def test_a_refused_view_says_why_and_saves_nothing(app, client, auth, world, name, filters, message):  # noqa: F811
    auth.sign_in(world.coach)
    response = _save(client, name, filters)
    assert response.status_code == 400 and message in html.unescape(response.get_data(as_text=True))
    with app.app_context():
        assert db.session.scalar(select(SavedView.id)) is None


def test_a_view_whose_filters_no_longer_hold_is_applied_with_a_message(app, client, auth, make, world):  # noqa: F811
    make.enterprise(world.org, name="Toujours là")
    auth.sign_in(world.manager)
    _save(client, "Vieille vue", "stage=training")
    view = _view(app, "Vieille vue")
    with app.app_context():  # stored before a stage, a coach or a sort went away
        db.session.get(SavedView, view.id).query_string = "stage=nowhere&coach=999999&sort=evil&columns=%00"
        db.session.commit()
    page = client.get(f"/enterprises/views/{view.id}", follow_redirects=True)
    assert page.status_code == 200
    text = html.unescape(page.get_data(as_text=True))
    assert "ont été ignorés" in text and "Toujours là" in text


def test_shared_views_are_the_organizations_and_personal_ones_their_owners(app, client, auth, world):  # noqa: F811
    auth.sign_in(world.coach)
    _save(client, "Partagée", "stage=training", shared=True)
    _save(client, "Personnelle", "stage=awareness")
    client.get("/enterprises/views")  # the messages of the saves are read
    shared, personal = _view(app, "Partagée"), _view(app, "Personnelle")
    token = lambda: csrf_token(client, "/enterprises/views")  # noqa: E731

    auth.sign_in(world.colleague)
    page = client.get("/enterprises").get_data(as_text=True)
    assert "Partagée" in page and "Personnelle" not in page
    assert client.get(f"/enterprises/views/{shared.id}").status_code == 302
    assert client.get(f"/enterprises/views/{personal.id}").status_code == 404
    # A colleague sees a shared view but does not change it.
    assert client.post(f"/enterprises/views/{shared.id}/edit",
                       data={"csrf_token": token(), f"view-{shared.id}-name": "Volée"}).status_code == 403
    assert client.post(f"/enterprises/views/{shared.id}/delete", data={"csrf_token": token()}).status_code == 403

    auth.sign_in(world.other_manager)
    assert client.get(f"/enterprises/views/{shared.id}").status_code == 404
    assert "Partagée" not in client.get("/enterprises").get_data(as_text=True)

    # The organization's manager may change (here: rename and stop sharing) a shared view...
    auth.sign_in(world.manager)
    response = client.post(f"/enterprises/views/{shared.id}/edit",
                           data={"csrf_token": token(), f"view-{shared.id}-name": "Formation (équipe)"})
    assert response.status_code == 302
    with app.app_context():
        changed = db.session.get(SavedView, shared.id)
        assert (changed.name, changed.shared, changed.owner_id) == ("Formation (équipe)", False, world.coach.id)
    # ...but not a personal one, which does not exist for them.
    assert client.post(f"/enterprises/views/{personal.id}/delete", data={"csrf_token": token()}).status_code == 404

    # The owner renames and deletes their own.
    auth.sign_in(world.coach)
    assert client.post(f"/enterprises/views/{personal.id}/edit",
                       data={"csrf_token": token(), f"view-{personal.id}-name": ""}).status_code == 400
    response = client.post(f"/enterprises/views/{personal.id}/delete", data={"csrf_token": token()},
                           follow_redirects=True)
    assert "Vue « Personnelle » supprimée." in html.unescape(response.get_data(as_text=True))
    with app.app_context():
        assert db.session.get(SavedView, personal.id) is None


def test_the_views_page_in_english(client, auth, world):  # noqa: F811
    auth.sign_in(world.coach)
    _save(client, "Mine", "stage=training")
    client.post("/language", data={"locale": "en", "csrf_token": csrf_token(client, "/")})
    page = html.unescape(client.get("/enterprises/views").get_data(as_text=True))
    assert "Saved views" in page and "Rename or share" in page and "Mine" in page
    assert "Save these filters as a view" in html.unescape(client.get("/enterprises").get_data(as_text=True))


def test_the_list_sends_as_many_queries_with_more_views(app, client, auth, world):  # noqa: F811
    auth.sign_in(world.coach)

    def count():
        client.get("/enterprises")
        with QueryCounter(app) as counter:
            client.get("/enterprises")
        return counter.count

    _save(client, "Une", "stage=training", shared=True)
    few = count()
    for i in range(5):
        _save(client, f"Vue {i}", f"stage=training&sort=-name&q={i}", shared=bool(i % 2))
    assert count() == few
