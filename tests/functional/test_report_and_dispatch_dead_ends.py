"""Dead ends found by walking the screens, each with a way forward: a case registered without a category is
dispatched with one, a reporter attaches photos to a report outside their scope, the public form refuses a phone
or e-mail nobody can use."""

from __future__ import annotations

import httpx
from sqlalchemy import text

from conftest import Api, World, png_bytes


def test_a_case_registered_without_a_category_is_dispatched_with_one(api: Api, clean: World) -> None:
    cid = api.post("resident", "/api/v1/cases", {"title": "有个事情想反映一下", "grid_code": clean.grid}).json()["id"]
    api.ok("dispatcher", cid, "register")
    refused = api.act("dispatcher", cid, "dispatch")
    assert refused.status_code == 422 and refused.json()["error"]["details"]["field"] == "category_code"
    bad = api.act("dispatcher", cid, "dispatch", category_code="X999")
    assert bad.status_code == 422
    case = api.ok("dispatcher", cid, "dispatch", category_code="H1802")
    assert case["status"] == "dispatched" and case["category_code"] == "H1802" and case["owner_unit"]
    with clean.container.engine.connect() as conn:
        labels = conn.execute(text("SELECT label FROM category_labels WHERE case_id = :c"), {"c": cid}).scalars()
        assert list(labels) == ["H1802"]  # the dispatcher's choice trains the next model


def test_a_reporter_attaches_photos_to_a_report_outside_their_scope(api: Api, server: str, clean: World) -> None:
    """A grid worker's patrol report in another grid: the report's upload right lets the photo follow it."""
    made = api.post("grid-worker", "/api/v1/cases", {"title": "巡查发现: 井盖缺失", "grid_code": clean.other_grid})
    body = made.json()
    assert body["upload_token"]
    photo = png_bytes("navy")
    headers = {"Authorization": f"Bearer {clean.tokens['grid-worker']}"}
    plain = httpx.post(f"{server}/api/v1/cases/{body['id']}/photos", headers=headers, files={"file": ("a.png", photo)})
    assert plain.status_code == 404  # not the worker's grid
    headers["X-Upload-Token"] = body["upload_token"]
    ok = httpx.post(f"{server}/api/v1/cases/{body['id']}/photos", headers=headers, files={"file": ("a.png", photo)})
    assert ok.status_code == 201, ok.text
    with clean.container.engine.connect() as conn:
        uploader = conn.execute(text("SELECT uploaded_by FROM case_photos")).scalar_one()
    assert uploader is not None  # a named report's photo names its reporter; only anonymous ones do not


def test_the_public_form_refuses_a_phone_or_email_nobody_can_use(api: Api, clean: World) -> None:
    made = api.post(
        "operator",
        "/api/v1/campaigns",
        {
            "title": "测试征集",
            "slug": "check-contacts",
            "organiser": "改革办",
            "opens_on": "2025-09-01",
            "closes_on": "2025-10-31",
        },
    )
    assert made.status_code == 201, made.text
    path = "/api/v1/campaigns/check-contacts/suggestions"
    base = {"title": "建议增设公交站", "content": "建议在农业路增设公交站", "channel": "app"}
    for bad in ({"phone": "abc"}, {"phone": "+"}, {"email": "not-an-email"}, {"email": "a@b"}):
        refused = api.post(None, path, {**base, **bad})
        assert refused.status_code == 422 and refused.json()["error"]["code"] == "validation_error", bad
        assert "电" in refused.text or "phone" in refused.text, refused.text  # says which contact is wrong
    ok = api.post(None, path, {**base, "phone": "0371-6718 8888", "email": "liu@example.cn"})
    assert ok.status_code == 201, ok.text
    assert api.get("operator", "/api/v1/campaigns/check-contacts/suggestions").json()["total"] == 1  # nothing else
