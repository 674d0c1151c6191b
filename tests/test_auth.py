from crm.auth.models import User
from crm.extensions import db
from tests.conftest import csrf_token, post_form
from tests.route_access import PUBLIC_ENDPOINTS  # declared once, with the route access table


def test_login_page_is_french_by_default(client):
    page = client.get("/login").get_data(as_text=True)
    assert '<html lang="fr">' in page
    assert "Connexion à Virage" in page and "Courriel" in page


def test_sign_in_and_out(client, auth, make):
    user = make.user(role="coach", full_name="Julie Tremblay")
    response = auth.login(user)
    assert response.status_code == 302 and response.headers["Location"] == "/"
    home = client.get("/").get_data(as_text=True)
    assert "Bonjour, Julie Tremblay" in home
    response = auth.logout()
    assert response.status_code == 302
    assert client.get("/").status_code == 302  # back to the login page


def test_wrong_password_or_unknown_email_give_the_same_answer(client, auth, make):
    user = make.user()
    wrong = auth.login(user.email, "not the password").get_data(as_text=True)
    unknown = auth.login("nobody@virage.example", "not the password").get_data(as_text=True)
    message = "Courriel ou mot de passe incorrect, ou compte inactif."
    assert message in wrong and message in unknown
    assert client.get("/").status_code == 302


def test_email_is_case_insensitive(client, auth, make):
    user = make.user(email="julie@virage.example")
    assert auth.login("  Julie@Virage.EXAMPLE ").status_code == 302
    assert client.get("/").status_code == 200
    assert user.id


def test_inactive_user_cannot_sign_in(client, auth, make):
    user = make.user(is_active=False)
    response = auth.login(user)
    assert response.status_code == 400
    assert client.get("/").status_code == 302


def test_deactivating_a_user_ends_their_session(app, client, auth, make):
    user = make.user()
    auth.login(user)
    assert client.get("/").status_code == 200
    with app.app_context():
        db.session.get(User, user.id).is_active = False
        db.session.commit()
    assert client.get("/").status_code == 302


def test_a_copied_session_cookie_no_longer_works_after_logout(app, client, auth, make):
    user = make.user()
    auth.login(user)
    stolen = client.get_cookie("session").value
    auth.logout()
    thief = app.test_client()
    thief.set_cookie("session", stolen)
    assert thief.get("/").status_code == 302


def test_login_without_csrf_token_is_refused(client, make):
    user = make.user()
    response = client.post("/login", data={"email": user.email, "password": "correct horse battery"})
    assert response.status_code == 400
    assert "Le formulaire a expiré" in response.get_data(as_text=True)
    assert client.get("/").status_code == 302


def test_logout_without_csrf_token_keeps_the_session(client, auth, make):
    auth.login(make.user())
    client.post("/logout")
    assert client.get("/").status_code == 200


def test_next_parameter_only_redirects_inside_the_app(client, make):
    user = make.user()
    token = csrf_token(client, "/login")
    data = {"email": user.email, "password": "correct horse battery", "csrf_token": token}
    response = client.post("/login", data={**data, "next": "https://evil.example/"})
    assert response.headers["Location"] == "/"
    client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    response = post_form(client, "/login", {**data, "next": "/privacy"})
    assert response.headers["Location"] == "/privacy"


def test_every_page_but_the_public_ones_needs_a_session(app, client):
    checked = 0
    for rule in app.url_map.iter_rules():
        if rule.endpoint in PUBLIC_ENDPOINTS:
            continue
        url = rule.build({arg: 1 for arg in rule.arguments}, append_unknown=False)[1]
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            response = client.open(url, method=method)
            checked += 1
            if rule.rule.startswith("/api/"):  # the API asks for a bearer token: no redirect to a page
                assert response.status_code == 401 and "WWW-Authenticate" in response.headers, rule.endpoint
                continue
            assert response.status_code in (302, 400), (rule.endpoint, method)  # 400: CSRF first
            if response.status_code == 302:
                assert response.headers["Location"].startswith("/login"), rule.endpoint
    assert checked >= 2


def test_users_create_cli(app, runner, make):
    organization = make.organization(code="chantier")
    result = runner.invoke(args=["users", "create", "--email", "Nouveau@Virage.example", "--name",
                                 "Nouvelle Personne", "--role", "manager", "--org", "chantier"],
                           input="a-strong-password\na-strong-password\n")
    assert result.exit_code == 0, result.output
    with app.app_context():
        user = db.session.query(User).filter_by(email="nouveau@virage.example").one()
        assert user.role == "manager" and user.organization_id == organization.id
        assert user.check_password("a-strong-password")
        assert user.password_hash.startswith("$argon2")
    again = runner.invoke(args=["users", "create", "--email", "nouveau@virage.example", "--name", "X",
                                "--role", "coach", "--org", "chantier"], input="another-password\nanother-password\n")
    assert again.exit_code != 0 and "déjà ce courriel" in again.output
    unknown = runner.invoke(args=["users", "create", "--email", "x@virage.example", "--name", "X",
                                  "--role", "coach", "--org", "nope"], input="another-password\nanother-password\n")
    assert unknown.exit_code != 0
