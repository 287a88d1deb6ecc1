"""Import: JSONL, CSV and XLSX with Chinese headers; bad rows reported by row number; no duplicates."""

from __future__ import annotations

import csv
import datetime as dt
import json
from pathlib import Path

import pytest
from openpyxl import Workbook

from disputes.importing import import_file
from disputes.records import Scope
from kb_service.errors import InvalidInputError
from tests.disputes.conftest import COMMITTEE, REGION, valid_id

HEADERS = [
    "序号",
    "受理日期",
    "纠纷类型",
    "地区",
    "调解委员会",
    "当事人",
    "纠纷简要情况",
    "当事人请求",
    "涉案金额",
    "涉及人数",
    "调解员",
]
APPLICANT_ID = valid_id()


def good(index: int, received: object, **changes: object) -> dict[str, object]:
    row = {
        "序号": index,
        "受理日期": received,
        "纠纷类型": "邻里纠纷" if index % 2 else "neighbor",
        "地区": REGION,
        "调解委员会": COMMITTEE,
        "当事人": f"申请人：赵{index}号（身份证号：{APPLICANT_ID}，电话：13904315678，住址：幸福街8号，3单元）；被申请人：钱{index}号、孙{index}号",
        "纠纷简要情况": f"第{index}件：因楼道堆物发生争执。",
        "当事人请求": "要求清理楼道",
        "涉案金额": "1.2万" if index == 1 else "",
        "涉及人数": "",
        "调解员": "周建华",
    }
    row.update(changes)
    return row


def rows() -> list[dict[str, object]]:
    """Six good rows (four date forms and an Excel date cell), three bad ones."""
    return [
        good(1, "2026-03-05"),
        good(2, "2026/3/6"),
        good(3, "2026年3月7日"),
        good(4, dt.date(2026, 3, 8)),  # (CSV and JSON write it as 2026-03-08)
        good(5, "2026-02-30"),  # bad: no such day
        good(6, "2026-03-09", 纠纷类型="邻居吵架"),  # bad: unknown type
        good(7, "2026-03-10"),
        good(8, "2026-03-11", 当事人=""),  # bad: no parties
        good(9, "20260312"),
    ]


# Spreadsheet rows: the header is row 1, so data row i is row i + 1.
BAD_ROWS = {6: "受理日期", 7: "纠纷类型", 9: "当事人"}
GOOD = 6


def write_csv(path: Path, data: list[dict], encoding: str = "utf-8-sig") -> Path:
    with path.open("w", encoding=encoding, newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=HEADERS)
        writer.writeheader()
        for row in data:
            writer.writerow(
                {k: (v.isoformat() if isinstance(v, dt.date) else v) for k, v in row.items()}
            )
    return path


def write_xlsx(path: Path, data: list[dict], title: str | None = None) -> Path:
    workbook = Workbook()
    sheet = workbook.active
    if title:
        sheet.append([title])
    sheet.append(HEADERS)
    for row in data:
        sheet.append([row[h] for h in HEADERS])
    workbook.save(path)
    return path


def write_jsonl(path: Path, data: list[dict]) -> Path:
    with path.open("w", encoding="utf-8") as handle:
        for row in data:
            handle.write(
                json.dumps(
                    {k: v for k, v in row.items() if k != "序号"}, ensure_ascii=False, default=str
                )
                + "\n"
            )
    return path


@pytest.fixture(params=["csv", "xlsx", "jsonl"])
def register_file(request, tmp_path) -> Path:
    writer = {"csv": write_csv, "xlsx": write_xlsx, "jsonl": write_jsonl}[request.param]
    return writer(tmp_path / f"台账.{request.param}", rows())


