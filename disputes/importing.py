"""Intake from the registers committees already keep: JSON Lines, CSV and XLSX.

``import_file(register, path, actor=…)`` reads every row, registers the good
ones in batches and reports each bad one with its row number and a Chinese
reason; one bad row never stops the others.

- Columns are named by field (``received``) or by the Chinese headers
  registers use (受理日期, 当事人, 纠纷类型 …; see :mod:`disputes.tabular`).
  Unknown columns (序号, 备注 …) are ignored and listed in the report; a file
  without a required column is refused as a whole, naming the column.
- A title line above the header (``XX人民调解委员会纠纷登记台账``) is skipped:
  the header is the first of the first ten rows that names two known columns.
- Row numbers are what the user sees: the spreadsheet row for CSV and XLSX
  (the header is row 1 when it is the first line), the line for JSON Lines.
- CSV is read as UTF-8 (with or without BOM) or GB18030, as Excel on a
  Chinese Windows saves it; anything else is refused naming the encoding.

**Natural key, and importing twice.** A dispute is the same dispute when the
committee, received date, dispute type and the set of party names are the
same (:func:`disputes.records.natural_key`). Re-importing a file, or a file
that overlaps an earlier one, registers only the rows not yet there; the
others are counted as ``existing``. A row that repeats an earlier row of the
same file counts the same way.
"""

from __future__ import annotations

import csv
import io
import json
import zipfile
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from disputes.records import EVERYTHING, Scope
from disputes.register import Register
from disputes.schema import DisputeIn
from disputes.tabular import (
    COLUMNS,
    NESTED_FIELDS,
    REQUIRED_FIELDS,
    SERVER_FIELDS,
    field_for,
    record_fields,
)
from kb_service.errors import InvalidInputError
from kb_service.library import UnreadableFile, read_text
from kb_service.validation import describe_error

FORMATS = (".jsonl", ".csv", ".xlsx")
CHUNK = 500
_HEADER_SEARCH_ROWS = 10
_FIELD_NAMES = {name: header for name, header, _ in COLUMNS}


@dataclass(frozen=True)
class RowRejection:
    row: int
    reason: str

    def as_dict(self) -> dict[str, Any]:
        return {"row": self.row, "reason": self.reason}


@dataclass
class ImportReport:
    path: str
    rows: int = 0
    imported: int = 0
    existing: int = 0
    rejected: list[RowRejection] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "rows": self.rows,
            "imported": self.imported,
            "existing": self.existing,
            "rejected": [r.as_dict() for r in self.rejected],
            "ignored_columns": self.ignored_columns,
        }


@dataclass
class _Table:
    """Rows keyed by field, each with its row number, and the columns we did not know."""

    rows: Iterator[tuple[int, dict[str, Any]] | RowRejection]
    ignored: list[str]


def import_file(
    register: Register,
    path: Path,
    *,
    actor: str,
    scope: Scope = EVERYTHING,
    chunk: int = CHUNK,
    on_registered: Callable[[list[int]], None] | None = None,
) -> ImportReport:
    """Register every good row of the file; see the module docstring.

    ``on_registered`` is called after each committed chunk with the ids of the
    disputes it created (the service writes their search copies in one batch).
    """
    path = Path(path)
    table = read_table(path)
    report = ImportReport(path=str(path), ignored_columns=table.ignored)
    batch: list[tuple[int, DisputeIn]] = []
    for item in table.rows:
        if isinstance(item, RowRejection):
            report.rows += 1
            report.rejected.append(item)
            continue
        number, raw = item
        report.rows += 1
        parsed = parse_row(number, raw, scope)
        if isinstance(parsed, RowRejection):
            report.rejected.append(parsed)
            continue
        batch.append((number, parsed))
        if len(batch) >= chunk:
            _register(register, batch, path, actor, report, on_registered)
            batch = []
    if batch:
        _register(register, batch, path, actor, report, on_registered)
    if report.rows == 0:
        raise InvalidInputError("文件中没有数据行：请检查是否选错了文件", field="file")
    report.rejected.sort(key=lambda r: r.row)
    return report


def _register(
    register: Register,
    batch: list[tuple[int, DisputeIn]],
    path: Path,
    actor: str,
    report: ImportReport,
    on_registered: Callable[[list[int]], None] | None = None,
) -> None:
    notes = [f"导入：{path.name} 第 {number} 行" for number, _ in batch]
    outcomes = register.add_many([item for _, item in batch], actor=actor, notes=notes)
    created: list[int] = []
    for (number, _), outcome in zip(batch, outcomes, strict=True):
        if outcome.reason is not None:
            report.rejected.append(RowRejection(number, outcome.reason))
        elif outcome.created:
            report.imported += 1
            created.append(outcome.id)
        else:
            report.existing += 1
    if on_registered is not None and created:
        on_registered(created)


