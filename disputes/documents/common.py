"""What every register document shares: blanks, dates, the parties' particulars, signature lines.

A value the register does not hold becomes a blank to fill by hand
(:data:`BLANK`, :data:`DATE_BLANK`), never "None". Sex and date of birth are
read from a valid resident ID number (GB 11643: digits 7–14 the birth date,
the 17th odd for men), else left blank.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from disputes.schema import DisputeRecord, RegisteredParty
from kb_service.export import Paragraph
from kb_service.masking import is_valid_id_card

BLANK = "________"
DATE_BLANK = "______年____月____日"
SUGGESTED = "（系统建议，仅供参考）"
"""The mark on everything the assistant suggested rather than the parties agreed."""

CHINA_TIME = dt.timezone(dt.timedelta(hours=8), "北京时间")
"""History times are stored in UTC; documents show Beijing time (no daylight saving)."""

_DIGITS = "零一二三四五六七八九"


def chinese_number(n: int) -> str:
    """1 → 一, 10 → 十, 12 → 十二, 25 → 二十五: clause numbers (一、二、…) in documents."""
    if not 0 < n < 100:
        return str(n)
    tens, ones = divmod(n, 10)
    head = "" if tens == 0 else ("十" if tens == 1 else _DIGITS[tens] + "十")
    return head + (_DIGITS[ones] if ones else "")


def or_blank(value: object) -> str:
    if value is None or (isinstance(value, str) and not value.strip()):
        return BLANK
    return str(value).strip()


def cn_date(value: dt.date | None) -> str:
    """2026年3月5日, or the date blank."""
    if value is None:
        return DATE_BLANK
    return f"{value.year}年{value.month}月{value.day}日"


def china_time(value: dt.datetime) -> dt.datetime:
    """A stored time (UTC) as Beijing time; a naive time is taken as already local."""
    return value.astimezone(CHINA_TIME) if value.tzinfo else value


def cn_time(value: dt.datetime) -> str:
    """A history time in Beijing time: 2026年3月5日 09:30."""
    local = china_time(value)
    return f"{cn_date(local.date())} {local:%H:%M}"


def yuan(amount: float | None) -> str:
    if amount is None:
        return BLANK
    return f"{amount:,.0f} 元" if float(amount).is_integer() else f"{amount:,.2f} 元"


# -- parties -------------------------------------------------------------------------


def sex_and_birth(party: RegisteredParty) -> tuple[str | None, dt.date | None]:
    """(男/女, date of birth) from a person's valid resident ID number, else (None, None)."""
    number = party.id_number
    if party.kind != "person" or not number or not is_valid_id_card(number):
        return None, None
    try:
        born = dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return None, None
    return ("男" if int(number[16]) % 2 else "女"), born


def is_respondent(party: RegisteredParty) -> bool:
    role = party.role or ""
    return "被申请" in role or "被告" in role


def is_applicant(party: RegisteredParty) -> bool:
    role = party.role or ""
    return not is_respondent(party) and ("申请" in role or "原告" in role)


def sides(
    record: DisputeRecord,
) -> tuple[list[RegisteredParty], list[RegisteredParty], list[RegisteredParty]]:
    """(applicants, respondents, others) by the roles as registered.

    A register that words no roles (all 当事人) still has someone who came first:
    the first party is read as the applicant, the rest as respondents.
    """
    applicants = [p for p in record.parties if is_applicant(p)]
    respondents = [p for p in record.parties if is_respondent(p)]
    others = [p for p in record.parties if not is_applicant(p) and not is_respondent(p)]
    if not applicants and not respondents and others:
        return others[:1], others[1:], []
    return applicants, respondents, others


Named = tuple[str, RegisteredParty]
"""A party with the role a document names it by."""


def named_sides(record: DisputeRecord) -> tuple[list[Named], list[Named], list[Named]]:
    """:func:`sides`, each party with its role: as registered (申请人, 第三人 …), or by its side
    where the register names none or only 当事人."""

    def name(party: RegisteredParty, side: str) -> Named:
        return (party.role if party.role and party.role != "当事人" else side), party

    applicants, respondents, others = sides(record)
    return (
        [name(p, "申请人") for p in applicants],
        [name(p, "被申请人") for p in respondents],
        [name(p, "当事人") for p in others],
    )


def named_parties(record: DisputeRecord) -> list[Named]:
    """Every party with its role: applicants, then respondents, then the others."""
    applicants, respondents, others = named_sides(record)
    return [*applicants, *respondents, *others]


def particulars(party: RegisteredParty) -> str:
    """A party's particulars as a document writes them after the role.

    Person: name, sex, date of birth, ID number, work unit, address, phone.
    Organisation: name, 统一社会信用代码, 住所, a 法定代表人 line to fill, phone.
    """
    if party.kind == "org":
        fields = [
            party.name,
            f"统一社会信用代码：{or_blank(party.id_number)}",
            f"住所：{or_blank(party.address)}",
            f"法定代表人（负责人）：{BLANK}，职务：{BLANK}",
            f"联系电话：{or_blank(party.phone)}",
        ]
        return "，".join(fields)
    sex, born = sex_and_birth(party)
    fields = [
        party.name,
        f"性别：{or_blank(sex)}",
        f"出生日期：{cn_date(born)}",
        f"公民身份号码：{or_blank(party.id_number)}",
    ]
    if party.unit:
        fields.append(f"工作单位：{party.unit}")
    fields += [f"住址：{or_blank(party.address)}", f"联系电话：{or_blank(party.phone)}"]
    return "，".join(fields)


def party_paragraphs(parties: Iterable[Named]) -> list[Paragraph]:
    """One paragraph per party: 申请人：王建国，性别：男，…"""
    return [Paragraph(f"{role}：{particulars(party)}") for role, party in parties]


def names(parties: Iterable[RegisteredParty]) -> str:
    return "、".join(p.name for p in parties) or BLANK


PERSON_SIGNS = "签名或按指印"
ORG_SEALS = "盖章"


def signature_line(who: str, *, name: str | None = None, how: str = "签名") -> Paragraph:
    """``申请人（签名）：________（王建国）    ______年____月____日``."""
    printed = f"（{name}）" if name else ""
    return Paragraph(f"{who}（{how}）：{BLANK}{printed}    {DATE_BLANK}")


def party_signatures(
    parties: Iterable[Named], *, how: str = PERSON_SIGNS, as_role: str | None = None
) -> list[Paragraph]:
    """A line for each party: persons sign (or press a fingerprint), organisations seal.

    ``as_role`` names every party alike (all are 申请人 of a joint application).
    """
    lines = []
    for named_role, party in parties:
        role = as_role or named_role
        if party.kind == "org":
            lines.append(
                Paragraph(
                    f"{role}（{ORG_SEALS}）：{party.name}    "
                    f"法定代表人（负责人）签名：{BLANK}    {DATE_BLANK}"
                )
            )
        else:
            lines.append(signature_line(role, name=party.name, how=how))
    return lines


def blank_lines(count: int = 3) -> list[Paragraph]:
    """Room to write by hand."""
    return [Paragraph(BLANK * 5) for _ in range(count)]
