"""建议提案 through HTTP (SQLite, and PostgreSQL with GRIDGOV_TEST_DATABASE_URL): one CPPCC proposal walked end to
end (a misassignment returned within 10 days and reassigned, a co-handler's views, a 办前面商 contact within 15
working days across the National Day holiday, an explanation and an answer past 3 months, a B-class answer with
a promise, an 不满意 and the re-answer within a month, the final rating, the promise kept); who sees what; the
metrics of a seeded batch against numbers worked out by hand; the batch list imported all or nothing with the bad
line named; a 社情民意 turned into a case, closed in the case loop and shown on the deputy's page."""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from openpyxl import Workbook, load_workbook  # type: ignore[import-untyped]
from sqlalchemy import text

from gridgov.accounts.services import add_user, issue_token
from gridgov.clock import SHANGHAI
from gridgov.proposals.audit import verify_proposals

from conftest import Api, World, inner_point

PEOPLE = (("deputy", "deputy"), ("deputy2", "deputy"), ("office", "proposal_office"))


def at(day: date, hour: int = 10) -> datetime:
    return datetime(day.year, day.month, day.day, hour, 0, tzinfo=SHANGHAI)


@pytest.fixture
def pp(api: Api, clean: World) -> Iterator[Api]:
    """The API with a deputy, a second deputy and an NPC/CPPCC office clerk signed in (users made once)."""
    w = clean
    for name, role in PEOPLE:
        with w.container.sessions() as s:
            exists = s.execute(text("SELECT id FROM users WHERE username = :u"), {"u": name}).first()
        if exists is None:
            add_user(w.container.uow(), name, role, None, w.clock.now())
        api.tokens[name] = issue_token(w.container.uow(), name, w.clock.now())
    yield api
    with w.container.engine.begin() as conn:  # the next test's `clean` deletes cases: the items that point go first
        conn.execute(text("UPDATE proposals SET case_id = NULL"))


def ok(r: Any, status: int = 200) -> Any:
    assert r.status_code == status, r.text
    return r.json()


def setup_batch(api: Api, code: str = "S16-3", members: bool = True) -> None:
    ok(
        api.post(
            "office",
            "/api/v1/proposals/batches",
            {"code": code, "name": "市政协十六届三次会议", "held_on": "2025-09-20"},
        ),
        201,
    )
    if members:
        ok(
            api.post("office", "/api/v1/proposals/members", {"body": "cppcc", "name": "王委员", "username": "deputy"}),
            201,
        )
        ok(
            api.post("office", "/api/v1/proposals/members", {"body": "cppcc", "name": "李委员", "username": "deputy2"}),
            201,
        )


def act(api: Api, who: str, pid: int, action: str, **params: Any) -> Any:
    return api.post(who, f"/api/v1/proposals/{pid}/actions", {"action": action, **params})


