"""Behaviour of the list, the enterprise page and its forms: search, filters, validation, conflicts, audit."""
import html
import re

import pytest
from sqlalchemy import select

from crm.audit.models import AuditEntry
from crm.contacts.models import Contact
from crm.enterprises.models import Enterprise
from crm.extensions import db
from tests.cohorts_helpers import make_cohort
from tests.conftest import csrf_token, post_form
from tests.enterprises_helpers import QueryCounter, post_prefixed, world  # noqa: F401 - fixture

PROFILE = {"name": "Coopérative de solidarité du Plateau", "legal_form": "coop_solidarity",
           "region_code": "06", "city": "Montréal", "preferred_language": "fr"}


@pytest.mark.parametrize("term", ["montreal", "MONTRÉAL", "cooperative plateau", "1234567890", "lea.tremblay"])
def test_search_ignores_case_and_accents(client, auth, make, world, term):  # noqa: F811
    make.enterprise(world.org, name="Coopérative du Plateau", city="Montréal", neq="1234567890")
    enterprise = make.enterprise(world.org, name="Autre chose", city="Laval")
    with client.application.app_context():
        from crm.contacts import services
        services.add_contact(db.session.get(Enterprise, enterprise.id), actor=None, first_name="Léa",
                             last_name="Tremblay", email="lea.tremblay@autre.example")
        db.session.commit()
    auth.sign_in(world.manager)
    page = client.get("/enterprises", query_string={"q": term}).get_data(as_text=True)
    expected = "Autre chose" if term == "lea.tremblay" else "Coopérative du Plateau"
    assert expected in page and "1 entreprise correspond." in page


def test_filters_sort_and_paginate_in_the_url(client, auth, make, world):  # noqa: F811
    for i in range(55):
        make.enterprise(world.org, name=f"Entreprise {i:02d}", region_code="06", legal_form="obnl")
    make.enterprise(world.org, name="Ailleurs", region_code="03", legal_form="obnl")
    auth.sign_in(world.manager)
    first = client.get("/enterprises?region=06&legal_form=obnl&sort=-name").get_data(as_text=True)
    assert "55 entreprises correspondent." in first and "Entreprise 54" in first and "Ailleurs" not in first
    assert "Page 1 de 2" in first and "region=06&amp;legal_form=obnl&amp;sort=-name&amp;page=2" in first
    second = client.get("/enterprises?region=06&legal_form=obnl&sort=-name&page=2").get_data(as_text=True)
    assert "Entreprise 00" in second and "Entreprise 54" not in second


@pytest.mark.parametrize("query", ["stage=nowhere", "region=99", "coach=abc", "sort=evil", "page=x",
                                   "organization=12", "q=" + "x" * 500])
def test_bad_filters_are_ignored_with_a_message(client, auth, make, world, query):  # noqa: F811
    make.enterprise(world.org, name="Toujours là")
    auth.sign_in(world.manager)
    response = client.get("/enterprises?" + query)
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "Toujours là" in page
    if not query.startswith(("page=", "organization=")):  # non-admins have no organization filter
        assert "ont été ignorés" in page


def test_list_and_page_issue_a_constant_number_of_queries(app, client, auth, make, world):  # noqa: F811
    def counts():
        with QueryCounter(app) as counter:
            assert client.get("/enterprises?sort=stage").status_code == 200
        listing = counter.count
        with QueryCounter(app) as counter:
            assert client.get(f"/enterprises/{target.id}").status_code == 200
        page = counter.count
        return listing, page

    target = make.enterprise(world.org, coach=world.coach, stage="awareness", contacts=2)
    for _ in range(2):
        make.enterprise(world.org, coach=world.coach, contacts=1)
    auth.sign_in(world.manager)
    small = counts()
    for i in range(57):
        make.enterprise(world.org, coach=world.colleague if i % 2 else world.coach, contacts=2, stage="training")
    with app.app_context():
        from crm.contacts.services import add_contact
        from crm.enterprises import timeline
        enterprise = db.session.get(Enterprise, target.id)
        for i in range(20):
            add_contact(enterprise, actor=None, first_name=f"P{i}")
            timeline.add_activity(enterprise, actor=None, kind="note", occurred_on=timeline.today_in_quebec(),
                                  body=f"note {i}")
        db.session.commit()
    assert counts() == small
    auth.logout()
    auth.sign_in(world.coach)
    with QueryCounter(app) as counter:
        client.get("/")
    assert counter.count <= 8


