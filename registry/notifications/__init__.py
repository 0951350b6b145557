"""Notifications: each person's in-app inbox, and email through a database outbox."""
