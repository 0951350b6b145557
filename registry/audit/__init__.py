"""Audit: the append-only, hash-chained record of every change that matters. Imports no other domain."""
