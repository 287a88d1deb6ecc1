"""Export: CSV and XLSX that spreadsheets show as text, and that import back into the same register."""

from __future__ import annotations

import csv

import pytest
from openpyxl import load_workbook

from disputes.database import create_register_engine, upgrade
from disputes.exporting import export_register
from disputes.importing import import_file
from disputes.register import Register
from disputes.tabular import neutralise, unneutralise
from tests.disputes.conftest import dispute

FORMULAS = {
    "description": '=HYPERLINK("http://example.invalid","点击")',
    "claims": "+1+1",
    "mediator": "@SUM(A1)",
}


@pytest.mark.parametrize("text", ["=1+1", "+86 139", "-2", "@x", "\tx", "\rx"])
def test_formula_starts_are_neutralised_and_restored(text):
    assert neutralise(text) == "'" + text
    assert unneutralise(neutralise(text)) == text
    assert neutralise("申请人：王") == "申请人：王" and neutralise(5) == 5


@pytest.fixture
def filled(register):
    first = register.add(dispute(**FORMULAS), actor="周建华")
    register.change_status(first.id, "mediating", actor="周建华")
    register.update(
        first.id,
        {
            "status": "success",
            "amount": 3500,
            "agreement": [
                {"text": "被申请人清理楼道杂物；申请人不再追究", "deadline": "2026-04-01"},
                {"text": "双方互谅互让"},
            ],
            "follow_up": {"date": "2026-04-10", "honoured": True, "note": "已履行"},
            "confirmation": {
                "court": "长春市南关区人民法院",
                "applied_on": "2026-03-25",
                "result": "确认有效",
            },
        },
        actor="周建华",
    )
    register.add(
        dispute(
            received="2026-03-06", parties=[{"role": "申请人", "name": "长春某物业服务有限公司"}]
        ),
        actor="x",
    )
    return register


def test_csv_cells_are_text_not_formulas(filled, tmp_path):
    path = tmp_path / "out.csv"
    assert export_register(filled, path, format="csv") == 2
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")  # BOM: Excel reads the Chinese right
    with path.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    formula_row = next(r for r in rows if r["调解员"].startswith("'"))
    assert formula_row["纠纷简要情况"] == "'" + FORMULAS["description"]
    assert formula_row["当事人请求"] == "'+1+1"
    assert formula_row["状态"] == "调解成功" and formula_row["纠纷类型"] == "邻里纠纷"
    for row in rows:
        assert not any(value.startswith(("=", "+", "-", "@", "\t", "\r")) for value in row.values())


def test_xlsx_cells_are_text_not_formulas(filled, tmp_path):
    path = tmp_path / "out.xlsx"
    export_register(filled, path, format="xlsx")
    sheet = load_workbook(path).active
    cells = [cell for row in sheet.iter_rows(min_row=2) for cell in row if cell.value is not None]
    assert all(cell.data_type != "f" for cell in cells)
    texts = [cell.value for cell in cells if isinstance(cell.value, str)]
    assert "'" + FORMULAS["description"] in texts
    assert not any(text.startswith(("=", "+", "-", "@")) for text in texts)


def test_without_contact_rights_particulars_are_left_out(filled, tmp_path):
    path = tmp_path / "out.csv"
    export_register(filled, path, format="csv", contact=False)
    text = path.read_text(encoding="utf-8-sig")
    assert "王建国" in text
    for secret in ("13904315678", "0431-88886666", "幸福街", filled.get(1).parties[0].id_number):
        assert secret not in text


@pytest.mark.parametrize("format", ["csv", "xlsx"])
def test_an_export_imports_back_unchanged(filled, tmp_path, format):
    path = tmp_path / f"out.{format}"
    export_register(filled, path, format=format)
    assert import_file(filled, path, actor="x").existing == 2  # the same register: nothing new

    url = f"sqlite:///{tmp_path / 'copy.sqlite3'}"
    upgrade(url)
    copy = Register(create_register_engine(url))
    report = import_file(copy, path, actor="x")
    assert report.imported == 2, report.rejected

    def comparable(register):
        return sorted(
            (
                {
                    k: v
                    for k, v in r.as_dict(history=False).items()
                    if k not in ("id", "created_at", "updated_at")
                }
                for r in register.iter()
            ),
            key=lambda d: d["number"],
        )

    assert comparable(copy) == comparable(filled)
    copy.close()
