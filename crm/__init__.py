"""Virage: CRM of Québec's digital-transition programme for social-economy enterprises."""
import logging
import os
from pathlib import Path

from flask import Flask

from crm.config import (
    Defaults,
    apply_security_defaults,
    check_production_ready,
    load_environment,
)


def create_app(test_config: dict | None = None) -> Flask:
    app = Flask(__name__, instance_path=_instance_path(), instance_relative_config=True)
    app.config.from_object(Defaults)
    app.config.from_pyfile("config.py", silent=True)
    load_environment(app.config)
    if test_config:
        app.config.update(test_config)
    if not app.config.get("SQLALCHEMY_DATABASE_URI"):
        Path(app.instance_path).mkdir(parents=True, exist_ok=True)
        app.config["SQLALCHEMY_DATABASE_URI"] = (
            "sqlite:///" + os.path.join(app.instance_path, "virage.sqlite3")
        )
    from crm import ratelimit

    ratelimit.configure(app.config)
    _configure_cache(app)
    apply_security_defaults(app.config)
    check_production_ready(app.config)
    _configure_logging(app)
    _init_extensions(app)
    _register_blueprints(app)
    _register_template_helpers(app)
    from crm import instrumentation

    instrumentation.install(app)

    from crm.errors import register_error_handlers

    register_error_handlers(app)
    from crm.cli import register_cli

    register_cli(app)
    return app


def _instance_path() -> str:
    # The project's own instance/ folder, whether run from a checkout or an editable install.
    return os.environ.get("VIRAGE_INSTANCE_PATH") or str(Path(__file__).resolve().parent.parent / "instance")


def _configure_cache(app: Flask) -> None:
    """The reports' cache (crm.reports.cache): one namespace per deployment, files in the instance
    folder unless configured otherwise, and a Redis that does not answer never holds a page long."""
    from crm import ratelimit

    config = app.config
    if not config.get("CACHE_KEY_PREFIX"):
        config["CACHE_KEY_PREFIX"] = ratelimit.default_key_prefix(config["SQLALCHEMY_DATABASE_URI"]) + "-"
    if config["CACHE_TYPE"] == "FileSystemCache" and not config.get("CACHE_DIR"):
        config["CACHE_DIR"] = os.path.join(app.instance_path, "cache")
    if config["CACHE_TYPE"] == "RedisCache":
        config["CACHE_OPTIONS"] = {**ratelimit.REDIS_TIMEOUTS, **(config.get("CACHE_OPTIONS") or {})}


def _configure_logging(app: Flask) -> None:
    if not app.testing and not logging.getLogger().handlers:
        logging.basicConfig(level=logging.WARNING,
                            format="%(asctime)s %(levelname)s %(name)s: %(message)s")
        logging.getLogger("crm").setLevel(logging.INFO)


