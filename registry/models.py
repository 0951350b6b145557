"""Imports every domain's models so that metadata, migrations and the shell see all tables,
and every keeper of derived values (registry.derived), so that each is registered."""

from registry.accounts.models import (
    ApiToken,
    Department,
    SignInFailure,
    User,
    UserRole,
    UserSession,
)
from registry.audit.models import AuditChainHead, AuditEvent
from registry.dashboard.counts import KindCount, RecordKind, ReleasedTermCount
from registry.datasets.documents import keep_documents
from registry.datasets.models import Dataset, DatasetTheme, DatasetVersion
from registry.derived import Generation
from registry.notifications.models import Notification, OutboundEmail
from registry.performance.models import CityPriority
from registry.portal.models import PortalEntry, PortalSource
from registry.priorities.models import (
    Assessment,
    Ballot,
    DataRequest,
    ProgramSettings,
    QueueScore,
    RoundVote,
    ScoreOverride,
    VotingRound,
)
from registry.priorities.standings import keep_scores
from registry.reviews.models import CommitteeSettings, Decision, Meeting, ReleaseDelay, Vote
from registry.transfer.models import ImportUpload

__all__ = [
    "ApiToken",
    "Assessment",
    "AuditChainHead",
    "AuditEvent",
    "Ballot",
    "CityPriority",
    "CommitteeSettings",
    "DataRequest",
    "Dataset",
    "DatasetTheme",
    "DatasetVersion",
    "Decision",
    "Department",
    "Generation",
    "ImportUpload",
    "KindCount",
    "Meeting",
    "Notification",
    "OutboundEmail",
    "PortalEntry",
    "PortalSource",
    "ProgramSettings",
    "QueueScore",
    "RecordKind",
    "ReleaseDelay",
    "ReleasedTermCount",
    "RoundVote",
    "ScoreOverride",
    "SignInFailure",
    "User",
    "UserRole",
    "UserSession",
    "Vote",
    "VotingRound",
    "keep_documents",
    "keep_scores",
]
