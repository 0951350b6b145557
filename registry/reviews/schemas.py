"""Shapes of a transition request, a vote, the committee settings, and what the API returns."""

from marshmallow import Schema, fields, validate

from registry.datasets.schemas import DatasetDetailOut, DistributionIn
from registry.datasets.vocab import AccessLevel, Classification
from registry.reviews.workflow import Action, Outcome
from registry.validation import InputSchema


class TransitionIn(InputSchema):
    action = fields.Enum(Action, by_value=True, required=True)
    note = fields.String(load_default=None, validate=validate.Length(max=5000))
    # A chair's decision from a meeting
    outcome = fields.Enum(Outcome, by_value=True, load_default=None)
    meeting = fields.Integer(
        load_default=None,
        strict=False,
        metadata={
            "description": "A recorded meeting's id: the decision cites it, with "
            "minutes_reference as the item (e.g. 'item 4')."
        },
    )
    minutes_reference = fields.String(load_default=None, validate=validate.Length(max=200))
    classification = fields.Enum(Classification, by_value=True, load_default=None)
    access_level = fields.Enum(AccessLevel, by_value=True, load_default=None)
    rights = fields.String(load_default=None, validate=validate.Length(max=255))
    conditions = fields.String(load_default=None, validate=validate.Length(max=5000))
    release_target_date = fields.Date(load_default=None)
    # Publication
    landing_page = fields.Url(load_default=None, schemes={"http", "https"})
    distributions = fields.List(fields.Nested(DistributionIn), load_default=None)
    published_on = fields.Date(load_default=None)


class VoteIn(InputSchema):
    vote = fields.Enum(Outcome, by_value=True, required=True)
    rationale = fields.String(required=True, validate=validate.Length(min=1, max=5000))
    conditions = fields.String(load_default=None, validate=validate.Length(max=5000))


class SettingsIn(InputSchema):
    quorum = fields.Integer(
        load_default=None,
        allow_none=True,
        validate=validate.Range(min=1, max=100),
        metadata={"description": "Votes needed; empty means a majority of active members."},
    )
    release_deadline_days = fields.Integer(required=True, validate=validate.Range(min=1, max=3650))
    rereview_days = fields.Integer(required=True, validate=validate.Range(min=1, max=3650))


class VoteOut(Schema):
    member = fields.Function(lambda vote: vote.member.email)
    member_name = fields.Function(lambda vote: vote.member.name)
    vote = fields.String()
    rationale = fields.String()
    conditions = fields.String(allow_none=True)
    cast_at = fields.AwareDateTime()
    updated_at = fields.AwareDateTime()


class DecisionVoteOut(Schema):
    """A vote as the minutes show it: the member's name, never their address."""

    name = fields.String()
    vote = fields.String()
    rationale = fields.String()
    conditions = fields.String(allow_none=True)


class DecisionOut(Schema):
    review_round = fields.Integer(
        allow_none=True,
        metadata={"description": "Null for readers who may not see every round of the record."},
    )
    outcome = fields.String()
    classification = fields.String()
    access_level = fields.String()
    rights = fields.String(allow_none=True)
    conditions = fields.String(allow_none=True)
    release_target_date = fields.Date(allow_none=True)
    proposal = fields.Dict(allow_none=True)
    method = fields.String()
    minutes_reference = fields.String(allow_none=True)
    rationale = fields.String(allow_none=True)
    tally = fields.Dict()
    votes = fields.List(fields.Nested(DecisionVoteOut))
    decided_at = fields.AwareDateTime()


class ReviewOut(Schema):
    status = fields.String()
    review_round = fields.Integer()
    quorum = fields.Integer()
    eligible_members = fields.Integer()
    tally = fields.Dict()
    votes = fields.List(fields.Nested(VoteOut))
    decision = fields.Nested(DecisionOut, allow_none=True)
    proposal = fields.Dict(
        allow_none=True,
        metadata={"description": "An open re-review: the governance in force and the change."},
    )
    release_target_date = fields.Date(allow_none=True)
    published_on = fields.Date(allow_none=True)
    overdue = fields.Boolean(metadata={"description": "Approved, unpublished, past its target."})
    published_late = fields.Boolean(metadata={"description": "Published after its target date."})
    published_on_time = fields.Boolean(metadata={"description": "Published by its target date."})
    due_for_rereview = fields.Boolean(
        metadata={"description": "Its last approval is older than the re-review interval."}
    )


class DecisionListOut(Schema):
    items = fields.List(fields.Nested(DecisionOut))


class TransitionResultOut(DatasetDetailOut):
    allowed_actions = fields.List(fields.String())