def parse_row(
    number: int, raw: Mapping[str, Any], scope: Scope = EVERYTHING
) -> DisputeIn | RowRejection:
    """One row (keyed by field) as a registration, or why it cannot be one."""
    try:
        data = record_fields(raw)
    except ValueError as exc:
        return RowRejection(number, str(exc))
    for name in SERVER_FIELDS:
        data.pop(name, None)
    if scope.committee is not None:
        data.setdefault("committee", scope.committee)
    try:
        item = DisputeIn.model_validate(data)
    except ValidationError as exc:
        return RowRejection(number, _reason(exc))
    if not scope.allows(item.committee, item.region):
        where = scope.committee or scope.region
        return RowRejection(
            number, f"不在您的权限范围（{where}）内：只能导入本调解委员会或辖区的纠纷"
        )
    return item


def _reason(exc: ValidationError) -> str:
    parts = []
    for error in exc.errors():
        field, message = describe_error(error)
        head = field.split(".")[0]
        label = _FIELD_NAMES.get(head, head)
        where = label if field == head else f"{label}（{field}）"
        parts.append(f"{where}：{message}")
    return "；".join(parts)


# -- readers --------------------------------------------------------------------


def read_table(path: Path) -> _Table:
    suffix = path.suffix.lower()
    if suffix not in FORMATS:
        raise InvalidInputError(
            f"不支持的文件格式“{path.suffix or path.name}”：请提供 .jsonl、.csv 或 .xlsx 文件",
            field="file",
        )
    if not path.is_file():
        raise InvalidInputError(f"文件不存在：{path}", field="file")
    if suffix == ".jsonl":
        return _Table(_jsonl_rows(path), [])
    cells = _csv_cells(path) if suffix == ".csv" else _xlsx_cells(path)
    return _rows_under_header(cells)


def _jsonl_rows(path: Path) -> Iterator[tuple[int, dict[str, Any]] | RowRejection]:
    text = _text(path)
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            data = json.loads(line)
        except json.JSONDecodeError as exc:
            yield RowRejection(number, f"JSON 格式错误（第 {exc.colno} 列）：{exc.msg}")
            continue
        except RecursionError:
            yield RowRejection(number, "JSON 嵌套过深：每行应为一个纠纷对象")
            continue
        if not isinstance(data, dict):
            yield RowRejection(number, "每行应为一个 JSON 对象")
            continue
        row: dict[str, Any] = {}
        unknown = []
        for key, value in data.items():
            nested = NESTED_FIELDS.get(str(key).strip())
            if nested is not None and isinstance(value, dict):
                for inner, inner_value in value.items():
                    row[f"{nested}.{inner}"] = inner_value
                continue
            name = field_for(key)
            if name is None:
                unknown.append(str(key))
            else:
                row[name] = value
        if unknown:
            yield RowRejection(number, f"未知字段：{'、'.join(unknown)}（请检查拼写）")
            continue
        yield number, row


def _text(path: Path) -> str:
    try:
        return read_text(path)[0]
    except UnreadableFile as exc:
        raise InvalidInputError(str(exc), field="file") from exc


def _csv_cells(path: Path) -> Iterator[list[Any]]:
    text = _text(path)
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",\t;")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text, newline=""), dialect)
    try:
        yield from reader
    except csv.Error as exc:  # a cell over the csv module's field limit, a stray NUL …
        raise InvalidInputError(
            f"CSV 文件第 {reader.line_num} 行无法读取（{exc}）：请检查该行，或另存为 .xlsx 后重试",
            field="file",
        ) from exc


def _xlsx_cells(path: Path) -> Iterator[list[Any]]:
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, OSError, KeyError, ValueError) as exc:
        raise InvalidInputError(
            f"无法读取 Excel 文件（{exc}）：不是有效的 .xlsx 文件，请用 Excel 或 WPS 另存为 .xlsx 后重试",
            field="file",
        ) from exc
    try:
        sheet = workbook.active
        for row in sheet.iter_rows(values_only=True):
            yield list(row)
    finally:
        workbook.close()


def _rows_under_header(cells: Iterator[list[Any]]) -> _Table:
    header: list[str | None] | None = None
    number = 0
    for row in cells:
        number += 1
        if sum(1 for cell in row if field_for(cell)) >= 2:
            header = [field_for(cell) for cell in row]
            ignored = [
                str(c)
                for c, f in zip(row, header, strict=True)
                if c not in (None, "") and f is None
            ]
            break
        if number >= _HEADER_SEARCH_ROWS:
            break
    if header is None:
        raise InvalidInputError(
            "找不到表头：第一行（或前十行中的一行）应为列名，如 受理日期、纠纷类型、地区、调解委员会、"
            "当事人、纠纷简要情况",
            field="file",
        )
    missing = [f for f in REQUIRED_FIELDS if f not in header]
    if missing:
        names = "、".join(f"{_FIELD_NAMES[f]}（{f}）" for f in missing)
        raise InvalidInputError(f"文件缺少必填列：{names}", field="file")
    return _Table(_data_rows(cells, header, number), ignored)


def _data_rows(
    cells: Iterator[list[Any]], header: list[str | None], header_row: int
) -> Iterator[tuple[int, dict[str, Any]] | RowRejection]:
    for number, row in enumerate(cells, start=header_row + 1):
        if all(cell is None or (isinstance(cell, str) and not cell.strip()) for cell in row):
            continue
        values: dict[str, Any] = {}
        for name, cell in zip(header, row, strict=False):
            if name is not None and name not in values:
                values[name] = cell
        yield number, values
