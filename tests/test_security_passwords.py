"""Password policy, reset by email (signed, single-use, expiring), change by the signed-in person."""
import re
from datetime import timedelta

import pytest
from sqlalchemy import select, text

from crm.audit.models import AuditEntry
from crm.auth.models import AccountEmail, User
from crm.auth.services import MIN_PASSWORD_LENGTH, password_problem
from crm.db import utcnow
from crm.demo.seed import DEMO_PASSWORD
from crm.extensions import db
from tests.conftest import post_form
from tests.security_helpers import send_account_emails

NEW_PASSWORD = "Tournesol-au-Jardin-77"


@pytest.mark.parametrize("password, expected", [
    ("short-pass1", "at least 12 characters"),
    ("password1234", "most common"),
    ("Qwertyuiop123", "most common"),
    ("julie.tremblay-2026!", "must not contain your email"),
    ("xx-JULIE.TREMBLAY-xx", "must not contain your email"),
    (DEMO_PASSWORD, None),
    (NEW_PASSWORD, None),
])
def test_password_policy(app, password, expected):
    with app.test_request_context(headers={"Accept-Language": "en"}):
        problem = password_problem(password, "Julie.Tremblay@coop.example")
        assert (str(problem) if problem else None) == expected or expected in str(problem)
    assert MIN_PASSWORD_LENGTH == 12 and len(DEMO_PASSWORD) >= MIN_PASSWORD_LENGTH


def reset_link(message) -> str:
    text = message.get_body(("plain",)).get_content()
    match = re.search(r"https?://[^/\s]+(/password/reset/\S+)", text)
    assert match, text
    return match.group(1)


def ask_for_reset(client, email):
    return post_form(client, "/password/forgot", {"email": email})


def test_forgot_password_link_on_login_page(client):
    page = client.get("/login").get_data(as_text=True)
    assert 'href="/password/forgot"' in page and "Mot de passe oublié?" in page


