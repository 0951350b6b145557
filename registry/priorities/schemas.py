"""Input and output shapes of voting rounds, votes, data requests, assessments, overrides, the
city's priorities and the program's settings."""

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from registry.reviews.workflow import State
from registry.validation import InputSchema, LowerEmail, UpperString

# Not yet published, nor set aside (rejected, retired): what the group may still weigh in on.
CANDIDATE_STATES = [
    str(State.DRAFT),
    str(State.SUBMITTED),
    str(State.IN_COMMITTEE),
    str(State.CHANGES_REQUESTED),
    str(State.APPROVED),
]

_title = fields.String(required=True, validate=validate.Length(min=3, max=200))


class RoundIn(InputSchema):
    title = _title
    description = fields.String(load_default=None, validate=validate.Length(max=5000))
    opens_at = fields.AwareDateTime(required=True, default_timezone=None)
    closes_at = fields.AwareDateTime(required=True, default_timezone=None)
    budget = fields.Integer(load_default=10, validate=validate.Range(min=1, max=1000))
    max_per_item = fields.Integer(load_default=3, validate=validate.Range(min=1, max=1000))

    @validates_schema
    def _in_order(self, data, **_kwargs):
        errors = {}
        if data.get("opens_at") and data.get("closes_at") and data["closes_at"] <= data["opens_at"]:
            errors["closes_at"] = ["A round closes after it opens."]
        if data.get("budget") and data.get("max_per_item", 0) > data["budget"]:
            errors["max_per_item"] = ["The most on one candidate cannot be more than the budget."]
        if errors:
            raise ValidationError(errors)


class VotesIn(InputSchema):
    votes = fields.Integer(required=True, strict=False, validate=validate.Range(min=0, max=1000))


class RequestIn(InputSchema):
    title = _title
    description = fields.String(required=True, validate=validate.Length(min=10, max=5000))
    why = fields.String(load_default=None, validate=validate.Length(max=5000))
    email = LowerEmail(load_default=None, validate=validate.Length(max=254))


class RequestAnswerIn(InputSchema):
    """What a coordinator does with a request."""

    action = fields.String(
        required=True,
        validate=validate.OneOf(["acknowledge", "link", "create_draft", "decline"]),
    )
    note = fields.String(load_default=None, validate=validate.Length(max=5000))
    identifier = fields.String(load_default=None, validate=validate.Length(max=64))
    department = UpperString(load_default=None)


def _criterion():
    return fields.Integer(
        required=True,
        strict=False,
        validate=validate.Range(min=0, max=3, error="Give 0, 1, 2 or 3."),
    )


class AssessmentIn(InputSchema):
    """The five criteria (scoring.CRITERIA), 0 to 3 each."""

    accountability = _criterion()
    public_knowledge = _criterion()
    department_mission = _criterion()
    economic_opportunity = _criterion()
    public_demand = _criterion()
    note = fields.String(load_default=None, validate=validate.Length(max=2000))


class OverrideIn(InputSchema):
    score = fields.Float(
        load_default=None, allow_none=True, validate=validate.Range(min=0, max=100)
    )
    reason = fields.String(required=True, validate=validate.Length(min=3, max=2000))


class CityPriorityIn(InputSchema):
    name = fields.String(required=True, validate=validate.Length(min=2, max=120))
    description = fields.String(load_default=None, validate=validate.Length(max=2000))
    position = fields.Integer(load_default=0, strict=False, validate=validate.Range(min=0, max=99))


class ProgramSettingsIn(InputSchema):
    acknowledge_days = fields.Integer(required=True, validate=validate.Range(min=1, max=365))
    answer_days = fields.Integer(required=True, validate=validate.Range(min=1, max=730))
    public_requests = fields.Boolean(load_default=False)


class TallyOut(Schema):
    candidate = fields.String(metadata={"description": "A dataset identifier or request-<id>."})
    title = fields.String()
    votes = fields.Integer()
    share = fields.Float()


