"""Imports every domain's models so that metadata, migrations and the shell see all tables."""

from registry.accounts.models import (
    ApiToken,
    Department,
    SignInFailure,
    User,
    UserRole,
    UserSession,
)
from registry.audit.models import AuditChainHead, AuditEvent
from registry.datasets.models import Dataset, DatasetTheme, DatasetVersion
from registry.notifications.models import Notification, OutboundEmail
from registry.reviews.models import CommitteeSettings, Decision, Vote
from registry.transfer.models import ImportUpload

__all__ = [
    "ApiToken",
    "AuditChainHead",
    "AuditEvent",
    "CommitteeSettings",
    "Dataset",
    "DatasetTheme",
    "DatasetVersion",
    "Decision",
    "Department",
    "ImportUpload",
    "Notification",
    "OutboundEmail",
    "SignInFailure",
    "User",
    "UserRole",
    "UserSession",
    "Vote",
]
