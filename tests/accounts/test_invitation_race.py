"""One invitation link accepted twice at the same moment (two tabs, a double click) sets one
password: the other acceptance finds the link spent. Through separate connections, on a
database of the test's own (a SQLite file, or a fresh PostgreSQL database)."""

import threading

import pytest
from marshmallow import ValidationError
from werkzeug.security import check_password_hash

from registry.extensions import db

pytestmark = pytest.mark.own_database

PASSWORDS = ["willow lantern harbour quietly", "copper meadow violin softly"]


def test_two_acceptances_at_once_set_one_password(scratch_app):
    app = scratch_app()
    from registry.accounts import invitations
    from registry.accounts.models import User
    from tests import factories

    with app.app_context():
        coordinator = factories.user("coordinator")
        person, _ = factories.accounts.create_user(
            {"email": "race@city.example", "name": "Race Person", "roles": ["stakeholder"]},
            actor=None,
        )
        token, _, _ = invitations.invite(person, actor=coordinator)
        db.session.commit()
        person_id = person.id

    barrier = threading.Barrier(len(PASSWORDS))
    outcomes: list[str] = []

    def accept(password: str) -> None:
        with app.test_request_context():
            barrier.wait()
            try:
                invitations.accept(token, {"password": password, "confirm": password})
                db.session.commit()
                outcomes.append(password)
            except ValidationError:
                db.session.rollback()
                outcomes.append("spent")
            finally:
                db.session.remove()

    threads = [threading.Thread(target=accept, args=(password,)) for password in PASSWORDS]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert len(outcomes) == 2 and outcomes.count("spent") == 1
    chosen = next(outcome for outcome in outcomes if outcome != "spent")
    with app.app_context():
        stored = db.session.get(User, person_id).password_hash
    assert check_password_hash(stored, chosen)