def test_create_validates_every_field_and_saves_nothing_when_invalid(app, client, auth, world):  # noqa: F811
    auth.sign_in(world.coach)
    response = post_form(client, "/enterprises/new", {**PROFILE, "neq": "12345", "postal_code": "D1A 1A1",
                                                      "website": "pas une adresse", "employees": "-3"})
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "exactement 10 chiffres" in page and "H2X 1Y4" in page and "https://example.org" in page
    with app.app_context():
        assert db.session.scalar(select(Enterprise).where(Enterprise.name == PROFILE["name"])) is None
    response = post_form(client, "/enterprises/new", {**PROFILE, "neq": "11 4567 8901", "postal_code": "h2x1y4"})
    assert response.status_code == 302
    with app.app_context():
        created = db.session.scalar(select(Enterprise).where(Enterprise.name == PROFILE["name"]))
        assert (created.neq, created.postal_code, created.coach_id) == ("1145678901", "H2X 1Y4", world.coach.id)
        entry = db.session.scalar(select(AuditEntry).where(AuditEntry.enterprise_id == created.id,
                                                           AuditEntry.action == "create"))
        assert entry.actor_id == world.coach.id and entry.changes["name"] == [None, PROFILE["name"]]


def test_duplicates_link_to_the_visible_one_and_name_the_other_organization(client, auth, make, world):  # noqa: F811
    mine = make.enterprise(world.org, name="Coop La Ruche", city="Montréal", neq="1111111111")
    make.enterprise(world.other_org, name="Café Solidaire", city="Sherbrooke", neq="2222222222",
                    sector="Secret bien gardé")
    auth.sign_in(world.coach)
    page = post_form(client, "/enterprises/new", {**PROFILE, "neq": "1111111111"}).get_data(as_text=True)
    assert f"/enterprises/{mine.id}" in page and "Coop La Ruche" in page
    response = post_form(client, "/enterprises/new", {**PROFILE, "name": "Café solidaire inc.", "city": "SHERBROOKE"})
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Pôle d&#39;économie sociale de l&#39;Estrie suit déjà cette entreprise" in page
    assert "Secret bien gardé" not in page and "2222222222" not in page


def test_second_save_of_a_stale_edit_is_refused_and_keeps_the_input(app, client, auth, make, world):  # noqa: F811
    enterprise = make.enterprise(world.org, coach=world.coach, name="Version Un")
    auth.sign_in(world.coach)
    form_page = f"/enterprises/{enterprise.id}/edit"
    token = csrf_token(client, form_page)
    version = str(enterprise.version)
    first = client.post(form_page, data={**PROFILE, "name": "Première personne", "version": version,
                                         "csrf_token": token})
    assert first.status_code == 302
    second = client.post(form_page, data={**PROFILE, "name": "Seconde personne", "version": version,
                                          "csrf_token": token})
    page = second.get_data(as_text=True)
    assert second.status_code == 409
    assert "Une autre personne a enregistré cette entreprise" in page and 'value="Seconde personne"' in page
    assert "Première personne" in page  # what the other person saved is shown
    with app.app_context():
        assert db.session.get(Enterprise, enterprise.id).name == "Première personne"


def test_moving_back_or_withdrawing_needs_a_comment(app, client, auth, make, world):  # noqa: F811
    enterprise = make.enterprise(world.org, coach=world.coach, stage="training")
    auth.sign_in(world.coach)
    page = f"/enterprises/{enterprise.id}"
    response = post_prefixed(client, f"{page}/stage", "stage", {"stage": "withdrawn"}, page=page)
    assert response.status_code == 400
    assert "un retrait demande un commentaire" in response.get_data(as_text=True)
    response = post_prefixed(client, f"{page}/stage", "stage", {"stage": "withdrawn", "comment": "Fermeture"},
                             page=page)
    assert response.status_code == 302
    with app.app_context():
        assert db.session.get(Enterprise, enterprise.id).stage == "withdrawn"


