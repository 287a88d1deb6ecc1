"""Reading statute citations as people write them, in a legal_basis entry or in running text.

Forms read (any mix of them, full-width or half-width, with or without spaces)::

    《中华人民共和国民法典》第一千零八十四条       full name in 《》
    《民法典》第1084条 · 民法典第一千零八十四条      short name, Arabic numerals, no 《》
    民法典第一千零八十四条第二款第（一）项          款 kept, 项 read and dropped
    《民法典》第一千零六十二条、第一千零六十三条    several articles, 、，和 及 与 或
    《民法典》第一千零六十二条第一款、第二款        several 款 of one article
    《民法典》第667、668条                          several numbers under one 条
    《民法典》第六百六十七条至第六百八十条          a range (至 到 - — ～), each article
    《刑法》第一百二十条之一                        an inserted article
    ……同法第五百七十九条                          同法/该法: the law cited just before

Numerals are read by ``cn2an`` (一千零八十四, 两百, 壹仟零捌拾肆) or as digits.
A name in 《》 may be any name; without 《》 it must be a name we know (or end
in 法/法典/条例/办法 after a punctuation mark), so that 协议第三条 is no citation.
A citation whose number cannot be read (第一千千条) is a
:class:`MalformedCitation`, reported rather than dropped.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Protocol

from laws import numerals
from laws.names import normalise_name, short_name
from laws.schema import article_label

MAX_RANGE = 200
"""A range longer than this (第一条至第一千二百六十条) is not a citation of each article."""

MAX_NAME = 60


class ResolvedName(Protocol):
    name: str
    law_id: str | None
    origin: str


class LawNames(Protocol):
    """What the parser needs to know about laws: see :class:`laws.catalog.LawCatalog`."""

    @property
    def names(self) -> frozenset[str]: ...

    def resolve(self, name: str) -> ResolvedName | None: ...


@dataclass(frozen=True)
class Citation:
    law_name_as_written: str
    law_id: str | None
    """The preferred version's id; ``None`` for an unknown law or one known only as repealed."""
    law_name: str
    """Full name (中华人民共和国民法典) where the law is known, else as written."""
    article: int | None
    """``None`` only for a whole-law citation (《信访工作条例》), read when asked for."""
    paragraph: int | None
    span: tuple[int, int]
    """Where in the text: the first article from its law's name on, each further one its own part."""
    sub: int | None = None
    """之一 → 1."""
    origin: str | None = None
    """``database``, ``local``, ``repealed``, or ``None`` when we know no law by that name."""

    @property
    def known(self) -> bool:
        return self.origin is not None

    @property
    def article_label(self) -> str:
        if self.article is None:
            return ""
        label = article_label(self.article, self.sub)
        return f"{label}第{numerals.an2cn(self.paragraph)}款" if self.paragraph else label

    @property
    def display(self) -> str:
        """The normalised form: 《民法典》第一千零八十四条第二款."""
        return f"《{short_name(self.law_name)}》{self.article_label}"


@dataclass(frozen=True)
class MalformedCitation:
    """A citation of a law whose article number cannot be read."""

    law_name_as_written: str
    law_id: str | None
    law_name: str
    written: str
    reason: str
    span: tuple[int, int]
    origin: str | None = None

    @property
    def display(self) -> str:
        return self.written


# Full-width ASCII and the ideographic space, one character for one, so spans stay valid.
_HALF_WIDTH = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)} | {
    0x3000: 0x20,
    ord("〈"): ord("《"),
    ord("〉"): ord("》"),
}

