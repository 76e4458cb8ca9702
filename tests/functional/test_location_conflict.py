"""A pin in one district and an address naming another: the case is kept where the pin is, and the disagreement
is recorded on the reported event and shown to staff (issue 18)."""

from __future__ import annotations

from conftest import Api, World, inner_point


def _other_district(api: Api, w: World) -> dict[str, str]:
    city = api.get("dispatcher", f"/api/v1/grids/{w.grid[:4]}00000000000/children").json()
    others = [g for g in city["items"] if not g["code"].startswith(w.district)]
    assert others, city
    return others[0]


def test_pin_and_address_in_different_districts_are_recorded(api: Api, clean: World) -> None:
    w = clean
    lat, lon = inner_point(w, w.grid)  # in 中原区
    other = _other_district(api, w)
    body = {"title": "路灯不亮", "lat": lat, "lon": lon, "address": other["name"] + "某小区门口"}
    r = api.post("resident", "/api/v1/cases", body)
    assert r.status_code == 201, r.text
    cid = r.json()["id"]
    case = api.get("dispatcher", f"/api/v1/cases/{cid}").json()
    assert case["grid_code"] == w.grid and case["location_source"] == "point"  # the pin decides the grid
    conflict = case["location_conflict"]
    assert conflict["point_district"] == w.district + "000000000" and conflict["point_district_name"] == "中原区"
    assert conflict["address_district"] == other["code"] and conflict["address_district_name"] == other["name"]
    events = api.get("dispatcher", f"/api/v1/cases/{cid}/events").json()
    assert events[0]["payload"]["location_conflict"] == conflict  # on the hash-chained record
    page = api.get("dispatcher", f"/cases/{cid}")
    assert "位置存疑" in page.text and other["name"] in page.text
    # a resident looking at their own case is not shown the staff note
    assert api.get("resident", f"/api/v1/cases/{cid}").json()["location_conflict"] is None


def test_pin_and_address_that_agree_or_name_no_district_record_nothing(api: Api, clean: World) -> None:
    w = clean
    lat, lon = inner_point(w, w.grid)
    for address in ("中原区某小区", "人民路18号", ""):
        cid = api.post("resident", "/api/v1/cases", {"title": "x", "lat": lat, "lon": lon, "address": address}).json()
        case = api.get("dispatcher", f"/api/v1/cases/{cid['id']}").json()
        assert case["location_conflict"] is None, address
        events = api.get("dispatcher", f"/api/v1/cases/{cid['id']}/events").json()
        assert "location_conflict" not in events[0]["payload"]
