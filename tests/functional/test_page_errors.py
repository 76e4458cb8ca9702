"""Every page a person opens in the browser answers a bad id, an id that does not exist and an id out of the
reader's scope with a Chinese HTML page (never raw JSON, never English); the JSON API and the partials that page
scripts swap in keep the API's error body."""

from __future__ import annotations

import inspect
import re
from typing import Any

import httpx
import pytest
from fastapi.routing import APIRoute

from gridgov.web.render import PageRoute

from conftest import Api, World

CJK = re.compile(r"[\u4e00-\u9fff]")
ENGLISH = re.compile(r"Input should|String should|Field required|Not Found|Internal Server Error|detail")


def _routes(routes: list[Any]) -> list[Any]:
    """Every route, included routers opened (the page routers have no prefix)."""
    out = []
    for route in routes:
        inner = getattr(route, "original_router", None)
        out += _routes(inner.routes) if inner is not None else [route]
    return out


def page_routes(app: Any) -> list[APIRoute]:
    """The GET routes that draw a page: HTML, not in the API schema."""
    found = []
    for route in _routes(app.routes):
        if not isinstance(route, APIRoute) or route.include_in_schema or "GET" not in route.methods:
            continue
        cls = route.response_class
        if inspect.isclass(cls) and cls.__name__ == "HTMLResponse":
            found.append(route)
    return found


def _int_params(route: APIRoute) -> set[str]:
    return {p.name for p in route.dependant.path_params if p.field_info.annotation is int}


def _url(route: APIRoute, value: str, numeric: set[str], word: str) -> str:
    path = route.path
    for param in re.findall(r"\{([^}:]+)", path):
        path = re.sub(r"\{" + param + r"(:[^}]+)?\}", value if param in numeric else word, path)
    return path


def _assert_chinese_page(r: httpx.Response, where: str, statuses: tuple[int, ...]) -> None:
    assert r.status_code in statuses, f"{where}: {r.status_code} {r.text[:200]}"
    assert r.headers["content-type"].startswith("text/html"), f"{where}: {r.headers['content-type']} {r.text[:200]}"
    assert '{"error"' not in r.text and not ENGLISH.search(r.text), f"{where}: {r.text[:300]}"
    assert CJK.search(r.text) and '<html lang="zh-CN">' in r.text, where


def test_every_page_route_with_a_bad_a_missing_and_an_out_of_scope_id(app: Any, api: Api, clean: World) -> None:
    mine = api.post("resident", "/api/v1/cases", {"title": "井盖缺失", "grid_code": clean.grid}).json()["id"]
    routes = [r for r in page_routes(app) if "{" in r.path]
    assert any(r.path == "/cases/{case_id}" for r in routes), [r.path for r in routes]
    client = api.client
    as_other = {"Authorization": f"Bearer {clean.tokens['resident2']}", "Accept": "text/html"}
    walked = 0
    for route in routes:
        numeric = _int_params(route)
        cases = [
            ("bad", _url(route, "abc", numeric, "%E4%B8%8D%E5%AD%98%E5%9C%A8"), (403, 404, 422)),
            ("missing", _url(route, "999999", numeric, "no-such-thing"), (403, 404, 422)),
        ]
        if numeric:  # a case that exists, but not for this reader
            cases.append(("out of scope", _url(route, str(mine), numeric, "no-such-thing"), (403, 404)))
        for kind, url, statuses in cases:
            r = client.get(url, headers=as_other)
            if r.status_code in (200, 303):  # a page with no id of its own to look up (e.g. a form that
                continue  # ignores a bad query) is fine: it drew itself or sent the reader to sign in
            _assert_chinese_page(r, f"{kind} {url}", statuses)
            walked += 1
    assert walked >= 6


def test_the_case_page_examples_of_the_issue(api: Api, clean: World) -> None:
    mine = api.post("resident", "/api/v1/cases", {"title": "井盖缺失", "grid_code": clean.grid}).json()["id"]
    h = {"Authorization": f"Bearer {clean.tokens['resident2']}"}
    bad = api.client.get("/cases/abc", headers=h)
    _assert_chinese_page(bad, "/cases/abc", (422,))
    assert "应为整数" in bad.text and "case_id" in bad.text
    missing = api.client.get("/cases/999999", headers=h)
    _assert_chinese_page(missing, "/cases/999999", (404,))
    assert "案件不存在" in missing.text
    outside = api.client.get(f"/cases/{mine}", headers=h)
    _assert_chinese_page(outside, "out of scope", (404,))
    assert "井盖缺失" not in outside.text  # nothing of the case leaks
    # the API and a page script's partial keep the JSON error body (the script shows its message)
    assert api.get("resident2", f"/api/v1/cases/{mine}").json()["error"]["code"] == "not_found"
    partial = api.client.get(f"/cases/{mine}/panel", headers={**h, "HX-Request": "true"})
    assert partial.status_code == 404 and partial.json()["error"]["code"] == "not_found"
    # a page opened directly (not by a script) gets the page
    _assert_chinese_page(api.client.get(f"/cases/{mine}/panel", headers=h), "panel", (404,))


@pytest.mark.parametrize("path", ["/queue/rows?page=abc", "/my/items?shown=99", "/inbox/items?status=" + "x" * 300])
def test_a_bad_query_on_a_page_is_a_chinese_page(api: Api, clean: World, path: str) -> None:
    h = {"Authorization": f"Bearer {clean.tokens['admin']}"}
    _assert_chinese_page(api.client.get(path, headers=h), path, (422,))


def test_the_screens_routes_show_their_errors_as_pages(app: Any) -> None:
    screens = [r for r in page_routes(app) if r.path.startswith(("/cases/", "/queue", "/inbox", "/my", "/worker"))]
    assert screens and all(isinstance(r, PageRoute) for r in screens), [
        r.path for r in screens if not isinstance(r, PageRoute)
    ]