def test_one_proposal_walked_end_to_end(pp: Api, clean: World) -> None:
    w, api = clean, pp
    setup_batch(api)
    item = ok(
        api.post(
            "office",
            "/api/v1/proposals",
            {
                "batch": "S16-3",
                "number": "0123",
                "kind": "proposal",
                "title": "关于加快老旧小区燃气管道改造的提案",
                "body": "部分老旧小区燃气管道老化, 存在安全隐患。",
                "category": "城乡建设",
                "authors": ["王委员", "赵委员"],
                "focus": True,
                "focus_leader": "张副市长",
            },
        ),
        201,
    )
    pid = item["id"]
    assert item["status"] == "received" and item["joint"] and item["lead_author"] == "王委员"
    assert item["focus"] and item["focus_leader"] == "张副市长"

    # 交办 on Friday 2025-09-26 to the wrong unit, with a co-handler
    d = ok(act(api, "office", pid, "assign", lead_unit=f"{w.district}-zj", co_units=[f"{w.district}-sthj"]))
    assert d["status"] == "assigned" and d["deadlines"]["return_by"] == "2025-10-06"
    assert d["deadlines"]["answer_by"] == "2025-12-26" and d["deadlines"]["final_by"] == "2026-03-26"
    # 15 working days across the National Day holiday (10-01..10-08 off, 09-28 and 10-11 made up)
    assert d["deadlines"]["contact_by"] == "2025-10-23"
    # units see only what is assigned to them: the city's department sees nothing yet
    assert pp.get("dept-cg", f"/api/v1/proposals/{pid}").status_code == 404
    assert pp.get("dept-cg", f"/proposals/{pid}").status_code == 404  # the page too
    assert pp.get("resident", "/proposals").status_code == 403
    office_page = pp.get("office", f"/proposals/{pid}")
    assert office_page.status_code == 200 and 'data-action="assign"' not in office_page.text  # assigned already
    assert ok(pp.get("dept-cg", "/api/v1/proposals"))["total"] == 0
    assert ok(pp.get("dept-zj", "/api/v1/proposals"))["total"] == 1

    # the unit returns it within 10 days, with a reason; the office reassigns it
    w.clock.set(at(date(2025, 10, 3)))
    assert act(api, "dept-zj", pid, "return").status_code == 422  # no reason
    d = ok(act(api, "dept-zj", pid, "return", reason="燃气管道改造不属于本单位职责, 建议交城管局"))
    assert d["status"] == "returned" and d["lead_unit"] is None
    w.clock.set(at(date(2025, 10, 9)))
    refused = act(api, "office", pid, "assign", lead_unit=f"{w.district}-zj")
    assert refused.status_code == 422  # not to the unit that returned it
    d = ok(act(api, "office", pid, "assign", lead_unit=f"{w.district}-cg", co_units=[f"{w.district}-sthj"]))
    assert d["lead_unit"] == f"{w.district}-cg" and d["deadlines"]["answer_by"] == "2026-01-09"
    assert d["deadlines"]["contact_by"] == "2025-10-29"
    # the returning unit still reads what it returned, and may not act on it
    assert act(api, "dept-zj", pid, "explain", text="x").status_code == 403
    assert ok(pp.get("dept-zj", f"/api/v1/proposals/{pid}"))["handlers"][0]["returned_on"] == "2025-10-03"

    # past 10 days the new lead unit can no longer return it
    w.clock.set(at(date(2025, 10, 20)))
    late = act(api, "dept-cg", pid, "return", reason="不是本单位的")
    assert late.status_code == 422 and late.json()["error"]["code"] == "proposal_limit_passed"
    # the co-handler's views; only a co-handler, once
    assert act(api, "dept-cg", pid, "send_views", text="x").status_code == 403
    ok(act(api, "dept-sthj", pid, "send_views", text="建议同步实施雨污分流改造"))
    assert act(api, "dept-sthj", pid, "send_views", text="again").status_code == 409
    # 办前面商: a meeting, in time
    d = ok(act(api, "dept-cg", pid, "record_contact", method="meeting", on="2025-10-20", note="与王委员当面座谈"))
    assert d["contacts"][0]["in_time"] is True and d["contacts"][0]["method_label"] == "当面座谈"

    # an explanation before 3 months; the answer after 3 months, within 6
    w.clock.set(at(date(2026, 1, 5)))
    d = ok(act(api, "dept-cg", pid, "explain", text="改造资金须列入年度预算, 申请延期答复"))
    assert d["status"] == "extended" and d["due_on"] == "2026-04-09"
    w.clock.set(at(date(2026, 3, 20)))
    assert act(api, "dept-cg", pid, "answer", answer_class="B", text="已列入计划").status_code == 422  # no promise
    d = ok(
        act(
            api,
            "dept-cg",
            pid,
            "answer",
            answer_class="B",
            text="已将12个小区的燃气管道改造列入2026年计划",
            promises=[{"text": "完成12个小区燃气管道改造", "due_on": "2026-06-30"}],
        )
    )
    assert d["status"] == "answered" and d["answer"]["label"].startswith("B 类") and d["answer"]["public"]
    promise_id = d["promises"][0]["id"]
    # only an author rates: not the other member, not the unit
    assert act(api, "deputy2", pid, "rate", work="satisfied", result="satisfied").status_code == 403
    assert act(api, "dept-cg", pid, "rate", work="satisfied", result="satisfied").status_code == 403
    # 不满意 with the result: re-handled, answered again within 1 month
    w.clock.set(at(date(2026, 3, 25)))
    d = ok(act(api, "deputy", pid, "rate", work="satisfied", result="dissatisfied", note="进度太慢"))
    assert d["status"] == "rehandling" and d["deadlines"]["rehandle_by"] == "2026-04-25" and d["due_on"] == "2026-04-25"
    w.clock.set(at(date(2026, 4, 20)))
    d = ok(act(api, "dept-cg", pid, "answer", answer_class="B", text="已提前开工, 6月底前完成"))
    assert d["status"] == "answered" and len(d["promises"]) == 1
    # the final rating: the promise is not yet kept, so it is followed up
    w.clock.set(at(date(2026, 4, 22)))
    d = ok(act(api, "deputy", pid, "rate", work="satisfied", result="basically"))
    assert d["status"] == "tracking" and [r["round"] for r in d["ratings"]] == [1, 2]
    # a second 不满意 would not send it back again (once): checked in the unit tests; here the promise is kept
    w.clock.set(at(date(2026, 6, 15)))
    d = ok(act(api, "dept-cg", pid, "keep_promise", promise_id=promise_id, on="2026-06-15", note="已完工验收"))
    assert d["status"] == "closed" and d["closed_on"] == "2026-06-15" and d["promises"][0]["kept_on"] == "2026-06-15"

    # the record: every step an event, chained, each a leaf of the city's log
    events = ok(api.get("leader", f"/api/v1/proposals/{pid}/events"))
    assert [e["action"] for e in events] == [
        "register",
        "assign",
        "return",
        "assign",
        "send_views",
        "record_contact",
        "explain",
        "answer",
        "rate",
        "rehandle",
        "answer",
        "rate",
        "track",
        "keep_promise",
        "finish",
    ]
    assert all(b["prev_hash"] == a["hash"] for a, b in zip(events, events[1:], strict=False))
    with w.container.sessions() as s:
        report = verify_proposals(s)
    assert report.ok and report.events == len(events), report.problems
    from gridgov.cli import main

    url = w.container.settings.database_url
    done = CliRunner().invoke(main, ["audit", "verify", "--database-url", url])
    assert done.exit_code == 0 and "未知的流" not in done.output, done.output
    done = CliRunner().invoke(main, ["proposals", "verify", "--database-url", url])
    assert done.exit_code == 0 and f"{len(events)} 个事件" in done.output, done.output
    # a leader reads, never acts; the published answer is public
    assert act(api, "leader", pid, "explain", text="x").status_code == 403
    assert ok(api.get(None, "/api/v1/proposals/published", batch="S16-3"))[0]["answer_class"] == "B"
    # the deputy sees their own item and its answer
    mine = ok(api.get("deputy", "/api/v1/proposals"))
    assert mine["total"] == 1 and mine["items"][0]["status"] == "closed"
    assert ok(api.get("deputy2", "/api/v1/proposals"))["total"] == 0


