"""Turning pydantic validation errors into Chinese messages that name file, line and field."""

from __future__ import annotations

import contextlib
from typing import TypeVar

from pydantic import BaseModel, ValidationError

from kb_service.library import RawRecord, Rejection, field_line

_MESSAGES = {
    "missing": "缺少必填字段",
    "extra_forbidden": "未知字段（请检查拼写）",
    "string_type": "应为文本",
    "int_parsing": "应为整数",
    "int_type": "应为整数",
    "int_from_float": "应为整数",
    "finite_number": "应为有限的数字",
    "float_parsing": "应为数字",
    "float_type": "应为数字",
    "bool_parsing": "应为 true 或 false",
    "bool_type": "应为 true 或 false",
    "date_from_datetime_parsing": "应为日期（YYYY-MM-DD）",
    "date_parsing": "应为日期（YYYY-MM-DD）",
    "date_type": "应为日期（YYYY-MM-DD）",
    "list_type": "应为列表",
    "dict_type": "应为对象",
    "model_type": "应为对象",
    "model_attributes_type": "应为对象",
    "string_unicode": "应为有效的 Unicode 文本",
    "literal_error": "取值无效",
    "greater_than_equal": "应不小于 {ge}",
    "greater_than": "应大于 {gt}",
    "less_than_equal": "应不大于 {le}",
    "less_than": "应小于 {lt}",
    "string_too_short": "不能为空",
    "string_too_long": "过长（最多 {max_length} 个字符）",
    "too_short": "至少需要 {min_length} 项",
    "too_long": "最多 {max_length} 项",
    "string_pattern_mismatch": "格式不符合要求",
    "json_invalid": "不是有效的 JSON",
}


M = TypeVar("M", bound=BaseModel)


def describe_error(error: dict) -> tuple[str, str]:
    """(field path, Chinese message) for one pydantic error."""
    field = ".".join(str(part) for part in error["loc"]) or "记录"
    kind = error["type"]
    if kind == "value_error":
        message = str(error.get("ctx", {}).get("error", error["msg"]))
    else:
        message = _MESSAGES.get(kind, error["msg"])
        with contextlib.suppress(KeyError, IndexError, ValueError):  # a message without placeholders
            message = message.format(**error.get("ctx", {}))
        if kind == "literal_error":
            message += f"，可选：{error.get('ctx', {}).get('expected', '')}"
    return field, message


def validate_record(model: type[M], record: RawRecord, data: dict) -> M | Rejection:
    """The model, or one Rejection listing every problem with the first problem's line."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        problems = [describe_error(e) for e in exc.errors()]
        top_field = problems[0][0].split(".")[0]
        line = field_line(record, top_field)
        reason = "；".join(f"字段 {field}：{message}" for field, message in problems)
        return Rejection(record.path, line, reason)
