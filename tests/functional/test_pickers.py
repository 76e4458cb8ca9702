"""The small look-ups the screens use: who am I, units and categories for pickers, the page shell rules."""

from __future__ import annotations

import httpx

from conftest import Api, World


def test_who_am_i(api: Api, clean: World) -> None:
    me = api.get("street", "/api/v1/auth/me").json()
    assert me["username"] == "street" and me["role"] == "street" and me["role_label"]
    assert me["unit"]["code"] == clean.street_code and me["grid_code"].startswith(clean.street_code)
    assert api.get(None, "/api/v1/auth/me").status_code == 401


def test_unit_picker(api: Api, clean: World) -> None:
    bureaus = api.get("dispatcher", "/api/v1/units", kind="district_bureau", under=clean.district).json()
    codes = {u["code"] for u in bureaus}
    assert f"{clean.district}-cg" in codes and all(u["kind"] == "district_bureau" for u in bureaus)
    both = api.get("dispatcher", "/api/v1/units", kind="city_department,district_bureau", limit=1000).json()
    assert {u["kind"] for u in both} == {"city_department", "district_bureau"}
    named = api.get("dispatcher", "/api/v1/units", q="城市管理").json()
    assert named and all("城市管理" in u["name"] for u in named)
    assert api.get("dispatcher", "/api/v1/units", q="%").json() == []  # LIKE wildcards are plain text
    bad = api.get("dispatcher", "/api/v1/units", under="nope")
    assert bad.status_code == 422 and bad.json()["error"]["code"] == "validation_error"
    assert api.get("dispatcher", "/api/v1/units", kind="DROP TABLE").status_code == 422


def test_category_picker(api: Api) -> None:
    top = api.get("resident", "/api/v1/categories", taxonomy="hotline12345", parent="").json()
    assert len(top) == 20 and all(c["parent_code"] is None for c in top)
    children = api.get("resident", "/api/v1/categories", parent="H18").json()
    assert children and all(c["parent_code"] == "H18" for c in children)
    assert api.get("resident", "/api/v1/categories", taxonomy="other").status_code == 422


def test_screens_send_people_to_sign_in_and_to_their_own_screen(server: str, clean: World) -> None:
    assert httpx.get(f"{server}/queue").headers["location"] == "/login?next=/queue"
    token = clean.tokens["dept-cg"]
    home = httpx.get(f"{server}/home", headers={"Authorization": f"Bearer {token}"})
    assert home.status_code == 303 and home.headers["location"] == "/inbox"
    page = httpx.get(f"{server}/inbox", headers={"Authorization": f"Bearer {token}"})
    assert page.status_code == 200 and "待办案件" in page.text
    assert "script-src 'self'" in page.headers["content-security-policy"]
    assert httpx.get(f"{server}/hotline", headers={"Authorization": f"Bearer {token}"}).status_code == 403
    login = httpx.get(f"{server}/login", params={"next": "https://evil.example/"})
    assert 'data-next=""' in login.text
    assert httpx.get(f"{server}/static/vendor/leaflet/leaflet.js").status_code == 200