def test_contact_consent_is_recorded_and_withdrawn_at_once(app, client, auth, make, world):  # noqa: F811
    enterprise = make.enterprise(world.org, coach=world.coach)
    auth.sign_in(world.coach)
    new = f"/enterprises/{enterprise.id}/contacts/new"
    response = post_form(client, new, {"first_name": "Zoé", "email": "pas-un-courriel", "phone": "123",
                                       "email_consent": "y", "preferred_language": "en"})
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and "adresse courriel valide" in page and "10 chiffres" in page
    assert "comment la personne a donné son consentement" in page
    response = post_form(client, new, {"first_name": "Zoé", "last_name": "Gagnon", "email": "zoe@coop.example",
                                       "phone": "514 555-0199 poste 12", "email_consent": "y",
                                       "consent_source": "Formulaire d'inscription", "preferred_language": "en"})
    assert response.status_code == 302
    with app.app_context():
        contact = db.session.scalar(select(Contact).where(Contact.first_name == "Zoé"))
        assert contact.can_receive_email and contact.consent_recorded_by_id == world.coach.id
        assert contact.phone == "+1 514-555-0199 x12"
        assert "gagnon" in db.session.get(Enterprise, enterprise.id).search_text
    edit = f"/enterprises/{enterprise.id}/contacts/{contact.id}/edit"
    response = post_form(client, edit, {"first_name": "Zoé", "last_name": "Gagnon", "email": "zoe@coop.example",
                                        "preferred_language": "en", "version": str(contact.version)})
    assert response.status_code == 302
    with app.app_context():
        contact = db.session.get(Contact, contact.id)
        assert not contact.email_consent and not contact.can_receive_email
        entry = db.session.scalars(select(AuditEntry).where(AuditEntry.entity_type == "contacts")
                                   .order_by(AuditEntry.id.desc())).first()
        assert entry.changes["email_consent"] == [True, False]


def test_contacts_beside_the_profile_editors_edit_and_archive_them(app, client, auth, make, world):  # noqa: F811
    enterprise = make.enterprise(world.org, coach=world.coach)
    with app.app_context():
        from crm.contacts import services
        lea = services.add_contact(db.session.get(Enterprise, enterprise.id), actor=None, first_name="Léa",
                                   last_name="Roy", email="lea@coop.example")
        db.session.commit()
        contact_id, version = lea.id, lea.version
    detail = f"/enterprises/{enterprise.id}"
    auth.sign_in(world.colleague)
    page = client.get(detail).get_data(as_text=True)
    assert page.index('id="profile"') < page.index('id="contacts"') < page.index('id="stage"')
    assert "Léa Roy" in page and "Ajouter une personne-ressource" not in page
    auth.logout()
    auth.sign_in(world.coach)
    page = client.get(detail).get_data(as_text=True)
    assert "Ajouter une personne-ressource" in page and f"/contacts/{contact_id}/edit" in page
    edit = f"{detail}/contacts/{contact_id}/edit"
    values = {"first_name": "Léa", "last_name": "Roy-Martin", "email": "lea@coop.example", "preferred_language": "fr"}
    assert post_form(client, edit, {**values, "version": str(version)}).status_code == 302
    response = post_form(client, edit, {**values, "last_name": "Roy", "version": str(version)})
    page = response.get_data(as_text=True)
    assert response.status_code == 409 and "Une autre personne a enregistré cette personne-ressource" in page
    assert 'value="Roy"' in page  # the input is kept
    response = post_form(client, f"{detail}/contacts/{contact_id}/archive", {}, page=detail)
    assert response.status_code == 302 and response.headers["Location"].endswith(f"{detail}#contacts")
    page = client.get(detail).get_data(as_text=True)
    assert "Léa Roy-Martin" not in page and "1 personne-ressource archivée." in page


