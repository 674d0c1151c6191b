"""TOTP secrets are stored sealed (crm.auth.sealed): the database alone cannot make codes."""
import pyotp
from cryptography.fernet import Fernet
from flask_migrate import downgrade, upgrade
from sqlalchemy import select, text

from crm import create_app
from crm.auth import two_factor
from crm.auth.models import User
from crm.extensions import db
from tests.conftest import BASE_CONFIG
from tests.test_migrations import fresh_database_uri, insert_organization

SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


def stored(app, user_id) -> str:
    with app.app_context():
        return db.session.execute(text("SELECT totp_secret FROM users WHERE id = :id"), {"id": user_id}).scalar()


def enrol(app, user_id) -> None:
    with app.app_context():
        two_factor.enable(db.session.get(User, user_id), SECRET, pyotp.TOTP(SECRET).now())
        db.session.commit()


def test_the_secret_is_stored_sealed_and_still_checks_codes(app, make):
    user = make.user(role="admin")
    enrol(app, user.id)
    raw = stored(app, user.id)
    assert raw.startswith("gAAAAA") and SECRET not in raw
    with app.app_context():
        person = db.session.get(User, user.id)
        assert person.totp_secret == SECRET and person.has_two_factor
        person.totp_last_counter = None
        assert two_factor.verify(person, pyotp.TOTP(SECRET).now())


def test_a_new_key_in_front_opens_the_old_secrets_and_reseal_moves_them_to_it(app, make, runner):
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    app.config["SECRET_BOX_KEYS"] = old
    user = make.user(role="admin")
    enrol(app, user.id)
    app.config["SECRET_BOX_KEYS"] = f"{new}, {old}"
    with app.app_context():
        assert db.session.get(User, user.id).totp_secret == SECRET
    result = runner.invoke(args=["users", "reseal"])
    assert result.exit_code == 0 and "1 two-factor secret(s) sealed" in result.output
    assert Fernet(new).decrypt(stored(app, user.id).encode()).decode() == SECRET
    app.config["SECRET_BOX_KEYS"] = new
    with app.app_context():
        assert db.session.get(User, user.id).totp_secret == SECRET


def test_a_secret_no_key_opens_fails_closed_without_an_error(app, make, runner):
    user = make.user(role="admin")
    enrol(app, user.id)
    app.config.update(SECRET_BOX_KEYS=Fernet.generate_key().decode(), SECRET_KEY="another-secret-key")
    with app.app_context():
        person = db.session.scalar(select(User).where(User.id == user.id))
        person.totp_last_counter = None
        assert person.has_two_factor and not two_factor.verify(person, pyotp.TOTP(SECRET).now())
    result = runner.invoke(args=["users", "reseal"])
    assert result.exit_code != 0 and f"users [{user.id}]" in result.output


def test_keys_set_before_the_secret_key_changes_keep_the_secrets(app, make, runner):
    user = make.user(role="admin")
    enrol(app, user.id)  # sealed with the key derived from SECRET_KEY
    app.config["SECRET_BOX_KEYS"] = Fernet.generate_key().decode()
    assert runner.invoke(args=["users", "reseal"]).exit_code == 0
    app.config["SECRET_KEY"] = "a-new-secret-key"
    with app.app_context():
        assert db.session.get(User, user.id).totp_secret == SECRET


def test_the_migration_seals_the_secrets_already_stored_and_downgrade_opens_them(request, tmp_path):
    app = create_app({**BASE_CONFIG, "SQLALCHEMY_DATABASE_URI": fresh_database_uri(request, tmp_path)})
    with app.app_context():
        upgrade(revision="0013")
        with db.engine.begin() as conn:
            insert_organization(conn)
            conn.execute(text(
                "INSERT INTO users (id, email, full_name, password_hash, role, organization_id, is_active, "
                "session_version, totp_secret, created_at, updated_at) VALUES (1, 'a@b.example', 'A', '!', 'admin', "
                "1, TRUE, 1, :secret, '2026-01-01', '2026-01-01')"), {"secret": SECRET})
        upgrade()
        raw = stored(app, 1)
        assert raw.startswith("gAAAAA") and db.session.get(User, 1).totp_secret == SECRET
        db.session.remove()
        downgrade(revision="0013")
        assert stored(app, 1) == SECRET
        db.engine.dispose()


def test_reseal_moves_a_set_up_under_way_too_and_one_no_key_opens_starts_again(app, make, runner):
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    app.config["SECRET_BOX_KEYS"] = old
    user = make.user()
    with app.app_context():
        secret = two_factor.setup_secret(db.session.get(User, user.id))
        db.session.commit()
    app.config["SECRET_BOX_KEYS"] = f"{new}, {old}"
    assert runner.invoke(args=["users", "reseal"]).exit_code == 0
    with app.app_context():
        raw = db.session.execute(text("SELECT secret FROM two_factor_pending")).scalar()
    assert Fernet(new).decrypt(raw.encode()).decode() == secret
    app.config.update(SECRET_BOX_KEYS=Fernet.generate_key().decode(), SECRET_KEY="another-secret-key")
    with app.app_context():
        fresh = two_factor.setup_secret(db.session.get(User, user.id))
    assert fresh and fresh != secret  # never an empty secret behind the QR code