class RoundOut(Schema):
    ROUND_FIELDS = ("id", "title", "description", "opens_at", "budget", "max_per_item")

    id = fields.Integer()
    title = fields.String()
    description = fields.String(allow_none=True)
    opens_at = fields.AwareDateTime()
    closes_at = fields.AwareDateTime(
        metadata={"description": "When it closes, or closed (earlier if a coordinator closed it)."}
    )
    budget = fields.Integer()
    max_per_item = fields.Integer()
    state = fields.String(metadata={"description": "upcoming, open or closed."})
    my_votes = fields.Dict(
        keys=fields.String(),
        values=fields.Integer(),
        allow_none=True,
        metadata={"description": "The caller's own votes, by candidate."},
    )
    remaining = fields.Integer(
        allow_none=True, metadata={"description": "What is left of the caller's budget."}
    )
    tallies = fields.List(
        fields.Nested(TallyOut),
        allow_none=True,
        metadata={"description": "Once the round is closed; null while it is open."},
    )


class PriorityPartOut(Schema):
    name = fields.String()
    label = fields.String()
    value = fields.Float()
    weight = fields.Float()
    points = fields.Float()
    explanation = fields.String()


class PriorityOut(Schema):
    rank = fields.Integer()
    identifier = fields.String()
    title = fields.String()
    department = fields.String()
    status = fields.String()
    release_target_date = fields.Date(allow_none=True)
    score = fields.Float()
    formula_score = fields.Float()
    override_reason = fields.String(allow_none=True)
    parts = fields.List(fields.Nested(PriorityPartOut))


class RequestOut(Schema):
    """A data request as anyone may read it: never who asked."""

    id = fields.Integer()
    title = fields.String()
    description = fields.String()
    why = fields.String(allow_none=True)
    status = fields.String(metadata={"description": "received, acknowledged, planned, declined."})
    status_label = fields.String()
    response = fields.String(allow_none=True, metadata={"description": "The city's answer."})
    dataset = fields.String(
        allow_none=True,
        metadata={"description": "The record planned for it, where the caller may read it."},
    )
    created_at = fields.AwareDateTime()
    acknowledged_at = fields.AwareDateTime(allow_none=True)
    answered_at = fields.AwareDateTime(allow_none=True)
    acknowledge_by = fields.AwareDateTime()
    answer_by = fields.AwareDateTime()
    acknowledgement_overdue = fields.Boolean()
    answer_overdue = fields.Boolean()
    answered_in_time = fields.Boolean()


class RequestListOut(Schema):
    items = fields.List(fields.Nested(RequestOut))
    total = fields.Integer(metadata={"description": "Requests as filtered, on every page."})
    page = fields.Integer()
    per_page = fields.Integer()


class RoundListOut(Schema):
    items = fields.List(fields.Nested(RoundOut))
    total = fields.Integer(metadata={"description": "Rounds, on every page."})
    page = fields.Integer()
    per_page = fields.Integer()


class PriorityQuery(InputSchema):
    department = UpperString(load_default=None, validate=validate.Length(max=20))
    status = fields.String(
        load_default=None,
        validate=validate.OneOf(CANDIDATE_STATES),
        metadata={"description": "Only candidates in this state: " + ", ".join(CANDIDATE_STATES)},
    )
    per_page = fields.Integer(load_default=25, validate=validate.Range(min=1, max=100))
    after = fields.String(
        load_default=None,
        validate=validate.Length(max=600),
        metadata={"description": "The previous page's `next`: the places after it."},
    )


class PriorityListOut(Schema):
    items = fields.List(fields.Nested(PriorityOut))
    total = fields.Integer(metadata={"description": "Candidates in the queue as filtered."})
    per_page = fields.Integer()
    next = fields.String(
        allow_none=True,
        metadata={"description": "Give it as `after` for the next page; null on the last."},
    )
