"""`registry portal add|check` from the command line."""

from registry.extensions import db
from registry.portal.models import PortalSource


def test_add_then_check_prints_the_drift(app, portal, city):
    runner = app.test_cli_runner()
    added = runner.invoke(
        args=[
            "portal",
            "add",
            "--kind",
            "datajson",
            "--url",
            portal.base + "/data.json",
            "--allow-private",
        ]
    )
    assert added.exit_code == 0, added.output
    checked = runner.invoke(args=["portal", "check"])
    assert checked.exit_code == 0, checked.output
    assert "4 datasets read" in checked.output
    assert "Released on a portal, not in the registry: 1" in checked.output
    assert "Not updated as often as they say: 2 of 3" in checked.output
    assert db.session.query(PortalSource).count() == 1


def test_bad_input_is_refused_and_saves_nothing(app):
    runner = app.test_cli_runner()
    refused = runner.invoke(args=["portal", "add", "--kind", "datajson", "--url", "ftp://x"])
    assert refused.exit_code == 1
    assert "url" in refused.output
    assert db.session.query(PortalSource).count() == 0
