"""Answers kept until what they read changes (registry.memo, by registry.derived's generation):
a sign-in or an audited read keeps them, a change to a record or anything else they read means
they are computed afresh, in every view that keeps one."""

from datetime import UTC, datetime

import registry.memo as memo
from registry.audit.services import record_event
from registry.audit.tags import Tag
from registry.derived import RECORDS
from registry.extensions import db
from registry.memo import remembered


def test_an_answer_holds_across_sign_ins_and_reads_and_not_across_a_change(make):
    visitor = make.user("stakeholder")  # registering a person is a change of its own
    computed = []

    def compute():
        computed.append(1)
        return len(computed)

    assert remembered("answer", compute) == 1
    assert remembered("answer", compute) == 1
    record_event(Tag.SIGN_IN, actor=visitor)
    record_event(Tag.EXPORT, details={"rows": 1})
    db.session.commit()
    assert remembered("answer", compute) == 1 and len(computed) == 1
    make.dataset(title="A change")
    assert remembered("answer", compute) == 2
    make.department(code="NEW", name="A department of its own")
    assert remembered("answer", compute) == 3 and len(computed) == 3
    computed.append(1)
    assert remembered("other question", compute) == 5  # each key is its own answer


def test_a_count_of_records_holds_across_a_data_request_and_not_across_a_record_change(make):
    """Counts of records are kept over RECORDS (registry.derived): a data request moves the
    answers kept over ANSWERS (the queue reads requests), never a count of records."""
    counted = []

    def count():
        counted.append(1)
        return len(counted)

    assert remembered("records", count, over=RECORDS) == 1
    assert remembered("answer", count) == 2
    make.data_request()
    db.session.commit()
    assert remembered("records", count, over=RECORDS) == 1  # kept
    assert remembered("answer", count) == 3  # computed afresh
    make.dataset(title="A change")
    db.session.commit()
    assert remembered("records", count, over=RECORDS) == 4


def test_an_answer_for_an_hour_gone_by_is_let_go_when_the_next_is_computed(make, app, monkeypatch):
    """The dashboard's and the queue's answers are for the current hour: once it has passed
    their keys are never asked for again, so they go (with their memory) before the next
    answer is computed, instead of lingering until newer answers push them out."""
    ten = datetime(2026, 12, 3, 10, 20, tzinfo=UTC)
    monkeypatch.setattr(memo, "utcnow", lambda: ten)
    hour, until = memo.for_the_hour(ten)
    assert (hour, until) == (
        datetime(2026, 12, 3, 10, tzinfo=UTC),
        datetime(2026, 12, 3, 11, tzinfo=UTC),
    )
    # An hour already gone by is read as of then, which no change alters: kept for ever.
    assert memo.for_the_hour(datetime(2026, 12, 3, 8, 59, tzinfo=UTC))[1] is None

    remembered(("figures", hour), lambda: "ten o'clock", until)
    remembered(("as of", "8 o'clock"), lambda: "eight o'clock", None)
    kept = app.extensions["registry_memo"].kept
    assert ("figures", hour) in kept

    monkeypatch.setattr(memo, "utcnow", lambda: datetime(2026, 12, 3, 11, 5, tzinfo=UTC))
    hour, until = memo.for_the_hour(memo.utcnow())
    assert remembered(("figures", hour), lambda: "eleven o'clock", until) == "eleven o'clock"
    assert ("figures", datetime(2026, 12, 3, 10, tzinfo=UTC)) not in kept
    assert ("as of", "8 o'clock") in kept and ("figures", hour) in kept


def test_a_change_to_one_record_changes_every_view_that_keeps_an_answer(client, make):
    """The listing's counts, the public inventory's, the dashboard's figures and the report,
    each asked once (so kept), then asked again after one record was retired."""
    from registry.db import utcnow
    from registry.reviews.services import perform_transition

    make.department(code="PW", name="Public Works")
    record = make.published("PW")
    make.published("PW")

    def views() -> dict:
        listing = client.get("/api/v1/datasets", query_string={"facets": "department"})
        return {
            "listing": listing.json["facets"]["department"],
            "inventory": client.get("/inventory").get_data(as_text=True),
            "figures": client.get("/api/v1/stats/funnel").json["rows"],
            "report": client.get(f"/report?year={utcnow().year}").get_data(as_text=True),
        }

    before = views()
    assert views() == before  # kept: asked again, the same
    perform_transition(
        record, {"action": "retire", "note": "Replaced."}, actor=make.user("coordinator")
    )
    db.session.commit()
    after = views()
    for name in before:
        assert after[name] != before[name], name