def test_a_tampered_event_is_found(pp: Api, clean: World) -> None:
    setup_batch(pp)
    item = ok(
        pp.post(
            "office",
            "/api/v1/proposals",
            {
                "batch": "S16-3",
                "number": "1",
                "kind": "suggestion",
                "title": "关于增设公交线路的建议",
                "authors": ["王代表"],
            },
        ),
        201,
    )
    ok(act(pp, "office", item["id"], "assign", lead_unit=f"{clean.district}-cg"))
    with clean.container.engine.begin() as conn:
        conn.execute(text("UPDATE proposal_events SET payload = '{}' WHERE seq = 2"))
    with clean.container.sessions() as s:
        report = verify_proposals(s)
    assert not report.ok and report.problems[0].seq == 2


# -- metrics on a seeded batch ------------------------------------------------------------------------------
def _item(api: Api, number: str, title: str, authors: list[str], kind: str = "proposal") -> int:
    body = {"batch": "M1", "number": number, "kind": kind, "title": title, "authors": authors}
    return int(ok(api.post("office", "/api/v1/proposals", body), 201)["id"])


def test_metrics_of_a_seeded_batch_match_the_hand_count(pp: Api, clean: World) -> None:
    """Five items, two lead units, on 2026-05-10. Assigned 2026-01-31: answers due 2026-04-30.

    cg: #1 answered 03-01 (A), met, rated 满意/满意 → closed
        #2 explained 04-01 (due becomes 07-31), answered 05-05 (B, promise due 05-06) → on time
        #3 not answered, due 04-30 passed → late
    zj: #4 answered 05-02 (C), after 04-30 → late; phone contact only; rated 基本满意/不满意 → re-handling
        #5 answered 04-10 (B, promises due 04-20 kept 04-18, due 06-30 open), visit; rated 满意/基本满意 → tracking

    By hand (today 05-10):
      cg: items 3; due = 3 (#1, #2 answered; #3 past) ; on time = 2 (#1, #2) → 2/3; met 1/3; rated 1: work 1/1,
          result 1/1; classes A1 B1; promises due by 05-10: #2's (due 05-06) 1, kept 0 → 0/1
      zj: items 2; due 2; on time 1 (#5) → 1/2; met 1 (#5 visit; #4 phone is not face to face) → 1/2; rated 2:
          work 2/2 (满意, 基本满意), result 1/2 (基本满意 yes, 不满意 no); classes B1 C1; promises due 1 (04-20),
          kept 1 → 1/1
      total: items 5; on time 3/5; met 2/5; work 3/3; result 2/3; A1 B2 C1 D0; promises 1/2
    """
    w, api = clean, pp
    ok(
        api.post("office", "/api/v1/proposals/batches", {"code": "M1", "name": "测试批次", "held_on": "2026-01-10"}),
        201,
    )
    ok(api.post("office", "/api/v1/proposals/members", {"body": "cppcc", "name": "王委员", "username": "deputy"}), 201)
    ids = [_item(api, str(n), f"测试提案{n}", ["王委员"]) for n in range(1, 6)]
    cg, zj = f"{w.district}-cg", f"{w.district}-zj"
    w.clock.set(at(date(2026, 1, 31)))
    for pid, unit in zip(ids, [cg, cg, cg, zj, zj], strict=True):
        d = ok(act(api, "office", pid, "assign", lead_unit=unit))
        assert d["deadlines"]["answer_by"] == "2026-04-30" and d["deadlines"]["final_by"] == "2026-07-31"
    i1, i2, i3, i4, i5 = ids
    w.clock.set(at(date(2026, 2, 10)))
    ok(act(api, "dept-cg", i1, "record_contact", method="meeting", on="2026-02-10"))
    ok(act(api, "dept-zj", i4, "record_contact", method="phone", on="2026-02-10"))
    ok(act(api, "dept-zj", i5, "record_contact", method="visit", on="2026-02-10"))
    w.clock.set(at(date(2026, 3, 1)))
    ok(act(api, "dept-cg", i1, "answer", answer_class="A", text="已解决"))
    ok(act(api, "deputy", i1, "rate", work="satisfied", result="satisfied"))
    w.clock.set(at(date(2026, 4, 1)))
    ok(act(api, "dept-cg", i2, "explain", text="须协调多部门"))
    w.clock.set(at(date(2026, 4, 10)))
    ok(
        act(
            api,
            "dept-zj",
            i5,
            "answer",
            answer_class="B",
            text="分两步实施",
            promises=[{"text": "第一步", "due_on": "2026-04-20"}, {"text": "第二步", "due_on": "2026-06-30"}],
        )
    )
    ok(act(api, "deputy", i5, "rate", work="satisfied", result="basically"))
    w.clock.set(at(date(2026, 4, 18)))
    first = ok(api.get("office", f"/api/v1/proposals/{i5}"))["promises"][0]["id"]
    ok(act(api, "dept-zj", i5, "keep_promise", promise_id=first, on="2026-04-18"))
    w.clock.set(at(date(2026, 5, 2)))
    ok(act(api, "dept-zj", i4, "answer", answer_class="C", text="受用地条件限制, 暂不能解决"))
    ok(act(api, "deputy", i4, "rate", work="basically", result="dissatisfied"))
    w.clock.set(at(date(2026, 5, 5)))
    ok(
        act(
            api,
            "dept-cg",
            i2,
            "answer",
            answer_class="B",
            text="已列入计划",
            promises=[{"text": "完成", "due_on": "2026-05-06"}],
        )
    )
    w.clock.set(at(date(2026, 5, 10)))

    rep = ok(api.get("leader", "/api/v1/proposals/batches/M1/report"))
    units = {u["unit"]: u for u in rep["units"]}
    c, z, t = units[cg], units[zj], rep["total"]
    assert (c["items"], c["due"], c["on_time"], c["met"], c["rated"]) == (3, 3, 2, 1, 1)
    assert c["on_time_rate"] == pytest.approx(2 / 3) and c["meeting_rate"] == pytest.approx(1 / 3)
    assert c["work_rate"] == 1.0 and c["result_rate"] == 1.0 and c["classes"] == {"A": 1, "B": 1, "C": 0, "D": 0}
    assert (c["promises_due"], c["promises_kept"], c["promise_rate"]) == (1, 0, 0.0)
    assert (z["items"], z["on_time"], z["met"], z["rated"]) == (2, 1, 1, 2)
    assert z["on_time_rate"] == 0.5 and z["meeting_rate"] == 0.5 and z["work_rate"] == 1.0 and z["result_rate"] == 0.5
    assert z["classes"] == {"A": 0, "B": 1, "C": 1, "D": 0} and z["promise_rate"] == 1.0
    assert t["on_time_rate"] == pytest.approx(3 / 5) and t["meeting_rate"] == pytest.approx(2 / 5)
    assert t["work_rate"] == 1.0 and t["result_rate"] == pytest.approx(2 / 3)
    assert t["classes"] == {"A": 1, "B": 2, "C": 1, "D": 0} and t["promise_rate"] == 0.5
    # the overdue list names #3 (answer past 04-30) and the proposals with no contact (#2, #3: due 2026-02-27)
    late = ok(api.get("office", "/api/v1/proposals/overdue", batch="M1"))
    assert [r["id"] for r in late["answers"]] == [i3]
    assert sorted(r["id"] for r in late["contacts"]) == [i3]  # #2 is answered
    page = api.get("office", "/proposals/overdue", batch="M1")
    assert page.status_code == 200 and "测试提案3" in page.text and "超期未答复 (1)" in page.text
    page = api.get("leader", "/proposals/report", batch="M1")
    assert page.status_code == 200 and "66.7%" in page.text and "60.0%" in page.text
    assert api.get("dept-cg", "/proposals/report").status_code == 403  # the report is the office's and leaders'
    # the CLI report, as text and as Excel
    from gridgov.cli import main

    url = w.container.settings.database_url
    done = CliRunner().invoke(main, ["proposals", "report", "--batch", "M1", "--database-url", url])
    assert done.exit_code == 0 and "66.7%" in done.output and "合计\t5\t60.0%\t40.0%" in done.output, done.output
    xlsx = ok_bytes(api.get("leader", "/api/v1/proposals/batches/M1/report.xlsx"))
    ws = load_workbook(io.BytesIO(xlsx)).active
    assert ws.cell(row=2, column=5).value == "按期答复率" and ws.cell(row=ws.max_row, column=1).value == "合计"
    assert ws.cell(row=ws.max_row, column=5).value == pytest.approx(0.6)


