"""Personal-data masking: nothing of the original survives; what must stay, stays."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kb_service.masking import (
    BANK_CARD,
    ID_CARD,
    MOBILE,
    Masker,
    is_valid_id_card,
    names_after_role_words,
    passes_luhn,
)

TEXTS = json.loads((Path(__file__).parent / "data" / "masking_texts.json").read_text(encoding="utf-8"))


def mask(entry: dict) -> str:
    persons = [p["name"] for p in entry["parties"] if p.get("kind", "person") == "person"]
    return Masker.for_record([entry["text"]], persons).mask(entry["text"])


def test_there_are_enough_realistic_texts():
    assert len(TEXTS) >= 20


@pytest.mark.parametrize("entry", TEXTS, ids=[t["name"] for t in TEXTS])
def test_no_secret_survives(entry):
    masked = mask(entry)
    for secret in entry["secrets"]:
        assert secret not in masked, f"{secret!r} survived in: {masked}"


@pytest.mark.parametrize("entry", TEXTS, ids=[t["name"] for t in TEXTS])
def test_what_must_stay_stays(entry):
    masked = mask(entry)
    for kept in entry["keep"]:
        assert kept in masked, f"{kept!r} was lost in: {masked}"


def test_names_become_surname_mouxmoux_and_are_told_apart():
    text = "申请人王建国与被申请人王丽华系邻居，欧阳明华作证。"
    masker = Masker.for_record([text], ["王建国", "王丽华", "欧阳明华"])
    masked = masker.mask(text)
    assert "王某某甲" in masked and "王某某乙" in masked
    assert "欧阳某某" in masked
    assert masker.mask_name("王建国") != masker.mask_name("王丽华")


def test_names_are_found_after_role_words():
    assert names_after_role_words("被申请人刘淑芬系申请人李大勇的邻居") == {"刘淑芬", "李大勇"}
    assert names_after_role_words("申请人张三因琐事") == {"张三"}
    assert names_after_role_words("申请人王某某") == set()  # already masked at the source


def test_id_card_check_digit_and_birth_date():
    assert is_valid_id_card("11010519491231002X")
    assert not is_valid_id_card("110105194912310021")  # wrong check digit
    assert not is_valid_id_card("202305121830456789")  # order number


def test_luhn():
    assert passes_luhn("6222 0202 0001 1234 565") is passes_luhn("6222020200011234565")
    assert passes_luhn("4111111111111111")
    assert not passes_luhn("4111111111111112")


def test_numbers_in_any_width_and_format():
    masker = Masker.for_record([], [])
    assert masker.mask("电话１３９０４３１５６７８") == f"电话{MOBILE}"
    assert masker.mask("+86 139-0431-5678") == MOBILE
    assert masker.mask("身份证11010519491231002X。") == f"身份证{ID_CARD}。"
    assert masker.mask("卡号：6222 0000 1111 2222") == f"卡号：{BANK_CARD}"


def test_relatives_named_in_the_narrative_are_masked_too():
    text = "申请人金某某的丈夫、申请人朴某某的父亲朴成哲（58岁）因胆囊结石入院，术后次日朴成哲死亡。"
    masked = Masker.for_record([text], []).mask(text)
    assert "朴成哲" not in masked and "朴某某" in masked
