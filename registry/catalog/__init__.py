"""Catalog: the public face: the home page, the published catalog, the public inventory and
the feeds."""