def _init_extensions(app: Flask) -> None:
    from crm import db_events, models, query_args, ratelimit, security, transaction  # noqa: F401 - every model registered before migrations
    from crm.auth.services import load_user_from_session
    from crm.extensions import babel, cache, csrf, db, limiter, login_manager, migrate
    from crm.i18n import _l, install_template_gettext, select_locale

    db.init_app(app)
    db_events.install(app)
    migrate.init_app(app, db, directory=str(Path(__file__).resolve().parent.parent / "migrations"),
                     render_as_batch=True, compare_type=True)
    csrf.init_app(app)
    babel.init_app(
        app,
        locale_selector=select_locale,
        default_translation_directories=str(Path(__file__).resolve().parent.parent / "translations"),
    )
    install_template_gettext(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Please sign in to see this page.")
    login_manager.login_message_category = "info"
    login_manager.user_loader(load_user_from_session)
    limiter.init_app(app)
    ratelimit.init_app(app)
    cache.init_app(app)
    security.init_app(app)
    transaction.install(app)
    query_args.init_app(app)


def _register_blueprints(app: Flask) -> None:
    from crm.account.views import bp as account_bp
    from crm.admin.views import bp as admin_bp
    from crm.api import bp as api_bp
    from crm.api import pages as api_pages
    from crm.api import views as api_views  # noqa: F401 - the routes of its blueprints
    from crm.api import views_attendance as api_attendance  # noqa: F401 - cohorts and events have the same names
    from crm.api import views_cohorts as api_cohorts  # noqa: F401
    from crm.api import (  # noqa: F401
        views_contacts,
        views_enterprises,
        views_follow_ups,
        views_journey,
        views_reports,
        views_tokens,
        views_webhooks,
    )
    from crm.api import views_registrations as api_registrations  # noqa: F401
    from crm.api import views_sessions as api_sessions  # noqa: F401
    from crm.api import views_surveys as api_surveys  # noqa: F401
    from crm.auth.views import bp as auth_bp
    from crm.cohorts import bp as cohorts_bp
    from crm.cohorts import views as cohorts_views  # noqa: F401 - the routes of its blueprint
    from crm.cohorts import views_calendar, views_cohorts, views_sessions  # noqa: F401
    from crm.contacts import bp as contacts_bp
    from crm.contacts import views as contacts_views  # noqa: F401 - the routes of its blueprint
    from crm.enterprises import bp as enterprises_bp
    from crm.enterprises import record_views, views  # noqa: F401 - the routes of its blueprint
    from crm.events import bp as events_bp
    from crm.events import views as events_views  # noqa: F401 - the routes of its blueprint
    from crm.events import views_attendance, views_manage, views_public, views_registrations  # noqa: F401
    from crm.imports.views import bp as imports_bp
    from crm.main.views import bp as main_bp
    from crm.ops.views import bp as ops_bp
    from crm.outcomes import bp as outcomes_bp
    from crm.outcomes import views as outcomes_views  # noqa: F401 - the routes of its blueprint
    from crm.privacy.views import bp as privacy_bp
    from crm.referrals import bp as referrals_bp
    from crm.referrals import views as referrals_views  # noqa: F401 - the routes of its blueprint
    from crm.reminders.views import bp as reminders_bp
    from crm.reports.views import bp as reports_bp
    from crm.savedviews import bp as savedviews_bp
    from crm.savedviews import views as savedviews_views  # noqa: F401 - the routes of its blueprint
    from crm.surveys import bp as surveys_bp
    from crm.surveys import views as surveys_views  # noqa: F401 - the routes of its blueprint
    from crm.workqueue import bp as workqueue_bp
    from crm.workqueue import views as workqueue_views  # noqa: F401 - the routes of its blueprint
    from crm.workqueue import views_board  # noqa: F401

    app.register_blueprint(main_bp)
    app.register_blueprint(auth_bp)
    app.register_blueprint(enterprises_bp)
    app.register_blueprint(contacts_bp)
    app.register_blueprint(ops_bp)
    app.register_blueprint(privacy_bp)
    app.register_blueprint(cohorts_bp)
    app.register_blueprint(reminders_bp)
    app.register_blueprint(imports_bp)
    app.register_blueprint(account_bp)
    app.register_blueprint(admin_bp)
    app.register_blueprint(reports_bp)
    app.register_blueprint(events_bp)
    app.register_blueprint(referrals_bp)
    app.register_blueprint(outcomes_bp)
    app.register_blueprint(workqueue_bp)
    app.register_blueprint(savedviews_bp)
    app.register_blueprint(surveys_bp)
    app.register_blueprint(api_bp)
    app.register_blueprint(api_pages)
    _connect_receivers()


def _connect_receivers() -> None:
    """Modules whose only work is to answer other features' signals (crm/signals.py), or the
    database session's events (crm.reports.versions); the views modules imported above answer
    theirs too."""
    from crm.api import webhook_sending, webhooks  # noqa: F401
    from crm.cohorts import integration, reporting  # noqa: F401
    from crm.contacts import history as contacts_history  # noqa: F401
    from crm.enterprises import diagnostics  # noqa: F401
    from crm.events import integration as events_integration  # noqa: F401
    from crm.outcomes import integration as outcomes_integration  # noqa: F401
    from crm.privacy import history as privacy_history  # noqa: F401
    from crm.referrals import integration as referrals_integration  # noqa: F401
    from crm.reminders import history as reminders_history  # noqa: F401
    from crm.reminders import privacy  # noqa: F401
    from crm.reports import versions  # noqa: F401
    from crm.surveys import integration as surveys_integration  # noqa: F401


def _register_template_helpers(app: Flask) -> None:
    from crm import formatting, navigation

    formatting.register(app)
    navigation.register(app)
