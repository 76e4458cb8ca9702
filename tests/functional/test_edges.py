"""Boundary inputs found by fuzzing: each is a clear 4xx, never a 500."""

from __future__ import annotations

import json

from conftest import Api, World


def test_out_of_range_values_are_refused_not_crashed(api: Api, clean: World) -> None:
    big = 2**31
    for path, params in [
        (f"/api/v1/cases/{big}", {}),
        (f"/api/v1/cases/{big}/events", {}),
        ("/api/v1/cases", {"page": 184467440737095518}),
        (f"/api/v1/grids/{clean.grid}/children", {"page": 9223372036854775807}),
        ("/api/v1/cases", {"created_from": "0001-01-01T00:00:00+01:00"}),
        ("/api/v1/cases", {"created_to": "9999-12-31T23:59:59-12:00"}),
        ("/api/v1/metrics/units", {"month": "9999-12"}),
        ("/api/v1/cases", {"category": "%"}),
        ("/api/v1/units/responsible", {"category": "%", "grid": clean.grid}),
    ]:
        r = api.get("admin", path, **params)
        assert r.status_code == 422, (path, params, r.status_code, r.text)
    cid = api.post("resident", "/api/v1/cases", {"title": "x", "grid_code": clean.grid}).json()["id"]
    r = api.act("admin", cid, "merge", into_case_id=99999999999999999999)
    assert r.status_code == 422
    lone = json.dumps(
        {"api_key": clean.tokens["operator"], "service_code": "H01", "grid_code": clean.grid, "description": "\ud800"}
    )  # json.dumps writes the lone surrogate as an escape
    r = api.client.post("/open311/v2/requests.json", content=lone, headers={"Content-Type": "application/json"})
    assert r.status_code == 400 and r.json()[0]["code"] == 400
    r = api.client.delete("/api/v1/cases")
    assert r.status_code == 405 and r.headers["allow"]


def test_control_characters_anywhere_are_refused(api: Api, clean: World) -> None:
    assert api.get("admin", "/api/v1/cases", unit="a\x00b").status_code == 422
    assert api.get("admin", "/api/v1/grids/address", text="金水\x01区").status_code == 422
    r = api.client.post("/api/v1/auth/login", json={"username": "a\x00", "password": "x"})
    assert r.status_code == 422
