"""Signing in with the city's account (the way there and back), and the coordinator's page that
sets it up."""

import requests
from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_login import current_user

from registry.accounts import city_accounts, city_settings
from registry.accounts.views import start_browser_session
from registry.extensions import db
from registry.permissions import ROLE_LABELS, Permission
from registry.validation import form_to_dict
from registry.web.access import require_permission
from registry.web.forms import refused_as
from registry.web.links import absolute_url, safe_next
from registry.web.requests import client_address

city_sign_in = Blueprint("city_sign_in", __name__)

NEXT_KEY = "city_sign_in_next"


@city_sign_in.app_context_processor
def offer_city_sign_in():
    """The sign-in page asks (and only it): is signing in with the city's account on?"""
    return {"city_sign_in_offered": city_settings.enabled_provider}


@city_sign_in.get("/sign-in/city")
def start():
    """Off to the city's provider, which signs the person in (or sees they already are)."""
    if current_user.is_authenticated:
        return redirect(safe_next(request.args.get("next")) or url_for("catalog.home"))
    try:
        answer = city_accounts.begin(absolute_url("city_sign_in.finish"))
    except requests.RequestException:
        answer = None
        flash(city_accounts.UNREACHABLE, "danger")
    if answer is None:
        if city_settings.enabled_provider() is None:
            flash(city_accounts.NOT_SET_UP, "warning")
        return redirect(url_for("auth.sign_in"))
    session[NEXT_KEY] = safe_next(request.args.get("next"))
    return answer


@city_sign_in.get("/sign-in/city/return")
def finish():
    """Where the provider sends the person back, with a code the registry exchanges."""
    outcome = city_accounts.finish(address=client_address())
    db.session.commit()
    if outcome.user is None:
        page = render_template("auth/sign_in.html", form={}, refusal=outcome.refusal)
        return page, 401
    destination = safe_next(session.get(NEXT_KEY)) or url_for("catalog.home")
    start_browser_session(outcome.user, lifetime=city_accounts.session_lifetime())
    flash(f"Signed in as {outcome.user.name} with your city account.", "success")
    return redirect(destination)


@city_sign_in.route("/admin/city-sign-in", methods=["GET", "POST"])
@require_permission(Permission.USERS_MANAGE)
def settings():
    provider = city_settings.provider_settings()
    context = {
        "provider": provider,
        "role_labels": ROLE_LABELS,
        "return_address": absolute_url("city_sign_in.finish"),
        "secret_lost": provider is not None
        and city_settings.unseal(provider.client_secret_sealed) is None,
    }
    if request.method == "GET":
        form = city_settings.settings_form(provider)
        return render_template("accounts/city_sign_in.html", form=form, **context)
    form = form_to_dict(request.form, flags=("enabled", "trust_email"))
    form.pop("client_secret_kept", None)
    shown = {key: value for key, value in form.items() if key != "client_secret"}
    with refused_as("accounts/city_sign_in.html", form=shown, **context):
        saved = city_settings.save_settings(form, actor=current_user)
    db.session.commit()
    state = "on" if saved.enabled else "off"
    flash(f"City sign-in saved. Signing in with “{saved.label}” is {state}.", "success")
    return redirect(url_for("city_sign_in.settings"))
