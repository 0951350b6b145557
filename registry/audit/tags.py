"""Every audit event tag, in one place, so that auditors can filter on a known vocabulary."""

from enum import StrEnum


class Tag(StrEnum):
    SIGN_IN = "account:sign_in"
    SIGN_IN_FAILURE = "account:sign_in:failure"
    SIGN_IN_THROTTLED = "account:sign_in:throttled"
    SIGN_OUT = "account:sign_out"
    USER_CREATE = "account:user:create"
    USER_UPDATE = "account:user:update"
    USER_ROLES_CHANGE = "account:user:roles"
    USER_DEACTIVATE = "account:user:deactivate"
    USER_ACTIVATE = "account:user:activate"
    USER_PASSWORD_RESET = "account:user:password_reset"
    USER_PASSWORD_CHANGE = "account:user:password_change"
    USER_INVITE = "account:user:invite"
    USER_INVITE_ACCEPT = "account:user:invite_accept"
    USER_CITY_ACCOUNT = "account:user:city_account"
    CITY_SIGN_IN_SETTINGS = "account:city_sign_in:settings"
    DEPARTMENT_CREATE = "account:department:create"
    DEPARTMENT_UPDATE = "account:department:update"
    TOKEN_CREATE = "account:token:create"
    TOKEN_REVOKE = "account:token:revoke"
    DATASET_CREATE = "dataset:create"
    DATASET_UPDATE = "dataset:update"
    DATASET_TRANSITION = "dataset:transition"
    REVIEW_VOTE = "review:vote"
    REVIEW_RECUSAL = "review:recusal"
    REVIEW_REREVIEW_OPEN = "review:rereview:open"
    REVIEW_DECISION = "review:decision:record"
    COMMITTEE_SETTINGS = "review:settings:update"
    # The program: rounds, votes, requests, the city's priorities, assessments, scores
    ROUND_CREATE = "program:round:create"
    ROUND_CLOSE = "program:round:close"
    ROUND_VOTE = "program:round:vote"
    REQUEST_CREATE = "program:request:create"
    REQUEST_RESPOND = "program:request:respond"
    CITY_PRIORITY = "program:city_priority"
    THEME_ADD = "program:theme:add"
    THEME_REMOVE = "program:theme:remove"
    PROGRAM_SETTINGS = "program:settings"
    ASSESSMENT = "program:assessment"
    SCORE_OVERRIDE = "program:score:override"
    MEETING = "review:meeting:record"
    RELEASE_DELAY = "review:release:delay"
    # Reads that matter
    DATASET_READ_RESTRICTED = "dataset:read:restricted"
    AUDIT_READ = "audit:read"
    AUDIT_VERIFY = "audit:verify"
    AUDIT_EXPORT = "audit:export"
    EXPORT = "transfer:export"
    PORTAL_SOURCE = "portal:source:add"
    PORTAL_CHECK = "portal:check"
    PORTAL_MATCH = "portal:match"
    PORTAL_IMPORT = "portal:import"
    PORTAL_SETTLE = "portal:settle"
    IMPORT = "transfer:import"
    # Performance management: measures and the values reported for them
    MEASURE_CREATE = "performance:measure:create"
    MEASURE_UPDATE = "performance:measure:update"
    MEASURE_VALUE = "performance:value:report"
    MEASURE_VALUE_CORRECT = "performance:value:correct"
    STOCK_TAKE = "performance:stock_take:record"


# What each event says, in words, for the audit log's pages.
TAG_LABELS = {
    Tag.SIGN_IN: "Signed in",
    Tag.SIGN_IN_FAILURE: "Sign-in refused",
    Tag.SIGN_IN_THROTTLED: "Sign-in throttled",
    Tag.SIGN_OUT: "Signed out",
    Tag.USER_CREATE: "Person added",
    Tag.USER_UPDATE: "Person edited",
    Tag.USER_ROLES_CHANGE: "Roles or departments changed",
    Tag.USER_DEACTIVATE: "Account deactivated",
    Tag.USER_ACTIVATE: "Account reactivated",
    Tag.USER_PASSWORD_RESET: "Password reset",
    Tag.USER_PASSWORD_CHANGE: "Password changed",
    Tag.USER_INVITE: "Invitation sent",
    Tag.USER_INVITE_ACCEPT: "Invitation accepted",
    Tag.USER_CITY_ACCOUNT: "Linked to a city account",
    Tag.PORTAL_SOURCE: "Portal registered",
    Tag.PORTAL_CHECK: "Portal read",
    Tag.PORTAL_MATCH: "Portal match confirmed",
    Tag.PORTAL_IMPORT: "Portal dataset added to the registry",
    Tag.PORTAL_SETTLE: "Portal difference settled",
    Tag.CITY_SIGN_IN_SETTINGS: "City sign-in set up",
    Tag.DEPARTMENT_CREATE: "Department added",
    Tag.DEPARTMENT_UPDATE: "Department edited",
    Tag.TOKEN_CREATE: "API token created",
    Tag.TOKEN_REVOKE: "API token revoked",
    Tag.DATASET_CREATE: "Dataset registered",
    Tag.DATASET_UPDATE: "Dataset edited",
    Tag.DATASET_TRANSITION: "Review step taken",
    Tag.REVIEW_VOTE: "Committee vote",
    Tag.REVIEW_RECUSAL: "Members recused",
    Tag.REVIEW_REREVIEW_OPEN: "Re-review opened",
    Tag.REVIEW_DECISION: "Committee decision recorded",
    Tag.COMMITTEE_SETTINGS: "Committee settings changed",
    Tag.DATASET_READ_RESTRICTED: "Restricted dataset read",
    Tag.AUDIT_READ: "Audit log read",
    Tag.AUDIT_VERIFY: "Audit log verified",
    Tag.AUDIT_EXPORT: "Audit log exported",
    Tag.ROUND_CREATE: "Voting round created",
    Tag.ROUND_CLOSE: "Voting round closed early",
    Tag.ROUND_VOTE: "Stakeholder vote",
    Tag.REQUEST_CREATE: "Data request made",
    Tag.REQUEST_RESPOND: "Data request answered",
    Tag.CITY_PRIORITY: "City priority changed",
    Tag.THEME_ADD: "Theme added",
    Tag.THEME_REMOVE: "Theme removed",
    Tag.PROGRAM_SETTINGS: "Program settings changed",
    Tag.ASSESSMENT: "Committee assessment",
    Tag.SCORE_OVERRIDE: "Priority score overridden",
    Tag.MEETING: "Committee meeting recorded",
    Tag.RELEASE_DELAY: "Reason for a late release recorded",
    Tag.EXPORT: "Inventory exported",
    Tag.IMPORT: "Inventory imported",
    Tag.MEASURE_CREATE: "Measure defined",
    Tag.MEASURE_UPDATE: "Measure edited",
    Tag.MEASURE_VALUE: "Measure value reported",
    Tag.MEASURE_VALUE_CORRECT: "Measure value corrected",
    Tag.STOCK_TAKE: "Stock-take recorded",
}


def tag_label(tag: str) -> str:
    return TAG_LABELS.get(tag, tag)
