"""Spreadsheet cells that no program runs as a formula (OWASP's CSV injection guidance): a text
that would start with =, +, -, @, a tab, a carriage return or a line feed is kept as text. In an
XLSX the cell is stored as text; in a CSV it gets a leading apostrophe, which the importer takes
off again. Numbers and dates stay what they are; JSON formats keep the text exactly."""

from typing import Any

TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\n")


def is_formula_like(value: Any) -> bool:
    return isinstance(value, str) and value.startswith(TRIGGERS)


def for_csv(value: Any) -> Any:
    """A value as a CSV cell: text that could start a formula gets a leading apostrophe."""
    if value is None:
        return ""
    if is_formula_like(value):
        return "'" + value
    return value


def from_csv(value: str) -> str:
    """Undoes for_csv(): an apostrophe the export put before a formula-like text."""
    if value.startswith("'") and is_formula_like(value[1:]):
        return value[1:]
    return value
