"""Sign-in (password, then the second factor where needed), sign-out, forgotten passwords."""
import time
from urllib.parse import urlsplit

from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required, login_user, logout_user

from crm.auth import two_factor
from crm.auth.emails import queue_password_reset
from crm.auth.forms import ForgotPasswordForm, LoginCodeForm, LoginForm, LogoutForm, ResetPasswordForm
from crm.auth.models import User
from crm.auth.reset import user_for_reset_token
from crm.auth.services import (
    MIN_PASSWORD_LENGTH,
    authenticate,
    end_all_sessions,
    normalize_email,
    record_login,
    set_new_password,
)
from crm.extensions import db, limiter
from crm.i18n import _
from crm.transaction import refusals_shown_on

bp = Blueprint("auth", __name__, template_folder="templates")

PENDING_LOGIN_SECONDS = 600  # to type the code or finish enrolment after the password


def safe_next(target: str | None) -> str | None:
    """Only local paths: an open redirect would help phishing."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


# Rate limits: only failed attempts count (a success redirects).
def _config_limit(key):
    return lambda: current_app.config[key]


def _failed(response) -> bool:
    return response.status_code != 302


def _submitted_account() -> str:
    return "account:" + normalize_email(request.form.get("email", ""))[:254]


def _pending_account() -> str:
    return "pending:" + str((session.get("pending_login") or {}).get("uid"))


# The half-authenticated state: the password was right, the second step is still to come.
# It lives in the session but is not a login: current_user stays anonymous.
def start_pending_login(user: User, step: str, *, remember: bool, next_url: str | None) -> None:
    session["pending_login"] = {"uid": user.id, "v": user.session_version, "step": step,
                                "remember": bool(remember), "next": next_url or "",
                                "until": int(time.time()) + PENDING_LOGIN_SECONDS}


def pending_user(step: str) -> User | None:
    pending = session.get("pending_login")
    if not isinstance(pending, dict) or pending.get("step") != step:
        return None
    if int(pending.get("until", 0)) < time.time():
        session.pop("pending_login", None)
        return None
    user = db.session.get(User, pending.get("uid"))
    if user is None or not user.is_active or user.session_version != pending.get("v"):
        return None
    return user


def finish_pending_login(user: User):
    pending = session.pop("pending_login", None) or {}
    return complete_login(user, remember=pending.get("remember", False), next_url=pending.get("next"))


def complete_login(user: User, *, remember: bool, next_url: str | None):
    """Sign in for real after every step; returns the redirect to where the person was going."""
    session.pop("pending_login", None)
    record_login(user)
    login_user(user, remember=remember)
    session.permanent = True  # expires after PERMANENT_SESSION_LIFETIME without activity
    flash(_("Welcome, %(name)s.", name=user.full_name), "success")
    return redirect(safe_next(next_url) or url_for("main.home"))


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_config_limit("LOGIN_LIMIT_PER_ADDRESS"), methods=["POST"], scope="login-address",
               deduct_when=_failed)
@limiter.limit(_config_limit("LOGIN_LIMIT_PER_ACCOUNT"), key_func=_submitted_account,
               methods=["POST"], scope="login-account", deduct_when=_failed)
def login():
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    form = LoginForm(next=request.args.get("next", ""))
    if form.validate_on_submit():
        user = authenticate(form.email.data, form.password.data)
        if user is not None:
            session.pop("pending_login", None)
            next_url = safe_next(form.next.data)
            if user.has_two_factor:
                start_pending_login(user, "code", remember=form.remember.data, next_url=next_url)
                return redirect(url_for("auth.login_code"))
            if two_factor.requires_two_factor(user):
                start_pending_login(user, "enrol", remember=form.remember.data, next_url=next_url)
                flash(_("Your account must use two-factor authentication. Set it up now; it "
                        "takes a minute."), "info")
                return redirect(url_for("account.two_factor_setup"))
            return complete_login(user, remember=form.remember.data, next_url=next_url)
        db.session.rollback()
        form.password.errors.append(_("Incorrect email or password, or inactive account."))
    status = 400 if form.errors else 200
    return render_template("auth/login.html", form=form), status


@bp.route("/login/code", methods=["GET", "POST"])
@limiter.limit(_config_limit("TWO_FACTOR_LIMIT"), key_func=_pending_account, methods=["POST"],
               scope="login-code", deduct_when=_failed)
def login_code():
    user = pending_user("code")
    if user is None:
        flash(_("Please sign in again."), "info")
        return redirect(url_for("auth.login"))
    form = LoginCodeForm()
    if form.validate_on_submit():
        if two_factor.verify(user, form.code.data):
            return finish_pending_login(user)
        db.session.rollback()
        form.code.errors.append(_("This code is not valid or was already used."))
    status = 400 if form.errors else 200
    return render_template("auth/login_code.html", form=form), status


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    if LogoutForm().validate_on_submit():
        end_all_sessions(current_user)
        logout_user()
        session.pop("pending_login", None)
        flash(_("You are signed out."), "info")
    return redirect(url_for("auth.login"))


@bp.route("/password/forgot", methods=["GET", "POST"])
@limiter.limit(_config_limit("PASSWORD_RESET_LIMIT"), methods=["POST"], scope="reset-address")
@limiter.limit(_config_limit("PASSWORD_RESET_LIMIT"), key_func=_submitted_account,
               methods=["POST"], scope="reset-account")
def forgot_password():
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        # Queued, sent by the worker: the same work and the same answer whether or not the address
        # has an account, so that neither the page nor its timing tells (crm/auth/emails.py).
        queue_password_reset(form.email.data)
        flash(_("If an active account uses this address, we have sent it a link to choose a new "
                "password. It works once, for a limited time."), "info")
        return redirect(url_for("auth.login"))
    status = 400 if form.errors else 200
    return render_template("auth/forgot_password.html", form=form), status


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
def reset_password(token):
    user = user_for_reset_token(token)
    if user is None:
        flash(_("This link is invalid, has expired or was already used. Ask for a new one."), "error")
        return redirect(url_for("auth.forgot_password"))
    form = ResetPasswordForm()
    if form.validate_on_submit():
        with refusals_shown_on(form):
            set_new_password(user, form.password.data, actor=user, action="user.password_reset")
            flash(_("Your password is changed. Sign in with it."), "success")
            return redirect(url_for("auth.login"))
    status = 400 if form.errors else 200
    return render_template("auth/reset_password.html", form=form, user=user), status


@bp.app_context_processor
def password_context():
    def password_hint():
        return _("At least %(count)d characters; not a common password; not your email address.",
                 count=MIN_PASSWORD_LENGTH)
    return {"password_hint": password_hint}