def ok_bytes(r: Any) -> bytes:
    assert r.status_code == 200, r.text
    return bytes(r.content)


# -- import ---------------------------------------------------------------------------------------------------
def _workbook(rows: list[list[Any]]) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.append(["批次编码", "编号", "类型", "标题", "提出人", "内容", "分类", "是否重点", "领衔督办领导"])
    for row in rows:
        ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def test_import_with_one_bad_line_stores_nothing_and_names_the_line(pp: Api, clean: World, tmp_path: Path) -> None:
    setup_batch(pp, members=False)
    good = [
        ["S16-3", "001", "提案", "关于发展夜间经济的提案", "王委员、李委员", "……", "经济", "是", "张副市长"],
        ["S16-3", "002", "建议", "关于增设公交线路的建议", "赵代表", "", "交通", "否", ""],
    ]
    bad = [*good, ["S16-3", "003", "议案", "关于某事", "钱代表", "", "", "否", ""]]
    from gridgov.cli import main

    url = clean.container.settings.database_url
    path = tmp_path / "batch.xlsx"
    path.write_bytes(_workbook(bad))
    done = CliRunner().invoke(main, ["proposals", "import", str(path), "--database-url", url])
    assert done.exit_code == 2 and "第 4 行" in done.output and "议案" in done.output, done.output
    with clean.container.sessions() as s:
        assert s.execute(text("SELECT count(*) FROM proposals")).scalar_one() == 0
        assert s.execute(text("SELECT count(*) FROM proposal_members")).scalar_one() == 0
    # the same over HTTP: 422 with the line
    r = pp.client.post(
        "/api/v1/proposals/import",
        headers={"Authorization": f"Bearer {pp.tokens['office']}"},
        files={"file": ("batch.xlsx", _workbook(bad))},
    )
    assert r.status_code == 422 and r.json()["error"]["details"]["errors"][0]["line"] == 4, r.text
    path.write_bytes(_workbook(good))
    done = CliRunner().invoke(main, ["proposals", "import", str(path), "--database-url", url])
    assert done.exit_code == 0 and "已导入 2 件" in done.output, done.output
    items = ok(pp.get("office", "/api/v1/proposals", batch="S16-3"))["items"]
    assert [(i["number"], i["kind"], i["joint"], i["focus"]) for i in items] == [
        ("001", "proposal", True, True),
        ("002", "suggestion", False, False),
    ]
    # the same list again: every number is taken, nothing stored twice
    done = CliRunner().invoke(main, ["proposals", "import", str(path), "--database-url", url])
    assert done.exit_code == 2 and "编号已存在" in done.output


