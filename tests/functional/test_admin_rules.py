"""Responsibility rules set and deleted from the admin API, each on the admin record and in one transaction
with it; the tester sees the change at once. The settings, read-only, with secrets hidden."""

from __future__ import annotations

from gridgov.admin.audit import verify_admin
from gridgov.admin.settings_view import HIDDEN, masked

from conftest import Api, World


def test_a_rule_set_on_the_screen_changes_the_testers_answer_and_is_recorded(api: Api, clean: World) -> None:
    tester = {"category": "E0506", "grid": clean.grid}
    before = api.get("admin", "/api/v1/admin/responsible", **tester).json()["unit"]["code"]
    target = f"{clean.district}-cg"
    assert target != before
    h = {"Authorization": f"Bearer {clean.tokens['admin']}"}
    body = {"category": "E0506", "grid": clean.grid, "target": "unit", "unit_code": target, "note": "试点"}
    r = api.client.put("/api/v1/admin/rules", json=body, headers=h)
    assert r.status_code == 200, r.text
    try:
        assert api.get("admin", "/api/v1/admin/responsible", **tester).json()["unit"]["code"] == target
        rules = api.get("admin", "/api/v1/admin/rules", category="E0506", grid=clean.grid).json()
        assert any(x["unit_code"] == target and x["grid_prefix"] == clean.grid for x in rules)
    finally:
        gone = api.client.delete("/api/v1/admin/rules", params={"category": "E0506", "grid": clean.grid}, headers=h)
        assert gone.status_code == 200, gone.text
    assert api.get("admin", "/api/v1/admin/responsible", **tester).json()["unit"]["code"] == before
    again = api.client.delete("/api/v1/admin/rules", params={"category": "E0506", "grid": clean.grid}, headers=h)
    assert again.status_code == 404
    bad = api.client.put("/api/v1/admin/rules", json=body | {"unit_code": "no-such-unit"}, headers=h)
    assert bad.status_code == 404
    with clean.container.sessions() as s:
        report = verify_admin(s)
    assert report.ok and report.events == 2 and report.subjects == 1, report  # a refused change records nothing


def test_the_settings_are_shown_with_every_secret_hidden(api: Api, clean: World) -> None:
    rows = {r["name"]: r["value"] for r in api.get("admin", "/api/v1/admin/settings").json()}
    assert rows["GRIDGOV_SECRET_KEY"] == HIDDEN
    assert clean.container.settings.secret_key not in str(rows)
    assert "GRIDGOV_DATABASE_URL" in rows and "GRIDGOV_CITY_CODE" in rows
    assert api.get("street", "/api/v1/admin/settings").status_code == 403


def test_secrets_in_urls_are_masked() -> None:
    assert (
        masked("database_url", "postgresql+psycopg://gg:s3cret@db:5432/gg") == "postgresql+psycopg://gg:***@db:5432/gg"
    )
    tiles = "https://t0.tianditu.gov.cn/vec_w/wmts?tk=abcdef0123&layer=vec"
    assert masked("map_tile_url", tiles) == "https://t0.tianditu.gov.cn/vec_w/wmts?tk=***&layer=vec"
    assert masked("smtp_password", "x") == HIDDEN and masked("audit_key_path", "/etc/gg/audit.key") != HIDDEN
