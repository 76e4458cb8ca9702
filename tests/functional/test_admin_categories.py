"""Categories and their deadlines from the admin API, each change on the admin record."""

from __future__ import annotations

from sqlalchemy import text

from conftest import Api, World


def limits(w: World, code: str) -> tuple[int, str, str]:
    with w.container.engine.connect() as conn:
        sql = "SELECT handle_limit, handle_unit, urgency FROM categories WHERE code = :c"
        row = conn.execute(text(sql), {"c": code}).one()
    return int(row[0]), str(row[1]), str(row[2])


def test_a_categorys_deadline_is_changed_on_the_record(api: Api, clean: World) -> None:
    h = {"Authorization": f"Bearer {clean.tokens['admin']}"}
    original = limits(clean, "E0506")
    new = {"handle": {"limit": 3, "unit": "hours"}, "urgency": "urgent"}
    try:
        r = api.client.patch("/api/v1/admin/categories/E0506", json=new, headers=h)
        assert r.status_code == 200, r.text
        assert limits(clean, "E0506") == (3, "hours", "urgent")
        changed = r.json()["payload"]["changed"]
        assert changed["handle"] == {"from": [original[0], original[1]], "to": [3, "hours"]}
        bad = api.client.patch(
            "/api/v1/admin/categories/E0506", json={"handle": {"limit": 3, "unit": "weeks"}}, headers=h
        )
        assert bad.status_code == 422
        assert api.client.patch("/api/v1/admin/categories/NOPE", json={"name": "x"}, headers=h).status_code == 404
        street = {"Authorization": f"Bearer {clean.tokens['street']}"}
        assert api.client.patch("/api/v1/admin/categories/E0506", json=new, headers=street).status_code == 403
    finally:
        back = {"handle": {"limit": original[0], "unit": original[1]}, "urgency": original[2]}
        assert api.client.patch("/api/v1/admin/categories/E0506", json=back, headers=h).status_code == 200
    record = api.get("admin", "/api/v1/admin/categories/E0506/record").json()
    assert [e["action"] for e in record] == ["change_category", "change_category"]
    assert limits(clean, "E0506") == original
