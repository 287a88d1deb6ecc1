"""Local regulations from a library's laws/ folder: articles split at 第…条, bad files refused."""

from __future__ import annotations

from pathlib import Path

import pytest

from kb_service.library import Loaded, Rejection, sample_library
from laws.local import load_local_regulations

GOOD = """---
id: demo-reg
title: 某市物业纠纷调解办法（测试）
short_name: 物业调解办法
status: in_force
effective: 2024-03-01
aliases: [物调办法]
note: 测试用的虚构文本
---

> 说明文字不属于任何条文。

## 第一章 总则

第一条 为了及时化解物业纠纷，制定本办法。

**第二条** 本办法适用于本市住宅小区的物业纠纷。
业主委员会可以协助调解。

## 第二章 调解

### 第一节 受理

第3条：当事人可以书面或者口头申请调解。
第三条之一 调解不收取费用。
"""


def _write(tmp_path: Path, text: str, name: str = "reg.md", encoding: str = "utf-8") -> Path:
    folder = tmp_path / "laws"
    folder.mkdir(exist_ok=True)
    (folder / name).write_text(text, encoding=encoding)
    return tmp_path


def _one(library: Path) -> Loaded | Rejection:
    (item,) = list(load_local_regulations([library]))
    return item


def test_a_regulation_is_split_into_articles_with_chapters(tmp_path):
    loaded = _one(_write(tmp_path, GOOD))
    assert isinstance(loaded, Loaded)
    law, articles = loaded.record.law, loaded.record.articles
    assert (law.id, law.short_name, law.status, law.origin) == (
        "demo-reg",
        "物业调解办法",
        "in_force",
        "local",
    )
    assert law.aliases == ("物调办法",) and law.note == "测试用的虚构文本"
    assert [(a.number, a.sub, a.label) for a in articles] == [
        (1, None, "第一条"), (2, None, "第二条"), (3, None, "第三条"), (3, 1, "第三条之一"),
    ]  # fmt: skip
    assert articles[0].text == "为了及时化解物业纠纷，制定本办法。"
    assert articles[1].text == "本办法适用于本市住宅小区的物业纠纷。\n业主委员会可以协助调解。"
    assert articles[1].chapter == "第一章 总则"
    assert (articles[2].chapter, articles[2].section) == ("第二章 调解", "第一节 受理")
    assert articles[2].text == "当事人可以书面或者口头申请调解。"


def test_a_gb18030_file_reads_correctly(tmp_path):
    loaded = _one(_write(tmp_path, GOOD, encoding="gb18030"))
    assert isinstance(loaded, Loaded)
    assert loaded.record.law.name == "某市物业纠纷调解办法（测试）"


@pytest.mark.parametrize(
    ("change", "line", "reason"),
    [
        (lambda t: t.replace("---\nid", "id", 1), 1, "缺少 YAML 前言"),
        (lambda t: t.replace("short_name: 物业调解办法\n", ""), 1, "字段 short_name：缺少必填字段"),
        (lambda t: t.replace("status: in_force", "status: 有效"), 5, "未知的法律效力状态“有效”"),
        (
            lambda t: t.replace("effective: 2024-03-01", "effective: 明年"),
            6,
            "字段 effective：应为日期",
        ),
        (lambda t: t.replace("第三条之一", "第二条"), 25, "第二条重复：第 17 行已有同一条文"),
        (lambda t: t.replace("第3条：", "第十十条 "), 24, "“第十十条”不是有效的条文序号"),
        (
            lambda t: t.replace("第一条 为了及时化解物业纠纷，制定本办法。", "第一条"),
            15,
            "第一条没有条文内容",
        ),
        (lambda t: t.split("## 第一章")[0], 11, "正文中没有条文"),
    ],
    ids=[
        "no front matter",
        "no short name",
        "bad status",
        "bad date",
        "duplicate",
        "bad numeral",
        "empty",
        "no articles",
    ],
)
def test_bad_regulations_are_refused_with_line_and_reason(tmp_path, change, line, reason):
    rejection = _one(_write(tmp_path, change(GOOD)))
    assert isinstance(rejection, Rejection)
    assert reason in rejection.reason
    assert rejection.line == line


def test_one_bad_file_does_not_stop_the_others(tmp_path):
    _write(tmp_path, GOOD, "a.md")
    _write(tmp_path, GOOD.replace("id: demo-reg", "id: other").split("## 第一章")[0], "b.md")
    kinds = [type(item).__name__ for item in load_local_regulations([tmp_path])]
    assert kinds == ["Loaded", "Rejection"]


def test_the_sample_regulation_is_marked_illustrative():
    (loaded,) = list(load_local_regulations([sample_library()]))
    assert isinstance(loaded, Loaded)
    law = loaded.record.law
    assert "示例" in law.name and "示例" in law.short_name
    assert "不是吉林省人民代表大会常务委员会通过的法规" in law.note
    assert len(loaded.record.articles) == 21
    article = next(a for a in loaded.record.articles if a.number == 13)
    assert article.chapter == "第三章 调解程序" and "三十日" in article.text
