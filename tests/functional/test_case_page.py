"""The case page: the responsibility chain as a timeline with its integrity; every text is escaped. The case panel
(a partial rendered on the server) draws exactly the forms the server allows."""

from __future__ import annotations

import json
import re

import httpx
from sqlalchemy import text

from gridgov.cases.domain import ACTION_LABELS, STATUS_LABELS, Action, CaseStatus

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


def _forms(html: str) -> list[str]:
    return re.findall(r'<form class="action" data-action="([a-z_]+)"', html)


def test_the_case_panel_draws_exactly_the_forms_the_server_allows(api: Api, clean: World) -> None:
    cid = api.post(
        "resident", "/api/v1/cases", {"title": "路灯不亮", "grid_code": clean.grid, "category_code": "H1802"}
    ).json()["id"]
    api.ok("operator", cid, "register")
    api.ok("dispatcher", cid, "dispatch", unit_code=clean.street_code)
    for who in ("street", "dispatcher", "operator", "resident", "grid-worker", "leader"):
        allowed = api.get(who, f"/api/v1/cases/{cid}").json()["allowed_actions"]
        panel = api.get(who, f"/cases/{cid}/panel")
        assert panel.status_code == 200 and panel.headers["content-type"].startswith("text/html"), panel.text
        assert "script-src 'self'" in panel.headers["content-security-policy"]
        assert _forms(panel.text) == allowed, who
        for action in allowed:  # each button says the domain's label
            assert f">{ACTION_LABELS[Action(action)]}</button>" in panel.text
    street = api.get("street", f"/cases/{cid}/panel").text
    assert {"accept", "return"} <= set(_forms(street)) and "handle" not in _forms(street)
    assert f'data-panel-case="{cid}"' in street and STATUS_LABELS[CaseStatus.DISPATCHED] in street
    resident = api.get("resident", f"/cases/{cid}/panel").text
    assert _forms(resident) == [] and "当前没有可执行的操作" in resident
    # a screen may show only some of the actions (the grid worker verifies); never one the server refuses
    assert _forms(api.get("street", f"/cases/{cid}/panel", only="accept,verify").text) == ["accept"]
    assert api.get("dept-cg", f"/cases/{cid}/panel").status_code == 404  # not theirs to see
    assert api.get(None, f"/cases/{cid}/panel").status_code == 401

    # the form posts back to the panel: the action is taken and the panel comes back drawn again
    headers = {"Authorization": f"Bearer {clean.tokens['street']}"}
    version = api.get("street", f"/api/v1/cases/{cid}").json()["version"]
    done = api.client.post(f"/cases/{cid}/panel", data={"action": "accept", "version": str(version)}, headers=headers)
    assert done.status_code == 200, done.text
    events = json.loads(done.headers["HX-Trigger"])
    assert events["gg-changed"]["status"] == "accepted" and events["gg-toast"].startswith("签收 成功")
    assert {"handle", "request_postpone", "whistle"} <= set(_forms(done.text)) and "accept" not in _forms(done.text)
    stale = api.client.post(
        f"/cases/{cid}/panel", data={"action": "handle", "note": "x", "version": str(version)}, headers=headers
    )
    assert stale.status_code == 409 and stale.json()["error"]["code"] == "conflict"
    empty = api.client.post(f"/cases/{cid}/panel", data={"action": "handle"}, headers=headers)
    assert empty.status_code == 422 and empty.json()["error"]["code"] == "validation_error"
    wrong = api.client.post(f"/cases/{cid}/panel", data={"action": "suspend", "reason": "x"}, headers=headers)
    assert wrong.status_code == 403  # a wrong role first, as for the API
