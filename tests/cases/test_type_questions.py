"""The colloquial question set stays honest: enough per type, valid types, no title overlap."""

from __future__ import annotations

from collections import Counter

import yaml

from cases.loading import load_cases
from cases.type_evaluation import TYPE_QUESTIONS, load_type_questions, shared_runs
from kb_service.library import Loaded, sample_library
from kb_service.vocabularies import DISPUTE_TYPES

QUESTIONS = load_type_questions()


def _titles() -> list[str]:
    return [item.record.title for item in load_cases([sample_library()]) if isinstance(item, Loaded)]


def test_every_dispute_type_has_at_least_ten_questions():
    per_type = Counter(q.best for q in QUESTIONS)
    short = {t: per_type[t] for t in DISPUTE_TYPES.terms if per_type[t] < 10}
    assert not short, f"fewer than 10 questions whose best type is: {short}"


def test_every_listed_type_is_a_valid_code():
    # Read the raw file: load_type_questions would accept labels, the file keeps codes.
    raw = yaml.safe_load(TYPE_QUESTIONS.read_text(encoding="utf-8"))
    unknown = [(item["query"], t) for item in raw for t in item["types"] if t not in DISPUTE_TYPES.terms]
    assert not unknown
    assert all(item["types"] and len(set(item["types"])) == len(item["types"]) for item in raw)


def test_no_question_shares_four_characters_with_a_case_title():
    titles = _titles()
    assert len(titles) >= 100  # the whole sample library was read
    overlapping = {q.query: sorted(shared_runs(q.query, titles)) for q in QUESTIONS}
    assert not {q: runs for q, runs in overlapping.items() if runs}


def test_questions_are_distinct_and_varied():
    queries = [q.query for q in QUESTIONS]
    assert len(set(queries)) == len(queries)
    lengths = [len(q) for q in queries]
    assert min(lengths) <= 8 and max(lengths) >= 25  # short search-box words and long telling


def test_the_overlap_check_catches_a_copied_title():
    titles = _titles()
    assert shared_runs("楼上装修天天砸墙", titles)  # a title starts 楼上装修拆改墙体
    assert not shared_runs("楼上搞装修天天砸墙", titles)
