"""Accounts: departments, users, roles, sign-in and the permission table."""
