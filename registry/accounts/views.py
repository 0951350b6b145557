"""Sign-in, the user's own account page, and the coordinator's people and department pages."""

from flask import Blueprint, flash, g, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required, login_user, logout_user
from sqlalchemy.exc import OperationalError

from registry.accounts import invitations, services, sessions, signin, tokens
from registry.accounts.models import ApiToken
from registry.accounts.schemas import SignInIn
from registry.datasets import stewardship
from registry.db import writing
from registry.extensions import db, login_manager
from registry.permissions import ROLE_LABELS, Permission, Role
from registry.validation import form_to_dict
from registry.web.access import require_permission
from registry.web.forms import refused_as, refused_back_to
from registry.web.links import safe_next
from registry.web.paging import paginate
from registry.web.requests import client_address

auth = Blueprint("auth", __name__)
admin = Blueprint("admin", __name__, url_prefix="/admin")


@login_manager.user_loader
def load_user(session_key: str):
    return sessions.user_for_session(session_key)


@login_manager.request_loader
def load_user_from_token(request):
    """`Authorization: Bearer <token>` signs in one API request, never a session, and never a
    page or form: tokens are for the API alone. A request it signs in is marked so, and only
    such a request is spared the CSRF check (registry.api)."""
    if not request.path.startswith("/api/"):
        return None
    scheme, _, secret = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not secret.strip():
        return None
    token = tokens.token_for_secret(secret.strip())
    if token is None:
        return None
    if tokens.use_is_stale(token):
        # At most once a minute: end the read, then write in a short transaction of its own.
        token_id = token.id
        db.session.commit()
        try:
            with writing():
                tokens.note_token_use(token_id)
                db.session.commit()
        except OperationalError:  # busy: the last use is a convenience, the request is not
            db.session.rollback()
        token = db.session.get(ApiToken, token_id)
    g.signed_in_by_token = True
    return token.user


def start_browser_session(user, *, lifetime=None) -> None:
    """A fresh session cookie naming a new server-side session (nothing of an earlier session
    carries over), committed before the response."""
    user.session_key = sessions.start_session(user, address=client_address(), lifetime=lifetime)
    db.session.commit()
    session.clear()
    login_user(user)
    session.permanent = True


# What someone holding a temporary password may still reach: the page to change it, signing
# out, and the files every page needs to look right.
TEMPORARY_PASSWORD_ENDPOINTS = frozenset(
    {"auth.account", "auth.change_password", "auth.sign_out", "static", "bootstrap.static"}
)
CHOOSE_PASSWORD_MESSAGE = "Choose a new password before you continue."  # noqa: S105 - words


@auth.before_app_request
def insist_on_new_password():
    """A user holding a temporary password may do nothing but choose their own."""
    if (
        current_user.is_authenticated
        and current_user.must_change_password
        and request.endpoint not in TEMPORARY_PASSWORD_ENDPOINTS
        and not request.path.startswith("/api/")
    ):
        waiting = [message for _, message in session.get("_flashes", [])]
        if CHOOSE_PASSWORD_MESSAGE not in waiting:
            flash(CHOOSE_PASSWORD_MESSAGE, "warning")
        return redirect(url_for("auth.account"))
    return None


# Sign-in -----------------------------------------------------------------------------------


@auth.route("/sign-in", methods=["GET", "POST"])
def sign_in():
    if current_user.is_authenticated:
        return redirect(safe_next(request.args.get("next")) or url_for("catalog.home"))
    if request.method == "GET":
        return render_template("auth/sign_in.html", form={"next": request.args.get("next")})
    form = form_to_dict(request.form)
    with refused_as("auth/sign_in.html", form=form):
        data = SignInIn().load(form)
    outcome = signin.authenticate(data["email"], data["password"], address=client_address())
    db.session.commit()
    if outcome.user is None:
        status = 429 if outcome.throttled else 401
        form.pop("password", None)
        page = render_template("auth/sign_in.html", form=form, refusal=outcome.refusal)
        headers = {"Retry-After": str(outcome.retry_after)} if outcome.retry_after else {}
        return page, status, headers
    start_browser_session(outcome.user)
    flash(f"Signed in as {outcome.user.name}.", "success")
    return redirect(safe_next(data["next"]) or url_for("catalog.home"))