_NUM = r"[0-9]+|[零〇一二两三四五六七八九十百千壹贰叁肆伍陆柒捌玖拾佰仟]+"
_SUB = r"(?:之\s*(?P<sub>[一二三四五六七八九十]+))?"
_ARTICLE = re.compile(rf"第\s*(?P<n>{_NUM})\s*条{_SUB}")
_RANGE = re.compile(
    rf"第\s*(?P<a>{_NUM})\s*条?\s*(?:至|到|-|－|—|–|～|~)\s*第?\s*(?P<b>{_NUM})\s*条"
)
_SEVERAL = re.compile(rf"第\s*(?P<ns>(?:{_NUM})(?:\s*[、,]\s*(?:{_NUM}))+)\s*条")
_PARAGRAPH = re.compile(rf"\s*第\s*(?P<p>{_NUM})\s*款")
_ITEM = re.compile(rf"\s*(?:第\s*\(\s*(?:{_NUM})\s*\)|第\s*(?:{_NUM})|\(\s*(?:{_NUM})\s*\))\s*项")
_SEPARATOR = re.compile(r"\s*(?:、|,|以及|及|和|与|或者|或)\s*")
_UNREADABLE = re.compile(r"第\s*(?P<n>[^\s第条款,.;:!?、。，；：]{1,10})\s*条")
_BOOK_TITLE = re.compile(rf"《(?P<name>[^《》\n]{{1,{MAX_NAME}}})》")
_SAME_LAW = ("同法", "该法")
_THIS_LAW = re.compile(r"(?:本|此|该|同)(?:法典|法|条例|办法)$")
"""A statute's own text says 依据本法第五百八十二条, 适用本条例第十条: no citation of another law."""
_GENERIC_NAME = re.compile(
    r"(?:^|[\s,.;:()\"'“”、。，；：（）])(?:根据|依据|依照|按照|参照|违反|适用|援引|引用|依)?"
    r"(?P<name>[\u4e00-\u9fff]{2,20}?(?:法典|法|条例|办法))\s*$"
)


MAX_ARTICLE = 99_999
"""No law has more articles (民法典: 1,260); beyond it a number is a typo, and too large for the database."""


def _number(text: str) -> int | None:
    text = re.sub(r"\s+", "", text)
    try:
        value = int(text) if text.isdigit() else numerals.cn2an(text)
    except (ValueError, KeyError, IndexError):
        return None
    return value if 1 <= value <= MAX_ARTICLE else None  # 999999…条 is a typo, never an article


@dataclass(frozen=True)
class _Ref:
    number: int | None
    sub: int | None
    paragraph: int | None
    span: tuple[int, int]
    written: str
    reason: str | None = None


def _sub(match: re.Match) -> int | None:
    sub = match.groupdict().get("sub")
    return _number(sub) if sub else None


def _bad_number(written: str) -> str:
    return f"“{written}”不是有效的条文序号：请写成“第一千零八十四条”或“第1084条”"


def _one_article(text: str, start: int) -> tuple[list[_Ref], int] | None:
    """The article (or range, or 第A、B条 list) at ``start``, with its 款 and 项."""
    if match := _RANGE.match(text, start):
        first, last = _number(match["a"]), _number(match["b"])
        span, written = match.span(), match.group()
        if first is None or last is None:
            return [_Ref(None, None, None, span, written, _bad_number(written))], match.end()
        if not 0 <= last - first < MAX_RANGE:
            reason = f"条文范围“{written}”无效：起始条文应在结束条文之前，且不超过 {MAX_RANGE} 条"
            return [_Ref(None, None, None, span, written, reason)], match.end()
        return [_Ref(n, None, None, span, written) for n in range(first, last + 1)], match.end()
    if match := _SEVERAL.match(text, start):
        refs = []
        for part in re.finditer(_NUM, match["ns"]):
            number = _number(part.group())
            reason = None if number else _bad_number(part.group())
            refs.append(_Ref(number, None, None, match.span(), match.group(), reason))
        return refs, match.end()
    if match := _ARTICLE.match(text, start):
        end, paragraph = match.end(), None
        if para := _PARAGRAPH.match(text, end):
            paragraph, end = _number(para["p"]), para.end()
            if paragraph is None:
                written = text[start:end]
                return [
                    _Ref(
                        None,
                        None,
                        None,
                        (start, end),
                        written,
                        f"“{para.group().strip()}”不是有效的款序号",
                    )
                ], end
        if item := _ITEM.match(text, end):
            end = item.end()
        number, written = _number(match["n"]), match.group()
        reason = None if number else _bad_number(written)
        return [_Ref(number, _sub(match), paragraph, (start, end), text[start:end], reason)], end
    return None


