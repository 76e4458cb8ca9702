"""Validation problems in Chinese: pydantic's error types → what a person reads.

Pydantic writes its messages in English ("Input should be a valid integer", "String should match pattern …").
Every API answer and every form uses `problem(error)` instead, so no English message reaches a user: each
known error type has its Chinese sentence (with the limit it names, from the error's `ctx`), a validator's own
message (`value_error`, `assertion_error`) is kept without pydantic's English prefix, and anything else gets
a plain 取值不合法. Kernel only: no feature, no FastAPI."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

# error type → sentence; {name} is filled from the error's ctx (a missing key leaves the generic sentence)
MESSAGES: dict[str, str] = {
    "missing": "必填",
    "missing_argument": "必填",
    "missing_keyword_only_argument": "必填",
    "extra_forbidden": "不接受此字段",
    "unexpected_keyword_argument": "不接受此字段",
    "frozen_field": "不可修改",
    "string_type": "应为文字",
    "string_too_short": "至少 {min_length} 个字",
    "string_too_long": "最多 {max_length} 个字",
    "string_pattern_mismatch": "格式不正确",
    "string_unicode": "应为有效的文字",
    "string_sub_type": "应为文字",
    "int_type": "应为整数",
    "int_parsing": "应为整数",
    "int_parsing_size": "整数超出范围",
    "int_from_float": "应为整数",
    "float_type": "应为数字",
    "float_parsing": "应为数字",
    "finite_number": "应为有限的数字",
    "decimal_type": "应为数字",
    "decimal_parsing": "应为数字",
    "decimal_max_digits": "数字位数过多",
    "decimal_max_places": "小数位数过多",
    "decimal_whole_digits": "整数位数过多",
    "greater_than": "应大于 {gt}",
    "greater_than_equal": "应不小于 {ge}",
    "less_than": "应小于 {lt}",
    "less_than_equal": "应不大于 {le}",
    "multiple_of": "应为 {multiple_of} 的倍数",
    "bool_type": "应为是或否 (true/false)",
    "bool_parsing": "应为是或否 (true/false)",
    "literal_error": "应为以下之一: {expected}",
    "enum": "应为以下之一: {expected}",
    "list_type": "应为列表",
    "tuple_type": "应为列表",
    "set_type": "应为列表",
    "frozen_set_type": "应为列表",
    "dict_type": "应为对象",
    "mapping_type": "应为对象",
    "model_type": "应为对象",
    "model_attributes_type": "应为对象",
    "dataclass_type": "应为对象",
    "too_short": "至少 {min_length} 项",
    "too_long": "最多 {max_length} 项",
    "json_invalid": "不是有效的 JSON",
    "json_type": "不是有效的 JSON",
    "date_type": "应为日期 (YYYY-MM-DD)",
    "date_parsing": "应为日期 (YYYY-MM-DD)",
    "date_from_datetime_parsing": "应为日期 (YYYY-MM-DD)",
    "date_from_datetime_inexact": "应为日期, 不带时间",
    "date_past": "应为过去的日期",
    "date_future": "应为将来的日期",
    "datetime_type": "应为时间 (ISO 8601)",
    "datetime_parsing": "应为时间 (ISO 8601)",
    "datetime_from_date_parsing": "应为时间 (ISO 8601)",
    "datetime_object_invalid": "时间不合法",
    "datetime_past": "应为过去的时间",
    "datetime_future": "应为将来的时间",
    "timezone_naive": "时间不应带时区",
    "timezone_aware": "时间须带时区",
    "time_type": "应为时刻 (HH:MM)",
    "time_parsing": "应为时刻 (HH:MM)",
    "time_delta_type": "应为时长",
    "time_delta_parsing": "应为时长",
    "url_type": "应为网址",
    "url_parsing": "网址不合法",
    "url_syntax_violation": "网址不合法",
    "url_too_long": "网址过长",
    "url_scheme": "网址协议不合法",
    "uuid_type": "应为 UUID",
    "uuid_parsing": "UUID 不合法",
    "uuid_version": "UUID 版本不对",
    "bytes_type": "应为文件或字节",
    "bytes_too_short": "至少 {min_length} 字节",
    "bytes_too_long": "最多 {max_length} 字节",
    "union_tag_invalid": "类型不对, 应为以下之一: {expected_tags}",
    "union_tag_not_found": "缺少类型字段 {discriminator}",
    "is_instance_of": "类型不对",
    "is_subclass_of": "类型不对",
    "callable_type": "类型不对",
    "none_required": "应为空",
    "no_such_attribute": "不接受此字段",
    "get_attribute_error": "取值不合法",
    "recursion_loop": "嵌套过深",
    "complex_type": "应为数字",
    "complex_str_parsing": "应为数字",
    "ip_any_address": "应为 IP 地址",
    "value_error": "取值不合法",
    "assertion_error": "取值不合法",
}
GENERIC = "取值不合法"
_OWN_PREFIXES = ("Value error, ", "Assertion failed, ")  # a validator's own message follows these


def _is_chinese(text: str) -> bool:
    """A validator's own message is kept when it is written for people here (it has Chinese in it)."""
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


def _filled(template: str, ctx: Mapping[str, Any]) -> str:
    try:
        return template.format(**{k: _plain(v) for k, v in ctx.items()})
    except (KeyError, IndexError, ValueError):
        return GENERIC


def _plain(value: Any) -> str:
    text = str(value)
    # pydantic's lists of choices read "'a', 'b' or 'c'": keep the values, drop the English
    return text.replace(" or ", "、").replace("'", "")


def problem(error: Mapping[str, Any]) -> str:
    """One pydantic error (an item of `ValidationError.errors()`) in Chinese."""
    kind = str(error.get("type", ""))
    ctx = error.get("ctx") or {}
    if kind in ("value_error", "assertion_error"):
        message = str(error.get("msg", ""))
        for prefix in _OWN_PREFIXES:
            message = message.removeprefix(prefix)
        if _is_chinese(message):
            return message
        return MESSAGES[kind]
    template = MESSAGES.get(kind)
    if template is None:
        return GENERIC
    return _filled(template, ctx) if "{" in template else template


def field_of(error: Mapping[str, Any], skip: int = 1) -> str:
    """Where the problem is, without the leading "body"/"query"/"path" (and the union's tag)."""
    return ".".join(str(p) for p in tuple(error.get("loc", ()))[skip:])


def problems(errors: Iterable[Mapping[str, Any]], skip: int = 1) -> list[dict[str, str]]:
    """Every error as {"field", "problem"} (the shape of the API's validation_error details)."""
    return [{"field": field_of(e, skip), "problem": problem(e)} for e in errors]
