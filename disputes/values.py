"""Reading the values people type into registers: dates, amounts, counts, yes/no.

Each reader takes what a form, a JSON body or a spreadsheet cell holds and
returns the value or raises ``ValueError`` with a Chinese message saying what
is expected. They run inside the pydantic validators, so the API, ``kb
disputes add`` and the importer read values the same way.

Dates are read by pattern, not by ``dateutil``: dateutil fills in missing
parts from today and guesses between day-first and month-first, while a
register needs exactly the date that was written. Accepted: ``2026-03-05``,
``2026/3/5``, ``2026.3.5``, ``2026年3月5日``, ``20260305``, full-width digits,
and the date or datetime objects a spreadsheet cell yields.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from decimal import Decimal, InvalidOperation
from typing import Any

import cn2an

_DATE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")
_COMPACT_DATE = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_DATE_HELP = "应为日期，如 2026-03-05、2026/3/5 或 2026年3月5日"


def _text(value: Any) -> str:
    return unicodedata.normalize("NFKC", str(value)).strip()


def parse_date(value: Any) -> dt.date | None:
    """A date, or None for an empty value; ValueError saying the accepted forms."""
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str) and len(value) == 10:
        try:
            return dt.date.fromisoformat(value)  # the common case, fast
        except ValueError:
            pass
    text = _text(value)
    if not text:
        return None
    text = text.split("T")[0].split(" ")[0] if re.match(r"^\d{4}-\d{2}-\d{2}[T ]", text) else text
    match = _DATE.match(text) or _COMPACT_DATE.match(text)
    if not match:
        raise ValueError(f"“{value}”{_DATE_HELP}")
    year, month, day = (int(part) for part in match.groups())
    try:
        return dt.date(year, month, day)
    except ValueError:
        raise ValueError(f"“{value}”不是有效的日期（{year}年{month}月{day}日不存在）") from None


def parse_amount(value: Any) -> float | None:
    """Yuan: ``12000``, ``12,000.50``, ``1.2万``, ``12000元``, ``约5万元``, ``五万``."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise ValueError("金额应为数字（元）")
    if isinstance(value, int | float | Decimal):
        return float(value)
    text = _text(value).replace(",", "").replace("，", "").replace(" ", "")
    text = text.removeprefix("约").removeprefix("人民币").removeprefix("¥").removeprefix("￥")
    text = text.removesuffix("元").removesuffix("人民币")
    if not text:
        return None
    multiplier = 1
    if text.endswith("万"):
        text, multiplier = text[:-1], 10_000
    try:
        number = Decimal(text)
    except InvalidOperation:
        try:
            number = Decimal(str(cn2an.cn2an(text, "smart")))
        except (ValueError, KeyError, TypeError):
            raise ValueError(f"“{value}”应为金额（元），如 12000、1.2万 或 12000元") from None
    return float(number * multiplier)


def parse_count(value: Any) -> int | None:
    """A head count: ``12``, ``12人``, ``十二``."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise ValueError("人数应为整数")
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        if value.is_integer():
            return int(value)
        raise ValueError(f"“{value}”人数应为整数")
    text = _text(value).removesuffix("人").removesuffix("名").removeprefix("约")
    if not text:
        return None
    if text.isdigit():
        return int(text)
    try:
        number = cn2an.cn2an(text, "smart")
    except (ValueError, KeyError, TypeError):
        raise ValueError(f"“{value}”人数应为整数，如 12") from None
    if float(number).is_integer():
        return int(number)
    raise ValueError(f"“{value}”人数应为整数，如 12")


_TRUE = {"true", "yes", "y", "1", "是", "已履行", "履行", "对", "√"}
_FALSE = {"false", "no", "n", "0", "否", "未履行", "不", "×"}


def parse_bool(value: Any) -> bool | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return value
    text = _text(value).lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise ValueError(f"“{value}”应为 是 或 否")