def _article_list(text: str, start: int) -> tuple[list[_Ref], int]:
    """Articles from ``start`` on, joined by 、，和 及 与 或; ([], start) if none."""
    found = _one_article(text, start)
    if found is None:
        if match := _UNREADABLE.match(text, start):
            return [
                _Ref(None, None, None, match.span(), match.group(), _bad_number(match.group()))
            ], match.end()
        return [], start
    refs, end = found
    while separator := _SEPARATOR.match(text, end):
        following = _one_article(text, separator.end())
        if following is not None:
            more, end = following
            refs.extend(more)
            continue
        # 第一千零六十二条第一款、第二款: another 款 of the same article
        para = _PARAGRAPH.match(text, separator.end())
        if para and refs and refs[-1].number is not None and (paragraph := _number(para["p"])):
            last = refs[-1]
            refs.append(
                _Ref(
                    last.number,
                    last.sub,
                    paragraph,
                    (separator.end(), para.end()),
                    para.group().strip(),
                )
            )
            end = para.end()
            continue
        break
    return refs, end


class _Law:
    """A law as written at one place in the text, resolved once."""

    def __init__(self, written: str, names: LawNames) -> None:
        self.written = written
        resolved = names.resolve(written)
        self.law_id = resolved.law_id if resolved else None
        self.name = resolved.name if resolved else normalise_name(written)
        self.origin = resolved.origin if resolved else None


def _citations(
    law: _Law, refs: list[_Ref], name_start: int, original: str
) -> Iterator[Citation | MalformedCitation]:
    for index, ref in enumerate(refs):
        start = name_start if index == 0 else ref.span[0]
        span = (start, ref.span[1])
        if ref.reason or ref.number is None:
            written = original[ref.span[0] : ref.span[1]]
            yield MalformedCitation(
                law.written, law.law_id, law.name, written, ref.reason or "", span, law.origin
            )
        else:
            yield Citation(
                law.written,
                law.law_id,
                law.name,
                ref.number,
                ref.paragraph,
                span,
                ref.sub,
                law.origin,
            )


def _bare_name(original: str, end: int, names: LawNames) -> tuple[str, int] | None:
    """The law name written just before ``end`` (spaces allowed), longest known name first."""
    stop = end
    while stop > 0 and original[stop - 1].isspace():
        stop -= 1
    known = names.names
    for length in range(min(MAX_NAME, stop), 1, -1):
        candidate = original[stop - length : stop]
        if normalise_name(candidate) in known or candidate in _SAME_LAW:
            return candidate, stop - length
    # a window, not the whole text before: running text has many 第…条 (and ``^`` still means
    # the real start of the text with ``pos``)
    match = _GENERIC_NAME.search(original, max(0, stop - 30), stop)
    if match and not _THIS_LAW.search(match["name"]):
        return match["name"], match.start("name")
    return None


def scan_citations(
    text: str, names: LawNames | None = None, *, whole_law: bool = False
) -> list[Citation | MalformedCitation]:
    """Every citation in ``text`` in reading order, unreadable ones included.

    With ``whole_law`` a law named in 《》 without an article is a citation of the
    whole law (article ``None``): a legal_basis entry such as 《信访工作条例》.
    """
    if names is None:
        from laws.catalog import default_catalog

        names = default_catalog()
    original = text
    text = text.translate(_HALF_WIDTH)
    found: list[Citation | MalformedCitation] = []
    previous: _Law | None = None
    position = 0
    for match in re.finditer(r"《|第", text):
        if match.start() < position:
            continue
        if match.group() == "《":
            title = _BOOK_TITLE.match(text, match.start())
            if title is None:
                continue
            law = _Law(original[title.start("name") : title.end("name")], names)
            previous = law
            after = title.end()
            while after < len(text) and text[after].isspace():
                after += 1
            refs, end = _article_list(text, after)
            if refs:
                found.extend(_citations(law, refs, title.start(), original))
                position = end
            else:
                if whole_law:
                    found.append(
                        Citation(
                            law.written,
                            law.law_id,
                            law.name,
                            None,
                            None,
                            title.span(),
                            None,
                            law.origin,
                        )
                    )
                position = title.end()
            continue
        refs, end = _article_list(text, match.start())
        if not refs:
            continue
        bare = _bare_name(original, match.start(), names)
        if bare is None:
            continue
        written, name_start = bare
        if written in _SAME_LAW:
            if previous is None:
                continue
            law = previous
        else:
            law = previous = _Law(written, names)
        found.extend(_citations(law, refs, name_start, original))
        position = end
    return found


def find_citations(
    text: str, names: LawNames | None = None, *, whole_law: bool = False
) -> list[Citation]:
    """The readable citations in ``text`` (see :func:`scan_citations`)."""
    return [c for c in scan_citations(text, names, whole_law=whole_law) if isinstance(c, Citation)]
