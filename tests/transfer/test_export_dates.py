"""A day an export cannot be as of (not a day, or still to come) answers the exports page again,
with what was asked and the field saying why; the API and the CLI say the same in their way."""

from registry.db import utctoday


def test_a_mistyped_or_future_day_answers_the_exports_page_saying_why(client, make):
    make.department(code="PW", name="Public Works")
    future = utctoday().replace(year=utctoday().year + 1).isoformat()
    for asked, reason in (
        ("31/7/2026", "Give a day as 2026-07-31 or 7/31/2026."),
        (future, "Give a day up to today: an export cannot run ahead."),
    ):
        for path in ("/exports/inventory.csv", "/exports/data.json"):
            response = client.get(f"{path}?department=pw&as_of={asked}")
            page = response.get_data(as_text=True)
            assert response.status_code == 422, path
            assert "Choose what to download" in page and reason in page
            assert 'aria-invalid="true"' in page and f'value="{asked}"' in page
            assert '<option value="PW" selected>' in page
        answer = client.get(f"/api/v1/exports/data.json?as_of={asked}")
        assert answer.status_code == 422 and answer.get_json()["errors"]["as_of"] == [reason]


def test_an_export_as_of_a_day_written_month_first_is_made(client):
    response = client.get("/exports/inventory.csv?as_of=7/31/2025")
    assert response.status_code == 200 and response.mimetype == "text/csv"
