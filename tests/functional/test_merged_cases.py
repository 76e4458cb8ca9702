"""Merged cases: children follow their parent to any close, and a merged parent takes its own children along."""

from __future__ import annotations

import pytest

from conftest import Api, World


def new_case(api: Api, w: World, who: str = "resident", **extra: object) -> int:
    body = {"title": "楼道堆物", "grid_code": w.grid, "category_code": "H1802", **extra}
    r = api.post(who, "/api/v1/cases", body)
    assert r.status_code == 201, r.text
    return int(r.json()["id"])


@pytest.mark.parametrize("close", ["direct_close", "reject"])
def test_merged_children_follow_a_parent_closed_any_way(api: Api, clean: World, close: str) -> None:
    parent = new_case(api, clean, who="operator", category_code="H1901", title="咨询")
    child = new_case(api, clean, who="operator", category_code="H1901", title="同一咨询")
    api.ok("dispatcher", child, "merge", into_case_id=parent)
    api.ok("operator", parent, close, note="已答复", reason="重复")
    assert api.get("dispatcher", f"/api/v1/cases/{child}").json()["status"] == "closed"
    last = api.get("dispatcher", f"/api/v1/cases/{child}/events").json()[-1]
    assert last["action"] == "follow_parent" and last["payload"]["parent_status"] in ("closed", "rejected")


def test_merging_a_parent_moves_its_children_on_the_record(api: Api, clean: World) -> None:
    a, b, c = (new_case(api, clean) for _ in range(3))
    api.ok("dispatcher", c, "merge", into_case_id=b)
    api.ok("dispatcher", b, "merge", into_case_id=a)
    child = api.get("dispatcher", f"/api/v1/cases/{c}").json()
    assert child["parent_case_id"] == a
    last = api.get("dispatcher", f"/api/v1/cases/{c}/events").json()[-1]
    assert last["action"] == "merge" and last["payload"]["via_case_id"] == b and last["actor_role"] == "system"
