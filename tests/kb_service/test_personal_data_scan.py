"""After indexing, no ID, phone or bank-card number is stored or served, in any written form.

The sample library and ``data/personal_data_library`` (invented records full
of numbers written the way people write them) are indexed into a fresh
embedded store, every registered collection, with the stand-in encoder;
generated disputes (ID numbers, phones, addresses) are registered first, so
the ``disputes`` collection's masked copies are scanned too (the register
itself keeps the particulars by design, outside the scanned data folder). Then a
detector that is deliberately broader than the masker reads:

- every stored source of every collection (``store.iter_sources``);
- the analysed text of every document and every byte of every file in the
  data folder (the store's SQLite file, its WAL, the embedding cache);
- every response a mediator gets from the read routes: each case, the
  similar cases of every tenth case and of the hard ones (they are built from
  the same stored cases), searches with highlights, similar-to-text, the
  类案检索报告 (md and html), the case pages, training search and each expert.

The detector fails on any run of 11 or more digits, in any width, with up to
three spaces or dashes of any kind between them, whatever its shape or
checksum. Known-safe are only: the digits after a decimal point (scores in
JSON), hexadecimal digests (content hashes), and a code right after 订单号,
快递单号 or 运单号 (planted in the hard library; the masker keeps them on purpose),
also where analysis or a snippet has parted the code from its label.

Expert phone numbers are stored on purpose (CONTRACT §2): the experts
collection's ``phone`` field is the one place a phone number may be. The scan
takes it out of each expert's source before scanning the rest, allows exactly
those numbers in the raw file bytes (where they must show up, which proves the
byte scan reads the sources), and checks that no mediator response holds them
while a coordinator's does.
"""

from __future__ import annotations

import json
import re
import sqlite3
from pathlib import Path

import pytest

from api.auth import digest
from indexer.run import index_libraries
from kb_service.library import sample_library
from kb_service.registry import collection_names
from kb_service.settings import load_settings
from tests.api.conftest import KEYS, auth, client_for
from tests.indexed_sample import hashing_services

# A sweep of every stored record, file and mediator read (about 200 requests): not in the fast suite.
pytestmark = pytest.mark.long

HARD_LIBRARY = Path(__file__).parent / "data" / "personal_data_library"
HARD_CASES = ("case-scan-labor-001", "case-scan-ecommerce-001")

_SEPARATOR = r"[\s\-\u2010-\u2015\u2212\ufe58\ufe63\uff0d]"
_LONG_NUMBER = re.compile(rf"(?<!\d)\d(?:{_SEPARATOR}{{0,3}}\d){{10,}}")
_HEX_DIGEST = re.compile(r"(?=[0-9a-f]{0,63}[a-f])[0-9a-f]{32,}")
"""Content and text hashes (sha256 hex); in SQLite pages they may touch the next record."""
_SAFE_LABEL = re.compile(r"(?:订单号|快递单号|运单号)[:：]?\s*[A-Za-z]*$")
_JSON_ESCAPE = re.compile(r"\\u([0-9a-fA-F]{4})")


def long_numbers(text: str, allowed: frozenset[str] = frozenset()) -> list[str]:
    """Every run of 11+ digits in ``text`` that is not a known-safe pattern nor in ``allowed``."""
    text = _JSON_ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), text)  # \uff11 is a digit too
    text = _HEX_DIGEST.sub(" ", text)
    found = []
    for match in _LONG_NUMBER.finditer(text):
        before = text[: match.start()]
        if re.search(r"\d[.．]$", before) or _SAFE_LABEL.search(before[-24:]):
            continue
        if digits_of(match.group()) not in allowed:
            found.append(match.group())
    return found


def labelled_codes(text: str) -> set[str]:
    """The digits of the codes after 订单号/快递单号/运单号 in ``text``."""
    return {digits_of(m.group(1)) for m in re.finditer(r"(?:订单号|快递单号|运单号)[:：]?\s*([A-Za-z]*\d+)", text)}


def digits_of(number: str) -> str:
    return "".join(ch for ch in number if ch.isdigit())


