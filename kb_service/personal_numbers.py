"""ID-card, phone and bank-card numbers in free text, found by their shape, not their checksum.

A typo in a real ID number is still that person's ID number, so nothing here
depends on a check digit. The rule is broad on purpose: **every run of 11 or
more digits is masked** unless it is one of the known non-personal shapes
below. What a run becomes only decides the label:

- ``[身份证号]``: 18 characters (17 digits and a digit or X) with a province
  code and a birth year 18xx–20xx where a birth year belongs, or a valid GB
  11643 check digit, or any trailing X; 15-digit first-generation numbers with
  a province code and a plausible month and day (YYMMDD inside); any number
  of 8+ characters right after 身份证/身份证号/公民身份号码/证件号码;
- ``[手机号]``: 11 digits 1[3-9]…, also after +86, 0086, (+86) or 86;
- ``[电话]``: landlines with an area code (010, 02x, 0xxx) in every usual form
  — 0431-8888 6666, (0431)88886666, （0431）8888-6666, 0431 88886666,
  +86 431 8888 6666 — with an extension (转 123, 分机 123, ext. 123, -123);
  any 7+ digit number right after 电话/手机/联系电话/联系方式/座机/固话/Tel;
- ``[银行卡号]``: 16–19 digits (not an ID number) that pass the Luhn check or
  start like a card (3, 4, 5, 6, 9); any 8+ digit number right after
  卡号/账号/银行卡/银行账户/账户;
- ``[号码]``: any other run of 11+ digits.

Digits are matched in any width (``\\d`` matches ０-９ too), X in any width,
and between digits one to three spaces (also U+3000 and no-break spaces) or
dashes of any kind may stand: ``2201 0419 8503 1523 12``,
``220104-19850315-2312`` and ``１３９－０４３１－５６７８`` are all numbers.
Two numbers with only a space between them form one run; the run is split at
its spaces when every part is a recognised number, otherwise it is one
``[号码]``.

What is **not** personal data, and stays:

- numbers with fewer than 11 digits: amounts (260000元, 1,500,000元), dates
  (20230512, 2023-05-12), case numbers (（2023）吉0102民初1234号), article
  numbers (第1084条), counts, hotlines (12345, 95588, 400-123-4567);
- lists of years or dates written with spaces (2019 2020 2021,
  2023-05-12 2023-06-01);
- a code right after a label that says what it is: 订单号, 运单号, 快递单号,
  物流单号, 交易单号, 流水号, 合同编号, 发票号码, 保单号, 车架号, 注册号,
  统一社会信用代码 and the like (``NON_PERSONAL_LABELS``);
- a code glued to two or more Latin letters (SF1234567890123, HT20230512001)
  unless the letters are ID, TEL, PHONE, MOBILE, FAX, CARD or QQ;
- the digits after a decimal point (0.81234567890123 in a score).

Not covered: numbers written in Chinese numerals (一三九…), e-mail and
messaging accounts, addresses and licence plates.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date

ID_CARD = "[身份证号]"
MOBILE = "[手机号]"
LANDLINE = "[电话]"
BANK_CARD = "[银行卡号]"
NUMBER = "[号码]"

MIN_MASKED_DIGITS = 11
"""A run of this many digits is masked whatever it looks like (unless a known safe shape)."""

PROVINCE_CODES = frozenset({
    "11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37",
    "41", "42", "43", "44", "45", "46", "50", "51", "52", "53", "54", "61", "62", "63", "64", "65",
    "71", "81", "82", "83",
})  # fmt: skip
"""First two digits of a resident ID number (GB/T 2260; 71 台湾, 81 香港, 82 澳门, 83 港澳台居住证)."""

NON_PERSONAL_LABELS = (
    "订单号", "订单编号", "订单号码", "运单号", "运单编号", "快递单号", "快递号", "物流单号",
    "交易单号", "交易流水号", "交易号", "流水号", "支付单号", "合同编号", "合同号", "发票号码",
    "发票代码", "发票号", "保单号", "批次号", "工单号", "受理号", "受理编号", "车架号",
    "发动机号", "注册号", "统一社会信用代码", "商品编号", "条形码",
)  # fmt: skip
"""Labels after which a number is a code of a thing, not of a person."""

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"

_SEP = r"[ \u00a0\u3000\-\u2010-\u2015\u2212\ufe58\ufe63\uff0d]"
"""What may stand between the digit groups of a number: spaces and dashes, any width."""
_SEPS = rf"{_SEP}{{1,3}}"
_RUN = rf"\d(?:(?:{_SEPS})?\d)*"
_X = r"[XxＸｘ]"
_LATIN = r"A-Za-zＡ-Ｚａ-ｚ"
_EXTENSION = r"(?:\s*(?:转|分机|ext\.?|EXT\.?|Ext\.?)\s*\d{1,6})"
_IS = r"[:：]?\s*(?:为|是)?\s*"


def _labels(*words: str) -> str:
    return "|".join(sorted(words, key=len, reverse=True))


_ID_LABELS = (
    "公民身份号码",
    "身份证件号码",
    "身份证号码",
    "身份证号",
    "身份证",
    "身份号码",
    "证件号码",
    "证件号",
)
_CARD_LABELS = ("银行卡", "银行账户", "银行账号", "卡号", "账号", "帐号", "账户")
_PHONE_LABELS = (
    "联系电话", "联系方式", "电话号码", "手机号码", "手机号", "固定电话", "固话", "座机", "电话", "手机",
    "Tel", "TEL", "tel",
)  # fmt: skip
_FIRST_CHARACTERS = "".join(
    sorted({w[0] for w in (*NON_PERSONAL_LABELS, *_ID_LABELS, *_CARD_LABELS, *_PHONE_LABELS)})
)
_NUMBERS_RE = re.compile(
    # One character class first, so that the many alternatives below are tried only where
    # one of them can start (masking runs on every record; this keeps it a single fast pass).
    rf"(?=[{_FIRST_CHARACTERS}{_LATIN}(（+＋]|\d)(?:"
    # 1. a code after a label that says it is not a person's: kept as written
    rf"(?P<kept>(?:{_labels(*NON_PERSONAL_LABELS)}){_IS}[0-9{_LATIN}０-９](?:[0-9{_LATIN}０-９]|{_SEP}(?=[0-9０-９]))*)"
    # 2. a code glued to Latin letters (SF1234567890123), unless the letters say "phone" or "ID"
    rf"|(?P<code>(?<![{_LATIN}])(?!(?i:id|tel|phone|mobile|mob|fax|card|qq|ｉｄ|ｔｅｌ)[-\d])[{_LATIN}]{{2,}}-?\d+(?:-\d+)*)"
    # 3. labelled numbers: the label stays, the number goes whatever its shape
    rf"|(?P<id_label>(?:{_labels(*_ID_LABELS)}){_IS})"
    rf"(?P<id_number>[\dXxＸｘ](?:(?:{_SEPS})?[\dXxＸｘ]){{7,}})"
    rf"|(?P<card_label>(?:{_labels(*_CARD_LABELS)})(?:号码|号)?{_IS})"
    rf"(?P<card_number>\d(?:(?:{_SEPS})?\d){{7,}})"
    rf"|(?P<phone_label>(?:{_labels(*_PHONE_LABELS)}){_IS})"
    rf"(?P<phone_number>(?:[(（]\s*[+＋]?\d{{2,4}}\s*[)）]\s*)?[+＋]?\d(?:(?:{_SEPS})?\d){{6,}}{_EXTENSION}?)"
    # 4. an area code or country code in brackets: (0431)88886666, （+86）139 0431 5678
    rf"|(?P<bracket>[(（]\s*[+＋]?\d{{2,4}}\s*[)）])(?P<bracket_gap>\s*(?:{_SEPS})?)(?P<bracket_run>{_RUN})(?P<bracket_ext>{_EXTENSION}?)"
    # 5. any other run of digits; the digits after a decimal point are a fraction
    rf"|(?<!\d)(?<!\d[.．])(?P<plus>[+＋])?(?P<run>{_RUN})(?P<x>(?:{_SEPS})?{_X}(?![{_LATIN}]))?(?P<ext>{_EXTENSION})?"
    ")"
)
_SPLIT_RE = re.compile(_SEPS)
_SPACES_RE = re.compile(r"[ \u00a0\u3000]+")
_YEAR_RE = re.compile(r"(?:19|20)\d\d")
_DATE_RE = re.compile(rf"((?:19|20)\d\d)(?:{_SEP})?(\d\d?)(?:{_SEP})?(\d\d?)")


def ascii_digits(text: str) -> str:
    """The digits of ``text`` as ASCII, in order (full-width ones included)."""
    return "".join(ch for ch in unicodedata.normalize("NFKC", text) if ch.isdigit())


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


def looks_like_id_card(digits: str) -> bool:
    """An ID number by its shape, check digit or not (``digits``: ASCII, X upper-case)."""
    if len(digits) == 18:
        if digits.endswith("X") or is_valid_id_card(digits):
            return True
        return digits[:2] in PROVINCE_CODES and digits[6:8] in ("18", "19", "20")
    if len(digits) == 15 and digits.isdigit():  # first generation: region, YYMMDD, sequence
        return (
            digits[:2] in PROVINCE_CODES
            and 1 <= int(digits[8:10]) <= 12
            and 1 <= int(digits[10:12]) <= 31
        )
    return False


def _is_mobile(digits: str) -> bool:
    for prefix in ("", "86", "0086"):
        rest = digits[len(prefix) :]
        if (
            digits.startswith(prefix)
            and len(rest) == 11
            and rest[0] == "1"
            and rest[1] in "3456789"
        ):
            return True
    return False


def _has_area_code(digits: str) -> bool:
    return digits.startswith(("010", "02")) or (
        len(digits) > 1 and digits[0] == "0" and digits[1] in "3456789"
    )


def _is_landline(digits: str, groups: list[str] | None = None) -> bool:
    """0431 8888 6666 and the like; ``groups`` lets a trailing 1–5 digit group be an extension."""
    for prefix in ("0086", "86"):
        if digits.startswith(prefix) and not digits.startswith(prefix + "0"):
            digits = "0" + digits[len(prefix) :]
            break
    if not _has_area_code(digits):
        return False
    if 10 <= len(digits) <= 12:
        return True
    if groups and len(groups) >= 3 and 1 <= len(groups[-1]) <= 5:
        return 10 <= len(digits) - len(groups[-1]) <= 12
    return False


def _is_date_list(text: str) -> bool:
    """2019 2020 2021 or 2023-05-12 2023-06-01: years and dates with spaces between them."""
    parts = _SPACES_RE.split(text.strip())
    if len(parts) < 2:
        return False
    for part in parts:
        part = unicodedata.normalize("NFKC", part)
        if _YEAR_RE.fullmatch(part):
            continue
        found = _DATE_RE.fullmatch(part)
        if not found or not (1 <= int(found.group(2)) <= 12 and 1 <= int(found.group(3)) <= 31):
            return False
    return True


def classify(number: str) -> str | None:
    """The mask for one written number (separators allowed), or ``None`` when it stays."""
    digits = ascii_digits(number)
    if unicodedata.normalize("NFKC", number).upper().endswith("X"):
        return ID_CARD if len(digits) == 17 else None
    groups = [ascii_digits(g) for g in _SPLIT_RE.split(number)]
    if _is_mobile(digits):
        return MOBILE
    if _is_landline(digits, groups):
        return LANDLINE
    if len(digits) < MIN_MASKED_DIGITS or _is_date_list(number):
        return None
    if looks_like_id_card(digits):
        return ID_CARD
    if 16 <= len(digits) <= 19 and (passes_luhn(digits) or digits[0] in "34569"):
        return BANK_CARD
    return NUMBER


def _mask_run(run: str) -> str:
    """A run of digits masked as one number, or part by part where spaces split it into numbers."""
    mask = classify(run)
    if mask is None or mask != NUMBER:
        return run if mask is None else mask
    parts = _SPACES_RE.split(run)
    if len(parts) > 1 and all(classify(p) not in (None, NUMBER) for p in parts):
        separators = _SPACES_RE.findall(run)
        masked = [classify(p) or p for p in parts]
        return "".join(m + s for m, s in zip(masked, [*separators, ""], strict=True))
    return NUMBER


def _phone_mask(number: str) -> str:
    return MOBILE if _is_mobile(ascii_digits(number)) else LANDLINE


def _replace(match: re.Match[str]) -> str:
    if match.group("kept") is not None or match.group("code") is not None:
        return match.group()
    if match.group("id_label") is not None:
        return match.group("id_label") + ID_CARD
    if match.group("card_label") is not None:
        return match.group("card_label") + BANK_CARD
    if match.group("phone_label") is not None:
        return match.group("phone_label") + _phone_mask(match.group("phone_number"))
    if match.group("bracket") is not None:
        bracket, run, ext = (
            match.group("bracket"),
            match.group("bracket_run"),
            match.group("bracket_ext"),
        )
        digits = ascii_digits(bracket + run)
        if _is_mobile(digits) or _is_landline(digits):
            return _phone_mask(bracket + run)
        return bracket + match.group("bracket_gap") + _mask_run(run) + ext
    plus, run, x, ext = (match.group(g) or "" for g in ("plus", "run", "x", "ext"))
    if x:
        if len(ascii_digits(run)) == 17:
            return plus + ID_CARD + ext
        return plus + _mask_run(run) + x + ext
    if classify(run) in (MOBILE, LANDLINE):
        return classify(run) or ""  # the + of +86 and the extension go with the number
    return plus + _mask_run(run) + ext


def mask_numbers(text: str) -> str:
    """``text`` with every ID-card, phone and bank-card number (and any other 11+ digit run) masked."""
    if not text:
        return text
    return _NUMBERS_RE.sub(_replace, text)
