"""Audit: the append-only, hash-chained record of every change. Imports no other domain."""
