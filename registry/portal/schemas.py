"""What the API answers about the portals and the drift."""

from marshmallow import Schema, fields


class SourceOut(Schema):
    id = fields.Integer()
    kind = fields.String()
    url = fields.String()
    allow_private = fields.Boolean()
    checked_at = fields.AwareDateTime(allow_none=True)
    last_good_at = fields.AwareDateTime(allow_none=True)
    last_count = fields.Integer(allow_none=True)
    last_error = fields.String(allow_none=True)


class SourceListOut(Schema):
    items = fields.List(fields.Nested(SourceOut))


class PortalDatasetOut(Schema):
    id = fields.Integer(metadata={"description": "Give it to import or settle this dataset."})
    portal = fields.Integer(attribute="source_id")
    external_id = fields.String()
    title = fields.String()
    landing_page = fields.String(allow_none=True)
    modified = fields.Date(allow_none=True)
    record = fields.Function(lambda entry: entry.dataset.identifier if entry.dataset else None)
    matched_by = fields.String(allow_none=True)


class BrokenLinksOut(PortalDatasetOut):
    problem = fields.String(attribute="link_problem")
    checked_at = fields.DateTime(attribute="links_checked_at")


class RecordRefOut(Schema):
    identifier = fields.String()
    title = fields.String()


class DifferenceOut(Schema):
    id = fields.Function(lambda pair: pair[0].id)
    record = fields.Function(lambda pair: pair[0].dataset.identifier)
    portal_dataset = fields.Function(lambda pair: pair[0].external_id)
    fields_ = fields.Function(lambda pair: pair[1], data_key="fields")
    values = fields.Function(
        lambda pair: {
            name: {"registry": getattr(pair[0].dataset, name), "portal": getattr(pair[0], name)}
            for name in pair[1]
        },
        metadata={"description": "Each differing field's value here and on the portal."},
    )


class ImportedOut(Schema):
    record = fields.String(metadata={"description": "The new record's identifier."})
    portal_dataset = fields.Integer()


class SettledOut(Schema):
    record = fields.String()
    version = fields.Integer()
    still_differs = fields.List(fields.String())


class FreshnessOut(Schema):
    record = fields.Function(lambda late: late.record.identifier)
    title = fields.Function(lambda late: late.record.title)
    update_frequency = fields.Function(lambda late: late.record.update_frequency)
    last_changed = fields.Function(lambda late: late.entry.modified.isoformat())
    state = fields.Function(lambda late: late.freshness.state)
    on_time = fields.Function(lambda late: late.freshness.on_time)
    days_late = fields.Function(lambda late: late.freshness.days_late)


class DepartmentFreshnessOut(Schema):
    department = fields.String()
    judged = fields.Integer()
    on_time = fields.Integer()
    share_on_time = fields.Float()
    median_days_late = fields.Float(allow_none=True)


class DriftOut(Schema):
    as_of = fields.Date()
    sources = fields.List(fields.Nested(SourceOut))
    released_elsewhere = fields.List(fields.Nested(PortalDatasetOut), attribute="elsewhere")
    released_before_its_review = fields.List(
        fields.Nested(PortalDatasetOut),
        attribute="unreleased",
        metadata={"description": "On a portal, and registered, but not released in the registry."},
    )
    missing_from_portal = fields.List(fields.Nested(RecordRefOut), attribute="missing")
    metadata_differs = fields.List(fields.Nested(DifferenceOut), attribute="differs")
    to_confirm = fields.List(fields.Nested(PortalDatasetOut), attribute="uncertain")
    broken_links = fields.List(fields.Nested(BrokenLinksOut), attribute="broken")
    freshness = fields.List(fields.Nested(FreshnessOut), attribute="fresh")
    freshness_by_department = fields.List(
        fields.Nested(DepartmentFreshnessOut), attribute="by_department"
    )