# -- 社情民意 → a case ----------------------------------------------------------------------------------------
def test_an_opinion_becomes_a_case_closed_in_the_loop_and_shown_to_the_deputy(pp: Api, clean: World) -> None:
    w, api = clean, pp
    setup_batch(api, "INTERIM", members=False)
    ok(api.post("office", "/api/v1/proposals/members", {"body": "npc", "name": "王代表", "username": "deputy"}), 201)
    # the deputy reports it themselves; they may not file a 建议 this way
    body = {
        "batch": "INTERIM",
        "number": "SQ-1",
        "kind": "opinion",
        "title": "小区门口路灯损坏",
        "body": "群众反映夜间出行不便",
        "grid_code": w.grid,
    }
    assert api.post("deputy", "/api/v1/proposals", {**body, "kind": "suggestion"}).status_code == 403
    item = ok(api.post("deputy", "/api/v1/proposals", body), 201)
    assert item["authors"][0]["name"] == "王代表" and item["status"] == "received"
    pid = item["id"]
    assert (
        act(api, "office", pid, "assign", lead_unit=f"{w.district}-cg").status_code == 409
    )  # an opinion is not assigned
    d = ok(act(api, "office", pid, "refer", category_code="C0106", note="转城市运行管理中心"))
    assert d["status"] == "referred" and d["case"]["status"] == "reported"
    case_id = d["case_id"]
    assert ok(api.get("leader", f"/api/v1/proposals/by-case/{case_id}"))["proposal_id"] == pid
    case = ok(api.get("dispatcher", f"/api/v1/cases/{case_id}"))
    assert f"/proposals/{pid}" in case["description"]
    # round the loop
    api.ok("dispatcher", case_id, "register")
    api.ok("dispatcher", case_id, "dispatch", unit_code=f"{w.district}-cg")
    api.ok("dept-cg", case_id, "accept")
    api.ok("dept-cg", case_id, "handle", note="已更换路灯")
    api.ok("dispatcher", case_id, "verify", note="现场核实")
    assert ok(api.get("dispatcher", f"/api/v1/cases/{case_id}"))["status"] == "closed"
    mine = ok(api.get("deputy", f"/api/v1/proposals/{pid}"))
    assert mine["case"]["status"] == "closed" and mine["case"]["status_label"]
    page = api.get("deputy", "/proposals")
    assert page.status_code == 200 and "小区门口路灯损坏" in page.text and mine["case"]["status_label"] in page.text