@auth.route("/invitation/<token>", methods=["GET", "POST"])
def invitation(token: str):
    """Where an invited person chooses their password; then they are signed in."""
    found = invitations.find_invitation(token)
    if found is None:
        return render_template("accounts/invitation.html", gone=invitations.GONE), 410
    if request.method == "GET":
        return render_template("accounts/invitation.html", person=found.user, errors=None)
    form = form_to_dict(request.form)
    page = "accounts/invitation.html"
    with refused_as(page, person=found.user):
        user = invitations.accept(token, form)
    start_browser_session(user)
    flash(f"Welcome, {user.name}. Your password is set and you are signed in.", "success")
    return redirect(url_for("reviews.my_work"))


@auth.post("/sign-out")
@login_required
def sign_out():
    signin.record_sign_out(current_user, address=client_address())
    sessions.end_session(session.get("_user_id", ""))
    db.session.commit()
    logout_user()
    session.clear()
    flash("You are signed out.", "info")
    return redirect(url_for("catalog.home"))


def _account_page(status: int = 200, **context):
    return render_template(
        "accounts/account.html",
        role_labels=ROLE_LABELS,
        tokens=tokens.list_tokens(current_user),
        form={},
        **context,
    ), status


@auth.get("/account")
@require_permission(Permission.ACCOUNT_OWN)
def account():
    return _account_page()


@auth.post("/account/tokens")
@require_permission(Permission.API_TOKENS)
def create_token():
    with refused_as(lambda errors: _account_page(422, token_errors=errors)):
        _, secret = tokens.create_token(
            current_user, form_to_dict(request.form), actor=current_user
        )
    db.session.commit()
    # Shown in this response only: the registry keeps just its hash.
    return _account_page(new_token=secret)


@auth.post("/account/tokens/<int:token_id>/revoke")
@require_permission(Permission.API_TOKENS)
def revoke_token(token_id: int):
    token = tokens.revoke_token(current_user, token_id, actor=current_user)
    db.session.commit()
    flash(f"Token “{token.name}” is revoked; programs using it can no longer sign in.", "success")
    return redirect(url_for("auth.account"))


@auth.post("/account/password")
@require_permission(Permission.ACCOUNT_OWN)
def change_password():
    form = form_to_dict(request.form)
    with refused_as(lambda errors: _account_page(422, errors=errors)):
        services.change_own_password(current_user, form)
    db.session.commit()
    start_browser_session(current_user._get_current_object())  # every earlier one has ended
    flash(
        "Your password is changed. Your other sessions were signed out and your API tokens "
        "revoked.",
        "success",
    )
    return redirect(url_for("catalog.home"))


# Departments -------------------------------------------------------------------------------


@admin.get("/departments")
@require_permission(Permission.DEPARTMENTS_MANAGE)
def departments():
    return render_template("accounts/departments.html", departments=services.list_departments())


@admin.route("/departments/new", methods=["GET", "POST"])
@require_permission(Permission.DEPARTMENTS_MANAGE)
def new_department():
    if request.method == "GET":
        return render_template("accounts/department_form.html", form={}, department=None)
    form = form_to_dict(request.form)
    with refused_as("accounts/department_form.html", form=form, department=None):
        department = services.create_department(form, actor=current_user)
    db.session.commit()
    flash(f"Department {department.name} ({department.code}) created.", "success")
    return redirect(url_for("admin.departments"))


@admin.route("/departments/<code>/edit", methods=["GET", "POST"])
@require_permission(Permission.DEPARTMENTS_MANAGE)
def edit_department(code: str):
    department = services.get_department(code)
    if request.method == "GET":
        form = services.department_snapshot(department)
        return render_template("accounts/department_form.html", form=form, department=department)
    form = form_to_dict(request.form)
    with refused_as("accounts/department_form.html", form=form, department=department):
        services.update_department(department, form, actor=current_user)
    db.session.commit()
    flash(f"Department {department.name} saved.", "success")
    return redirect(url_for("admin.departments"))


# Users -------------------------------------------------------------------------------------


def _user_page(form: dict, user, errors):
    """The person's form again, with what was refused."""
    return render_template(
        "accounts/user_form.html", form=form, user=user, errors=errors, **_user_form_context()
    )


def _user_form_context(**extra):
    return {
        "roles": list(Role),
        "role_labels": ROLE_LABELS,
        "departments": services.list_departments(),
        **extra,
    }


USER_FORM_LISTS = ("roles", "departments")


