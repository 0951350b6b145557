"""Reading an uploaded file (an XLSX workbook or a CSV) into a table, as a stream of rows, with
the import's limits enforced while reading: a hostile file (millions of one-cell rows, a sheet
with no dimension, a string table of millions of entries) is refused as soon as it passes a
limit, never parsed whole first.

openpyxl's read-only worksheet scans the whole sheet before the first row when the sheet does
not state its dimension (parse_dimensions reads to the end of sheetData); so the sheet's XML is
read here with openpyxl's own row parser instead, and the shared strings with a count limit.
"""

import csv
import io
import zipfile
from collections.abc import Callable, Iterator
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from flask import current_app
from openpyxl.cell.text import Text
from openpyxl.reader.excel import ExcelReader
from openpyxl.styles.stylesheet import apply_stylesheet
from openpyxl.worksheet._reader import FORMULA_TAG, WorkSheetParser
from openpyxl.xml.constants import SHEET_MAIN_NS
from openpyxl.xml.functions import iterparse

from registry.cells import from_csv
from registry.errors import DomainError
from registry.transfer.catalog_in import NotACatalog, catalog_rows

# A workbook unpacks to at most this many times the largest upload (a zip bomb does not).
UNPACKED_RATIO = 20
STRING_TAG = f"{{{SHEET_MAIN_NS}}}si"
SHARED_STRINGS = "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"


@dataclass(frozen=True)
class Limits:
    rows: int  # rows holding data
    scanned: int  # row elements read, blank ones included
    columns: int  # the widest row
    cells: int  # cells in all, shared strings included
    size: int = 0  # bytes of the file


class TooLarge(ValueError):
    """A limit was passed; the message says which, in words."""


def _strings(source, limit: int) -> list[str]:
    strings: list[str] = []
    for _, node in iterparse(source):
        if node.tag == STRING_TAG:
            strings.append(Text.from_tree(node).content.replace("x005F_", ""))
            node.clear()
            if len(strings) > limit:
                raise TooLarge(f"The workbook holds more than {limit:,} different texts.")
    return strings


class UncomputedFormula(str):
    """A formula cell saved without its value (a program wrote the formula and no spreadsheet
    computed it): the formula's text, so that the import can say what the cell holds."""


class _Parser(WorkSheetParser):
    """Reads each formula cell's saved value, as the spreadsheet showed it; one saved without a
    value reads as an UncomputedFormula instead of an empty cell."""

    def parse_cell(self, element):
        cell = super().parse_cell(element)
        if cell["value"] is None and element.find(FORMULA_TAG) is not None:
            cell["value"] = UncomputedFormula("=" + (element.findtext(FORMULA_TAG) or ""))
        return cell


def open_sheet(
    data: bytes, preferred: str, limits: Limits
) -> tuple[str, Callable[[], Iterator[tuple[int, list[Any]]]]]:
    """The preferred sheet (or the first), as its title and a function that streams its rows
    as (row number, values), each limit enforced as the rows come."""
    reader = ExcelReader(io.BytesIO(data), read_only=True, data_only=True)
    reader.read_manifest()
    part = reader.package.find(SHARED_STRINGS)
    if part is not None:
        with reader.archive.open(part.PartName[1:]) as source:
            reader.shared_strings = _strings(source, limits.cells)
    reader.read_workbook()
    apply_stylesheet(reader.archive, reader.wb)
    sheets = [
        (sheet.name, rel.target)
        for sheet, rel in reader.parser.find_sheets()
        if rel.target in reader.valid_files and "chartsheet" not in rel.Type
    ]
    if not sheets:
        raise ValueError("no worksheet")
    title, path = next(((name, p) for name, p in sheets if name == preferred), sheets[0])
    workbook = reader.wb

    def rows() -> Iterator[tuple[int, list[Any]]]:
        scanned = filled = cells = 0
        with reader.archive.open(path) as source:
            parser = _Parser(
                source,
                reader.shared_strings,
                data_only=True,
                epoch=workbook.epoch,
                date_formats=workbook._date_formats,
                timedelta_formats=workbook._timedelta_formats,
            )
            for number, row in parser.parse():
                scanned += 1
                if scanned > limits.scanned:
                    raise TooLarge(f"The sheet runs past {limits.scanned:,} rows.")
                if not row:
                    continue
                width = max(cell["column"] for cell in row)
                if width > limits.columns:
                    raise TooLarge(
                        f"Row {number} reaches column {width:,}; the registry reads up to "
                        f"{limits.columns} columns."
                    )
                values: list[Any] = [None] * width
                for cell in row:
                    values[cell["column"] - 1] = cell["value"]
                cells += len(row)
                if cells > limits.cells:
                    raise TooLarge(f"The sheet holds more than {limits.cells:,} cells.")
                if any(value not in (None, "") for value in values):
                    filled += 1
                    if filled > limits.rows + 1:  # the header row besides the data
                        raise TooLarge(
                            f"The file has more than {limits.rows:,} rows; the registry "
                            f"imports up to {limits.rows:,} at a time."
                        )
                yield number, values

    return title, rows


class ImportRefused(DomainError):
    """The file cannot be read at all (too big, not what it claims, malformed)."""

    status = 422
    code = "import_refused"


@dataclass
class Table:
    sheet: str
    headers: list[str]
    rows: list[tuple[int, list[Any]]]  # (spreadsheet row number, cells)


