import re

import pytest
from marshmallow import ValidationError
from sqlalchemy import func, select

from registry.audit.models import AuditEvent
from registry.audit.tags import Tag
from registry.datasets import services
from registry.datasets.history import history
from registry.datasets.models import Dataset, DatasetVersion
from registry.datasets.snapshots import digest
from registry.errors import Conflict, PermissionDenied
from registry.extensions import db


def count(model):
    return db.session.scalar(select(func.count()).select_from(model))


@pytest.mark.parametrize(
    ("classification", "access"),
    [
        ("public", "public"),
        ("internal", "public"),
        ("sensitive", "restricted public"),
        ("restricted", "non-public"),
    ],
)
def test_access_level_defaults_from_the_classification(make, classification, access):
    dataset = make.dataset(classification=classification)
    assert dataset.access_level == access


def test_a_new_record_is_a_draft_at_version_one_with_a_url_safe_identifier(make):
    make.department(code="PW")
    dataset = make.dataset(department="PW")
    assert (dataset.status, dataset.version) == ("draft", 1)
    assert re.fullmatch(r"pw-[a-z0-9]{6}", dataset.identifier)


def test_identifiers_are_unique_even_for_identical_records(make):
    make.department(code="PW")
    identifiers = {make.dataset(department="PW", title="Same title").identifier for _ in range(5)}
    assert len(identifiers) == 5


def test_the_registering_steward_becomes_the_steward(make):
    steward = make.user("steward")
    dataset = make.dataset(actor=steward, department=steward.department_codes[0])
    assert dataset.steward == steward


def test_a_steward_cannot_register_for_another_department(make):
    steward = make.user("steward")
    other = make.department()
    with pytest.raises(ValidationError) as caught:
        services.create_dataset(
            {"title": "Budget", "department": other.code, "classification": "public"},
            actor=steward,
        )
    assert "own department" in caught.value.messages["department"][0]


def test_a_stakeholder_cannot_register_datasets(make):
    with pytest.raises(PermissionDenied):
        services.create_dataset(
            {"title": "Budget", "department": "X", "classification": "public"},
            actor=make.user("stakeholder"),
        )


def test_every_problem_is_reported_at_once_and_nothing_is_saved(make):
    coordinator = make.user("coordinator")
    before = (count(Dataset), count(DatasetVersion), count(AuditEvent))
    with pytest.raises(ValidationError) as caught:
        services.create_dataset(
            {
                "title": "A",
                "department": "NOPE",
                "classification": "sensitive",
                "temporal": "2020-01-01",
                "update_frequency": "weekly",
                "contains_pii": True,
                "distributions": [{"download_url": "https://x.example/a.csv"}],
            },
            actor=coordinator,
        )
    db.session.rollback()
    assert set(caught.value.messages) == {
        "title",
        "department",
        "temporal",
        "update_frequency",
        "distributions",
        "rights",
        "pii_kinds",
    }
    assert (count(Dataset), count(DatasetVersion), count(AuditEvent)) == before


def test_access_level_must_fit_the_classification(make):
    with pytest.raises(ValidationError) as caught:
        make.dataset(classification="restricted", access_level="public")
    assert "access_level" in caught.value.messages


def test_pii_kinds_only_with_personal_information(make):
    with pytest.raises(ValidationError) as caught:
        make.dataset(contains_pii=False, pii_kinds=["names"])
    assert "pii_kinds" in caught.value.messages


def test_an_edit_keeps_a_version_with_the_changes(make):
    dataset = make.dataset(title="Street Trees")
    services.update_dataset(
        dataset, {"title": "Street Tree Inventory", "version": 1}, actor=make.user("coordinator")
    )
    versions, _hidden = history(dataset, make.user("auditor"))
    assert [(v.version, v.changes) for v in versions] == [
        (2, {"title": {"from": "Street Trees", "to": "Street Tree Inventory"}}),
        (1, {}),
    ]


