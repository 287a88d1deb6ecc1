"""Personal-data masking for case texts (CONTRACT §2).

Runs in the indexer before anything reaches a store; source files are never
changed. What is masked:

- 18-digit resident ID numbers whose GB 11643 check digit and birth date are
  valid → ``[身份证号]`` (an 18-digit order number that fails the check stays);
- mobile numbers (with +86, spaces or dashes) → ``[手机号]``;
  landlines with an area code → ``[电话]``;
- bank-card numbers: 16–19 digits that pass the Luhn check, or any 12–19 digit
  run right after 卡号/账号/银行卡 → ``[银行卡号]``;
- personal names of parties: those listed in ``parties`` with ``kind: person``
  and those named in the text after a role word (申请人, 被申请人, 当事人 …)
  → surname + 某某 (王某某, 欧阳某某). Two different people who would both
  become 王某某 are told apart as 王某某甲, 王某某乙.

Digits are matched in any width (``\\d`` in Python matches full-width digits),
so ``１３９０４３１５６７８`` is masked like ``13904315678``.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

ID_CARD = "[身份证号]"
MOBILE = "[手机号]"
LANDLINE = "[电话]"
BANK_CARD = "[银行卡号]"

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"

_SEP = r"[ \-\u2010-\u2015\u2212－]"
_ID_RE = re.compile(r"(?<!\d)\d{17}[\dXxＸｘ](?!\d)")
_MOBILE_RE = re.compile(rf"(?<![\d+＋])(?:[+＋]?[8８][6６]{_SEP}?)?[1１][3-9３-９]\d(?:{_SEP}?\d{{4}}){{2}}(?!\d)")
_LANDLINE_RE = re.compile(
    rf"(?<!\d)(?:[(（][0０]\d{{2,3}}[)）]{_SEP}?|[0０]\d{{2,3}}{_SEP})\d{{7,8}}(?:转\d{{1,5}})?(?!\d)"
)
_CARD_RE = re.compile(rf"(?<!\d)\d{{4}}(?:{_SEP}?\d{{4}}){{2}}(?:{_SEP}?\d{{1,7}})(?!\d)")
_CARD_CONTEXT_RE = re.compile(
    rf"(?P<label>(?:银行卡|银行账户|卡号|账号|帐号|账户)(?:号码|号)?[:：为是]?\s*)(?P<number>\d(?:{_SEP}?\d){{11,18}})(?!\d)"
)

ROLE_WORDS = (
    "被申请人", "申请人", "当事人", "原告", "被告", "上诉人", "被上诉人",
    "受害人", "死者", "患者", "伤者", "肇事者", "业主", "租户", "承租人", "出租人",
    "借款人", "出借人", "债务人", "债权人", "信访人", "丈夫", "妻子", "儿子", "女儿",
    "被继承人", "继承人", "第三人", "学生", "同学", "行人", "驾驶人", "驾驶员", "司机",
    "村民", "职工", "员工", "工人", "患儿", "产妇", "老人", "病人", "逝者",
    "父亲", "母亲", "哥哥", "弟弟", "姐姐", "妹妹", "公公", "婆婆", "岳父", "岳母",
    "爷爷", "奶奶", "外公", "外婆", "孙子", "孙女", "老伴", "前夫", "前妻", "未婚妻", "未婚夫",
)  # fmt: skip

COMPOUND_SURNAMES = (
    "欧阳", "司马", "上官", "诸葛", "东方", "皇甫", "尉迟", "公孙", "慕容", "长孙",
    "宇文", "司徒", "夏侯", "令狐", "端木", "独孤", "南宫", "西门", "轩辕", "呼延",
)  # fmt: skip

SINGLE_SURNAMES = frozenset(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程"
    "苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝"
    "龚邵万钱严覃武戴莫孔向汤常温康施文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申耿关兰焦俞左"
    "柳甘祝包宁尚符舒阮柯纪梅童凌毕单季裴霍涂成苗谷盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻祁蒲房滕屈"
    "饶解牟艾尤阳时穆农司卓古吉缪简车项连芦麦褚娄窦戚岑景党宫费卜冷晏席卫米柏宗瞿桂全佟应臧闵"
    "苟邬边卞姬师和仇栾隋商刁沙荣巫寇桑郎甄丛仲虞敖巩明佘池查麻苑迟邝朴南权元玄都鞠"
)

# Characters that end a name found after a role word: verbs and particles that
# follow a name in case narratives ("被申请人刘淑芬系…", "申请人李大勇在…").
_NAME_STOP = frozenset(
    "系与和及因在于称等将向对诉是为、，,。；;：:（(）)的了被把让给从自同跟均也都已曾便就并且而住家说"
    "某之以要说认请于到来去向所有无不先后又再还却"
)
_PLACE_OR_ORG = frozenset("省市县区州镇乡村屯公司厂店院局")
_HAN = re.compile(r"[\u4e00-\u9fff]")
_MASKED_NAME_SUFFIXES = "甲乙丙丁戊己庚辛壬癸"


def is_valid_id_card(number: str) -> bool:
    """GB 11643 check digit and a plausible birth date."""
    digits = unicodedata.normalize("NFKC", number).upper()
    if not re.fullmatch(r"\d{17}[\dX]", digits):
        return False
    total = sum(int(d) * w for d, w in zip(digits[:17], _ID_WEIGHTS, strict=True))
    if _ID_CHECK[total % 11] != digits[17]:
        return False
    try:
        born = date(int(digits[6:10]), int(digits[10:12]), int(digits[12:14]))
    except ValueError:
        return False
    return date(1900, 1, 1) <= born <= date.today()


def passes_luhn(number: str) -> bool:
    digits = [int(ch) for ch in unicodedata.normalize("NFKC", number) if ch.isdigit()]
    checksum = 0
    for position, digit in enumerate(reversed(digits)):
        if position % 2 == 1:
            digit *= 2
            if digit > 9:
                digit -= 9
        checksum += digit
    return checksum % 10 == 0


def surname_of(name: str) -> str:
    for compound in COMPOUND_SURNAMES:
        if name.startswith(compound) and len(name) > len(compound):
            return compound
    return name[0]


def names_after_role_words(text: str) -> set[str]:
    """Personal names written right after a role word: 申请人王建国 → 王建国."""
    found: set[str] = set()
    roles = "|".join(sorted(ROLE_WORDS, key=len, reverse=True))
    # The look-ahead does not consume the text, so "被申请人刘淑芬系申请人李大勇" yields both.
    for match in re.finditer(rf"(?:{roles})[:：]?\s*(?=(?P<rest>[\u4e00-\u9fff]{{2,5}}))", text):
        rest = match.group("rest")
        if any(ch in _PLACE_OR_ORG for ch in rest):
            continue  # 申请人梅河口市某村委会: a place or an organisation, not a person
        surname = next((c for c in COMPOUND_SURNAMES if rest.startswith(c)), None)
        if surname is None:
            if rest[0] not in SINGLE_SURNAMES:
                continue
            surname = rest[0]
        given = ""
        for ch in rest[len(surname) :]:
            if ch in _NAME_STOP or len(given) == 2:
                break
            given += ch
        if len(given) == 2 and _shorter_name_stands_alone(text, surname + given):
            given = given[:1]  # 当事人姜红住…姜红配合: the name is 姜红
        if given:
            found.add(surname + given)
    return found


def _shorter_name_stands_alone(text: str, name: str) -> bool:
    """Is ``name`` minus its last character written elsewhere without that character?"""
    shorter = name[:-1]
    return any(
        text[m.end() : m.end() + 1] != name[-1] for m in re.finditer(re.escape(shorter), text)
    )


@dataclass
class Masker:
    """Masks one record's texts consistently: the same person gets the same mask everywhere."""

    person_names: set[str] = field(default_factory=set)
    _replacements: dict[str, str] = field(default_factory=dict, init=False)

    @classmethod
    def for_record(cls, texts: Iterable[str], party_names: Iterable[str] = ()) -> Masker:
        names = {name.strip() for name in party_names if name and _HAN.search(name)}
        for text in texts:
            names |= names_after_role_words(text or "")
        masker = cls(person_names=names)
        masker._plan_names()
        return masker

    def _plan_names(self) -> None:
        by_mask: dict[str, list[str]] = {}
        for name in sorted(self.person_names, key=lambda n: (-len(n), n)):
            if "某" in name:
                continue  # already masked at the source
            by_mask.setdefault(surname_of(name) + "某某", []).append(name)
        for mask, names in by_mask.items():
            if len(names) == 1:
                self._replacements[names[0]] = mask
            else:
                for suffix, name in zip(_MASKED_NAME_SUFFIXES, sorted(names), strict=False):
                    self._replacements[name] = mask + suffix

    def mask_name(self, name: str) -> str:
        return self._replacements.get(name.strip(), name)

    def mask(self, text: str | None) -> str | None:
        if not text:
            return text
        text = _CARD_CONTEXT_RE.sub(lambda m: m.group("label") + BANK_CARD, text)
        text = _ID_RE.sub(lambda m: ID_CARD if is_valid_id_card(m.group()) else m.group(), text)
        text = _MOBILE_RE.sub(MOBILE, text)
        text = _LANDLINE_RE.sub(LANDLINE, text)
        text = _CARD_RE.sub(lambda m: BANK_CARD if passes_luhn(m.group()) else m.group(), text)
        # Longest names first, so 欧阳明华 is replaced before a shorter 欧阳明.
        for name in sorted(self._replacements, key=len, reverse=True):
            text = text.replace(name, self._replacements[name])
        return text
