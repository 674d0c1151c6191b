"""Reminder pages and the opt-out link, through the real routes (CSRF on)."""
import html
import re
from datetime import timedelta

import pytest
from sqlalchemy import event, select

from crm.audit.models import AuditEntry
from crm.contacts.models import Contact
from crm.extensions import db
from crm.reminders import planning, sending
from tests.conftest import csrf_token, post_form
from tests.reminders_helpers import WEEK_BEFORE, add_session, build_world, rows


def plan_and_send(app, now):
    with app.app_context():
        planning.plan_all(now)
        db.session.commit()
        return sending.send_due(now=now, me="test")


def optout_path(message) -> str:
    return re.search(r"https?://[^/]+(/r/optout/[^\s>\"]+)", message["List-Unsubscribe"]).group(1)


def test_opt_out_link_confirms_then_stops_later_reminders(app, make, client, smtp_server):
    world = build_world(app, make)
    plan_and_send(app, WEEK_BEFORE)
    french = smtp_server.mailbox.to(".0@entreprise.example")[0]
    path = optout_path(french)
    assert path in french.get_body(("plain",)).get_content()
    page = client.get(path)
    assert page.status_code == 200 and "Arrêter les rappels" in page.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Contact, world.contact_ids[0]).email_consent is True  # GET changes nothing
    assert client.post(path, data={}).status_code == 400  # the form needs its CSRF token
    response = post_form(client, path, {})
    assert response.status_code == 200 and "ne recevra plus" in response.get_data(as_text=True)
    with app.app_context():
        contact = db.session.get(Contact, world.contact_ids[0])
        assert contact.email_consent is False and contact.consent_source == "reminder email opt-out link"
        entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "consent_withdrawn")).one()
        assert entry.entity_id == contact.id and entry.changes == {"email_consent": [True, False]}
    day_before = [r for r in rows(app, contact_id=world.contact_ids[0]) if r.offset_minutes == 1440]
    assert day_before[0].state == "cancelled"
    before = len(smtp_server.messages)
    assert plan_and_send(app, WEEK_BEFORE + timedelta(days=6, minutes=1)).sent == 2  # English contact, facilitator
    assert not smtp_server.mailbox.to(".0@entreprise.example")[1:]
    assert len(smtp_server.messages) == before + 2