def test_an_edit_is_audited_with_before_and_after(make):
    dataset = make.dataset(title="Street Trees")
    services.update_dataset(
        dataset, {"title": "Trees", "version": 1}, actor=make.user("coordinator")
    )
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.tag == Tag.DATASET_UPDATE))
    kept = db.session.scalar(select(DatasetVersion).where(DatasetVersion.version == 2))
    assert event.payload == {
        "before": {"title": "Street Trees"},
        "after": {"title": "Trees"},
        "version": 2,
        "snapshot_sha256": digest(kept.snapshot),
    }


def test_a_stale_version_is_a_conflict_naming_the_current_one(make):
    coordinator = make.user("coordinator")
    dataset = make.dataset(title="Street Trees")
    services.update_dataset(dataset, {"title": "First edit", "version": 1}, actor=coordinator)
    with pytest.raises(Conflict) as caught:
        services.update_dataset(dataset, {"title": "Second edit", "version": 1}, actor=coordinator)
    assert (caught.value.details, dataset.title) == (
        {
            "current_version": 2,
            "fields": {"title": {"yours": "Second edit", "theirs": "First edit"}},
            "your_changes": ["title"],
        },
        "First edit",
    )


def test_an_edit_from_an_older_version_applies_only_what_its_author_changed(make):
    coordinator = make.user("coordinator")
    dataset = make.dataset(title="Street Trees", description="Every tree.")
    services.update_dataset(dataset, {"description": "Theirs.", "version": 1}, actor=coordinator)
    outcome = services.update_dataset(
        dataset,
        {"title": "Mine", "description": "Every tree.", "version": 1},
        actor=coordinator,
    )
    assert (dataset.title, dataset.description, outcome.kept_theirs) == (
        "Mine",
        "Theirs.",
        ["description"],
    )


def test_both_setting_a_field_to_the_same_value_is_no_clash(make):
    coordinator = make.user("coordinator")
    dataset = make.dataset(title="Street Trees")
    services.update_dataset(dataset, {"title": "Trees", "version": 1}, actor=coordinator)
    services.update_dataset(
        dataset, {"title": "Trees", "spatial": "Ward 1", "version": 1}, actor=coordinator
    )
    assert (dataset.title, dataset.spatial, dataset.version) == ("Trees", "Ward 1", 3)


def test_an_edit_from_a_version_the_record_never_had_is_a_conflict(make):
    dataset = make.dataset()
    with pytest.raises(Conflict):
        services.update_dataset(
            dataset, {"title": "Renamed", "version": 7}, actor=make.user("coordinator")
        )


def test_an_edit_must_say_which_version_it_is_based_on(make):
    dataset = make.dataset()
    with pytest.raises(ValidationError) as caught:
        services.update_dataset(dataset, {"title": "New title"}, actor=make.user("coordinator"))
    assert "version" in caught.value.messages


def test_a_new_classification_brings_its_default_access_level(make):
    dataset = make.dataset(classification="public")
    services.update_dataset(
        dataset,
        {"classification": "sensitive", "rights": "Privacy ordinance", "version": 1},
        actor=make.user("coordinator"),
    )
    assert dataset.access_level == "restricted public"


def test_an_edit_that_changes_nothing_keeps_the_version(make):
    dataset = make.dataset(title="Same")
    services.update_dataset(
        dataset, {"title": "Same", "version": 1}, actor=make.user("coordinator")
    )
    assert dataset.version == 1


def test_a_steward_cannot_edit_another_departments_dataset(make):
    dataset = make.dataset()
    with pytest.raises(PermissionDenied):
        services.update_dataset(
            dataset, {"title": "Mine now", "version": 1}, actor=make.user("steward")
        )


def test_themes_are_replaced_and_versioned(make):
    dataset = make.dataset(themes=["Health"])
    services.update_dataset(
        dataset, {"themes": ["Health", "Housing"], "version": 1}, actor=make.user("coordinator")
    )
    assert (dataset.themes, dataset.version) == (["Health", "Housing"], 2)


def test_lists_from_a_form_are_split_tidied_and_deduplicated(make):
    dataset = make.dataset(keywords="trees, Trees ,canopy,, urban forest")
    assert dataset.keywords == ["trees", "canopy", "urban forest"]
