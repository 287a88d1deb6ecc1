"""Agreement terms as documents number them (一、二、…), each with its manner and deadline.

人民调解法 第二十九条 asks every term to say how and by when it is performed.
The register keeps a term's text and deadline; the manner is read from the
text where the parties wrote it (一次性, 分两期, 每月, 转账 …) and otherwise left
blank for the mediator to fill, so nothing is invented.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from disputes.documents.common import BLANK, chinese_number, cn_date
from disputes.schema import AgreementTerm
from kb_service.export import Paragraph

_MANNERS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"一次性"), "一次性履行"),
    (re.compile(r"分([一二两三四五六七八九十\d]+)(?:期|次)"), "分{0}期履行"),
    (re.compile(r"每(月|年|季度|周)"), "按{0}定期履行"),
    (re.compile(r"转账|转入|汇入|银行账户|微信|支付宝"), "转账支付"),
    (re.compile(r"现金"), "现金支付"),
    (re.compile(r"当面|当场"), "当面履行"),
)
_END = "。；;！？.!?"


def manner_of(text: str) -> str | None:
    """How a term is performed, as its own words say (分两期 → 分两期履行), or None."""
    found = []
    for pattern, wording in _MANNERS:
        match = pattern.search(text)
        if match:
            found.append(wording.format(*match.groups()))
    return "，".join(found) or None


def term_line(number: int, text: str, deadline_text: str, manner: str | None) -> str:
    body = text.strip()
    if body and body[-1] not in _END:
        body += "。"
    return (
        f"{chinese_number(number)}、{body}履行方式：{manner or BLANK}；履行期限：{deadline_text}。"
    )


def term_paragraphs(terms: Sequence[AgreementTerm], *, blanks: int = 3) -> list[Paragraph]:
    """一、… 履行方式：…；履行期限：2026年4月10日前。 — or numbered blank terms to fill."""
    if not terms:
        return [Paragraph(term_line(n, BLANK, BLANK, None)) for n in range(1, blanks + 1)]
    return [
        Paragraph(
            term_line(
                n,
                term.text,
                f"{cn_date(term.deadline)}前" if term.deadline else BLANK,
                manner_of(term.text),
            )
        )
        for n, term in enumerate(terms, 1)
    ]