def test_one_click_unsubscribe_works_without_csrf_and_in_english(app, make, smtp_server):
    world = build_world(app, make)
    plan_and_send(app, WEEK_BEFORE)
    path = optout_path(smtp_server.mailbox.to(".1@entreprise.example")[0])
    mail_provider = app.test_client()  # no session, no cookie, as RFC 8058 describes
    response = mail_provider.post(path, data={"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200 and "will no longer receive" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Contact, world.contact_ids[1]).email_consent is False


def test_a_forged_opt_out_token_is_404(client):
    assert client.get("/r/optout/not-a-token").status_code == 404
    assert client.post("/r/optout/not-a-token", data={"List-Unsubscribe": "One-Click"}).status_code == 404


def session_page(world):
    return f"/sessions/{world.session_id}/reminders"


def test_failed_reminders_are_visible_and_can_be_sent_again(app, make, client, auth, smtp_server):
    world = build_world(app, make, contacts=1)
    app.config.update(REMINDER_MAX_ATTEMPTS=1)
    smtp_server.mailbox.refuse = True
    assert plan_and_send(app, WEEK_BEFORE).failed == 2
    auth.sign_in(world.manager)
    page = client.get(session_page(world)).get_data(as_text=True)
    assert "Échec" in page and "451" in page and "Envoyer de nouveau" in page
    listing = client.get("/reminders").get_data(as_text=True)
    assert "Atelier commerce en ligne" in listing and "451" in listing
    failed = rows(app, state="failed")[0]
    response = post_form(client, f"/reminders/{failed.id}/resend", {"next": session_page(world)},
                         page=session_page(world))
    assert response.status_code == 302
    assert rows(app, id=failed.id)[0].state == "pending"
    smtp_server.mailbox.refuse = False
    with app.app_context():
        assert sending.send_due(me="again").sent == 1  # due now (real clock), so sent
    assert len(smtp_server.messages) == 1


def test_the_facilitator_sees_the_session_reminders(app, make, client, auth):
    world = build_world(app, make, contacts=1)
    plan_and_send(app, WEEK_BEFORE - timedelta(days=1))
    auth.sign_in(world.coach)
    page = client.get(session_page(world), headers={"Accept-Language": "en"})
    assert page.status_code == 200 and "Planned" in page.get_data(as_text=True)
    assert client.get("/reminders").status_code == 403  # the programme-wide list: admins and managers


@pytest.mark.parametrize("who, session_status, list_status", [
    ("admin", 200, 200), ("manager", 200, 200), ("coach", 403, 403), ("other_manager", 404, 200),
])
def test_access_to_reminder_pages(app, make, client, auth, who, session_status, list_status):
    world = build_world(app, make, contacts=1)
    plan_and_send(app, WEEK_BEFORE - timedelta(days=1))
    users = {"admin": lambda: make.user("admin"), "manager": lambda: world.manager,
             "coach": lambda: make.user("coach", world.organization),
             "other_manager": lambda: make.user("manager", make.organization())}
    auth.sign_in(users[who]())
    assert client.get(session_page(world)).status_code == session_status
    listing = client.get("/reminders?state=")
    assert listing.status_code == list_status
    if who == "other_manager":
        assert "Atelier commerce en ligne" not in listing.get_data(as_text=True)
    reminder = rows(app)[0]
    token = csrf_token(client, "/")
    expected = {"admin": 302, "manager": 302, "coach": 403, "other_manager": 404}[who]
    assert client.post(f"/reminders/{reminder.id}/resend", data={"csrf_token": token}).status_code == expected


def test_offsets_of_a_session_are_validated_and_saved_by_managers(app, make, client, auth):
    world = build_world(app, make, contacts=1)
    auth.sign_in(world.manager)
    bad = post_form(client, session_page(world), {"offsets": "demain"})
    assert bad.status_code == 400 and "séparées par des virgules" in bad.get_data(as_text=True)
    assert post_form(client, session_page(world), {"offsets": "2880, 60"}).status_code == 302
    with app.app_context():
        planning.plan_all(WEEK_BEFORE)
        db.session.commit()
    assert {r.offset_minutes for r in rows(app)} == {2880, 60}
    auth.logout()
    auth.sign_in(world.coach)
    assert post_form(client, session_page(world), {"offsets": "60"}, page=session_page(world)).status_code == 403


def count_queries(app, client, path) -> int:
    statements = []

    def record(*_args):
        statements.append(1)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        assert client.get(path).status_code == 200
    finally:
        event.remove(engine, "before_cursor_execute", record)
    return len(statements)


def test_reminder_pages_issue_a_constant_number_of_queries(app, make, client, auth):
    world = build_world(app, make, contacts=2)
    plan_and_send(app, WEEK_BEFORE - timedelta(days=1))
    auth.sign_in(world.manager)
    small = (count_queries(app, client, session_page(world)), count_queries(app, client, "/reminders?state="))
    for n in range(5):
        add_session(app, world, starts=WEEK_BEFORE + timedelta(days=1, hours=n))
    more = make.enterprise(world.organization, contacts=4)
    with app.app_context():
        from crm.cohorts import services
        from crm.cohorts.models import Cohort
        from crm.enterprises.models import Enterprise
        services.enrol_enterprises(db.session.get(Cohort, world.cohort_id), [db.session.get(Enterprise, more.id)],
                                   actor=None, move_stage=False, joined_on=WEEK_BEFORE.date() - timedelta(days=30))
        db.session.commit()
    plan_and_send(app, WEEK_BEFORE - timedelta(days=1))
    assert len(rows(app)) > 30
    large = (count_queries(app, client, session_page(world)), count_queries(app, client, "/reminders?state="))
    assert small == large


def test_the_list_filters_and_refuses_bad_filters(app, make, client, auth):
    world = build_world(app, make, contacts=1)
    plan_and_send(app, WEEK_BEFORE - timedelta(days=1))
    auth.sign_in(make.user("admin"))
    assert "Aucun rappel" in client.get("/reminders").get_data(as_text=True)  # default: failures only
    planned = client.get("/reminders?state=pending&kind=reminder").get_data(as_text=True)
    assert "Atelier commerce en ligne" in planned
    assert client.get("/reminders?state=bogus").status_code == 400
    assert client.get(f"/reminders?organization_id={world.organization.id}&state=").status_code == 200
    assert client.get("/reminders?page=999&state=").status_code == 200


def test_the_privacy_page_names_the_opt_out_link_in_words(app, make, client, auth, smtp_server):
    world = build_world(app, make)
    plan_and_send(app, WEEK_BEFORE)
    post_form(client, optout_path(smtp_server.mailbox.to(".0@entreprise.example")[0]), {})
    auth.sign_in(make.user(role="admin"))
    page = client.get(f"/privacy/admin/contacts/{world.contact_ids[0]}").get_data(as_text=True)
    assert "Lien de désabonnement d'un courriel de rappel" in html.unescape(page)
    assert "reminder email opt-out link" not in page
