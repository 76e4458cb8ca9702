"""No English pydantic message reaches a user: every operation of the OpenAPI schema is called with bad values
(wrong types, over-long text, patterns, enums, missing fields, unknown fields) and no 4xx answer says
"Input should …", "String should …", "Field required" and the like; each problem is in Chinese."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest
from pydantic import BaseModel, Field, ValidationError

from gridgov.web.messages import problem, problems

from conftest import Api, World

ENGLISH = re.compile(
    r"Input should|String should|Field required|Value error|should have|Extra inputs|valid integer|"
    r"valid number|valid string|valid boolean|valid list|valid dictionary|Unable to parse|JSON decode|"
    r"at least \d|at most \d|Assertion failed|Invalid JSON|not permitted",
    re.IGNORECASE,
)
CJK = re.compile(r"[\u4e00-\u9fff]")


def _bad_values(schema: dict[str, Any]) -> list[Any]:
    """Values that break a parameter's schema in different ways."""
    schema = next((s for s in schema.get("anyOf", []) if s.get("type") != "null"), schema)
    kind = schema.get("type")
    values: list[Any] = []
    if kind in ("integer", "number"):
        values += ["abc", "1.5e999", str(10**20)]
        if "minimum" in schema:
            values.append(str(int(schema["minimum"]) - 1))
    elif kind == "boolean":
        values.append("vielleicht")
    elif kind == "string":
        if "maxLength" in schema:
            values.append("长" * (int(schema["maxLength"]) + 1))
        if "pattern" in schema or "enum" in schema or "format" in schema:
            values.append("!!bad value!!")
    elif kind == "array":
        values.append("abc")
    return values


def _bad_bodies() -> list[Any]:
    return [
        "not json",
        [],
        {"unknown_field_xyz": 1},
        {"title": 123, "action": 5, "name": ["x"], "code": {"a": 1}, "version": "v", "lat": "north"},
        {"title": "长" * 6000, "description": "长" * 20000, "reporter_phone": "call me", "email": "no"},
        {"action": "no_such_action"},
        {"action": "register", "version": "x", "note": 5},
    ]


def _fill(path: str) -> str:
    return re.sub(r"\{[^}]+\}", "1", path)


def _check(response: httpx.Response, where: str, seen: list[str]) -> None:
    if not 400 <= response.status_code < 500:
        return
    body = response.text
    assert not ENGLISH.search(body), f"{where}: English message in {response.status_code}: {body[:400]}"
    if "application/json" in response.headers.get("content-type", ""):
        data = response.json()
        error = data.get("error") if isinstance(data, dict) else None
        if isinstance(error, dict):  # the one error shape (Open311 keeps its own list shape)
            assert CJK.search(str(error.get("message", ""))), f"{where}: {body[:300]}"
            for p in (error.get("details") or {}).get("problems", []):
                assert CJK.search(p["problem"]), f"{where}: problem not in Chinese: {p}"
    seen.append(where)


@pytest.mark.slow
def test_no_english_validation_message_anywhere_in_the_api(client: httpx.Client, api: Api, clean: World) -> None:
    schema = client.get("/openapi.json").json()
    auth = {"Authorization": f"Bearer {clean.tokens['admin']}"}
    seen: list[str] = []
    for path, item in schema["paths"].items():
        for method, op in item.items():
            if method not in ("get", "post", "put", "patch", "delete"):
                continue
            if "stream" in path:  # server-sent events: an open stream, no validation to see
                continue
            params = [p for p in op.get("parameters", []) if "schema" in p]
            for param in params:
                for bad in _bad_values(param["schema"]):
                    url = _fill(path)
                    query: dict[str, Any] = {}
                    if param["in"] == "path":
                        url = path.replace("{" + param["name"] + "}", httpx.URL(path=str(bad)).raw_path.decode())
                        url = _fill(url)
                    elif param["in"] == "query":
                        query[param["name"]] = bad
                    elif param["in"] == "header":
                        continue
                    r = client.request(method.upper(), url, params=query, headers=auth)
                    _check(r, f"{method} {path} {param['name']}={str(bad)[:20]}", seen)
            if method in ("post", "put", "patch") and "requestBody" in op:
                content = op["requestBody"].get("content", {})
                for bad_body in _bad_bodies():
                    if "application/json" in content:
                        kwargs: dict[str, Any] = (
                            {"content": bad_body, "headers": {**auth, "Content-Type": "application/json"}}
                            if isinstance(bad_body, str)
                            else {"json": bad_body, "headers": auth}
                        )
                    else:  # forms and uploads: an empty or wrong form
                        kwargs = {"data": {"x": "1"}, "headers": auth}
                    r = client.request(method.upper(), _fill(path), **kwargs)
                    _check(r, f"{method} {path} body", seen)
    assert len(seen) > 100, f"only {len(seen)} refusals were looked at"


def test_the_issue_examples_are_in_chinese(api: Api, clean: World) -> None:
    bad_id = api.get("admin", "/api/v1/cases/abc")
    assert bad_id.status_code == 422
    assert bad_id.json()["error"]["details"]["problems"] == [{"field": "case_id", "problem": "应为整数"}]
    phone = api.post("resident", "/api/v1/cases", {"title": "路灯不亮", "address": "经八路", "reporter_phone": "abc"})
    assert phone.status_code == 422 and not ENGLISH.search(phone.text), phone.text
    assert "格式不正确" in phone.text or CJK.search(phone.json()["error"]["details"]["problems"][0]["problem"])
    long = api.post("resident", "/api/v1/cases", {"title": "长" * 300, "address": "经八路"})
    assert long.status_code == 422, "an over-long title is refused, never cut without a word"
    assert "最多 200 个字" in long.text


class _Form(BaseModel):
    name: str = Field(max_length=3, pattern="^[a-z]+$")
    count: int = Field(ge=1, le=9)
    kind: str


def test_each_pydantic_error_type_has_its_chinese_sentence() -> None:
    with pytest.raises(ValidationError) as caught:
        _Form.model_validate({"name": "ABCDE", "count": 0})
    found = {p["field"]: p["problem"] for p in problems(caught.value.errors(), skip=0)}
    assert found == {"name": "最多 3 个字", "count": "应不小于 1", "kind": "必填"}
    assert problem({"type": "value_error", "msg": "Value error, 网格编码须为 15 位"}) == "网格编码须为 15 位"
    assert problem({"type": "value_error", "msg": "Value error, bad"}) == "取值不合法"
    assert problem({"type": "literal_error", "ctx": {"expected": "'a', 'b' or 'c'"}}) == "应为以下之一: a, b、c"
    assert problem({"type": "something_new"}) == "取值不合法"
    assert problem({"type": "string_too_long"}) == "取值不合法"  # a missing limit never shows a raw {placeholder}
