"""Personal-data masking for case texts (CONTRACT §2).

Runs in the indexer before anything reaches a store; source files are never
changed. What is masked:

- numbers, by their shape and never by a checksum (``kb_service/personal_numbers.py``
  says exactly which shapes): ID-card numbers, 18-digit (a wrong check digit
  is still an ID number) and 15-digit first-generation → ``[身份证号]``;
  mobiles → ``[手机号]``; landlines with an area code → ``[电话]``; bank cards
  → ``[银行卡号]``; and any other run of 11 or more digits → ``[号码]``. Digits
  in any width, with spaces or dashes between groups, +86/0086, brackets
  around the area code and extensions all count. Amounts, dates, case
  numbers, article numbers, year lists and codes after 订单号/运单号/合同编号…
  stay (they are shorter than 11 digits or labelled as things, not people).
- personal names of parties: those listed in ``parties`` with ``kind: person``
  and those named in the text after a role word (申请人, 被申请人, 当事人,
  原告, 被告, 第三人, 代理人, 委托代理人, 法定代理人, 证人, 见证人, 监护人 …,
  see ``ROLE_WORDS``) → surname + 某某 (王某某, 欧阳某某). Two different
  people who would both become 王某某 are told apart as 王某某甲, 王某某乙.
  What follows a role word is not taken for a name (``is_not_a_name``) when
  it starts with a common word or a place of jieba's dictionary (申请人单位,
  被告应当, 业主车辆, 被申请人吉林某公司), with another role word
  (被申请人向申请人), with 方 marking a side (原告方律师), or with 和/向/于
  before a common word (监护人和学校).

Not masked: mediators' names (they act in office), organisation names,
places, and names written without a role word before them unless the record
lists them in ``parties``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache

from kb_service.personal_numbers import (
    BANK_CARD,
    ID_CARD,
    LANDLINE,
    MOBILE,
    NUMBER,
    is_valid_id_card,
    mask_numbers,
    passes_luhn,
)

ROLE_WORDS = (
    "被申请人", "申请人", "当事人", "原告", "被告", "上诉人", "被上诉人",
    "受害人", "死者", "患者", "伤者", "肇事者", "业主", "租户", "承租人", "出租人",
    "借款人", "出借人", "债务人", "债权人", "信访人", "丈夫", "妻子", "儿子", "女儿",
    "被继承人", "继承人", "第三人", "学生", "同学", "行人", "驾驶人", "驾驶员", "司机",
    "村民", "职工", "员工", "工人", "患儿", "产妇", "老人", "病人", "逝者",
    "父亲", "母亲", "哥哥", "弟弟", "姐姐", "妹妹", "公公", "婆婆", "岳父", "岳母",
    "爷爷", "奶奶", "外公", "外婆", "孙子", "孙女", "老伴", "前夫", "前妻", "未婚妻", "未婚夫",
    "委托代理人", "法定代理人", "诉讼代理人", "代理人", "证人", "见证人", "监护人", "担保人", "保证人",
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
_ROLE_RE = re.compile(
    # The look-ahead does not consume the text, so "被申请人刘淑芬系申请人李大勇" yields both.
    rf"(?:{'|'.join(sorted(ROLE_WORDS, key=len, reverse=True))})[:：]?\s*(?=(?P<rest>[\u4e00-\u9fff]{{2,5}}))"
)
_SIDE_FOLLOWERS = ("律师", "代表", "家属", "亲属", "人员")
"""What follows 方 when it marks a side (原告方代理人, 被告方律师), not the surname 方."""

COMMON_WORD_MIN_FREQUENCY = 100
"""A two-character word this frequent in jieba's dictionary, not tagged as a name, is no name."""
FOLLOWING_WORD_MIN_FREQUENCY = 500
"""How frequent a word after 和/向/于 must be to read those as "and", "to", "at" (和学校, 向调解)."""
_PARTICLE_SURNAMES = frozenset("和向于")
"""Surnames that after a role word are more often a conjunction or a preposition."""
_WORDS_TAGGED_AS_NAMES = frozenset({
    "查明", "陈述", "明白", "许可", "康复", "周转", "杜绝", "关怀", "张贴",
    "安抚", "顾忌", "祝贺", "陈列", "陈设", "张罗", "荣获", "顾客", "顾问",
})  # fmt: skip
"""Verbs and nouns that jieba's dictionary tags as person names (nr) but that follow role words."""


