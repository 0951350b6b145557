"""A form's save, written once for every page: input the services refuse (a marshmallow
ValidationError, its messages keyed by field) answers the form's page again with each error
beside its field, as 422, and nothing is saved.

    with refused_as("accounts/department_form.html", form=form, department=None):
        department = services.create_department(form, actor=current_user)
    db.session.commit()
"""

import html
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from flask import Flask, flash, make_response, redirect, render_template
from marshmallow import ValidationError

from registry.db import WRITE_INTENT
from registry.extensions import db


class FormRejected(Exception):
    """Carries the form's page, with its errors, to the handler that answers it."""

    def __init__(self, response) -> None:
        super().__init__("The form has errors.")
        self.response = response


@contextmanager
def refused_as(page: str | Callable[[Any], Any], **context: Any) -> Iterator[None]:
    """Refused input renders `page` (a template, given `errors` and the context; or a function
    of the errors that answers the page) with 422, after what the save flushed is rolled back."""
    try:
        yield
    except ValidationError as exc:
        db.session.rollback()
        WRITE_INTENT.set(False)  # the page again only reads: it must not wait for the write lock
        if callable(page):
            rendered = page(exc.messages)
        else:
            rendered = render_template(page, errors=exc.messages, **context)
        response = make_response(rendered)
        response.status_code = 422
        raise FormRejected(response) from exc


def init_form_pages(app: Flask) -> None:
    @app.errorhandler(FormRejected)
    def form_rejected(exc: FormRejected):
        return exc.response

    @app.after_request
    def errors_named_as_labelled(response):
        if response.status_code == 422 and response.mimetype == "text/html":
            response.set_data(named_as_labelled(response.get_data(as_text=True)))
        return response


LABEL = re.compile(r'<label\b[^>]*\bfor="([^"]+)"[^>]*>(.*?)</label>', re.S)
SUMMARY_LINK = re.compile(r'(<a href="#([^"]+)" class="alert-link">)([^<]*)(</a>)')


def _label_text(inner: str) -> str:
    """A label's own words: without the marks inside it (required, needed to submit)."""
    words = re.sub(r"<span\b.*?</span>", "", inner, flags=re.S)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", "", words)).split())


def named_as_labelled(page: str) -> str:
    """The error summary names each field by the words of its label on the same page ("Link to
    the minutes", not the field's name or another form's label for it), so the person reads in
    the summary what they see beside the field."""
    labels = {name: _label_text(inner) for name, inner in LABEL.findall(page)}

    def named(match: re.Match) -> str:
        label = labels.get(match.group(2))
        if not label:
            return match.group(0)
        return f"{match.group(1)}{html.escape(label, quote=False)}{match.group(4)}"

    return SUMMARY_LINK.sub(named, page)


@contextmanager
def refused_back_to(url: str) -> Iterator[None]:
    """For a button rather than a form page: refused input shows each error as a message on
    the page at `url`, where the person is sent back, and nothing is saved."""
    try:
        yield
    except ValidationError as exc:
        db.session.rollback()
        messages = exc.messages.values() if isinstance(exc.messages, dict) else [exc.messages]
        for found in messages:
            for message in found if isinstance(found, list) else [found]:
                flash(message, "danger")
        raise FormRejected(redirect(url)) from exc
