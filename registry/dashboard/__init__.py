"""The program's progress: the dashboard's figures (kept counts and indexed tallies, now or as
of a past day), the statistics API, and the yearly report with its readiness checklist."""
