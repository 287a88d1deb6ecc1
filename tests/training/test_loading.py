"""Loading training materials: the sample library, vocabularies, sections and rejections (no store)."""

from __future__ import annotations

from pathlib import Path

from kb_service.library import Loaded, Rejection, sample_library
from training.indexing import MIN_SECTION_MINUTES, prepare_material, section_minutes
from training.loading import load_materials

MATERIAL = """---
id: {id}
title: 欠薪纠纷调解入门
kind: {kind}
topics: [劳动争议纠纷, 欠薪]
audience: [新任调解员]
level: {level}
minutes: 30
source: 测试材料
{extra}---
# 欠薪纠纷调解入门

## 一、纠纷特点

农民工欠薪纠纷多发于年底，涉及人数多。

## 二、调解步骤

### （一）核对工资

对照考勤表逐人核对欠薪数额，形成签字确认的清单。

### （二）明确责任

讲清总承包单位先行清偿的规定。
"""


def write(root: Path, name: str, text: str) -> None:
    path = root / "training" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def material(material_id: str, kind: str = "lesson", level: str = "basic", extra: str = "") -> str:
    return MATERIAL.format(id=material_id, kind=kind, level=level, extra=extra)


def test_every_sample_material_loads_with_its_sections():
    items = list(load_materials([sample_library()]))
    rejected = [i for i in items if isinstance(i, Rejection)]
    assert not rejected, [r.as_dict() for r in rejected]
    assert len(items) == 22
    for item in items:
        m = item.record
        assert m.sections, m.id
        # the H1 repeating the title is not part of any heading path
        assert all(not s.heading_path or s.heading_path[0] != m.title for s in m.sections), m.id


def test_labels_are_read_as_codes_and_heading_paths_kept(tmp_path):
    write(tmp_path, "a.md", material("tr-test-1", kind="课程讲义", level="初级"))
    [item] = load_materials([tmp_path])
    assert isinstance(item, Loaded)
    m = item.record
    assert (m.kind, m.level) == ("lesson", "basic")
    assert m.topics == ["labor", "欠薪"] and m.dispute_types == ["labor"]
    assert [s.heading_path for s in m.sections] == [
        ["一、纠纷特点"],
        ["二、调解步骤", "（一）核对工资"],
        ["二、调解步骤", "（二）明确责任"],
    ]
    assert m.sections[1].name == "二、调解步骤 › （一）核对工资"


def test_bad_materials_are_refused_in_chinese_with_their_line(tmp_path):
    write(tmp_path, "a-typo.md", material("tr-bad-1", extra="minute: 30\n"))
    write(tmp_path, "b-kind.md", material("tr-bad-2", kind="lecture"))
    write(tmp_path, "c-level.md", material("tr-bad-3", level="expert"))
    write(tmp_path, "d-empty.md", material("tr-bad-4").split("# 欠薪")[0])
    write(tmp_path, "e-sections.md", material("tr-bad-5", extra="sections: [一]\n"))
    reasons = {r.path.name: r for r in load_materials([tmp_path]) if isinstance(r, Rejection)}
    assert set(reasons) == {"a-typo.md", "b-kind.md", "c-level.md", "d-empty.md", "e-sections.md"}
    assert "字段 minute：未知字段" in reasons["a-typo.md"].reason
    assert reasons["a-typo.md"].line == 10
    assert "未知的材料类型“lecture”" in reasons["b-kind.md"].reason
    assert "未知的难度“expert”" in reasons["c-level.md"].reason
    assert "正文为空" in reasons["d-empty.md"].reason
    assert "sections" in reasons["e-sections.md"].reason


def test_one_document_per_section_with_minutes_shared_by_length(tmp_path, analyzer):
    write(tmp_path, "a.md", material("tr-test-1"))
    [item] = load_materials([tmp_path])
    docs = prepare_material(item.record, analyzer)
    assert [d.id for d in docs] == ["tr-test-1#1", "tr-test-1#2", "tr-test-1#3"]
    second = docs[1].source
    assert second["section"] == "二、调解步骤 › （一）核对工资"
    assert second["heading_path"] == ["二、调解步骤", "（一）核对工资"]
    assert second["material_minutes"] == 30 and second["kind_label"] == "课程讲义"
    assert second["topic_labels"] == ["劳动争议纠纷", "欠薪"]
    assert "核对" in docs[1].text["heading"].split()
    minutes = section_minutes(item.record)
    assert all(m >= MIN_SECTION_MINUTES for m in minutes)
    assert [d.source["minutes"] for d in docs] == minutes
