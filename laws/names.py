"""Law names as people write them: full, short, abbreviated, with full-width or ASCII brackets."""

from __future__ import annotations

import re

NATIONAL_PREFIX = "中华人民共和国"

ALIASES: dict[str, str] = {
    "消法": "消费者权益保护法",
    "消保法": "消费者权益保护法",
    "道交法": "道路交通安全法",
    "民诉法": "民事诉讼法",
    "刑诉法": "刑事诉讼法",
    "行诉法": "行政诉讼法",
    "治安处罚法": "治安管理处罚法",
    "未保法": "未成年人保护法",
    "老年法": "老年人权益保障法",
    "妇女法": "妇女权益保障法",
    "妇保法": "妇女权益保障法",
    "反家暴法": "反家庭暴力法",
    "土地承包法": "农村土地承包法",
    "土管法": "土地管理法",
    "电商法": "电子商务法",
    "劳动仲裁法": "劳动争议调解仲裁法",
    "社保法": "社会保险法",
}
"""Abbreviations used in mediation writing → the short name they stand for."""

# ASCII and full-width forms of the same bracket; the database writes the full-width ones
_BRACKETS = str.maketrans({"(": "（", ")": "）", "〈": "《", "〉": "》"})
_SPACE = re.compile(r"\s+")


def normalise_name(name: str) -> str:
    """``《 中华人民共和国 民法典 》`` → ``中华人民共和国民法典``; ``(试行)`` → ``（试行）``."""
    text = _SPACE.sub("", name.translate(_BRACKETS))
    return text.strip("《》<>\"'“”")


def short_name(full_name: str) -> str:
    """中华人民共和国民法典 → 民法典; a name without the national prefix is its own short name."""
    name = normalise_name(full_name)
    if name.startswith(NATIONAL_PREFIX) and len(name) > len(NATIONAL_PREFIX):
        return name[len(NATIONAL_PREFIX) :]
    return name


def name_keys(name: str) -> list[str]:
    """The keys under which a name is looked up: itself, its short form and what an alias means."""
    text = normalise_name(name)
    keys = [text, short_name(text)]
    alias = ALIASES.get(short_name(text))
    if alias:
        keys.append(alias)
    return list(dict.fromkeys(keys))