def test_reset_by_email_in_the_users_language_then_the_link_is_spent(client, auth, make, runner, smtp_server):
    user = make.user(locale="en", full_name="Daniel Wong")
    response = ask_for_reset(client, user.email)
    assert response.status_code == 302 and response.headers["Location"] == "/login"
    assert smtp_server.mailbox.connections == 0  # queued: the worker sends it
    result = runner.invoke(args=["reminders", "send"])
    assert result.exit_code == 0 and "account emails sent 1" in result.output, result.output
    [message] = smtp_server.mailbox.to(user.email)
    assert message["Subject"] == "Virage: reset your password"
    assert "Hello Daniel Wong" in message.get_body(("plain",)).get_content()
    assert "Choose my password" in message.get_body(("html",)).get_content()
    link = reset_link(message)

    assert "Choisir un nouveau mot de passe" in client.get(link).get_data(as_text=True)
    weak = post_form(client, link, {"password": "password1234", "confirm": "password1234"})
    assert weak.status_code == 400 and "plus courants" in weak.get_data(as_text=True)
    done = post_form(client, link, {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert done.status_code == 302 and done.headers["Location"] == "/login"

    again = client.get(link)  # single use
    assert again.status_code == 302 and again.headers["Location"] == "/password/forgot"
    assert "est expiré ou a déjà été utilisé" in client.get("/password/forgot").get_data(as_text=True)
    assert auth.login(user).status_code == 400  # the old password no longer works
    assert auth.login(user, NEW_PASSWORD).status_code == 302


def test_french_is_the_fallback_language_of_the_email(app, client, make, smtp_server):
    user = make.user(locale=None, full_name="Julie Tremblay")
    ask_for_reset(client, user.email)
    send_account_emails(app)
    [message] = smtp_server.mailbox.to(user.email)
    assert message["Subject"] == "Virage : réinitialiser votre mot de passe"
    assert "Bonjour Julie Tremblay" in message.get_body(("plain",)).get_content()


def test_unknown_or_inactive_email_gets_the_same_answer_and_no_mail(app, client, make, smtp_server):
    known = make.user()
    inactive = make.user(is_active=False)
    answers = []
    for email in (known.email, "nobody@virage.example", inactive.email):
        response = ask_for_reset(client, email)
        answers.append((response.status_code, response.headers["Location"]))
        page = client.get("/login").get_data(as_text=True)
        assert "Si un compte actif utilise cette adresse" in page
    assert len(set(answers)) == 1
    with app.app_context():  # each request wrote one row, the same way
        rows = db.session.scalars(select(AccountEmail).order_by(AccountEmail.id)).all()
        assert [(r.user_id, r.state) for r in rows] == [(known.id, "pending"), (None, "cancelled"),
                                                        (None, "cancelled")]
    assert send_account_emails(app) == 1
    assert [m["To"] for m in smtp_server.messages] == [known.email]


def test_the_email_survives_an_smtp_outage(app, client, make, smtp_server):
    smtp_server.mailbox.refuse = True
    user = make.user()
    response = ask_for_reset(client, user.email)
    assert response.status_code == 302 and response.headers["Location"] == "/login"
    assert send_account_emails(app) == 0  # refused: tried again later
    smtp_server.mailbox.refuse = False
    assert send_account_emails(app) == 0  # not before its backoff
    assert send_account_emails(app, now=utcnow() + timedelta(seconds=61)) == 1
    [message] = smtp_server.mailbox.to(user.email)
    assert client.get(reset_link(message)).status_code == 200


def test_the_database_holds_no_link(app, client, make, smtp_server):
    """A copy of the database (a backup, a dump) gives no way in: the link is signed when sent."""
    user = make.user()
    ask_for_reset(client, user.email)

    def stored():
        with app.app_context():
            return " ".join(str(v) for v in db.session.execute(text("SELECT * FROM account_emails")).one())

    queued = stored()
    send_account_emails(app)
    token = reset_link(smtp_server.messages[0]).rsplit("/", 1)[-1]
    assert token.split(".")[0] not in queued and token.split(".")[0] not in stored()
    assert user.email not in queued


def test_a_link_sent_late_expires_counting_from_the_request(app, client, make, smtp_server):
    early, late = make.user(), make.user()
    ask_for_reset(client, early.email)
    ask_for_reset(client, late.email)
    with app.app_context():  # the worker was down: the requests are 50 minutes old, then 2 hours
        for email, age in ((early.email, timedelta(minutes=50)), (late.email, timedelta(hours=2))):
            row = db.session.scalar(select(AccountEmail).join(AccountEmail.user).where(User.email == email))
            row.created_at = row.due_at = utcnow() - age
        db.session.commit()
    assert send_account_emails(app) == 1  # not the one whose link would be dead on arrival
    link = reset_link(smtp_server.mailbox.to(early.email)[0])
    assert client.get(link).status_code == 200
    app.config["PASSWORD_RESET_MAX_AGE"] = 50 * 60 - 30  # the request is older than that now
    assert client.get(link).headers["Location"] == "/password/forgot"


def test_reset_links_expire_and_cannot_be_forged(app, client, make, smtp_server, monkeypatch):
    user = make.user()
    ask_for_reset(client, user.email)
    send_account_emails(app)
    link = reset_link(smtp_server.messages[0])
    assert client.get(link).status_code == 200
    app.config["PASSWORD_RESET_MAX_AGE"] = -1  # every link is now too old
    assert client.get(link).headers["Location"] == "/password/forgot"
    app.config["PASSWORD_RESET_MAX_AGE"] = 3600
    assert client.get(link[:-3] + "abc").headers["Location"] == "/password/forgot"
    assert client.get("/password/reset/not-a-token").headers["Location"] == "/password/forgot"


def test_a_password_change_elsewhere_spends_the_link(app, client, make, smtp_server):
    user = make.user()
    ask_for_reset(client, user.email)
    send_account_emails(app)
    link = reset_link(smtp_server.messages[0])
    with app.app_context():
        db.session.get(User, user.id).set_password("another-Password-2026")
        db.session.commit()
    assert client.get(link).headers["Location"] == "/password/forgot"


def test_reset_requests_are_rate_limited(app, client, make, smtp_server):
    user = make.user()
    for _ in range(5):
        assert ask_for_reset(client, user.email).status_code == 302
    assert ask_for_reset(client, user.email).status_code == 429
    assert send_account_emails(app) == 5


def test_change_password_needs_the_current_one_and_ends_other_sessions(app, client, auth, make):
    user = make.user()
    auth.login(user)
    other_device = app.test_client()
    from tests.conftest import Auth

    Auth(other_device).login(user)
    assert other_device.get("/").status_code == 200

    wrong = post_form(client, "/account/password", {"current_password": "wrong", "password": NEW_PASSWORD,
                                                   "confirm": NEW_PASSWORD})
    assert wrong.status_code == 400 and "Le mot de passe actuel est incorrect." in wrong.get_data(as_text=True)
    mismatch = post_form(client, "/account/password", {"current_password": "correct horse battery",
                                                      "password": NEW_PASSWORD, "confirm": NEW_PASSWORD + "x"})
    assert mismatch.status_code == 400 and "Les deux mots de passe diffèrent." in mismatch.get_data(as_text=True)
    short = post_form(client, "/account/password", {"current_password": "correct horse battery",
                                                    "password": "court", "confirm": "court"})
    assert short.status_code == 400 and "au moins 12 caractères" in short.get_data(as_text=True)
    assert other_device.get("/").status_code == 200  # nothing changed yet

    done = post_form(client, "/account/password", {"current_password": "correct horse battery",
                                                   "password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert done.status_code == 302
    assert client.get("/").status_code == 200  # this session goes on
    assert other_device.get("/").status_code == 302  # the other one is signed out
    auth.logout()
    assert auth.login(user, NEW_PASSWORD).status_code == 302
    with app.app_context():
        actions = db.session.scalars(select(AuditEntry.action).where(AuditEntry.entity_id == user.id)).all()
        assert "user.password_changed" in actions
