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
