"""Controlled vocabularies of the dataset record, after DCAT-US v1.1 and the city's standard."""

from enum import IntEnum

from registry.labels import Labelled, name_terms


class Classification(Labelled):
    """The four sensitivity levels (DESIGN.md, after DataSF's classification standard)."""

    PUBLIC = "public", "1 · Public"
    INTERNAL = "internal", "2 · Internal"
    SENSITIVE = "sensitive", "3 · Sensitive"
    RESTRICTED = "restricted", "4 · Restricted"

    @property
    def level(self) -> int:
        return CLASSIFICATION_LEVELS[self]


CLASSIFICATION_LEVELS = {
    Classification.PUBLIC: 1,
    Classification.INTERNAL: 2,
    Classification.SENSITIVE: 3,
    Classification.RESTRICTED: 4,
}

CLASSIFICATION_LABELS = {
    Classification.PUBLIC: "1 · Public: may be released as is",
    Classification.INTERNAL: "2 · Internal: no harm if released, not yet reviewed",
    Classification.SENSITIVE: "3 · Sensitive: release only aggregated or de-identified",
    Classification.RESTRICTED: "4 · Restricted: law or safety forbids release",
}


class AccessLevel(Labelled):
    """POD accessLevel."""

    PUBLIC = "public", "Public"
    RESTRICTED_PUBLIC = "restricted public", "Restricted public"
    NON_PUBLIC = "non-public", "Non-public"


DEFAULT_ACCESS_LEVEL = {
    Classification.PUBLIC: AccessLevel.PUBLIC,
    Classification.INTERNAL: AccessLevel.PUBLIC,
    Classification.SENSITIVE: AccessLevel.RESTRICTED_PUBLIC,
    Classification.RESTRICTED: AccessLevel.NON_PUBLIC,
}


class Priority(Labelled):
    HIGH = "high", "High"
    MEDIUM = "medium", "Medium"
    LOW = "low", "Low"


class PriorityRank(IntEnum):
    """Sort order of priorities: high first."""

    high = 1
    medium = 2
    low = 3


# The same order as SQL, for the indexes that read records in it (datasets.cursors.PRIORITY).
PRIORITY_ORDER = (
    "CASE "
    + " ".join(f"WHEN release_priority = '{rank.name}' THEN {rank.value}" for rank in PriorityRank)
    + " END"
)


# POD accrualPeriodicity values, with the words people use for them.
UPDATE_FREQUENCIES = {
    "R/PT1S": "Continuously",
    "R/PT1H": "Hourly",
    "R/P1D": "Daily",
    "R/P3.5D": "Twice a week",
    "R/P0.33W": "Three times a week",
    "R/P1W": "Weekly",
    "R/P0.5W": "Twice a week (semiweekly)",
    "R/P2W": "Every two weeks",
    "R/P0.5M": "Twice a month",
    "R/P0.33M": "Three times a month",
    "R/P1M": "Monthly",
    "R/P2M": "Every two months",
    "R/P3M": "Quarterly",
    "R/P4M": "Three times a year",
    "R/P6M": "Twice a year",
    "R/P1Y": "Yearly",
    "R/P2Y": "Every two years",
    "R/P3Y": "Every three years",
    "R/P4Y": "Every four years",
    "R/P10Y": "Every ten years",
    "irregular": "Irregularly",
}

# Codes DCAT-US lists twice for one frequency: a form offers the first code only.
SAME_FREQUENCY = {"R/P0.5W": "R/P3.5D"}

PII_KINDS = {
    "names": "Names",
    "contact": "Addresses, phone numbers or email",
    "identifiers": "Government or account identifiers",
    "location": "Precise location of people",
    "health": "Health information",
    "financial": "Financial information",
    "minors": "Information about minors",
    "justice": "Criminal justice information",
    "biometric": "Biometric data",
}

# The themes a new registry starts with; the city keeps its own list (datasets.themes).
DEFAULT_THEMES = [
    "Budget and Finance",
    "City Government",
    "Economic Development",
    "Education",
    "Environment",
    "Health",
    "Housing",
    "Public Safety",
    "Recreation",
    "Transportation",
    "Infrastructure",
    "Community",
]


# Licenses cities publish under, by the address DCAT-US records them with, with their names.
LICENSES = {
    "https://creativecommons.org/publicdomain/zero/1.0/": "CC0 1.0 (public domain dedication)",
    "https://creativecommons.org/publicdomain/mark/1.0/": "Public Domain Mark 1.0",
    "https://creativecommons.org/licenses/by/4.0/": "Creative Commons Attribution 4.0",
    "https://creativecommons.org/licenses/by-sa/4.0/": "Creative Commons BY-SA 4.0",
    "https://opendatacommons.org/licenses/pddl/1-0/": "Open Data Commons Public Domain (PDDL)",
    "https://opendatacommons.org/licenses/by/1-0/": "Open Data Commons Attribution 1.0",
    "https://opendatacommons.org/licenses/odbl/1-0/": "Open Data Commons Open Database License",
    "http://www.usa.gov/publicdomain/label/1.0/": "U.S. public domain",
}

# Formats as the catalog counts them (in capitals), in the spelling people know them by; a
# format not here shows in capitals.
FORMAT_NAMES = {
    "GEOJSON": "GeoJSON",
    "TOPOJSON": "TopoJSON",
    "SHAPEFILE": "Shapefile",
    "GEOPACKAGE": "GeoPackage",
    "GEOTIFF": "GeoTIFF",
    "PARQUET": "Parquet",
    "EXCEL": "Excel",
}
OTHER_LICENSE = "other"  # the form's choice of a license not in the list, given by its URL

name_terms(Classification, "classification")
name_terms(AccessLevel, "access_level")
name_terms(Priority, "release_priority")
name_terms(UPDATE_FREQUENCIES, "update_frequency")
name_terms(PII_KINDS, "pii_kinds")
name_terms(LICENSES, "license")
