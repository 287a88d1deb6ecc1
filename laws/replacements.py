"""Repealed laws, what replaced them and from when, and old articles → their successors.

Two sources, the first one winning:

1. :data:`CIVIL_CODE_REPEALS` — the nine laws that 《民法典》第一千二百六十条
   repealed on 2021-01-01, written down here because mediation cites them most
   and the database holds none of their texts.
2. The database's own final provisions: "本法自2022年6月5日起施行。《中华人民共和国
   环境噪声污染防治法》同时废止。" (:func:`repeals_in_database`). A law marked
   已废止 without such a clause anywhere gets a repeal with no date and no
   successor — we say so rather than guess.

:data:`ARTICLE_MAP` maps articles of the nine to the 民法典 articles that now
govern the same matter, after the official 新旧条文对照: only entries we are
sure of, at least every one the sample library cites. An old article without
an entry is reported with the law that replaced it, without an article.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass

from laws.names import normalise_name, short_name
from laws.schema import Article, Law

CIVIL_CODE = "中华人民共和国民法典"
CIVIL_CODE_EFFECTIVE = dt.date(2021, 1, 1)


@dataclass(frozen=True)
class Repeal:
    law_name: str
    """Full name of the repealed law: 中华人民共和国合同法."""
    date: dt.date | None
    """From when it no longer applies; ``None`` when no source says."""
    replaced_by: str | None
    """Full name of the law that took its place, where one did."""
    basis: str
    """Where the repeal is stated: 《民法典》第一千二百六十条, or 法律数据库状态."""

    @property
    def short_name(self) -> str:
        return short_name(self.law_name)


def _civil_code_repeal(short: str) -> Repeal:
    return Repeal(
        f"中华人民共和国{short}", CIVIL_CODE_EFFECTIVE, CIVIL_CODE, "《民法典》第一千二百六十条"
    )


CIVIL_CODE_REPEALS: dict[str, Repeal] = {
    r.law_name: r
    for r in map(
        _civil_code_repeal,
        (
            "婚姻法",
            "继承法",
            "民法通则",
            "收养法",
            "担保法",
            "合同法",
            "物权法",
            "侵权责任法",
            "民法总则",
        ),
    )
}

ARTICLE_MAP: dict[str, dict[int, tuple[int, ...]]] = {
    # 合同法 → 民法典 合同编 (and 总则编 for the binding force of contracts)
    "合同法": {
        8: (119, 465), 39: (496,), 44: (502,), 60: (509,), 94: (563,), 97: (566,),
        107: (577,), 108: (578,), 109: (579,), 110: (580,), 111: (582,), 112: (583,),
        113: (584,), 114: (585,), 115: (586, 587), 116: (588,), 119: (591,), 120: (592,),
        121: (593,), 130: (595,), 184: (656,), 185: (657,), 186: (658,),
        196: (667,), 197: (668,), 206: (675,), 207: (676,), 210: (679,), 211: (680,),
        212: (703,), 226: (721,), 227: (722,), 235: (733,), 251: (770,), 262: (781,),
        269: (788,), 288: (809,), 311: (832,), 365: (888,), 396: (919,), 414: (951,),
        424: (961,),
    },
    # 婚姻法 → 婚姻家庭编
    "婚姻法": {
        2: (1041,), 3: (1042,), 4: (1043,), 17: (1062,), 18: (1063,), 19: (1065,),
        20: (1059,), 21: (1067,), 30: (1069,), 31: (1076,), 32: (1079,), 36: (1084,),
        37: (1085,), 38: (1086,), 39: (1087,), 40: (1088,), 41: (1089,), 42: (1090,),
        46: (1091,), 47: (1092,),
    },
    # 继承法 → 继承编
    "继承法": {
        2: (1121,), 3: (1122,), 5: (1123,), 9: (1126,), 10: (1127,), 11: (1128,),
        12: (1129,), 13: (1130,), 14: (1131,), 15: (1132,), 16: (1133,), 19: (1141,),
        25: (1124,), 31: (1158,), 33: (1161,),
    },
    # 侵权责任法 → 侵权责任编
    "侵权责任法": {
        6: (1165,), 7: (1166,), 8: (1168,), 16: (1179,), 19: (1184,), 22: (1183,),
        26: (1173,), 27: (1174,), 32: (1188,), 34: (1191,), 35: (1192,), 37: (1198,),
        38: (1199,), 39: (1200,), 40: (1201,), 48: (1208,), 54: (1218,), 55: (1219,),
        57: (1221,), 65: (1229,), 66: (1230,), 78: (1245,), 79: (1246,), 80: (1247,), 81: (1248,), 83: (1250,),
        85: (1253,), 87: (1254,), 88: (1255,), 89: (1256,), 91: (1258,),
    },
    # 物权法 → 物权编
    "物权法": {
        39: (240,), 42: (243,), 70: (271,), 71: (272,), 72: (273,), 73: (274,),
        74: (275, 276), 76: (278,), 83: (286,), 84: (288,), 85: (289,), 86: (290,), 87: (291,),
        88: (292,), 89: (293,), 90: (294,), 91: (295,), 92: (296,), 93: (297,),
        125: (331,), 152: (362,), 153: (363,), 245: (462,),
    },
    "民法通则": {135: (188,)},
    "民法总则": {7: (7,), 143: (143,), 188: (188,)},
    "担保法": {17: (687,), 18: (688,), 89: (586, 587)},
}  # fmt: skip
"""Short name of a repealed law → {old article: 民法典 articles now governing the matter}."""


def successor_articles(law_name: str, article: int) -> tuple[int, ...]:
    """The 民法典 articles that replaced an article of a law it repealed; () when not mapped."""
    return ARTICLE_MAP.get(short_name(law_name), {}).get(article, ())


def predecessor_articles(article: int) -> list[tuple[str, int]]:
    """The articles of the repealed laws that a 民法典 article took over: 577 → [(合同法, 107)]."""
    return [
        (old, number)
        for old, articles in ARTICLE_MAP.items()
        for number, successors in articles.items()
        if article in successors
    ]


_COMMENCEMENT = re.compile(
    r"本法(?:（[^）]*）)?自\s*(?:(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日|公布之日)起\s*施行"
)
_QUOTED = re.compile(r"《([^《》]+)》")


def repeals_in_article(law: Law, article: Article) -> list[Repeal]:
    """The laws a final provision says it repeals ("……同时废止"), from its commencement date."""
    text = article.text
    commencement = _COMMENCEMENT.search(text)
    end = text.find("同时废止")
    if commencement is None or end < commencement.end():
        return []
    date = None
    if commencement.group(1):
        date = dt.date(*(int(commencement.group(i)) for i in (1, 2, 3)))
    repeals = []
    for match in _QUOTED.finditer(text, commencement.end(), end):
        name = normalise_name(match.group(1))
        if name != law.name:  # 工会法 (1992) repealing the 工会法 of 1950: same name, older law
            repeals.append(Repeal(name, date, law.name, f"《{law.short_name}》{article.label}"))
    return repeals


def repeals_in_database(
    provisions: Iterable[tuple[Law, Article]], repealed: Iterable[Law]
) -> dict[str, Repeal]:
    """Repeals stated by the database's final provisions, plus its 已废止 laws stated nowhere.

    ``provisions`` are the articles that mention 同时废止; ``repealed`` the
    laws whose status is 已废止.
    """
    found: dict[str, Repeal] = {}
    for law, article in provisions:
        for repeal in repeals_in_article(law, article):
            found.setdefault(repeal.law_name, repeal)
    for law in repealed:
        found.setdefault(law.name, Repeal(law.name, None, None, "法律数据库状态（已废止）"))
    return found
