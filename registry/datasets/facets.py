"""The counts beside a list's filters that are not a column of the record: its themes and what
it lists (formats, keywords); and the catalog's filters on those lists and on the license, one
condition each, used by the search and its counts alike, so a count says what its filter shows."""

from sqlalchemy import Select, case, exists, func, literal_column, select, true

from registry.datasets import documents
from registry.datasets.models import Dataset, DatasetTheme
from registry.extensions import db

# A list field, and how its values are made comparable: formats in capitals (CSV, csv and Csv
# are one format), keywords in small letters.
LISTED = {"format": (Dataset.formats, func.upper), "keyword": (Dataset.keywords, func.lower)}
# How many of a list's values the catalog offers: the most used first.
SHOWN = {"format": 12, "keyword": 15}


def _elements(column):
    """The list's values as rows of one column, `value`, beside the record they belong to (none
    for a value that is not a list, which PostgreSQL would otherwise refuse to read)."""
    if documents.dialect() == "postgresql":
        listed = case(
            (func.json_typeof(column) == "array", column), else_=literal_column("'[]'::json")
        )
        return func.json_array_elements_text(listed).table_valued("value")
    return func.json_each(column).table_valued("value")


def listed_condition(name: str, wanted: str):
    """Records whose list `name` holds `wanted`, in any case."""
    column, fold = LISTED[name]
    each = _elements(column)
    return exists(select(1).select_from(each).where(fold(each.c.value) == fold(wanted)))


def license_condition(wanted: str):
    return Dataset.license == wanted


def conditions(criteria: dict) -> list:
    found = [listed_condition(name, criteria[name]) for name in LISTED if criteria.get(name)]
    if criteria.get("license"):
        found.append(license_condition(criteria["license"]))
    return found


def listed_counts(name: str, over_matches) -> dict[str, int]:
    """How many of the matching records hold each value of list `name`: the most used first,
    then alphabetically; a record counts once for a value it lists twice."""
    column, fold = LISTED[name]
    each = _elements(column)
    value = fold(each.c.value)
    query: Select = over_matches(
        select(value, func.count(func.distinct(Dataset.id))).select_from(Dataset).join(each, true())
    )
    rows = db.session.execute(
        query.where(func.length(func.trim(each.c.value)) > 0)
        .group_by(value)
        .order_by(func.count(func.distinct(Dataset.id)).desc(), value)
        .limit(SHOWN[name])
    ).tuples()
    return dict(rows.all())


def theme_counts(over_matches) -> dict[str, int]:
    """How many of the matching records are under each theme, alphabetically."""
    query = over_matches(
        select(DatasetTheme.theme, func.count())
        .select_from(Dataset)
        .join(DatasetTheme, DatasetTheme.dataset_id == Dataset.id)
    )
    return dict(
        db.session.execute(query.group_by(DatasetTheme.theme).order_by(DatasetTheme.theme))
        .tuples()
        .all()
    )
