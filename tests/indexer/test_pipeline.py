"""The indexer on both backends: bad records are rejected with their reason, good ones land."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cases.indexing import SPEC as CASES
from indexer.pipeline import Indexer

GOOD = """---
id: {id}
title: {title}
dispute_type: {dispute_type}
region: 吉林省/长春市/朝阳区
org_level: village
date: 2024-05-12
outcome: success
amount: 3000
parties:
  - {{role: 申请人, name: 王建国, kind: person}}
  - {{role: 被申请人, name: 刘淑芬, kind: person}}
legal_basis: [《中华人民共和国民法典》第二百八十八条]
---
## 纠纷事实
申请人王建国与被申请人刘淑芬系楼上楼下邻居，刘淑芬家深夜噪声不断，王建国电话13904315678。

## 调解过程
调解员上门了解情况，背靠背做工作。

## 调解结果
双方达成协议。
"""


def write(folder: Path, name: str, text: str, encoding: str = "utf-8") -> Path:
    path = folder / "cases" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text.encode(encoding))
    return path


def case_md(case_id: str, title: str = "楼上噪声扰民纠纷调解案", dispute_type: str = "neighbor") -> str:
    return GOOD.format(id=case_id, title=title, dispute_type=dispute_type)


@pytest.fixture
def library(tmp_path) -> Path:
    root = tmp_path / "library"
    write(root, "good.md", case_md("case-good-1"))
    write(root, "label.md", case_md("case-good-2", dispute_type="邻里纠纷"))  # a label, not a code
    write(root, "gbk.md", case_md("case-gbk-1", title="宅基地界址纠纷调解案"), encoding="gb18030")
    write(root, "broken.md", "---\nid: case-bad-1\ntitle: [未闭合\n---\n## 纠纷事实\n内容\n")
    write(root, "missing.md", case_md("case-bad-2").replace("outcome: success\n", ""))
    write(root, "unknown-type.md", case_md("case-bad-3", dispute_type="neighbour"))
    write(root, "zz-duplicate.md", case_md("case-good-1", title="重复编号的案例"))
    write(root, "utf16.md", case_md("case-bad-4"), encoding="utf-16")
    lines = [
        json.dumps({"id": "case-json-1", "title": "拖欠农民工工资纠纷调解案", "dispute_type": "labor",
                    "facts": "包工头拖欠工资。", "process": "调解员组织协商。", "outcome": "调解成功"}, ensure_ascii=False),
        "{not json",
        json.dumps({"id": "case-json-2", "title": "缺少过程", "dispute_type": "labor", "facts": "事实", "outcome": "success"}, ensure_ascii=False),
    ]
    write(root, "more.jsonl", "\n".join(lines) + "\n")
    return root


def run(services, library, rebuild=False):
    return Indexer(services.store, services.analyzer, services.embedder).index(
        CASES, [library], rebuild=rebuild, progress=False
    )


def reasons(report) -> dict[str, str]:
    return {Path(r.path).name + f":{r.line}": r.reason for r in report.rejected}


def test_every_good_record_lands_and_every_bad_one_says_why(services, library):
    report = run(services, library)
    assert report.indexed == 4  # good-1, good-2, gbk-1, json-1
    assert services.store.count("cases") == 4
    found = reasons(report)
    assert any(k.startswith("broken.md") and "YAML" in v for k, v in found.items())
    assert any(k.startswith("missing.md") and "outcome" in v and "缺少必填字段" in v for k, v in found.items())
    unknown = next(v for k, v in found.items() if k.startswith("unknown-type.md"))
    assert "neighbour" in unknown and "neighbor（邻里纠纷）" in unknown
    duplicate = next(v for k, v in found.items() if k.startswith("zz-duplicate.md"))
    assert "case-good-1" in duplicate and "good.md" in duplicate
    assert any(k.startswith("utf16.md") and "UTF-8" in v for k, v in found.items())
    assert "more.jsonl:2" in found and "JSON" in found["more.jsonl:2"]
    assert "more.jsonl:3" in found and "process" in found["more.jsonl:3"]


def test_rejections_name_the_line_of_the_bad_field(services, library):
    report = run(services, library)
    line = next(int(k.split(":")[1]) for k in reasons(report) if k.startswith("unknown-type.md"))
    assert line == 4  # dispute_type is the fourth line of the file


def test_gb18030_text_is_read_correctly(services, library):
    run(services, library)
    assert services.store.get("cases", "case-gbk-1")["title"] == "宅基地界址纠纷调解案"


def test_nothing_personal_reaches_the_store(services, library):
    run(services, library)
    stored = json.dumps(services.store.get("cases", "case-good-1"), ensure_ascii=False)
    for secret in ("王建国", "刘淑芬", "13904315678"):
        assert secret not in stored
    assert "王某某" in stored and "刘某某" in stored


def test_a_rerun_skips_unchanged_and_replaces_changed(services, library):
    run(services, library)
    again = run(services, library)
    assert (again.indexed, again.unchanged) == (0, 4)
    write(library, "good.md", case_md("case-good-1", title="楼上噪声扰民纠纷已化解"))
    third = run(services, library)
    assert (third.indexed, third.unchanged) == (1, 3)
    assert services.store.count("cases") == 4
    assert services.store.get("cases", "case-good-1")["title"] == "楼上噪声扰民纠纷已化解"


def test_rebuild_keeps_exactly_what_was_given(services, library, tmp_path):
    run(services, library)
    other = tmp_path / "other"
    write(other, "only.md", case_md("case-only-1"))
    report = run(services, other, rebuild=True)
    assert report.indexed == 1
    assert services.store.count("cases") == 1
    assert services.store.get("cases", "case-only-1")


def test_unchanged_text_is_not_embedded_twice(services, library):
    run(services, library)
    misses = services.embedder.misses
    services.store.put_meta("probe", {})
    run(services, library, rebuild=True)  # a rebuild re-writes everything…
    assert services.embedder.misses == misses  # …but embeds nothing anew


def test_idf_counts_documents_so_no_term_gets_a_negative_weight(services):
    from indexer.run import index_libraries

    index_libraries(services, None, progress=False)
    for collection in ("cases", "training"):
        idf = services.store.get_meta(f"idf-{collection}")
        assert idf and min(idf.values()) >= 1.0, collection
