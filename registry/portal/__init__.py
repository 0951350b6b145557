"""The city's portals, read on a schedule and set against the registry (issue 27)."""
