"""An anonymous report keeps no account, so scope would let nobody attach its photos: the report returns a
one-case, half-hour right to upload them, and the photos name nobody either."""

from __future__ import annotations

from datetime import timedelta

import httpx
from sqlalchemy import text

from conftest import Api, World, png_bytes


def _upload(client: httpx.Client, w: World, case_id: int, token: str | None, who: str = "resident") -> httpx.Response:
    headers = {"Authorization": f"Bearer {w.tokens[who]}"}
    if token is not None:
        headers["X-Upload-Token"] = token
    files = {"file": ("p.png", png_bytes("teal"), "image/png")}
    return client.post(f"/api/v1/cases/{case_id}/photos", headers=headers, files=files)


def test_an_anonymous_reporter_attaches_photos_with_the_reports_right(api: Api, clean: World) -> None:
    body = {"title": "匿名反映: 夜间施工", "grid_code": clean.grid, "anonymous": True}
    made = api.post("resident", "/api/v1/cases", body).json()
    token = made["upload_token"]
    assert _upload(api.client, clean, made["id"], None).status_code == 404  # no account on the case: out of scope
    assert _upload(api.client, clean, made["id"], "1." + "0" * 40).status_code == 404  # a forged right
    ok = _upload(api.client, clean, made["id"], token)
    assert ok.status_code == 201, ok.text
    other = api.post("resident", "/api/v1/cases", {"title": "另一件", "grid_code": clean.grid}).json()
    assert _upload(api.client, clean, other["id"], token, who="resident2").status_code == 404  # not for other cases
    with clean.container.engine.connect() as conn:
        uploaders = conn.execute(text("SELECT uploaded_by FROM case_photos")).scalars().all()
    assert uploaders == [None]
    clean.clock.set(clean.clock.now() + timedelta(minutes=31))  # the right lasts half an hour
    assert _upload(api.client, clean, made["id"], token).status_code == 404
