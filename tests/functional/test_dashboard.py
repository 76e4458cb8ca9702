"""The leaders' dashboard through HTTP: counts within scope, the overdue list, the trend, the monthly ranking
(JSON and Excel) and the live stream of the summary."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from datetime import datetime
from io import BytesIO
from typing import Any

from openpyxl import load_workbook  # type: ignore[import-untyped]

from gridgov.cases.services import scan_overdue
from gridgov.clock import SHANGHAI
from gridgov.dashboard.excel import HEADERS

from conftest import Api, World

MONDAY = datetime(2025, 9, 29, 10, 0, tzinfo=SHANGHAI)


def _report(api: Api, who: str, grid: str, title: str = "楼道堆物") -> int:
    r = api.post(who, "/api/v1/cases", {"title": title, "grid_code": grid, "category_code": "H1802"})
    assert r.status_code == 201, r.text
    return int(r.json()["id"])


def _city(api: Api, w: World) -> dict[str, int]:
    """Friday 09-26: one reported (resident), one dispatched to the street, one closed in the other street;
    Monday 09-29 10:00: one more reported, and the dispatched one is a day past its 签收 deadline."""
    ids = {"reported": _report(api, "resident", w.grid), "dispatched": _report(api, "operator", w.grid)}
    api.ok("operator", ids["dispatched"], "register")
    api.ok("dispatcher", ids["dispatched"], "dispatch")  # response due Sun 09-28 09:00 (a 调休 working day)
    ids["closed"] = _report(api, "operator", w.other_grid, "路灯不亮")
    api.ok("operator", ids["closed"], "direct_close", note="电话答复")
    w.clock.set(MONDAY)
    ids["monday"] = _report(api, "operator", w.grid, "占道经营")
    return ids


def test_summary_counts_cases_by_kind_today_and_overdue(api: Api, clean: World) -> None:
    w = clean
    ids = _city(api, w)
    s = api.get("leader", "/api/v1/dashboard/summary").json()
    assert (s["total"], s["open"], s["closed"]) == (4, 3, 1)
    assert (s["new_today"], s["closed_today"], s["overdue"]) == (1, 0, 1)
    assert (s["red"], s["yellow"]) == (0, 0)  # no alarm raised until the scanner runs
    assert (s["today"], s["month"]) == ("2025-09-29", "2025-09")
    by_status = {r["status"]: r["count"] for r in s["by_status"]}
    assert by_status["reported"] == 2 and by_status["dispatched"] == 1 and by_status["closed"] == 1
    assert sum(by_status.values()) == 4

    c = w.container
    report = scan_overdue(c.uow_factory, MONDAY, c.calendar, c.policy)
    assert report.escalated >= 1  # one step for each period it is late
    s = api.get("leader", "/api/v1/dashboard/summary").json()
    assert (s["red"], s["overdue"]) == (1, 1)

    overdue = api.get("leader", "/api/v1/dashboard/overdue").json()["items"]
    assert [o["id"] for o in overdue] == [ids["dispatched"]]
    assert overdue[0]["late_minutes"] == 25 * 60  # due Sun 09:00, now Mon 10:00
    assert overdue[0]["owner_unit_name"] and overdue[0]["status_label"] == "已派遣"


def test_a_street_sees_only_the_cases_in_its_grid(api: Api, clean: World) -> None:
    w = clean
    _city(api, w)
    mine = api.get("street", "/api/v1/dashboard/summary").json()
    assert (mine["total"], mine["open"], mine["closed"], mine["overdue"]) == (3, 3, 0, 1)
    other = api.get("other-street", "/api/v1/dashboard/summary").json()
    assert (other["total"], other["open"], other["closed"], other["overdue"]) == (1, 0, 1, 0)
    assert api.get("other-street", "/api/v1/dashboard/overdue").json()["items"] == []
    assert api.get("other-street", "/api/v1/dashboard/trend", days=7).json()["reported"] == [0, 0, 0, 1, 0, 0, 0]
    for path in ("summary", "overdue", "trend", "ranking", "ranking.xlsx", "stream"):  # not a resident's screen
        refused = api.get("resident", f"/api/v1/dashboard/{path}")
        assert refused.status_code == 403 and refused.json()["error"]["code"] == "permission_denied", path
    assert api.get(None, "/api/v1/dashboard/summary").status_code == 401


def test_trend_counts_reported_and_closed_per_local_day(api: Api, clean: World) -> None:
    w = clean
    _city(api, w)
    t = api.get("leader", "/api/v1/dashboard/trend", days=7).json()
    assert t["days"] == [f"2025-09-{d}" for d in range(23, 30)]
    assert t["reported"] == [0, 0, 0, 3, 0, 0, 1]
    assert t["closed"] == [0, 0, 0, 1, 0, 0, 0]
    assert api.get("leader", "/api/v1/dashboard/trend", days=0).status_code == 422


def _full_loop(api: Api, w: World, satisfaction: str, resolved: bool) -> None:
    case_id = _report(api, "resident", w.grid)
    api.ok("operator", case_id, "register")
    api.ok("dispatcher", case_id, "dispatch")
    api.ok("street", case_id, "accept")
    api.ok("street", case_id, "handle", note="已清理")
    api.ok("street", case_id, "verify")
    api.ok("resident", case_id, "evaluate", resolved=resolved, satisfaction=satisfaction)


def test_ranking_splits_streets_and_departments_and_exports_the_same_numbers(api: Api, clean: World) -> None:
    w = clean
    _full_loop(api, w, "satisfied", True)
    _full_loop(api, w, "unsatisfied", False)
    ranking = api.get("leader", "/api/v1/dashboard/ranking", month="2025-09").json()
    street = next(r for r in ranking["streets"] if r["unit_code"] == w.street_code)
    # two tasks are too few to be ranked (dashboard.queries.MIN_RANKED_TASKS): shown as 样本不足, not as rank 1
    assert street["rank"] is None and street["sample"] == "样本不足" and street["unit_kind"] == "street_office"
    assert all(r["unit_kind"] in ("city_department", "district_bureau") for r in ranking["departments"])
    metrics = api.get("leader", "/api/v1/metrics/units", month="2025-09").json()["units"]
    same = next(r for r in metrics if r["unit_code"] == w.street_code)
    for key in ("response_rate", "resolution_rate", "satisfaction_rate", "composite", "close_rate", "rework_rate"):
        assert street[key] == same[key]
    assert street["resolution_rate"] == 0.5 and street["close_rate"] == 1.0

    r = api.get("leader", "/api/v1/dashboard/ranking.xlsx", month="2025-09")
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("application/vnd.openxmlformats-officedocument.spreadsheetml")
    assert r.headers["content-disposition"].startswith('attachment; filename="ranking-2025-09.xlsx"')
    book = load_workbook(BytesIO(r.content))
    assert book.sheetnames == ["街道排名", "部门排名", "说明"]
    sheet = book["街道排名"]
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[0]) == HEADERS
    row = dict(zip(HEADERS, next(x for x in rows[1:] if x[1] == w.street_code), strict=True))
    assert row["排名"] == "样本不足" and row["单位名称"] == street["unit_name"]
    for header, key in (("响应率", "response_rate"), ("解决率", "resolution_rate"), ("满意率", "satisfaction_rate")):
        assert row[header] == street[key]
    assert (row["综合得分"], row["结案率"], row["派件数"]) == (street["composite"], 1.0, 2)
    assert sheet.cell(row=2, column=HEADERS.index("响应率") + 1).number_format == "0.00%"


def test_bad_month_is_refused_with_a_code(api: Api, clean: World) -> None:
    for path in ("/api/v1/dashboard/ranking", "/api/v1/dashboard/ranking.xlsx"):
        r = api.get("leader", path, month="2025-13")
        assert r.status_code == 422
        assert r.json()["error"]["code"] == "validation_error" and "月份" in r.json()["error"]["message"]
        r = api.get("leader", path, month="九月")
        assert r.status_code == 422 and r.json()["error"]["code"] == "validation_error"
    assert api.get(None, "/api/v1/dashboard/ranking.xlsx").status_code == 401


def _events(lines: Iterator[str]) -> Iterator[tuple[str, dict[str, Any]]]:
    """(event name, data) for each event of a text/event-stream; comments and retry lines are skipped."""
    name, data = "", ""
    for line in lines:
        if line.startswith("event:"):
            name = line.split(":", 1)[1].strip()
        elif line.startswith("data:"):
            data += line.split(":", 1)[1].strip()
        elif line == "" and data:
            yield name, json.loads(data)
            name, data = "", ""


def test_stream_pushes_a_fresh_summary_when_a_case_is_created(live_api: Api, clean: World) -> None:
    api = live_api  # an endless event stream needs a real socket
    w = clean
    _report(api, "operator", w.grid)
    headers = {"Authorization": f"Bearer {w.tokens['leader']}"}
    with api.client.stream("GET", "/api/v1/dashboard/stream", headers=headers) as r:
        assert r.status_code == 200 and r.headers["content-type"].startswith("text/event-stream")
        events = _events(r.iter_lines())
        name, first = next(events)
        assert name == "summary" and first["total"] == 1 and first["new_today"] == 1
        started = time.monotonic()
        _report(api, "resident", w.grid)
        name, second = next(events)
        assert name == "summary" and second["total"] == 2 and second["new_today"] == 2
        assert time.monotonic() - started < w.container.settings.dashboard_poll_seconds + 5
    # the server noticed the client leaving: the next stream starts at once with the current numbers
    with api.client.stream("GET", "/api/v1/dashboard/stream", headers=headers) as r:
        assert next(_events(r.iter_lines()))[1]["total"] == 2
    assert api.get(None, "/api/v1/dashboard/stream").status_code == 401


def test_the_stream_keeps_to_the_readers_scope(live_api: Api, clean: World) -> None:
    api = live_api  # an endless event stream needs a real socket
    w = clean
    _city(api, w)
    headers = {"Authorization": f"Bearer {w.tokens['other-street']}"}
    with api.client.stream("GET", "/api/v1/dashboard/stream", headers=headers) as r:
        name, first = next(_events(r.iter_lines()))
    assert name == "summary" and (first["total"], first["closed"]) == (1, 1)  # not the city's 4


def test_a_user_may_hold_only_a_few_streams(live_api: Api, clean: World) -> None:
    api = live_api  # an endless event stream needs a real socket
    from contextlib import ExitStack

    from gridgov.dashboard.views import STREAMS_PER_USER

    headers = {"Authorization": f"Bearer {clean.tokens['leader']}"}
    readers = []  # keep each stream's reader alive: dropping it closes the stream
    with ExitStack() as stack:
        for _ in range(STREAMS_PER_USER):
            r = stack.enter_context(api.client.stream("GET", "/api/v1/dashboard/stream", headers=headers))
            assert r.status_code == 200
            readers.append(_events(r.iter_lines()))
            next(readers[-1])
        with api.client.stream("GET", "/api/v1/dashboard/stream", headers=headers, timeout=10) as extra:
            assert extra.status_code == 429
            assert json.loads(extra.read())["error"]["code"] == "too_many_streams"
    deadline = time.monotonic() + 10  # the server sees the clients go at its next poll, and frees their places
    while time.monotonic() < deadline:
        with api.client.stream("GET", "/api/v1/dashboard/stream", headers=headers) as r:
            if r.status_code == 200:
                break
        time.sleep(0.2)
    else:
        raise AssertionError("streams were not released after their clients left")
