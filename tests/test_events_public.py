"""The public pages, without an account: the list and its filters, an event, the registration form
(its honeypot, its token, its limits), the language asked, the frames allowed."""
from datetime import timedelta

from crm.events.models import Registration
from crm.extensions import db
from tests.events_helpers import make_event, register, registrations


def test_the_list_shows_published_upcoming_events_with_their_filters(app, client, make):
    pole = make.organization(code="pole-estrie", name="Pôle de l'Estrie")
    other = make.organization()
    estrie = make_event(app, pole, title="Webinaire Estrie", region_code="05")
    province = make_event(app, other, title="Atelier provincial", kind="workshop", mode="in_person",
                          place="Québec")
    make_event(app, pole, title="Brouillon caché", publish=False)
    make_event(app, pole, title="Déjà passé", starts_in=timedelta(days=-3), publish=False)
    page = client.get("/events").get_data(as_text=True)
    assert "Webinaire Estrie" in page and "Atelier provincial" in page
    assert "Brouillon caché" not in page and "Déjà passé" not in page
    assert '<html lang="fr">' in page
    in_montreal = client.get("/events?region=06").get_data(as_text=True)
    assert "Atelier provincial" in in_montreal and "Webinaire Estrie" not in in_montreal  # the whole province shows
    workshops = client.get("/events?kind=workshop").get_data(as_text=True)
    assert "Atelier provincial" in workshops and "Webinaire Estrie" not in workshops
    of_the_pole = client.get("/events?organization=pole-estrie").get_data(as_text=True)
    assert "Webinaire Estrie" in of_the_pole and "Atelier provincial" not in of_the_pole
    assert "Pôle de l&#39;Estrie" in of_the_pole
    assert client.get(f"/events/{estrie}").status_code == 200
    assert client.get(f"/events/{province}/calendar.ics").headers["Content-Type"].startswith("text/calendar")


def test_english_on_request_and_french_by_default(app, client, make):
    event_id = make_event(app, make.organization())
    english = client.get(f"/events/{event_id}?lang=en").get_data(as_text=True)
    assert '<html lang="en">' in english and "Register" in english and "Québec time" in english
    form = client.get(f"/events/{event_id}/register?lang=en").get_data(as_text=True)
    assert "Your enterprise" in form and "privacy policy" in form
    french = app.test_client().get(f"/events/{event_id}/register").get_data(as_text=True)
    assert "Votre entreprise" in french and "politique de confidentialité" in french


def test_a_registration_answers_the_same_whether_the_address_is_new_or_known(app, client, make):
    event_id = make_event(app, make.organization())
    first = register(client, event_id)
    again = register(app.test_client(), event_id, first_name="Autre")
    assert first.status_code == again.status_code == 302
    assert first.headers["Location"] == again.headers["Location"]
    rows = registrations(app, event_id)
    assert len(rows) == 1 and rows[0].first_name == "Léa"


def test_the_honeypot_answers_as_a_registration_and_keeps_nothing(app, client, make):
    event_id = make_event(app, make.organization())
    response = register(client, event_id, website="https://spam.example")
    assert response.status_code == 302 and "/registered" in response.headers["Location"]
    assert registrations(app, event_id) == []


def test_a_form_without_its_token_is_shown_again(app, client, make):
    event_id = make_event(app, make.organization())
    from tests.events_helpers import PERSON

    response = client.post(f"/events/{event_id}/register", data={**PERSON, "form_token": "forged"})
    assert response.status_code == 400
    assert "resté ouvert trop longtemps" in response.get_data(as_text=True)
    assert registrations(app, event_id) == []


def test_invalid_answers_are_refused_on_their_fields(app, client, make):
    event_id = make_event(app, make.organization())
    response = register(client, event_id, email="pas-une-adresse", neq="123", region_code="99")
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "Le NEQ doit compter exactement 10 chiffres." in page
    assert registrations(app, event_id) == []


def test_a_closed_event_takes_no_registration(app, client, auth, make):
    organization = make.organization()
    event_id = make_event(app, organization)
    with app.app_context():
        from crm.events import services
        from crm.events.models import Event

        services.close_registration(db.session.get(Event, event_id), actor=None)
        db.session.commit()
    response = register(client, event_id)
    assert response.status_code == 400
    assert "inscriptions à cet événement sont fermées" in response.get_data(as_text=True)
    assert registrations(app, event_id) == []


def test_registrations_are_limited_per_email_address(app, client, make):
    app.config["EVENTS_LIMIT_PER_EMAIL"] = "2 per hour"
    event_id = make_event(app, make.organization())
    assert register(client, event_id).status_code == 302
    assert register(client, event_id).status_code == 302
    assert register(client, event_id).status_code == 429
    assert register(client, event_id, email="autre@coop.example").status_code == 302


def test_registrations_are_limited_per_ip_address(app, make):
    app.config.update(EVENTS_LIMIT_PER_ADDRESS="2 per hour")
    event_id = make_event(app, make.organization())
    client = app.test_client()
    for n in range(2):
        assert register(client, event_id, email=f"p{n}@coop.example").status_code == 302
    assert register(client, event_id, email="p9@coop.example").status_code == 429


def test_registrations_are_limited_per_event(app, make):
    app.config.update(EVENTS_LIMIT_PER_EVENT="2 per hour")
    organization = make.organization()
    full, other = make_event(app, organization), make_event(app, organization)
    client = app.test_client()
    for n in range(2):
        assert register(client, full, email=f"p{n}@coop.example").status_code == 302
    assert register(client, full, email="p9@coop.example").status_code == 429
    assert register(client, other, email="p9@coop.example").status_code == 302


def test_partner_sites_may_frame_the_public_pages_and_nothing_else(app, client, auth, make):
    app.config["EVENTS_FRAME_ANCESTORS"] = "https://pole.example, https://bad.example;script-src *"
    organization = make.organization()
    event_id = make_event(app, organization)
    for path in ("/events", f"/events/{event_id}", f"/events/{event_id}/register?embed=1"):
        policy = client.get(path).headers["Content-Security-Policy"]
        assert "frame-ancestors 'self' https://pole.example;" in policy, path
        assert "bad.example" not in policy
    embedded = client.get(f"/events/{event_id}?embed=1").get_data(as_text=True)
    assert "site-header" not in embedded
    sent = register(client, event_id, embed=True)
    assert sent.status_code == 302 and "embed=1" in sent.headers["Location"]
    assert "site-header" not in client.get(sent.headers["Location"]).get_data(as_text=True)
    auth.sign_in(make.user("manager", organization))
    assert "frame-ancestors 'none'" in client.get("/events/manage").headers["Content-Security-Policy"]


def test_the_registration_stores_what_the_person_typed_and_their_language(app, make):
    event_id = make_event(app, make.organization(), questions="Quel outil utilisez-vous ?")
    client = app.test_client()
    register(client, event_id, lang="en", **{"answer-1": "  Un  tableur  "})
    (row,) = registrations(app, event_id)
    assert (row.language, row.status, row.answers) == ("en", "confirmed", {"Quel outil utilisez-vous ?": "Un tableur"})
    with app.app_context():
        assert db.session.get(Registration, row.id).consent_follow_up is True
