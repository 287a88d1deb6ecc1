"""Export the register to CSV or XLSX, in the layout the importer reads back.

Headers are Chinese, vocabulary values their labels, the parties and the
agreement one cell each (:mod:`disputes.tabular`). Text that a spreadsheet
would run as a formula is prefixed with ``'``. CSV is UTF-8 with a BOM, so
Excel on Windows opens it with the Chinese intact. ``contact=False`` leaves
ID numbers, phones and addresses out (for readers who may not see them).
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any, Literal

from disputes.tabular import headers, row_of

ExportFormat = Literal["csv", "xlsx"]
EXPORT_FORMATS: tuple[ExportFormat, ...] = ("csv", "xlsx")
_WIDTHS = {
    "当事人": 48,
    "纠纷简要情况": 60,
    "当事人请求": 40,
    "协议内容": 48,
    "调解委员会": 30,
    "地区": 30,
}


def write_table(
    disputes: Iterable[Mapping[str, Any]], path: Path, *, format: ExportFormat, contact: bool = True
) -> int:
    """Write disputes (``as_dict()`` of records, or import-format dicts); returns the row count."""
    rows = (row_of(d, contact=contact) for d in disputes)
    if format == "csv":
        return _write_csv(rows, Path(path))
    if format == "xlsx":
        return _write_xlsx(rows, Path(path))
    raise ValueError(f"unknown export format {format!r}")


def _write_csv(rows: Iterable[list[Any]], path: Path) -> int:
    count = 0
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(headers())
        for row in rows:
            writer.writerow(["" if v is None else v for v in row])
            count += 1
    return count


def _write_xlsx(rows: Iterable[list[Any]], path: Path) -> int:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("纠纷登记")
    names = headers()
    for index, name in enumerate(names, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = _WIDTHS.get(name, 14)
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    header_cells = []
    for name in names:
        cell = WriteOnlyCell(sheet, value=name)
        cell.font = bold
        header_cells.append(cell)
    sheet.append(header_cells)
    count = 0
    for row in rows:
        sheet.append(row)
        count += 1
    workbook.save(path)
    return count


def export_register(
    register: Any,
    path: Path,
    *,
    format: ExportFormat,
    filters: Any = None,
    scope: Any = None,
    contact: bool = True,
) -> int:
    """Every dispute matching ``filters`` within ``scope``, written to ``path``."""
    from disputes.records import EVERYTHING

    records = register.iter(filters, scope=scope or EVERYTHING)
    return write_table(
        (r.as_dict(history=False) for r in records), path, format=format, contact=contact
    )
