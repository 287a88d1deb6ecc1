"""CSV/XLSX formula injection through the API's export: what a party or mediator typed that a
spreadsheet would run (OWASP: cells starting with = + - @, tab, carriage return) comes out as
text with a leading single quote, in both formats."""

from __future__ import annotations

import csv
import io

import pytest
from openpyxl import load_workbook

from tests.api.fast_world import fast_client
from tests.disputes.conftest import dispute
from tests.disputes.wiring import auth

DDE = "=cmd|' /C calc'!A0"
TYPED = {
    "description": DDE,
    "claims": "+cmd|' /C notepad'!A0",
    "mediator": "@SUM(1+1)*cmd|' /C calc'!A0",
}
AGREEMENT = ["-2+3+cmd|' /C calc'!A0", "\t=1+1"]
UNSAFE = ("=", "+", "-", "@", "\t", "\r")


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    with fast_client(tmp_path_factory.mktemp("formulas")) as client:
        created = client.post("/v1/disputes", json=dispute(**TYPED), headers=auth("mediator"))
        assert created.status_code == 201, created.text
        number = created.json()["id"]
        for change in ({"status": "mediating"}, {"status": "success", "agreement": AGREEMENT}):
            assert client.patch(f"/v1/disputes/{number}", json=change, headers=auth("mediator")).status_code == 200
        yield client
    from disputes.service import close_registers

    close_registers()


def test_csv_export_neutralises_formulas(client):
    response = client.get("/v1/disputes/export?format=csv", headers=auth("mediator"))
    assert response.status_code == 200
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"), newline="")))
    assert rows[0]["纠纷简要情况"] == "'" + DDE
    assert rows[0]["当事人请求"] == "'" + TYPED["claims"] and rows[0]["调解员"] == "'" + TYPED["mediator"]
    assert rows[0]["协议内容"].startswith("'") or not rows[0]["协议内容"].startswith(UNSAFE)
    for row in rows:
        for value in row.values():
            assert not value.startswith(UNSAFE), value


def test_xlsx_export_neutralises_formulas(client):
    response = client.get("/v1/disputes/export?format=xlsx", headers=auth("mediator"))
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    cells = [cell for row in sheet.iter_rows(min_row=2) for cell in row if cell.value is not None]
    assert cells and all(cell.data_type != "f" for cell in cells)  # no cell is a formula
    texts = [cell.value for cell in cells if isinstance(cell.value, str)]
    assert "'" + DDE in texts and "'" + TYPED["mediator"] in texts
    assert not any(text.startswith(UNSAFE) for text in texts)
