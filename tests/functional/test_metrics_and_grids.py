"""Monthly unit metrics (三率 and 数字城管 rates) and the grid tree through HTTP."""

from __future__ import annotations

from datetime import timedelta

from conftest import Api, World


def _loop(api: Api, w: World, satisfaction: str, resolved: bool, rework: bool = False, late: bool = False) -> int:
    r = api.post("resident", "/api/v1/cases", {"title": "楼道堆物", "grid_code": w.grid, "category_code": "H1802"})
    case_id = int(r.json()["id"])
    api.ok("operator", case_id, "register")
    api.ok("dispatcher", case_id, "dispatch")
    w.clock.advance(timedelta(days=3) if late else timedelta(minutes=30))
    api.ok("street", case_id, "accept")
    api.ok("street", case_id, "handle", note="已处理")
    if rework:
        api.ok("street", case_id, "rework", reason="未处理到位")
        api.ok("street", case_id, "handle", note="再次处理")
    api.ok("street", case_id, "verify")
    api.ok("resident", case_id, "evaluate", resolved=resolved, satisfaction=satisfaction)
    return case_id


def test_unit_metrics_follow_the_documented_formulas(api: Api, clean: World) -> None:
    w = clean
    _loop(api, w, "satisfied", True)
    _loop(api, w, "basically_satisfied", True, rework=True)
    _loop(api, w, "satisfied", False, late=True)  # accepted 3 days later: late response
    suspended = api.post("operator", "/api/v1/cases", {"title": "x", "grid_code": w.grid, "category_code": "H1802"})
    sid = int(suspended.json()["id"])
    api.ok("operator", sid, "register")
    api.ok("dispatcher", sid, "dispatch")
    api.ok("street", sid, "accept")
    api.ok("street", sid, "request_postpone", amount=1, unit="working_days", reason="等待材料")
    api.ok("dispatcher", sid, "approve_postpone")
    api.ok("dispatcher", sid, "suspend", reason="司法程序")

    body = api.get("leader", "/api/v1/metrics/units", month="2025-09").json()
    assert body["weights"] == {"response": 0.3, "resolution": 0.35, "satisfaction": 0.35}
    street = next(u for u in body["units"] if u["unit_code"] == w.street_code)
    c = street["counts"]
    assert (c["assigned"], c["responded_on_time"], c["responded_late"]) == (4, 3, 1)
    assert (c["should_close"], c["deferred"], c["closed"], c["evaluated"]) == (4, 1, 3, 3)
    assert street["response_rate"] == 0.75
    assert street["resolution_rate"] == round(2 / 3, 4)
    assert street["satisfaction_rate"] == 1.0
    assert street["composite"] == round(0.3 * 0.75 + 0.35 * (2 / 3) + 0.35 * 1.0, 4)
    assert street["close_rate"] == 1.0  # 3 closed / (4 due − 1 suspended)
    assert street["rework_rate"] == round(1 / 3, 4)  # 1 rework over 3 handled tasks
    assert street["postpone_rate"] == 0.25
    assert street["rank"] == 1
    empty = api.get("leader", "/api/v1/metrics/units", month="2025-08").json()
    assert empty["units"] == []
    bad = api.get("leader", "/api/v1/metrics/units", month="2025-13")
    assert bad.status_code == 422


def test_grid_detail_and_children(api: Api, clean: World) -> None:
    w = clean
    g = api.get("dispatcher", f"/api/v1/grids/{w.grid}").json()
    assert g["level"] == 4 and g["generated"] is True
    assert [a["level"] for a in g["ancestors"]] == [0, 1, 2, 3]
    assert g["ancestors"][0]["code"] == "410100000000000" and g["ancestors"][1]["name"] == "中原区"
    assert g["grid_workers"] == 1
    street = api.get("dispatcher", f"/api/v1/grids/{w.street_code}000000").json()
    assert street["official_code"] == w.street_code and street["generated"] is False
    assert street["units"][0]["kind"] == "street_office"
    kids = api.get("dispatcher", f"/api/v1/grids/{w.street_code}000000/children").json()
    assert kids["total"] == street["children_count"] > 0
    assert all(k["parent_code"] == f"{w.street_code}000000" for k in kids["items"])
    assert api.get("dispatcher", "/api/v1/grids/123").status_code == 422
    assert api.get("dispatcher", "/api/v1/grids/999999999999999").status_code == 404


def test_case_list_filters_and_pagination(api: Api, clean: World) -> None:
    w = clean
    ids = []
    for i in range(5):
        r = api.post(
            "operator",
            "/api/v1/cases",
            {
                "title": f"案件{i}",
                "grid_code": w.grid if i < 3 else w.other_grid,
                "category_code": "H1802" if i % 2 else "C0106",
            },
        )
        ids.append(r.json()["id"])
    api.ok("operator", ids[0], "register")
    assert api.get("dispatcher", "/api/v1/cases", status="registered").json()["total"] == 1
    assert api.get("dispatcher", "/api/v1/cases", status="open").json()["total"] == 5
    assert api.get("dispatcher", "/api/v1/cases", grid=f"{w.street_code}000000").json()["total"] == 3
    assert api.get("dispatcher", "/api/v1/cases", category="C01").json()["total"] == 3
    page = api.get("dispatcher", "/api/v1/cases", page=2, page_size=2).json()
    assert len(page["items"]) == 2 and page["total"] == 5
    assert api.get("dispatcher", "/api/v1/cases", status="nonsense").status_code == 422
    # residents see only their own cases; phone numbers are masked for roles that do not need them
    assert api.get("resident", "/api/v1/cases").json()["total"] == 0
    r = api.post("resident", "/api/v1/cases", {"title": "我的", "grid_code": w.grid, "reporter_phone": "13812345678"})
    mine = r.json()["id"]
    assert api.get("resident", "/api/v1/cases").json()["total"] == 1
    assert api.get("resident2", f"/api/v1/cases/{mine}").status_code == 404
    assert api.get("street", f"/api/v1/cases/{mine}").json()["reporter_phone"] == "138****5678"
    assert api.get("operator", f"/api/v1/cases/{mine}").json()["reporter_phone"] == "13812345678"
