"""The XLSX and CSV writers. XLSX: openpyxl in write-only mode (rows go straight to disk), with an
Inventory sheet (frozen header, filters, readable widths, real dates and numbers, every text
stored as text), a Fields sheet and a Summary sheet. CSV: RFC 4180, UTF-8 with a byte-order
mark for Excel, the Inventory sheet's columns."""

import codecs
from collections.abc import Iterable
from typing import IO, Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ERROR_CODES
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from registry.cells import for_csv
from registry.labels import term
from registry.transfer.columns import COLUMNS, HEADERS
from registry.transfer.rendered import (
    CSV_HEADER,
    cells_of,
    csv_field,
    csv_fields,
)

WIDTHS = {"text": 24, "number": 14, "date": 13}
WIDE = {"Title": 40, "Description": 60, "Distributions": 50, "Keywords": 30, "Legal basis": 30}


def _cell(sheet, value: Any, *, bold: bool = False):
    """A styled cell (headings)."""
    cell = WriteOnlyCell(sheet, value=value)
    if isinstance(value, str):
        cell.data_type = "s"
    if bold:
        cell.font = Font(bold=True)
    return cell


def _value(sheet, value: Any) -> Any:
    """What a row holds: a date as a date, a number as a number, and text as text. openpyxl
    would store a text starting with = as a formula (and an error code as an error): such a
    text goes in a cell that says it is a string. Plain values are cheapest, so the rest stay
    plain."""
    if isinstance(value, str) and (value.startswith("=") or value in ERROR_CODES):
        cell = WriteOnlyCell(sheet, value=value)
        cell.data_type = "s"
        return cell
    return value


def _sheet_rows(sheet, rows: Iterable[list[Any]]) -> None:
    for row in rows:
        sheet.append([_value(sheet, value) for value in row])


def write_xlsx(sink: IO[bytes], batches, tally, context: dict[str, Any]) -> None:
    workbook = Workbook(write_only=True)
    inventory = workbook.create_sheet("Inventory")
    inventory.freeze_panes = "A2"
    for number, column in enumerate(COLUMNS, start=1):
        width = WIDE.get(column.header, WIDTHS[column.kind])
        inventory.column_dimensions[get_column_letter(number)].width = width
    additional = context.get("additional") or []
    for number in range(len(COLUMNS) + 1, len(COLUMNS) + len(additional) + 1):
        inventory.column_dimensions[get_column_letter(number)].width = WIDTHS["text"]
    inventory.append([_cell(inventory, header, bold=True) for header in (*HEADERS, *additional)])
    for batch in batches:
        tally.count(batch)
        for line in batch.lines:
            cells = cells_of(line)
            if additional:
                extras = line.extras or {}
                cells += [extras.get(header) for header in additional]
            inventory.append([_value(inventory, value) for value in cells])
    last = get_column_letter(len(COLUMNS) + len(additional))
    inventory.auto_filter.ref = f"A1:{last}{tally.rows + 1}"

    fields = workbook.create_sheet("Fields")
    for letter, width in zip("ABCD", (28, 22, 70, 50), strict=True):
        fields.column_dimensions[letter].width = width
    fields.freeze_panes = "A2"
    titles = ("Column", "Field", "Meaning", "Allowed values")
    fields.append([_cell(fields, text, bold=True) for text in titles])
    _sheet_rows(fields, ([c.header, c.field, c.meaning, c.allowed] for c in COLUMNS))
    kept = "Kept from the record's own inventory, under that inventory's header."
    _sheet_rows(fields, ([header, "", kept, ""] for header in additional))

    summary = workbook.create_sheet("Summary")
    summary.column_dimensions["A"].width = 34
    summary.column_dimensions["B"].width = 70
    _sheet_rows(summary, _summary_rows(tally, context))
    workbook.save(sink)


def _summary_rows(tally, context: dict[str, Any]) -> list[list[Any]]:
    request, reader = context["request"], context["reader"]
    who = getattr(reader, "email", None) if getattr(reader, "is_authenticated", False) else None
    head = context["head"]
    rows: list[list[Any]] = [
        ["Inventory export", context["city"] or "City Data Registry"],
        ["Scope", f"{request.scope}: {context['scope_description']}"],
        ["Department", context["departments"].get(request.department, "All departments")],
        ["As of", request.as_of or "now"],
        ["Exported at (UTC)", context["exported_at"].strftime("%Y-%m-%d %H:%M:%S")],
        ["Exported by", who or "the public"],
        ["Rows", tally.rows],
        ["Audit log head when exported", f"event {head.seq}, hash {head.hash}"],
        [
            "Digest",
            "The file's SHA-256 is in the export's audit event and the download's "
            "X-Content-SHA256 header.",
        ],
        [],
        ["Datasets by department", ""],
    ]
    names = context["departments"]
    rows += [[names.get(code, code), count] for code, count in sorted(tally.by_department.items())]
    rows += [[], ["Datasets by status", ""]]
    rows += [[term(s, "status"), n] for s, n in sorted(tally.by_status.items())]
    rows += [[], ["Datasets by classification", ""]]
    rows += [[term(c, "classification"), n] for c, n in sorted(tally.by_classification.items())]
    return rows


# "On time" as a CSV writes it (transfer.columns).
JUDGED = {None: "", True: "yes", False: "no"}


def write_csv(sink: IO[bytes], batches, tally, additional: list[str] = ()) -> None:
    """RFC 4180 (CRLF line ends, quotes where needed), UTF-8 with a byte-order mark. The
    records' `additional` fields follow the registry's columns, under their own headers."""
    header = CSV_HEADER
    if additional:
        header = CSV_HEADER[:-2] + "," + csv_fields([for_csv(h) for h in additional]) + "\r\n"
    sink.write(codecs.BOM_UTF8 + header.encode("utf-8"))

    def extras_of(line) -> str:
        if not additional:
            return ""
        extras = line.extras or {}
        return "," + csv_fields([for_csv(extras.get(name)) for name in additional])

    stewards: dict[str | None, str] = {None: ""}
    for batch in batches:
        tally.count(batch)
        for line in batch.lines:
            if line.steward not in stewards:
                stewards[line.steward] = csv_field(line.steward)
        text = "".join(
            [
                f"{line.csv_head},{stewards[line.steward]},{line.csv_tail},"
                f"{'' if line.version is None else line.version},"
                f"{JUDGED[line.on_time]},{'' if line.days_late is None else line.days_late}"
                f"{extras_of(line)}\r\n"
                for line in batch.lines
            ]
        )
        sink.write(text.encode("utf-8"))


def write_tables_xlsx(sink: IO[bytes], sheets: Iterable[tuple[str, list[str], list[list[Any]]]]):
    """A workbook of plain tables (a report's sections): a bold, frozen header row on each
    sheet, and every text stored as text."""
    workbook = Workbook(write_only=True)
    for title, header, rows in sheets:
        sheet = workbook.create_sheet(title[:31])
        sheet.freeze_panes = "A2"
        for number, name in enumerate(header, start=1):
            sheet.column_dimensions[get_column_letter(number)].width = max(
                14, min(60, len(name) * 2)
            )
        sheet.append([_cell(sheet, name, bold=True) for name in header])
        _sheet_rows(sheet, rows)
    workbook.save(sink)
