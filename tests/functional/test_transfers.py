"""转办 (issue 17) through HTTP, in process: a case transferred to a linkage line with its reason, the outcome
recorded by hand, the case's own status kind (no deadline scan, no merge into it), the local rates without it
(docs/metrics.md#transfers, fixed numbers), the documents' refusals with the field named, an import sent twice
that makes one case, the case page's 转办 form, and `gridgov audit verify` over it all."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from gridgov.cli import main

from conftest import Api, World

MONTH = "2025-09"


def hotline_case(api: Api, w: World, title: str = "小区门口有人打架") -> int:
    body = {"title": title, "grid_code": w.grid, "source": "hotline", "reporter_phone": "13800001111"}
    r = api.post("operator", "/api/v1/cases", body)
    assert r.status_code == 201, r.text
    return int(r.json()["id"])


def street(api: Api, w: World) -> dict[str, Any]:
    units = api.get("leader", "/api/v1/metrics/units", month=MONTH).json()["units"]
    found: dict[str, Any] = next(u for u in units if u["unit_code"] == w.street_code)
    return found


def test_a_transferred_case_has_its_own_status_and_records_the_outcome(api: Api, clean: World) -> None:
    w = clean
    cid = hotline_case(api, w)
    targets = {t["code"] for t in api.get("operator", "/api/v1/transfers/targets").json()}
    assert {"110", "119", "120", "122", "12345-province"} <= targets
    assert (
        api.post("operator", f"/api/v1/cases/{cid}/transfers", {"target_code": "999", "reason": "x"}).status_code == 422
    )
    assert (
        api.post("street", f"/api/v1/cases/{cid}/transfers", {"target_code": "110", "reason": "x"}).status_code == 403
    )
    r = api.post("operator", f"/api/v1/cases/{cid}/transfers", {"target_code": "110", "reason": "涉及治安, 转 110"})
    assert r.status_code == 201, r.text
    t = r.json()
    assert (t["direction"], t["counterpart"], t["status"]) == ("out", "110", "sent")
    case = api.get("operator", f"/api/v1/cases/{cid}").json()
    assert case["status"] == "transferred"
    again = api.post("operator", f"/api/v1/cases/{cid}/transfers", {"target_code": "119", "reason": "again"})
    assert again.status_code == 409  # a case is transferred once
    assert api.act("dispatcher", cid, "dispatch").status_code == 409  # the local loop is over for it
    other = hotline_case(api, w, "另一件")
    assert api.act("dispatcher", other, "merge", into_case_id=cid).status_code == 409  # no merge into it

    r = api.post(
        "operator", f"/api/v1/transfers/{t['id']}/outcome", {"outcome": "110 已出警处置", "external_ref": "JJ-1"}
    )
    assert r.status_code == 200, r.text
    assert (r.json()["status"], r.json()["outcome"], r.json()["external_ref"]) == ("reported", "110 已出警处置", "JJ-1")
    events = [e["event_type"] for e in api.get("operator", f"/api/v1/cases/{cid}/events").json()]
    assert events[-2:] == ["case_transferred", "transfer_outcome_reported"]
    done = CliRunner().invoke(main, ["audit", "verify", "--database-url", w.container.settings.database_url])
    assert done.exit_code == 0, done.output


def test_a_transferred_case_leaves_the_local_rates_as_the_formulas_say(api: Api, clean: World) -> None:
    w = clean
    cases = []
    for title in ("路灯不亮", "井盖缺失", "占道经营"):
        r = api.post("resident", "/api/v1/cases", {"title": title, "grid_code": w.grid, "category_code": "H1802"})
        assert r.status_code == 201, r.text
        cid = int(r.json()["id"])
        api.ok("operator", cid, "register")
        api.ok("dispatcher", cid, "dispatch")
        cases.append(cid)
    x, y, z = cases
    api.ok("street", x, "accept")
    api.ok("street", x, "handle", note="已修复")
    api.ok("street", x, "verify")
    api.ok("street", z, "accept")
    w.clock.advance(timedelta(days=10))
    api.ok("street", y, "return", reason="属公安管辖")  # answered late

    before = street(api, w)
    c = before["counts"]
    assert (c["assigned"], c["responded_on_time"], c["responded_late"]) == (3, 2, 1)
    assert (c["should_close"], c["closed"]) == (2, 1)
    assert before["response_rate"] == 0.6667 and before["close_rate"] == 0.5

    r = api.post("dispatcher", f"/api/v1/cases/{y}/transfers", {"target_code": "110", "reason": "属公安管辖"})
    assert r.status_code == 201, r.text
    after = street(api, w)
    c = after["counts"]
    # y's task leaves every count of the street: 响应率 = on time / assigned over the tasks of local cases only
    assert (c["assigned"], c["responded_on_time"], c["responded_late"]) == (2, 2, 0)
    assert (c["should_close"], c["closed"]) == (2, 1)
    assert after["response_rate"] == 1.0 and after["close_rate"] == 0.5


def test_the_hotline_figures_count_local_cases_only(api: Api, clean: World) -> None:
    w = clean
    a, b, _ = (hotline_case(api, w, t) for t in ("咨询社保卡", "打架斗殴", "噪音扰民"))
    api.ok("operator", a, "direct_close", note="已答复")
    window = {
        "start": (w.clock.now() - timedelta(days=1)).isoformat(),
        "end": (w.clock.now() + timedelta(days=1)).isoformat(),
    }
    before = api.get("operator", "/api/v1/knowledge/figures", **window).json()
    assert (before["received"], before["direct_closed"], before["transferred"]) == (3, 1, 0)
    assert before["direct_rate"] == 1 / 3
    r = api.post("operator", f"/api/v1/cases/{b}/transfers", {"target_code": "110", "reason": "转 110"})
    assert r.status_code == 201, r.text
    after = api.get("operator", "/api/v1/knowledge/figures", **window).json()
    # 直接办结率 = 1 / (3 − 1 transferred)
    assert (after["received"], after["direct_closed"], after["transferred"]) == (2, 1, 1)
    assert after["direct_rate"] == 0.5


def _doc(w: World, **changes: Any) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "format": "gridgov.transfer",
        "version": 1,
        "sender": "kaifeng",
        "transfer_ref": "kaifeng:20250926-ABCDEF",
        "target_code": "12345-other-city",
        "reason": "事发地在郑州",
        "transferred_at": "2025-09-26T08:00:00+08:00",
        "case": {
            "tracking_code": "20250926-ABCDEF",
            "title": "郑州某小区供暖不热",
            "description": "来电人反映家中温度 12 度",
            "address": "郑州市金水区某小区 3 号楼",
            "lat": None,
            "lon": None,
            "urgency": "normal",
            "category_code": "NOPE",
            "reporter_name": "王女士",
            "reporter_phone": "13900002222",
            "reported_at": "2025-09-26T07:50:00+08:00",
        },
    }
    doc.update(changes)
    return doc


def test_an_import_refuses_a_bad_document_and_makes_one_case_when_sent_twice(api: Api, clean: World) -> None:
    w = clean
    for bad, field in (
        (_doc(w, version=2), "version"),
        (_doc(w, format="other"), "format"),
        (_doc(w, transfer_ref=""), "transfer_ref"),
        (_doc(w, case={**_doc(w)["case"], "title": 5}), "case.title"),
        (_doc(w, case={**_doc(w)["case"], "reported_at": "yesterday"}), "case.reported_at"),
    ):
        r = api.post("operator", "/api/v1/transfers/import", bad)
        assert r.status_code == 422, r.text
        err = r.json()["error"]
        assert (err["code"], err["details"]["field"]) == ("validation_error", field), r.text
        assert field in err["message"]  # in Chinese, naming the field
    assert api.post("resident", "/api/v1/transfers/import", _doc(w)).status_code == 403

    first = api.post("operator", "/api/v1/transfers/import", _doc(w))
    assert first.status_code == 201, first.text
    second = api.post("operator", "/api/v1/transfers/import", _doc(w))
    assert second.status_code == 200 and second.headers["Idempotent-Replayed"] == "true"
    assert second.json()["case_id"] == first.json()["case_id"]
    changed = _doc(w, reason="又改了")
    changed["case"] = {**changed["case"], "title": "不同的标题"}
    assert api.post("operator", "/api/v1/transfers/import", changed).status_code == 409  # same ref, other content
    cid = first.json()["case_id"]
    case = api.get("operator", f"/api/v1/cases/{cid}").json()
    assert (case["source"], case["status"]) == ("transfer", "reported")
    assert case["category_code"] != "NOPE"  # a category this instance does not know is left to the classifier
    inbound = api.get("operator", f"/api/v1/cases/{cid}/transfers").json()
    assert [(t["direction"], t["counterpart"], t["external_ref"]) for t in inbound] == [
        ("in", "kaifeng", "20250926-ABCDEF")
    ]
    outcome = {"format": "gridgov.transfer-outcome", "version": 1, "transfer_ref": "nobody:1", "receiver": "x"}
    outcome.update(
        {"receiver_ref": "r", "status": "closed", "outcome": "ok", "reported_at": "2025-09-26T09:00:00+08:00"}
    )
    r = api.post("operator", "/api/v1/transfers/outcomes", outcome)
    assert r.status_code == 404 and r.json()["error"]["code"] == "transfer_not_found"


def test_the_case_page_transfers_a_case_through_its_form(api: Api, clean: World) -> None:
    w = clean
    cid = hotline_case(api, w, "有人溺水")
    page = api.get("operator", f"/cases/{cid}").text
    assert 'id="transfer-form"' in page and "120 急救联动" in page
    assert 'id="transfer-form"' not in api.get("street", f"/cases/{cid}").text
    r = api.client.post(
        f"/cases/{cid}/transfers",
        data={"target_code": "120", "reason": "需要急救"},
        headers={"Authorization": f"Bearer {w.tokens['operator']}", "HX-Request": "true"},
    )
    assert r.status_code == 200, r.text
    assert "120 急救联动" in r.text and "已转出, 待反馈" in r.text and 'id="transfer-form"' not in r.text
    assert api.get("operator", f"/api/v1/cases/{cid}").json()["status"] == "transferred"
    page = api.get("operator", f"/cases/{cid}").text
    assert "已转办" in page and "记录转办结果" in page


def test_the_cli_names_the_line_or_the_field_that_is_wrong(clean: World, tmp_path: Path) -> None:
    url = clean.container.settings.database_url
    broken = tmp_path / "broken.json"
    broken.write_text('{\n  "format": "gridgov.transfer",\n  "version": 1,,\n}\n', encoding="utf-8")
    done = CliRunner().invoke(main, ["transfers", "import", str(broken), "--database-url", url])
    assert done.exit_code == 2 and "第 3 行" in done.output, done.output
    wrong = tmp_path / "wrong.json"
    wrong.write_text(json.dumps(_doc(clean, case={**_doc(clean)["case"], "urgency": "soon"})), encoding="utf-8")
    done = CliRunner().invoke(main, ["transfers", "import", str(wrong), "--database-url", url])
    assert done.exit_code == 2 and "case.urgency" in done.output, done.output
    good = tmp_path / "good.json"
    good.write_text(json.dumps(_doc(clean)), encoding="utf-8")
    runs = [CliRunner().invoke(main, ["transfers", "import", str(good), "--database-url", url]) for _ in range(2)]
    assert [r.exit_code for r in runs] == [0, 0], runs[0].output
    assert "已建立" in runs[0].output and "未重复建案" in runs[1].output
