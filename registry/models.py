"""Imports every domain's models so that metadata, migrations and the shell see all tables."""

from registry.accounts.models import Department, SignInFailure, User, UserRole
from registry.audit.models import AuditChainHead, AuditEvent

__all__ = ["AuditChainHead", "AuditEvent", "Department", "SignInFailure", "User", "UserRole"]