@pytest.fixture(scope="module")
def indexed(indexed_sample_dir):
    # The sample library as kb index left it (a copy); kb index adds the hard library and the
    # register's copies. The register holds the particulars by design: outside the data folder
    # the byte scan reads.
    data = indexed_sample_dir
    settings = load_settings(data_dir=data, database_url=f"sqlite:///{data.parent / 'register.sqlite3'}")
    _register_sample_disputes(settings)
    services = hashing_services(data, database_url=settings.database_url)
    report = index_libraries(services, [sample_library(), HARD_LIBRARY], progress=False)
    for name in collection_names():
        assert not report[name]["rejected"], report[name]["rejected"]
    yield services
    services.close()


def _register_sample_disputes(settings) -> None:
    """Generated disputes full of ID numbers, phones and addresses; kb index writes their copies."""
    import datetime as dt

    from disputes.generator import generate
    from disputes.schema import DisputeIn
    from disputes.service import register_for

    records = generate(seed=3, start=dt.date(2025, 1, 1), end=dt.date(2025, 2, 28), scale=0.05)
    register_for(settings).add_many([DisputeIn.model_validate(r) for r in records], actor="扫描测试")


@pytest.fixture(scope="module")
def client(indexed, tmp_path_factory):
    keys = tmp_path_factory.mktemp("scan-keys") / "keys.yaml"
    lines = ["keys:"] + [f"  - name: 测试{role}\n    role: {role}\n    sha256: {digest(key)}" for role, key in KEYS.items()]
    keys.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return client_for(indexed, keys)


@pytest.fixture(scope="module")
def expert_phones(indexed) -> set[str]:
    phones = {digits_of(e["phone"]) for e in indexed.store.iter_sources("experts") if e.get("phone")}
    assert len(phones) >= 10
    return phones


def test_the_hard_library_is_full_of_personal_numbers():
    """The detector finds what the masker must remove: the scan below is not vacuous."""
    found = [n for path in HARD_LIBRARY.rglob("*.*") for n in long_numbers(path.read_text(encoding="utf-8"))]
    assert len(found) >= 25, found
    assert "２２０２０４１９７６０８０３４４１" in "".join(found)  # full width
    assert "220204 19880419 2377" in found and "220204880419237" in found  # spaced, 15 digits


def test_no_stored_source_holds_a_personal_number(indexed, expert_phones):
    for name in collection_names():
        for source in indexed.store.iter_sources(name):
            source = dict(source)
            if name == "experts":
                source.pop("phone", None)  # stored on purpose, shown to coordinators only
            assert not long_numbers(json.dumps(source, ensure_ascii=False)), (name, source["id"])


@pytest.fixture(scope="module")
def kept_codes(indexed) -> frozenset[str]:
    """Order and waybill numbers the sources keep after their label; analysis splits them off it."""
    codes = {
        code
        for name in collection_names()
        for source in indexed.store.iter_sources(name)
        for code in labelled_codes(json.dumps(source, ensure_ascii=False))
    }
    assert "1402938475612" in codes  # 快递单号SF1402938475612 in the hard library
    return frozenset(codes)


def test_nothing_of_a_personal_number_is_in_the_analysed_text_or_the_files(indexed, expert_phones, kept_codes):
    data_dir = indexed.settings.data_dir
    with sqlite3.connect(data_dir / "store.sqlite3") as db:
        rows = db.execute("SELECT collection, id, text FROM documents").fetchall()
    assert {row[0] for row in rows} >= set(collection_names())
    for collection, doc_id, text in rows:
        assert not long_numbers(text, kept_codes), (collection, doc_id)

    seen_phones: set[str] = set()
    files = [p for p in data_dir.rglob("*") if p.is_file()]
    assert any(p.name == "store.sqlite3" for p in files)
    for path in files:
        raw = path.read_bytes().decode("utf-8", errors="replace")
        for number in long_numbers(raw, kept_codes):
            assert digits_of(number) in expert_phones, (path.name, number)
            seen_phones.add(digits_of(number))
    assert seen_phones == expert_phones  # the byte scan does read the stored sources