def test_history_shows_changes_to_editors_only(client, auth, make, world):  # noqa: F811
    enterprise = make.enterprise(world.org, coach=world.coach, name="Ancien nom")
    auth.sign_in(world.coach)
    edit = f"/enterprises/{enterprise.id}/edit"
    post_form(client, edit, {**PROFILE, "name": "Nouveau nom", "version": str(enterprise.version)})
    page = client.get(f"/enterprises/{enterprise.id}").get_data(as_text=True)
    assert "Historique des modifications" in page and "Ancien nom → Nouveau nom" in page
    auth.logout()
    auth.sign_in(world.colleague)
    assert "Historique des modifications" not in client.get(f"/enterprises/{enterprise.id}").get_data(as_text=True)


def test_handover_moves_the_enterprise_out_of_sight_and_is_recorded(app, client, auth, make, world):  # noqa: F811
    enterprise = make.enterprise(world.org, coach=world.coach, name="À transférer")
    auth.sign_in(world.manager)
    page = f"/enterprises/{enterprise.id}"
    response = post_prefixed(client, f"{page}/handover", "handover",
                             {"organization_id": str(world.other_org.id), "comment": "Déménagement"}, page=page)
    assert response.status_code == 302 and response.headers["Location"] == "/enterprises"
    assert client.get(page).status_code == 404
    auth.logout()
    auth.sign_in(world.other_manager)
    shown = client.get(page).get_data(as_text=True)
    assert "Transfert" in shown and "Déménagement" in shown
    with app.app_context():
        moved = db.session.get(Enterprise, enterprise.id)
        assert (moved.organization_id, moved.coach_id) == (world.other_org.id, None)


def test_bulk_assign_of_ticked_enterprises_keeps_the_filters(app, client, auth, make, world):  # noqa: F811
    chosen = [make.enterprise(world.org, region_code="03") for _ in range(3)]
    left = make.enterprise(world.org, region_code="03")
    auth.sign_in(world.manager)
    response = client.post("/enterprises/bulk", data={
        "csrf_token": csrf_token(client, "/enterprises?region=03"), "action": "assign", "scope": "selected",
        "ids": [str(e.id) for e in chosen], "filters": "region=03", "coach_id": str(world.colleague.id)})
    assert response.status_code == 302 and response.headers["Location"] == "/enterprises?region=03"
    with app.app_context():
        coaches = dict(db.session.execute(select(Enterprise.id, Enterprise.coach_id)).all())
    assert all(coaches[e.id] == world.colleague.id for e in chosen) and coaches[left.id] is None
    response = client.post("/enterprises/bulk", data={
        "csrf_token": csrf_token(client, "/enterprises"), "action": "assign", "scope": "selected",
        "filters": "", "coach_id": str(world.other_coach.id)})
    assert response.status_code == 400


def test_admin_picks_coaches_and_cohorts_within_the_chosen_organization(client, auth, make, world):  # noqa: F811
    """1,500 coaches or 4,000 cohorts in one list are unusable (and made the page slow): admins choose an
    organization first."""
    make.enterprise(world.org, name="Suivie par Camille", coach=world.coach)
    make.enterprise(world.other_org, name="Suivie en Estrie", coach=world.other_coach)
    make_cohort(client.application, world.org, name="Cohorte de Montréal")
    make_cohort(client.application, world.other_org, name="Cohorte de l'Estrie")
    auth.sign_in(world.admin)
    page = client.get("/enterprises").get_data(as_text=True)
    assert "Choisissez un organisme pour afficher ses conseillères et conseillers." in page
    assert _options(page, "coach") == ["Toutes les personnes conseillères", "Non attribuée"]
    assert _options(page, "coach_id") == ["Choisir…", "Personne (retirer l'attribution)"]
    assert _options(page, "cohort_id") == ["Choisir…"]

    page = client.get(f"/enterprises?organization={world.org.id}").get_data(as_text=True)
    assert _options(page, "coach")[2:] == ["Camille Conseil", "Dominique Collègue"]
    assert _options(page, "coach_id")[2:] == ["Camille Conseil", "Dominique Collègue"]
    assert _options(page, "cohort_id") == ["Choisir…", "Cohorte de Montréal"]

    page = client.get(f"/enterprises?coach={world.other_coach.id}").get_data(as_text=True)
    assert "Suivie en Estrie" in page and "Suivie par Camille" not in page and "ignorés" not in page
    assert _options(page, "coach")[2:] == ["Alex Estrie"]
    assert f'<option selected value="{world.other_coach.id}">Alex Estrie</option>' in page