@admin.get("/users")
@require_permission(Permission.USERS_MANAGE)
def users():
    filters = {key: request.args.get(key) or None for key in ("q", "role", "department")}
    page = paginate(services.list_users_query(**filters))
    return render_template(
        "accounts/users.html", page=page, filters=filters, **_user_form_context()
    )


@admin.get("/tokens")
@require_permission(Permission.USERS_MANAGE)
def all_tokens():
    """Everyone's working API tokens, so that a coordinator can end one that leaked or that a
    person who left still holds."""
    page = paginate(tokens.working_tokens_query(current_user))
    return render_template("accounts/tokens.html", page=page)


@admin.post("/tokens/<int:token_id>/revoke")
@require_permission(Permission.USERS_MANAGE)
def revoke_anyones_token(token_id: int):
    token = tokens.revoke_token(None, token_id, actor=current_user)
    db.session.commit()
    flash(
        f"{token.user.name}'s token “{token.name}” is revoked; programs using it can no longer "
        "sign in.",
        "success",
    )
    return redirect(url_for("admin.all_tokens"))


@admin.route("/users/new", methods=["GET", "POST"])
@require_permission(Permission.USERS_MANAGE)
def new_user():
    if request.method == "GET":
        return render_template(
            "accounts/user_form.html", form={}, user=None, **_user_form_context()
        )
    form = form_to_dict(request.form, lists=USER_FORM_LISTS, flags=("is_chair",))
    welcome = form.pop("welcome", "invite")
    with refused_as(lambda errors: _user_page({**form, "welcome": welcome}, None, errors)):
        user, temporary = services.create_user(form, actor=current_user)
    if welcome != "temporary":  # the temporary password made is never shown: they choose one
        return _invited(user)
    db.session.commit()
    return render_template(
        "accounts/temporary_password.html", user=user, password=temporary, new=True
    )


@admin.post("/users/<int:user_id>/invite")
@require_permission(Permission.USERS_MANAGE)
def invite_user(user_id: int):
    user = services.get_user(user_id)
    return _invited(user)


def _invited(user):
    """Invites the person and says so; where the registry sends no mail, the link is shown
    here, once, for the coordinator to pass on."""
    token, expires, emailed = invitations.invite(user, actor=current_user)
    db.session.commit()
    link = None if emailed else url_for("auth.invitation", token=token, _external=True)
    return render_template(
        "accounts/invited.html", user=user, expires=expires, emailed=emailed, link=link
    )


@admin.route("/users/<int:user_id>/edit", methods=["GET", "POST"])
@require_permission(Permission.USERS_MANAGE)
def edit_user(user_id: int):
    user = services.get_user(user_id)
    if request.method == "GET":
        form = services.user_snapshot(user)
        return render_template(
            "accounts/user_form.html", form=form, user=user, **_user_form_context()
        )
    form = form_to_dict(request.form, lists=USER_FORM_LISTS, flags=("is_chair", "active"))
    with refused_as(lambda errors: _user_page(form, user, errors)):
        stewardship.update_user(user, form, actor=current_user)
    db.session.commit()
    flash(f"{user.name} saved.", "success")
    return redirect(url_for("admin.users"))


@admin.post("/users/<int:user_id>/deactivate")
@require_permission(Permission.USERS_MANAGE)
def deactivate_user(user_id: int):
    return _set_active(user_id, False)


@admin.post("/users/<int:user_id>/activate")
@require_permission(Permission.USERS_MANAGE)
def activate_user(user_id: int):
    return _set_active(user_id, True)


def _set_active(user_id: int, active: bool):
    user = services.get_user(user_id)
    with refused_back_to(url_for("admin.edit_user", user_id=user.id)):
        services.set_user_active(user, active, actor=current_user)
    db.session.commit()
    state = "reactivated" if active else "deactivated and signed out"
    flash(f"{user.name} was {state}.", "success")
    return redirect(url_for("admin.edit_user", user_id=user.id))


@admin.post("/users/<int:user_id>/reset-password")
@require_permission(Permission.USERS_MANAGE)
def reset_password(user_id: int):
    user = services.get_user(user_id)
    temporary = services.reset_password(user, actor=current_user)
    db.session.commit()
    # Shown in this response only, never put in the (readable) session cookie by a flash.
    return render_template(
        "accounts/temporary_password.html", user=user, password=temporary, new=False
    )
