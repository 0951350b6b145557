"""Catalog: the public face (home, and later the published catalog and progress dashboard)."""
