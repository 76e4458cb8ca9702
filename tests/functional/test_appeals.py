"""Appeals (申诉/甄别) through HTTP: a street appeals the verdict on its work and asks for classes, with evidence
and a deadline of N working days; the command centre upholds or refuses with a reason; an upheld appeal takes the
case out of exactly the rates docs/metrics.md#appeals names, checked with fixed numbers; 申诉数 and 申诉通过率;
the leaders' appeals list; every step on the case's record (`gridgov audit verify`)."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any

import pytest
from click.testing import CliRunner

from gridgov.cli import main
from gridgov.clock import SHANGHAI

from conftest import Api, World

MONTH = "2025-09"


def closed_case(api: Api, w: World, resolved: bool | None, satisfaction: str | None) -> int:
    r = api.post("resident", "/api/v1/cases", {"title": "楼道堆物", "grid_code": w.grid, "category_code": "H1802"})
    assert r.status_code == 201, r.text
    cid = int(r.json()["id"])
    api.ok("operator", cid, "register")
    api.ok("dispatcher", cid, "dispatch")
    api.ok("street", cid, "accept")
    if satisfaction is None:
        return cid
    api.ok("street", cid, "handle", note="已清理")
    api.ok("street", cid, "verify")
    api.ok("resident", cid, "evaluate", resolved=resolved, satisfaction=satisfaction)
    return cid


def street(api: Api, w: World) -> dict[str, object]:
    units = api.get("leader", "/api/v1/metrics/units", month=MONTH).json()["units"]
    found: dict[str, object] = next(u for u in units if u["unit_code"] == w.street_code)
    return found


def test_an_upheld_appeal_changes_the_rates_exactly_as_the_formulas_say(api: Api, clean: World) -> None:
    w = clean
    a = closed_case(api, w, True, "satisfied")
    b = closed_case(api, w, False, "unsatisfied")  # reopened by the verdict; the first task keeps it
    c = closed_case(api, w, None, None)  # accepted, still open
    d = closed_case(api, w, False, "basically_satisfied")

    before = street(api, w)
    counts = before["counts"]
    assert isinstance(counts, dict)
    assert (counts["assigned"], counts["should_close"], counts["closed"]) == (4, 4, 3)
    assert (counts["evaluated"], counts["resolved"], counts["satisfied"]) == (3, 1, 2)
    assert before["response_rate"] == 1.0 and before["close_rate"] == 0.75
    assert before["resolution_rate"] == 0.3333 and before["satisfaction_rate"] == 0.6667
    assert before["composite"] == pytest.approx(0.65, abs=1e-4)

    # the street appeals: the verdict on b, 非本单位职责 for c, 不合理诉求 for d
    evidence = ["photo:1"]
    r = api.act("street", b, "appeal", appeal_kind="verdict", reason="居民要求超出法定范围", evidence=evidence)
    assert r.status_code == 200, r.text
    assert api.act("street", c, "appeal", appeal_kind="verdict", reason="x").status_code == 422  # no verdict yet
    api.ok("street", c, "appeal", appeal_kind="not_ours", reason="属区住建局职责")
    api.ok("street", d, "appeal", appeal_kind="unreasonable", reason="诉求无法律依据")
    assert api.act("street", d, "appeal", appeal_kind="unreachable", reason="again").status_code == 409  # once
    assert api.act("other-street", d, "appeal", appeal_kind="unreachable", reason="x").status_code in (403, 404)
    assert api.act("street", d, "uphold_appeal", reason="x").status_code == 403  # the command centre decides
    pending = api.get("leader", "/api/v1/metrics/appeals", status="pending").json()
    board = api.get("leader", "/dashboard").text
    assert "待审核 3 件" in board and board.count('data-status="pending"') == 3
    # 超期未审核 compares instants (the deadline is stored in UTC, the clock reads Beijing time): an hour before the
    # earliest deadline nothing is late, an hour after it that appeal is
    first_due = min(datetime.fromisoformat(p["due_at"]) for p in pending)
    now = w.clock.now()
    late = 'data-status="pending" class="late"'
    w.clock.set((first_due - timedelta(hours=1)).astimezone(SHANGHAI))
    assert api.get("leader", "/dashboard").text.count(late) == 0
    w.clock.set((first_due + timedelta(hours=1)).astimezone(SHANGHAI))
    assert api.get("leader", "/dashboard").text.count(late) >= 1
    w.clock.set(now)
    assert [p["case_id"] for p in pending] == [b, c, d]
    assert pending[0]["evidence"] == evidence and pending[0]["appeal_label"] == "评价申诉"
    due = pending[0]["due_at"]
    assert due >= (w.clock.now() + timedelta(days=5)).isoformat()[:10]  # 5 working days, weekends skipped
    nothing_yet = street(api, w)
    assert nothing_yet["resolution_rate"] == 0.3333  # a pending appeal changes nothing
    assert nothing_yet["counts"]["appeals"] == 3 and nothing_yet["appeal_upheld_rate"] is None  # type: ignore[index]

    w.clock.advance(timedelta(days=1))
    assert api.act("dispatcher", b, "uphold_appeal").status_code == 422  # the reason is required
    api.ok("dispatcher", b, "uphold_appeal", reason="经核实，诉求超出政策范围")
    api.ok("dispatcher", c, "uphold_appeal", reason="权属清单确认属住建")
    api.ok("dispatcher", d, "refuse_appeal", reason="诉求合理，应予处理")
    assert api.act("dispatcher", d, "uphold_appeal", reason="x").status_code == 409  # already decided

    after = street(api, w)
    counts = after["counts"]
    assert isinstance(counts, dict)
    # c (非本单位职责) leaves every rate; b's verdict leaves 解决率 and 满意率; d's refusal changes nothing
    assert (counts["assigned"], counts["should_close"], counts["closed"]) == (3, 3, 3)
    assert (counts["evaluated"], counts["resolved"], counts["satisfied"]) == (2, 1, 2)
    assert after["response_rate"] == 1.0 and after["close_rate"] == 1.0
    assert after["resolution_rate"] == 0.5 and after["satisfaction_rate"] == 1.0
    assert after["composite"] == pytest.approx(0.825, abs=1e-4)  # 0.30·1 + 0.35·0.5 + 0.35·1
    assert (counts["appeals"], counts["appeals_decided"], counts["appeals_upheld"]) == (3, 3, 2)
    assert after["appeal_upheld_rate"] == 0.6667  # 申诉通过率 = 2 / 3

    decided = {p["case_id"]: p for p in api.get("leader", "/api/v1/metrics/appeals").json()}
    assert (decided[b]["status"], decided[b]["excludes"]) == ("upheld", "verdict")
    assert (decided[c]["excludes"], decided[d]["status"], decided[d]["excludes"]) == ("all", "refused", None)
    assert api.get("street", "/api/v1/metrics/appeals").status_code == 200
    assert api.get("dept-cg", "/api/v1/metrics/appeals").status_code == 403

    # the leaders read the same list on the dashboard, decided ones with their verdict
    board = api.get("leader", "/dashboard")
    assert board.status_code == 200 and 'id="appeals-table"' in board.text and "待审核 0 件" in board.text
    rows = re.findall(r'<tr data-case="([^"]+)" data-status="(\w+)"', board.text)
    codes = {p["case_id"]: p["tracking_code"] for p in decided.values()}
    assert sorted(rows) == sorted([(codes[b], "upheld"), (codes[c], "upheld"), (codes[d], "refused")])
    assert "经核实，诉求超出政策范围" in board.text and "未通过" in board.text

    events = [e["event_type"] for e in api.get("dispatcher", f"/api/v1/cases/{b}/events").json()]
    assert events[-2:] == ["appeal_lodged", "appeal_upheld"]
    done = CliRunner().invoke(main, ["audit", "verify", "--database-url", w.container.settings.database_url])
    assert done.exit_code == 0, done.output
    assert a  # the first case is the untouched comparison


def test_the_case_panel_offers_the_appeal_and_its_decision_as_forms(api: Api, clean: World) -> None:
    """Smaller item of issue 17: appeals from the case page, through the panel's own forms and guard."""
    w = clean
    cid = closed_case(api, w, None, None)  # accepted by the street, still open

    def press(who: str, **form: str) -> Any:
        headers = {"Authorization": f"Bearer {w.tokens[who]}", "HX-Request": "true"}
        version = str(api.get(who, f"/api/v1/cases/{cid}").json()["version"])
        return api.client.post(f"/cases/{cid}/panel", data={"version": version, **form}, headers=headers)

    panel = api.get("street", f"/cases/{cid}/panel").text
    assert 'data-action="appeal"' in panel and "非本单位职责" in panel and 'name="appeal_kind"' in panel
    assert 'data-action="uphold_appeal"' not in panel  # the command centre decides
    r = press("street", action="appeal", appeal_kind="not_ours", reason="属区住建局职责", evidence="photo:1")
    assert r.status_code == 200, r.text
    panel = api.get("dispatcher", f"/cases/{cid}/panel").text
    assert 'data-action="uphold_appeal"' in panel and 'data-action="refuse_appeal"' in panel
    assert f'value="{w.street_code}"' in panel  # the unit whose appeal is pending
    r = press("dispatcher", action="uphold_appeal", unit_code=w.street_code, reason="权属清单确认")
    assert r.status_code == 200, r.text
    pending = api.get("leader", "/api/v1/metrics/appeals").json()
    assert [(p["case_id"], p["status"], p["evidence"]) for p in pending] == [(cid, "upheld", ["photo:1"])]