# -- the demo -----------------------------------------------------------------------------------------------
def test_the_demo_batch_is_generated_in_every_state_through_the_services(pp: Api, clean: World) -> None:
    from gridgov.proposals.demo import STATES, seed_proposals
    from gridgov.proposals.repository import SqlProposalsUnitOfWork
    from gridgov.proposals.rules import limits_from

    w = clean
    c = w.container
    units = [f"{w.district}-{k}" for k in ("cg", "zj", "sthj")] + ["4101-cg"]
    done = seed_proposals(
        lambda: SqlProposalsUnitOfWork(c.uow()),
        units,
        [w.grid, w.other_grid],
        w.clock.now(),
        limits_from(c.settings),
        c.calendar.is_working_day,
        c.policy,
        deputy_username="deputy",
        count=30,
        opinion_category="C0106",
        points={w.grid: inner_point(w, w.grid)},
    )
    assert done.items == 30 and set(done.states) == {s for s, _ in STATES}
    with c.sessions() as s:
        rows = dict(s.execute(text("SELECT status, count(*) FROM proposals GROUP BY status")).all())
        assert s.execute(text("SELECT count(*) FROM proposals WHERE NOT generated")).scalar_one() == 0
        assert verify_proposals(s).ok
    assert rows == done.states
    with c.sessions() as s:  # the referred 社情民意's cases have their point where one was known
        cases = s.execute(text("SELECT count(*), count(c.lat) FROM cases c JOIN proposals p ON p.case_id = c.id "
                               "WHERE p.grid_code = :g"), {"g": w.grid}).one()  # fmt: skip
    assert cases[0] == cases[1]
    again = seed_proposals(
        lambda: SqlProposalsUnitOfWork(c.uow()), units, [], w.clock.now(), limits_from(c.settings), lambda d: True
    )
    assert again.skipped
    rep = ok(pp.get("leader", "/api/v1/proposals/batches/S16-3/report"))
    assert rep["total"]["items"] > 0 and rep["total"]["rated"] > 0
    # the demo deputy sees the items they are an author of, marked as generated
    mine = ok(pp.get("deputy", "/api/v1/proposals"))
    assert mine["total"] >= 1 and all(i["generated"] for i in mine["items"])