def test_a_keyword_added_to_a_record_changes_every_kept_view_of_it(client, make):
    """Every view that keeps something of a record (its API dump, the listing's dumps, its
    kept export row in the CSV and data.json files, data.json's ETag, the search documents
    and their totals, the listing's kept counts) shows a keyword added to it."""
    from registry.datasets.services import update_dataset

    make.department(code="PW", name="Public Works")
    record = make.published("PW", keywords=["roads"])
    make.published("PW")

    def views() -> dict:
        data_json = client.get("/data.json")
        listing = client.get("/api/v1/datasets", query_string={"facets": "department"})
        return {
            "record": client.get(f"/api/v1/datasets/{record.identifier}").json["keywords"],
            "listing": [item["keywords"] for item in listing.json["items"]],
            "csv": client.get("/exports/inventory.csv?scope=public").get_data(as_text=True),
            "data.json": data_json.get_data(as_text=True),
            "data.json ETag": data_json.headers["ETag"],
            "search": client.get("/api/v1/datasets?q=tributary").json["total"],
            "counts": client.get(
                "/api/v1/datasets", query_string={"q": "tributary", "facets": "department"}
            ).json["facets"],
        }

    before = views()
    assert views() == before  # kept: asked again, the same
    update_dataset(
        record,
        {"keywords": ["roads", "tributary"]},
        actor=make.user("coordinator"),
        expected_version=record.version,
    )
    db.session.commit()
    after = views()
    for name in before:
        assert after[name] != before[name], name
    assert after["search"] == 1


def test_a_searchs_total_holds_across_other_edits_and_not_across_a_change_to_its_words(
    client, make
):
    """A search's total counted by the engine alone is kept over SEARCHED (registry.derived):
    a record's priority edited or a request leave it; a title, a theme or a department's name
    change it, each seen in the next search's total."""
    from registry.accounts.services import update_department
    from registry.datasets.services import update_dataset
    from registry.derived import SEARCHED, generation

    coordinator = make.user("coordinator")
    make.department(code="PW", name="Public Works")
    record = make.published("PW", title="Culvert inspections")
    make.published("PW", title="Bridge inspections")

    def total(q: str) -> int:
        return client.get("/api/v1/datasets", query_string={"q": q}).json["total"]

    def edit(**changes) -> None:
        update_dataset(record, changes, actor=coordinator, expected_version=record.version)
        db.session.commit()

    assert total("culvert") == 1
    before = generation(SEARCHED)
    edit(release_priority="high")
    make.data_request()
    db.session.commit()
    assert generation(SEARCHED) == before  # kept: nothing a search reads changed
    edit(title="Storm drain inspections")
    assert generation(SEARCHED) > before
    assert (total("culvert"), total("drain")) == (0, 1)
    edit(themes=["Environment"])
    assert total("environment") == 1
    assert total("stormwater") == 0
    update_department(record.department, {"name": "Stormwater Utility"}, actor=coordinator)
    db.session.commit()
    assert total("stormwater") == 2  # both records' subjects hold their department's name


def test_the_generations_are_read_once_a_transaction_and_its_own_move_is_seen(make):
    """A listing asks for two generations: both come from one statement, read at the
    transaction's first question; a move within the transaction is seen at once, and the next
    transaction reads them again."""
    from registry.derived import ANSWERS, NAMES, generation, move_generation
    from tests.datasets.test_query_plans import statements_sent

    db.session.commit()
    (answers, names), first = statements_sent(lambda: (generation(ANSWERS), generation(NAMES)))
    again, second = statements_sent(lambda: generation(RECORDS))
    move_generation(db.session(), ANSWERS)
    moved = generation(ANSWERS)
    db.session.commit()
    _, next_transaction = statements_sent(lambda: generation(NAMES))
    reads = [
        sum(statement.lstrip().upper().startswith("SELECT") for statement, _ in sent)
        for sent in (first, second, next_transaction)
    ]
    assert (reads, moved) == ([1, 0, 1], answers + 1)
    assert again == generation(RECORDS) and names == generation(NAMES)
