"""Two-factor authentication (TOTP) driven with pyotp codes through the real pages."""
import time
from datetime import timedelta

import pyotp
from sqlalchemy import func, select, text

from crm.audit.models import AuditEntry
from crm.auth import sealed, two_factor
from crm.auth.models import RecoveryCode, User
from crm.db import utcnow
from crm.extensions import db
from crm.organizations.models import Organization
from tests.conftest import Auth, csrf_token, post_form
from tests.factories import PASSWORD
from tests.security_helpers import manual_key, recovery_codes


def send_code(client, code):
    return client.post("/login/code", data={"code": code, "csrf_token": csrf_token(client, "/login/code")})


def enrol_by_hand(client):
    page = client.get("/account/two-factor/setup").get_data(as_text=True)
    assert "data:image/svg+xml" in page and 'id="manual-key"' in page
    secret = manual_key(page)
    response = post_form(client, "/account/two-factor/setup", {"code": pyotp.TOTP(secret).now()})
    assert response.status_code == 302 and response.headers["Location"] == "/account/two-factor/recovery-codes"
    codes_page = client.get("/account/two-factor/recovery-codes").get_data(as_text=True)
    codes = recovery_codes(codes_page)
    assert len(codes) == 10 and "ne seront plus affichés" in codes_page
    return secret, codes


def test_a_coach_turns_two_factor_on_and_is_then_asked_for_a_code(app, client, make):
    user = make.user(role="coach")
    auth = Auth(client)
    auth.login(user)
    assert "Désactivée" in client.get("/account/").get_data(as_text=True)
    wrong = post_form(client, "/account/two-factor/setup", {"code": "123456"})
    assert wrong.status_code == 400 and "Vérifiez l&#39;heure de votre appareil" in wrong.get_data(as_text=True)
    secret, codes = enrol_by_hand(client)
    assert client.get("/account/two-factor/recovery-codes").status_code == 302  # shown once only
    with app.app_context():
        stored = db.session.scalars(select(RecoveryCode.code_hash).where(RecoveryCode.user_id == user.id)).all()
        assert len(stored) == 10 and not set(codes) & set(stored)  # hashed
    auth.logout()

    response = auth.password_step(user, PASSWORD)
    assert response.headers["Location"] == "/login/code"
    assert client.get("/").status_code == 302  # half-authenticated is not signed in
    assert client.get("/account/").status_code == 302
    bad = send_code(client, "000000")
    assert bad.status_code == 400 and "n&#39;est pas valide ou a déjà été utilisé" in bad.get_data(as_text=True)
    # Digits to str.isdigit() that compare_digest() cannot compare: refused like any wrong code.
    assert send_code(client, "١٢٣٤٥٦").status_code == 400
    # The code of the next time step: the one of enrolment is already spent.
    code = pyotp.TOTP(secret).generate_otp(int(time.time()) // 30 + 1)
    assert send_code(client, code).status_code == 302
    assert client.get("/").status_code == 200
    auth.logout()

    auth.password_step(user, PASSWORD)
    assert send_code(client, code).status_code == 400  # a code works once
    assert send_code(client, codes[0].upper()).status_code == 302  # a recovery code instead
    auth.logout()
    auth.password_step(user, PASSWORD)
    assert send_code(client, codes[0]).status_code == 400  # also once
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(RecoveryCode).where(
            RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))) == 9


def test_an_admin_must_enrol_after_the_password_and_can_do_nothing_else(app, client, make):
    admin = make.user(role="admin")
    response = Auth(client).password_step(admin, PASSWORD)
    assert response.headers["Location"] == "/account/two-factor/setup"
    page = client.get("/account/two-factor/setup").get_data(as_text=True)
    assert "doit donc être protégé par une deuxième étape" in page
    for path in ("/", "/admin/", "/admin/users", "/account/", "/account/password"):
        assert client.get(path).headers["Location"].startswith("/login"), path
    secret, _ = enrol_by_hand(client)  # enrolment signs in
    assert client.get("/admin/users").status_code == 200
    with app.app_context():
        user = db.session.get(User, admin.id)
        assert user.has_two_factor and user.totp_secret == secret and user.last_login_at
        actions = db.session.scalars(select(AuditEntry.action).where(AuditEntry.entity_id == admin.id)).all()
        assert "user.two_factor_enabled" in actions


def test_a_signed_in_person_whose_organization_starts_requiring_it_is_sent_to_enrolment(app, client, auth, make):
    organization = make.organization()
    coach = make.user(role="coach", organization=organization)
    auth.login(coach)
    assert client.get("/").status_code == 200
    with app.app_context():
        db.session.get(Organization, organization.id).require_two_factor = True
        db.session.commit()
    for path in ("/", "/account/", "/account/password"):
        response = client.get(path)
        assert response.status_code == 302 and response.headers["Location"] == "/account/two-factor/setup"
    assert client.get("/account/two-factor/setup").status_code == 200
    enrol_by_hand(client)
    assert client.get("/").status_code == 200


