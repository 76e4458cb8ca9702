"""The case page: the responsibility chain as a timeline with its integrity; every text is escaped."""

from __future__ import annotations

import httpx
from sqlalchemy import text

from conftest import Api, World

XSS = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def test_case_page_escapes_every_text_and_shows_the_chain(api: Api, server: str, clean: World) -> None:
    body = {
        "title": f"标题{XSS}",
        "description": f"内容{XSS}",
        "address": f"地址{XSS}",
        "grid_code": clean.grid,
        "category_code": "H1802",
        "reporter_name": f"名{XSS}",
    }
    cid = api.post("resident", "/api/v1/cases", body).json()["id"]
    api.ok("operator", cid, "register")
    api.ok("dispatcher", cid, "dispatch", note=f"派遣{XSS}")
    api.ok("street", cid, "return", reason=f"退回{XSS}")
    with clean.container.engine.connect() as conn:
        views_before = conn.execute(text("SELECT count(*) FROM pii_access_log WHERE case_id = :c"), {"c": cid}).scalar()
    page = httpx.get(f"{server}/cases/{cid}", headers={"Authorization": f"Bearer {clean.tokens['operator']}"})
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    html = page.text
    assert "<script>" not in html and "<img" not in html
    assert html.count("&lt;script&gt;") >= 5  # title, description, address, name, note, reason
    assert "哈希链完整, 共 4 个事件" in html and "退回" in html
    with clean.container.engine.connect() as conn:  # the page showed the unmasked name: recorded
        views = conn.execute(text("SELECT count(*) FROM pii_access_log WHERE case_id = :c"), {"c": cid}).scalar()
    assert views == views_before + 1

    with clean.container.engine.begin() as conn:
        conn.execute(text("UPDATE case_events SET actor_role = 'admin' WHERE case_id = :c AND seq = 2"), {"c": cid})
    tampered = httpx.get(f"{server}/cases/{cid}", headers={"Authorization": f"Bearer {clean.tokens['operator']}"})
    assert "哈希链校验失败" in tampered.text
    outsider = httpx.get(f"{server}/cases/{cid}", headers={"Authorization": f"Bearer {clean.tokens['resident2']}"})
    assert outsider.status_code == 404
    anonymous = httpx.get(f"{server}/cases/{cid}")  # a browser without a session is sent to sign in
    assert anonymous.status_code == 303 and anonymous.headers["location"] == f"/login?next=/cases/{cid}"
