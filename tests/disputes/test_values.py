"""Values as people type them: dates, amounts, counts, yes/no, parties and agreement cells."""

from __future__ import annotations

import datetime as dt

import pytest

from disputes.schema import RegisteredParty
from disputes.tabular import format_agreement, format_parties, parse_agreement, parse_parties
from disputes.values import parse_amount, parse_bool, parse_count, parse_date
from tests.disputes.conftest import valid_id


@pytest.mark.parametrize(
    "text",
    ["2026-03-05", "2026/3/5", "2026.3.5", "2026年3月5日", "2026年03月05日", "20260305", "２０２６－０３－０５",
     " 2026 年 3 月 5 日 ", dt.datetime(2026, 3, 5, 14, 30), "2026-03-05T09:00:00"],
)  # fmt: skip
def test_date_forms(text):
    assert parse_date(text) == dt.date(2026, 3, 5)


@pytest.mark.parametrize("text", ["3/5/2026", "2026-3", "下周一", "2026-02-30", "5"])
def test_dates_that_are_not_exact_are_refused_with_the_forms(text):
    with pytest.raises(ValueError, match="日期"):
        parse_date(text)


@pytest.mark.parametrize(
    ("text", "amount"),
    [("12000", 12000), ("12,000.50", 12000.5), ("1.2万", 12000), ("12000元", 12000), ("约5万元", 50000),
     ("五万", 50000), ("￥800", 800), (3500, 3500), ("", None)],
)  # fmt: skip
def test_amount_forms(text, amount):
    assert parse_amount(text) == amount


def test_counts_and_yes_no():
    assert [parse_count(v) for v in ("12", "12人", "十二", 7, 7.0, "")] == [12, 12, 12, 7, 7, None]
    assert [parse_bool(v) for v in ("是", "否", "已履行", "未履行", "true", True, "")] == [
        True,
        False,
        True,
        False,
        True,
        True,
        None,
    ]
    with pytest.raises(ValueError):
        parse_count("很多")


def test_parties_cell_forms():
    person_id = valid_id()
    parties = parse_parties(
        f"申请人：王建国（身份证号：{person_id}，电话：13904315678，住址：南关区幸福街8号，3单元）；"
        "被申请人:李华、张强\n第三人：长春某物业服务有限公司(类型：单位，电话：0431-88886666)"
    )
    assert parties == [
        {"role": "申请人", "name": "王建国", "id_number": person_id, "phone": "13904315678", "address": "南关区幸福街8号，3单元"},
        {"role": "被申请人", "name": "李华"},
        {"role": "被申请人", "name": "张强"},
        {"role": "第三人", "name": "长春某物业服务有限公司", "kind": "org", "phone": "0431-88886666"},
    ]  # fmt: skip
    assert parse_parties("王五") == [{"role": "", "name": "王五"}]
    assert parse_parties('[{"name": "赵六"}]') == [{"name": "赵六"}]
    with pytest.raises(ValueError, match="无法识别"):
        parse_parties("申请人：王五（血型：A）")


def test_parties_and_agreement_cells_round_trip():
    parties = [
        {"role": "申请人", "name": "王建国", "kind": "person", "id_number": valid_id(), "phone": "13904315678", "address": "幸福街8号，3单元"},
        {"role": "被申请人", "name": "华兴公司", "kind": "org", "unit": None},
        {"role": "被申请人", "name": "刘某某的小卖店", "kind": "org"},
    ]  # fmt: skip
    back = [
        RegisteredParty.model_validate(p).model_dump()
        for p in parse_parties(format_parties(parties))
    ]
    assert back == [RegisteredParty.model_validate(p).model_dump() for p in parties]
    terms = [
        {"text": "被申请人赔偿5000元；申请人不再追究", "deadline": "2026-04-01"},
        {"text": "双方互谅互让"},
    ]
    assert parse_agreement(format_agreement(terms)) == terms
    assert parse_agreement("1、赔偿3000元（履行期限：2026年4月1日）；2、赔礼道歉") == [
        {"text": "赔偿3000元", "deadline": "2026年4月1日"},
        {"text": "赔礼道歉"},
    ]


def test_party_particulars_are_checked():
    with pytest.raises(ValueError, match="身份证"):
        RegisteredParty(name="王五", id_number="220102197806011230")  # wrong check digit
    with pytest.raises(ValueError, match="电话"):
        RegisteredParty(name="王五", phone="12345")
    assert RegisteredParty(name="王五", phone="+86 139-0431-5678").phone == "13904315678"
    assert RegisteredParty(name="长春某物业服务有限公司").kind == "org"