def limits() -> Limits:
    """The web's limits, or the command line's (IMPORT_CLI_*) while `_COMMAND_LINE` is set."""
    config = current_app.config
    cli = _COMMAND_LINE.get()
    rows = config["IMPORT_CLI_MAX_ROWS" if cli else "IMPORT_MAX_ROWS"]
    return Limits(
        rows=rows,
        scanned=rows + config["IMPORT_MAX_BLANK_ROWS"],
        columns=config["IMPORT_MAX_COLUMNS"],
        cells=config["IMPORT_CLI_MAX_CELLS" if cli else "IMPORT_MAX_CELLS"],
        size=config["IMPORT_CLI_MAX_BYTES" if cli else "IMPORT_MAX_BYTES"],
    )


# Whether this thread reads a file for `registry import` (larger limits: nobody waits on it).
_COMMAND_LINE: ContextVar[bool] = ContextVar("registry_import_command_line", default=False)


def read_table(
    filename: str, data: bytes, *, command_line: bool = False, rows_are: str = "datasets"
) -> Table:
    """The file's first table: the XLSX export's Inventory sheet (or the first sheet), or a
    CSV. Read as a stream with the limits enforced as it goes (a file past them is refused
    when it reaches them, not after it was read whole); limits and malformed files are refused
    with what to do about them. The command line reads larger files than the web."""
    token = _COMMAND_LINE.set(command_line)
    try:
        return _not_empty(_read_table(filename, data), rows_are)
    finally:
        _COMMAND_LINE.reset(token)


def _read_table(filename: str, data: bytes) -> Table:
    allowed = limits()
    if len(data) > allowed.size:
        raise ImportRefused(
            f"The file is {len(data) / 1e6:.1f} MB; the registry imports files of up to "
            f"{allowed.size / 1e6:.0f} MB. Split it by department."
        )
    name = filename.lower()
    try:
        if name.endswith((".xlsx", ".xlsm")):
            return _read_xlsx(data)
        if name.endswith((".csv", ".txt")):
            return _read_csv(data)
        if name.endswith(".json"):
            headers, rows = catalog_rows(data, allowed.rows)
            return Table("data.json", headers, rows)
    except NotACatalog as exc:
        raise ImportRefused(str(exc)) from None
    except TooLarge as exc:
        raise ImportRefused(
            f"{exc} Split the file (by department, say), or remove what is not the inventory."
        ) from None
    raise ImportRefused("Upload an .xlsx workbook, a .csv file or a data.json catalog.")


def _not_empty(table: Table, rows_are: str = "datasets") -> Table:
    """An empty file, or one with headers and no rows, is said to be so (in the words of what
    its rows are: datasets, or a measure's values)."""
    if not table.headers:
        raise ImportRefused(f"The file is empty: it has no header row and no {rows_are}.")
    if not table.rows:
        raise ImportRefused(
            f"The file has a header row but no {rows_are} below it: add a row for each one."
        )
    return table


def _table(sheet: str, lines: Iterator[tuple[int, list[Any]]], blank) -> Table:
    """The first row with anything in it is the header; the rows after it with anything in
    them are the data."""
    rows = []
    headers: list[str] | None = None
    for number, cells in lines:
        if all(blank(cell) for cell in cells):
            continue
        if headers is None:
            headers = [str(cell if cell is not None else "").strip() for cell in cells]
            continue
        rows.append((number, cells))
    return Table(sheet, headers or [], rows)


def _read_xlsx(data: bytes) -> Table:
    if not zipfile.is_zipfile(io.BytesIO(data)):
        raise ImportRefused(
            "This is not an XLSX workbook (it is not a zip file). Save it as .xlsx."
        )
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        unpacked = sum(entry.file_size for entry in archive.infolist())
        if unpacked > UNPACKED_RATIO * limits().size:
            raise ImportRefused("The workbook unpacks to far more than its size: refused.")
    try:
        title, rows = open_sheet(data, "Inventory", limits())
        return _table(title, rows(), lambda cell: cell in (None, ""))
    except TooLarge:
        raise
    except Exception as exc:  # openpyxl raises many kinds for a damaged workbook
        raise ImportRefused(
            f"The workbook cannot be read ({type(exc).__name__}). Open it in a spreadsheet "
            "program and save it again as .xlsx."
        ) from None


def _read_csv(data: bytes) -> Table:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ImportRefused(
            "The CSV is not UTF-8 text. Save it as “CSV UTF-8 (comma delimited)”."
        ) from None
    if "\x00" in text:
        raise ImportRefused("This is not a CSV file: it holds binary data.")
    sample = text[:4096]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",;\t") if sample.strip() else csv.excel
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text, newline=""), dialect)
    try:
        return _table("CSV", _limited_csv(reader, limits()), lambda cell: not cell.strip())
    except csv.Error as exc:
        raise ImportRefused(f"The CSV cannot be read: {exc}.") from None


def _limited_csv(reader, limit: Limits) -> Iterator[tuple[int, list[Any]]]:
    filled = cells = 0
    for number, row in enumerate(reader, start=1):
        if number > limit.scanned:
            raise TooLarge(f"The file runs past {limit.scanned:,} lines.")
        if len(row) > limit.columns:
            raise TooLarge(
                f"Line {number} has {len(row):,} columns; the registry reads up to {limit.columns}."
            )
        cells += len(row)
        if cells > limit.cells:
            raise TooLarge(f"The file holds more than {limit.cells:,} cells.")
        if any(cell.strip() for cell in row):
            filled += 1
            if filled > limit.rows + 1:
                raise TooLarge(
                    f"The file has more than {limit.rows:,} rows; the registry imports up to "
                    f"{limit.rows:,} at a time."
                )
        yield number, [from_csv(cell) for cell in row]
