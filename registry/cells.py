"""Spreadsheet cells that no program runs as a formula (OWASP's CSV injection guidance): a text
that would start with =, +, -, @, a tab, a carriage return or a line feed is kept as text. In an
XLSX the cell is stored as text; in a CSV it gets a leading apostrophe, which the importer takes
off again. A text that itself starts with an apostrophe gets one too, so that the importer takes
off only what the export added ("'=1" and "''" come back as they were). Numbers and dates stay
what they are; JSON formats keep the text exactly."""

from typing import Any

TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\n")


def is_formula_like(value: Any) -> bool:
    return isinstance(value, str) and value.startswith(TRIGGERS)


def _escaped(value: Any) -> bool:
    return is_formula_like(value) or (isinstance(value, str) and value.startswith("'"))


def for_csv(value: Any) -> Any:
    """A value as a CSV cell: text that could start a formula, or that starts with an
    apostrophe, gets a leading apostrophe."""
    if value is None:
        return ""
    if _escaped(value):
        return "'" + value
    return value


def from_csv(value: str) -> str:
    """Undoes for_csv(): the apostrophe the export put before such a text. An apostrophe before
    anything else is the city's own, and stays."""
    if value.startswith("'") and _escaped(value[1:]):
        return value[1:]
    return value