def test_the_half_authenticated_state_expires(app, client, make, monkeypatch):
    user = make.user(role="admin")
    Auth(client).password_step(user, PASSWORD)
    real_time = time.time
    monkeypatch.setattr(time, "time", lambda: real_time() + 601)
    response = client.get("/account/two-factor/setup")
    assert response.headers["Location"] == "/login"


def test_disabling_needs_the_password_and_is_refused_when_required(app, client, auth, make):
    coach = make.user(role="coach")
    auth.login(coach)
    enrol_by_hand(client)
    refused = post_form(client, "/account/two-factor/disable", {"password": "wrong"}, page="/account/")
    assert refused.status_code == 302
    assert "Le mot de passe est incorrect." in client.get("/account/").get_data(as_text=True)
    with app.app_context():
        assert db.session.get(User, coach.id).has_two_factor
    post_form(client, "/account/two-factor/disable", {"password": PASSWORD}, page="/account/")
    with app.app_context():
        user = db.session.get(User, coach.id)
        assert not user.has_two_factor and user.totp_secret is None
        assert db.session.scalar(select(func.count()).select_from(RecoveryCode)) == 0
    auth.logout()
    assert auth.password_step(coach, PASSWORD).headers["Location"] == "/"  # no code asked any more

    admin_client = app.test_client()
    admin = make.user(role="admin")
    Auth(admin_client).login(admin)
    page = admin_client.get("/account/").get_data(as_text=True)
    assert "elle ne peut pas être désactivée" in page and "/account/two-factor/disable" not in page
    post_form(admin_client, "/account/two-factor/disable", {"password": PASSWORD}, page="/account/")
    with app.app_context():
        assert db.session.get(User, admin.id).has_two_factor


def test_new_recovery_codes_replace_the_old_ones(app, client, auth, make):
    auth.login(make.user())
    _, old = enrol_by_hand(client)
    response = client.post("/account/two-factor/recovery-codes/new",
                           data={"codes-password": PASSWORD, "csrf_token": csrf_token(client, "/account/")})
    assert response.headers["Location"] == "/account/two-factor/recovery-codes"
    new = recovery_codes(client.get("/account/two-factor/recovery-codes").get_data(as_text=True))
    assert len(new) == 10 and not set(new) & set(old)


def cookie_session(app, client) -> str:
    """What the session cookie says, decoded as anyone holding it can (it is signed, not encrypted)."""
    cookie = client.get_cookie("session")
    if cookie is None:
        return ""
    return repr(app.session_interface.get_signing_serializer(app).loads(cookie.value))


def test_the_session_cookie_holds_neither_the_secret_being_enrolled_nor_the_recovery_codes(app, client, make):
    admin = make.user(role="admin")
    Auth(client).password_step(admin, PASSWORD)
    secret = manual_key(client.get("/account/two-factor/setup").get_data(as_text=True))
    assert "pending_login" in cookie_session(app, client)  # the cookie is really read
    assert secret not in cookie_session(app, client)
    wrong = post_form(client, "/account/two-factor/setup", {"code": "000000"})
    assert manual_key(wrong.get_data(as_text=True)) == secret  # the same secret, kept on the server
    assert secret not in cookie_session(app, client)
    with app.app_context():
        stored = db.session.execute(text("SELECT secret FROM two_factor_pending")).scalar()
        assert sealed.is_sealed(stored) and secret not in stored

    response = post_form(client, "/account/two-factor/setup", {"code": pyotp.TOTP(secret).now()})
    assert response.headers["Location"] == "/account/two-factor/recovery-codes"
    before_showing = cookie_session(app, client)
    codes = recovery_codes(client.get("/account/two-factor/recovery-codes").get_data(as_text=True))
    assert len(codes) == 10
    for seen in (before_showing, cookie_session(app, client)):
        assert secret not in seen and not [code for code in codes if code in seen]
    with app.app_context():  # shown, then forgotten
        assert db.session.execute(text("SELECT secret, recovery_codes FROM two_factor_pending")).one() == (None, None)

    response = client.post("/account/two-factor/recovery-codes/new",
                           data={"codes-password": PASSWORD, "csrf_token": csrf_token(client, "/account/")})
    new = cookie_session(app, client)
    codes = recovery_codes(client.get(response.headers["Location"]).get_data(as_text=True))
    assert len(codes) == 10 and not [code for code in codes if code in new]


def test_recovery_codes_not_shown_within_ten_minutes_are_not_shown_later(app, client, auth, make, monkeypatch):
    auth.login(make.user())
    page = client.get("/account/two-factor/setup").get_data(as_text=True)
    post_form(client, "/account/two-factor/setup", {"code": pyotp.TOTP(manual_key(page)).now()})
    later = utcnow() + timedelta(seconds=two_factor.SHOW_CODES_SECONDS + 1)
    monkeypatch.setattr(two_factor, "utcnow", lambda: later)
    assert client.get("/account/two-factor/recovery-codes").headers["Location"] == "/account/"
    with app.app_context():
        assert db.session.execute(text("SELECT recovery_codes FROM two_factor_pending")).scalar() is None