def test_the_masker_kept_what_is_not_personal(client):
    shown = json.dumps(
        [client.get(f"/v1/cases/{case_id}", headers=auth("mediator")).json() for case_id in HARD_CASES],
        ensure_ascii=False,
    )
    for kept in ("订单号202404281830456789", "快递单号SF1402938475612", "260000元", "26000元", "20240305",
                 "（2024）吉0204民初1234号", "《劳动合同法》第三十条", "2024年3月15日", "吕文华"):  # fmt: skip
        assert kept in shown, kept
    for secret in ("邢立伟", "陶春雨", "邱宝林", "孟凡东", "鲍秀娟", "4432", "8816", "6245", "1523"):
        assert secret not in shown, secret
    assert "[身份证号]" in shown and "[手机号]" in shown and "[电话]" in shown and "[银行卡号]" in shown


def _mediator_responses(client, indexed):
    """(what was asked, response text) for every read route a mediator may call."""
    mediator = auth("mediator")
    case_ids = sorted(source["id"] for source in indexed.store.iter_sources("cases"))
    assert len(case_ids) >= 100
    for case_id in case_ids:
        yield f"GET /v1/cases/{case_id}", client.get(f"/v1/cases/{case_id}", headers=mediator)
    # Similar cases are made of the same stored cases; every tenth case and the hard ones keep the test fast.
    for case_id in sorted({*case_ids[::10], *HARD_CASES}):
        yield f"GET /v1/cases/{case_id}/similar", client.get(f"/v1/cases/{case_id}/similar?size=10", headers=mediator)
    for offset in range(0, len(case_ids), 100):
        body = {"query": "", "size": 100, "offset": offset}
        yield f"search offset {offset}", client.post("/v1/cases/search", json=body, headers=mediator)
    for query in ("电话", "手机号 身份证号", "银行卡号 工资", "拖欠工资 厨师", "网购 冰箱 退货", "证人 见证人 代理人"):
        yield f"search {query}", client.post("/v1/cases/search", json={"query": query, "size": 20}, headers=mediator)
        body = {"text": f"{query}，联系电话13904315678", "size": 10}
        yield f"similar {query}", client.post("/v1/cases/similar", json=body, headers=mediator)
    for case_id in (*HARD_CASES, case_ids[0]):
        for fmt in ("md", "html"):
            body = {"case_id": case_id, "format": fmt}
            yield f"report {case_id}.{fmt}", client.post("/v1/cases/report", json=body, headers=mediator)
        yield f"page /cases/{case_id}", client.get(f"/cases/{case_id}", headers=mediator)
    for query in ("", "电话 身份证号", "个人信息 笔录", "订单号"):
        body = {"query": query, "size": 100}
        yield f"training {query}", client.post("/v1/training/search", json=body, headers=mediator)
    for expert in indexed.store.iter_sources("experts"):
        yield f"GET /v1/experts/{expert['id']}", client.get(f"/v1/experts/{expert['id']}", headers=mediator)


def _readable(response) -> str:
    """The body as a person reads it: JSON re-encoded without escapes, anything else as text."""
    if response.headers.get("content-type", "").startswith("application/json"):
        return json.dumps(response.json(), ensure_ascii=False)
    return response.text


def test_no_mediator_response_holds_a_personal_number(client, indexed, expert_phones, kept_codes):
    asked = 0
    for what, response in _mediator_responses(client, indexed):
        assert response.status_code == 200, (what, response.status_code, response.text[:300])
        text = _readable(response)
        assert not long_numbers(text, kept_codes), (what, long_numbers(text, kept_codes))
        assert not any(phone in digits_of(text) for phone in expert_phones), what
        asked += 1
    assert asked >= 190


def test_expert_phones_reach_a_coordinator_and_never_a_mediator(client, indexed, expert_phones):
    """The detector does see phone numbers in responses: a coordinator gets them, a mediator not."""
    for expert in indexed.store.iter_sources("experts"):
        path = f"/v1/experts/{expert['id']}"
        as_mediator = _readable(client.get(path, headers=auth("mediator")))
        as_coordinator = _readable(client.get(path, headers=auth("coordinator")))
        assert "phone" not in json.loads(as_mediator) and not long_numbers(as_mediator)
        if expert.get("phone"):
            assert [digits_of(n) for n in long_numbers(as_coordinator)] == [digits_of(expert["phone"])]
    shown = client.get("/v1/experts/exp-scan-001", headers=auth("coordinator")).json()
    assert "[电话]" in shown["expertise"] and "[手机号]" in shown["expertise"]  # the free text is masked