def test_good_rows_land_and_bad_rows_are_reported_by_row(register, register_file):
    report = import_file(register, register_file, actor="周建华")
    assert (report.rows, report.imported, report.existing) == (9, GOOD, 0)
    offset = 1 if register_file.suffix == ".jsonl" else 0  # JSON Lines has no header line
    assert [r.row for r in report.rejected] == [row - offset for row in BAD_ROWS]
    for rejection, column in zip(report.rejected, BAD_ROWS.values(), strict=True):
        assert column in rejection.reason, rejection
    assert "2026年2月30日不存在" in report.rejected[0].reason
    assert register.count() == GOOD

    received = sorted(r.received for r in register.iter())
    assert received == [dt.date(2026, 3, d) for d in (5, 6, 7, 8, 10, 12)]
    first = next(r for r in register.iter() if r.received == dt.date(2026, 3, 5))
    assert first.amount == 12000 and first.dispute_type == "neighbor"
    assert [(p.role, p.name) for p in first.parties] == [
        ("申请人", "赵1号"),
        ("被申请人", "钱1号"),
        ("被申请人", "孙1号"),
    ]
    assert first.parties[0].id_number == APPLICANT_ID
    assert first.parties[0].address == "幸福街8号，3单元"
    assert first.people_involved == 3
    assert register.get(first.id).history[0].note.startswith("导入：台账")


def test_importing_the_same_file_again_adds_nothing(register, register_file):
    import_file(register, register_file, actor="周建华")
    numbers = sorted(r.number for r in register.iter())
    again = import_file(register, register_file, actor="周建华")
    assert (again.imported, again.existing, len(again.rejected)) == (0, GOOD, 3)
    assert sorted(r.number for r in register.iter()) == numbers


def test_a_corrected_description_is_still_the_same_dispute(register, tmp_path):
    import_file(register, write_csv(tmp_path / "a.csv", rows()[:2]), actor="x")
    corrected = [good(1, "2026-03-05", 纠纷简要情况="改写后的情况说明。"), good(2, "2026/3/6")]
    report = import_file(register, write_csv(tmp_path / "b.csv", corrected), actor="x")
    assert (report.imported, report.existing) == (0, 2)


def test_a_title_line_and_unknown_columns_are_skipped(register, tmp_path):
    path = write_xlsx(
        tmp_path / "t.xlsx", rows()[:3], title="南湖街道人民调解委员会矛盾纠纷登记台账"
    )
    report = import_file(register, path, actor="x")
    assert report.imported == 3 and report.ignored_columns == ["序号"]


def test_a_gb18030_csv_from_excel_reads_correctly(register, tmp_path):
    path = write_csv(tmp_path / "gbk.csv", rows()[:2], encoding="gb18030")
    report = import_file(register, path, actor="x")
    assert report.imported == 2
    assert {r.committee for r in register.iter()} == {COMMITTEE}


def test_a_missing_required_column_refuses_the_file(register, tmp_path):
    path = tmp_path / "no-type.csv"
    path.write_text(
        "受理日期,地区,调解委员会,当事人,纠纷简要情况\n2026-03-05,x,y,申请人：甲,z\n",
        encoding="utf-8",
    )
    with pytest.raises(InvalidInputError, match="纠纷类型"):
        import_file(register, path, actor="x")
    with pytest.raises(InvalidInputError, match=r"\.xlsx"):
        import_file(register, tmp_path / "register.xls", actor="x")


def test_english_headers_and_codes_work_too(register, tmp_path):
    path = tmp_path / "en.jsonl"
    record = {
        "received": "2026-03-05", "dispute_type": "labor", "region": REGION, "committee": COMMITTEE,
        "description": "工资未结清", "parties": [{"role": "申请人", "name": "王五"}],
        "follow_up": {"date": "2026-04-01", "honoured": "是"}, "status": "调解成功", "closed_on": "2026-03-20",
    }  # fmt: skip
    path.write_text(json.dumps(record, ensure_ascii=False) + "\n", encoding="utf-8")
    assert import_file(register, path, actor="x").imported == 1
    stored = next(register.iter())
    assert stored.status == "success" and stored.follow_up.honoured is True


def test_a_mediator_imports_into_their_own_committee_only(register, tmp_path):
    data = [
        good(1, "2026-03-05", 调解委员会=""),
        good(2, "2026-03-06", 调解委员会="别的调解委员会"),
    ]
    report = import_file(
        register, write_csv(tmp_path / "m.csv", data), actor="x", scope=Scope(committee=COMMITTEE)
    )
    assert report.imported == 1
    assert [r.row for r in report.rejected] == [3] and "权限" in report.rejected[0].reason