def _options(page: str, select_id: str) -> list[str]:
    """The labels of one select's options, as a browser shows them."""
    select = re.search(rf'<select[^>]* id="{select_id}"[^>]*>(.*?)</select>', page, re.S)
    labels = re.findall(r"<option[^>]*>([^<]*)</option>", select.group(1)) if select else []
    return [html.unescape(text) for text in labels]


def test_a_search_counts_and_pages_its_matches(client, auth, make, world):  # noqa: F811
    for i in range(53):
        make.enterprise(world.org, name=f"Coopérative {i:02d}")
    make.enterprise(world.org, name="Autre chose")
    auth.sign_in(world.manager)
    first = client.get("/enterprises?q=cooperative").get_data(as_text=True)
    assert "53 entreprises correspondent." in first and "Page 1 de 2" in first
    assert "Coopérative 49" in first and "Coopérative 50" not in first and "Autre chose" not in first
    second = client.get("/enterprises?q=cooperative&page=2").get_data(as_text=True)
    assert "53 entreprises correspondent." in second and "Coopérative 52" in second and "Coopérative 00" not in second
    beyond = client.get("/enterprises?q=cooperative&page=9").get_data(as_text=True)
    assert "53 entreprises correspondent." in beyond


def test_the_list_count_is_stored_until_an_enterprise_changes(app, client, auth, make, world):  # noqa: F811
    listed = [make.enterprise(world.org, name=f"Entreprise {i}") for i in range(3)]
    auth.sign_in(world.manager)
    page = client.get("/enterprises").get_data(as_text=True)
    assert "3 entreprises correspondent." in page
    assert all(f'<a href="/enterprises/{e.id}" id="name-{e.id}">Entreprise {i}</a>' in page
               for i, e in enumerate(listed))
    with QueryCounter(app) as queries:
        assert "3 entreprises correspondent." in client.get("/enterprises").get_data(as_text=True)
    assert not any("count(*)" in statement.lower() for statement in queries.statements)  # read from stored figures

    make.enterprise(world.org, name="Entreprise 3")
    assert "4 entreprises correspondent." in client.get("/enterprises").get_data(as_text=True)
    assert "1 entreprise correspond." in client.get("/enterprises?q=Entreprise 3").get_data(as_text=True)


@pytest.mark.parametrize("stage, offered", [("identified", "Sensibilisation"),
                                            ("training", "Accompagnement individuel"), ("completed", "Choisir…")])
def test_the_stage_form_offers_the_usual_next_step(client, auth, make, world, stage, offered):  # noqa: F811
    enterprise = make.enterprise(world.org, coach=world.coach, stage=stage)
    auth.sign_in(world.coach)
    page = client.get(f"/enterprises/{enterprise.id}").get_data(as_text=True)
    select = re.search(r'<select[^>]* id="stage-stage"[^>]*>(.*?)</select>', page, re.S).group(1)
    chosen = re.findall(r"<option selected[^>]*>([^<]*)</option>", select)
    assert chosen == [offered]
    assert re.findall(r"<option[^>]*>([^<]*)</option>", select)[0] == "Choisir…"