@dataclass(frozen=True)
class _Words:
    not_names: frozenset[str]
    """Words starting with a surname character that are not names: 单位, 应当, 方面, 吉林, 梅河口."""
    common: frozenset[str]
    """Frequent two-character words that are neither names nor places: 学校, 调解, 协议."""


@cache
def _words() -> _Words:
    """Read from jieba's own dictionary (word, frequency, part of speech), once and only when needed."""
    import jieba

    not_names: set[str] = set()
    common: set[str] = set()
    with jieba.get_dict_file() as lines:
        for raw in lines:
            word, frequency, tag, *_ = (*raw.decode("utf-8").split(), "", "")
            if not 2 <= len(word) <= 3 or not frequency.isdigit():
                continue
            count, is_name, is_place = int(frequency), tag.startswith("nr"), tag.startswith("ns")
            frequent_word = len(word) == 2 and count >= COMMON_WORD_MIN_FREQUENCY and not is_name
            if word in _WORDS_TAGGED_AS_NAMES or (word[0] in SINGLE_SURNAMES and (is_place or frequent_word)):
                not_names.add(word)
            if frequent_word and count >= FOLLOWING_WORD_MIN_FREQUENCY and not (is_place or tag == "nz"):
                common.add(word)
    return _Words(frozenset(not_names), frozenset(common))


def is_not_a_name(rest: str) -> bool:
    """Does ``rest`` (the text after a role word, starting with a single surname) begin with a word?"""
    if rest[1:].startswith(ROLE_WORDS):
        return True  # 被申请人向申请人赔礼, 原告和被告: a preposition or conjunction before a party
    if rest[0] == "方" and rest[1:].startswith(_SIDE_FOLLOWERS):
        return True  # 被告方律师: the defendant's side
    words = _words()
    if rest[:2] in words.not_names or rest[:3] in words.not_names:
        return True  # 申请人单位, 被告应当, 被申请人吉林某公司
    return rest[0] in _PARTICLE_SURNAMES and rest[1:3] in words.common  # 监护人和学校


def surname_of(name: str) -> str:
    for compound in COMPOUND_SURNAMES:
        if name.startswith(compound) and len(name) > len(compound):
            return compound
    return name[0]


def names_after_role_words(text: str) -> set[str]:
    """Personal names written right after a role word: 申请人王建国 → 王建国."""
    found: set[str] = set()
    for match in _ROLE_RE.finditer(text):
        rest = match.group("rest")
        if any(ch in _PLACE_OR_ORG for ch in rest):
            continue  # 申请人梅河口市某村委会: a place or an organisation, not a person
        surname = next((c for c in COMPOUND_SURNAMES if rest.startswith(c)), None)
        if surname is None:
            if rest[0] not in SINGLE_SURNAMES:
                continue
            if is_not_a_name(rest):
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
        text = mask_numbers(text)
        # Longest names first, so 欧阳明华 is replaced before a shorter 欧阳明.
        for name in sorted(self._replacements, key=len, reverse=True):
            text = text.replace(name, self._replacements[name])
        return text


__all__ = [
    "BANK_CARD",
    "COMMON_WORD_MIN_FREQUENCY",
    "FOLLOWING_WORD_MIN_FREQUENCY",
    "ID_CARD",
    "LANDLINE",
    "MOBILE",
    "NUMBER",
    "ROLE_WORDS",
    "Masker",
    "is_not_a_name",
    "is_valid_id_card",
    "mask_numbers",
    "names_after_role_words",
    "passes_luhn",
    "surname_of",
]