def test_liaison_stations_are_recorded_against_grids_with_their_deputies(pp: Api, clean: World) -> None:
    w = clean
    m = ok(pp.post("office", "/api/v1/proposals/members", {"body": "npc", "name": "王代表", "username": "deputy"}), 201)
    body = {"name": "建设路社区人大代表联络站", "grid_code": w.grid, "address": "建设路 1 号", "members": [m["id"]]}
    assert pp.post("dept-cg", "/api/v1/proposals/stations", body).status_code == 403
    assert pp.post("office", "/api/v1/proposals/stations", {**body, "members": [999999]}).status_code == 422
    assert pp.post("office", "/api/v1/proposals/stations", {**body, "grid_code": "9" * 15}).status_code == 422
    ok(pp.post("office", "/api/v1/proposals/stations", body), 201)
    found = ok(pp.get("leader", "/api/v1/proposals/stations", grid=w.grid[:9]))
    assert [(s["grid_code"], [x["name"] for x in s["members"]]) for s in found] == [(w.grid, ["王代表"])]
    assert ok(pp.get("leader", "/api/v1/proposals/stations", grid=w.other_grid[:9])) == []
    # a member's account must be a deputy's
    r = pp.post("office", "/api/v1/proposals/members", {"body": "npc", "name": "李代表", "username": "resident"})
    assert r.status_code == 422


def test_a_deputy_reports_an_opinion_from_their_page_in_their_stations_grid(pp: Api, clean: World) -> None:
    w = clean
    setup_batch(pp, "INTERIM", members=False)
    m = ok(pp.post("office", "/api/v1/proposals/members", {"body": "npc", "name": "王代表", "username": "deputy"}), 201)
    station = {"name": "建设路社区人大代表联络站", "grid_code": w.grid, "members": [m["id"]]}
    ok(pp.post("office", "/api/v1/proposals/stations", station), 201)
    page = pp.get("deputy", "/proposals")
    assert page.status_code == 200 and "报送社情民意" in page.text and f'<option value="{w.grid}">' in page.text
    form = {"batch": "INTERIM", "title": "背街小巷垃圾清运不及时", "body": "居民反映", "grid_code": w.grid}
    headers = {"Authorization": f"Bearer {pp.tokens['deputy']}"}
    done = pp.client.post("/proposals/opinions", data=form, headers=headers)
    assert done.status_code == 200 and done.headers["HX-Refresh"] == "true", done.text
    again = pp.client.post("/proposals/opinions", data=form, headers=headers)  # the same second: a fresh number
    assert again.status_code == 200
    items = ok(pp.get("deputy", "/api/v1/proposals"))["items"]
    assert [i["kind"] for i in items] == ["opinion", "opinion"] and items[0]["lead_author"] == "王代表"
    assert items[0]["number"].startswith("SQ") and items[0]["number"] != items[1]["number"]
    # the office numbers its own items
    r = pp.post(
        "office", "/api/v1/proposals", {"batch": "INTERIM", "kind": "suggestion", "title": "x", "authors": ["赵代表"]}
    )
    assert r.status_code == 422
    # the other pages refuse the form: a unit may not report one
    unit = pp.client.post("/proposals/opinions", data=form, headers={"Authorization": f"Bearer {pp.tokens['dept-cg']}"})
    assert unit.status_code == 403