def test_the_page_shows_the_latest_timeline_entries_and_links_to_all_of_them(app, client, auth, make, world):  # noqa: F811
    from datetime import timedelta

    from crm.enterprises import timeline
    from crm.enterprises.queries import TIMELINE_SHOWN

    enterprise = make.enterprise(world.org, coach=world.coach)
    with app.app_context():
        row = db.session.get(Enterprise, enterprise.id)
        today = timeline.today_in_quebec()
        for i in range(TIMELINE_SHOWN + 3):
            timeline.add_activity(row, actor=None, kind="note", occurred_on=today - timedelta(days=i),
                                  body=f"Note numéro {i:03d}")
        db.session.commit()
    auth.sign_in(world.coach)
    page = client.get(f"/enterprises/{enterprise.id}").get_data(as_text=True)
    shown = re.findall(r"Note numéro (\d{3})", page)
    assert shown == [f"{i:03d}" for i in range(TIMELINE_SHOWN)]  # the latest first, the oldest left out
    assert f"/enterprises/{enterprise.id}?timeline=all#timeline" in page and "Afficher tout le fil d’activités" in page
    whole = client.get(f"/enterprises/{enterprise.id}?timeline=all").get_data(as_text=True)
    assert len(re.findall(r"Note numéro \d{3}", whole)) == TIMELINE_SHOWN + 3
    assert "?timeline=all#timeline" not in whole


def test_the_page_lists_the_latest_past_sessions_and_links_to_all_of_them(app, client, auth, make, world):  # noqa: F811
    from datetime import date

    from crm.cohorts.integration import PAST_SESSIONS_SHOWN
    from tests.cohorts_helpers import make_session

    enterprise = make.enterprise(world.org, coach=world.coach)
    for i in range(PAST_SESSIONS_SHOWN + 2):
        make_session(app, enterprise_id=enterprise.id, day=date(2025, 1, 6 + i), title=f"Séance passée {i:02d}")
    auth.sign_in(world.coach)
    page = client.get(f"/enterprises/{enterprise.id}").get_data(as_text=True)
    shown = re.findall(r'/sessions/\d+">Séance passée (\d{2})', page)
    assert shown == [f"{i:02d}" for i in range(PAST_SESSIONS_SHOWN + 1, 1, -1)]  # the most recent first
    assert "?sessions=all#past-sessions" in page and f"({PAST_SESSIONS_SHOWN + 2})" in page
    whole = client.get(f"/enterprises/{enterprise.id}?sessions=all").get_data(as_text=True)
    assert len(re.findall(r'/sessions/\d+">Séance passée \d{2}', whole)) == PAST_SESSIONS_SHOWN + 2


def test_list_rows_escape_every_value_and_show_each_column(client, auth, make, world):  # noqa: F811
    from datetime import UTC, datetime

    hostile = make.enterprise(world.org, coach=world.coach, stage="training", name='<script>alert("x")</script> & Cie',
                              city="L'Île-<b>Perrot</b>", neq="1234567890", region_code="16")
    plain = make.enterprise(world.org, name="Zèbre solidaire", city="", region_code="06")
    with client.application.app_context():
        db.session.get(Enterprise, plain.id).last_activity_at = datetime(2026, 3, 5, 15, tzinfo=UTC)
        db.session.commit()
    auth.sign_in(world.manager)
    page = client.get("/enterprises").get_data(as_text=True)
    assert "<script>alert" not in page and "<b>Perrot" not in page
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; Cie" in page and "L&#39;Île-&lt;b&gt;Perrot" in page
    def row_of(enterprise):
        return re.search(rf'<tr>(?:(?!</tr>).)*id="name-{enterprise.id}"(?:(?!</tr>).)*</tr>', page, re.S).group(0)

    row = row_of(hostile)
    assert f'href="/enterprises/{hostile.id}"' in row and f'value="{hostile.id}"' in row
    assert f'aria-labelledby="select-column name-{hostile.id}"' in row
    assert "NEQ 1234567890" in row and '<span class="badge stage-training">Formation</span>' in row
    assert "Montérégie" in row and world.coach.full_name in row
    other = row_of(plain)
    assert "Non attribuée" in other and "5 mars 2026" in other and '<td data-label="Ville">—</td>' in other
