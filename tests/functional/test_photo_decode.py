"""Photos decoded in full, not by header (issue 12, finding 9): a file cut short anywhere, the first 80 bytes of
a PNG or a PNG without its end, gets 422 with a Chinese message and nothing is stored."""

from __future__ import annotations

import io

import httpx
import pytest
from PIL import Image

from conftest import Api, World


def photo(fmt: str) -> bytes:
    img = Image.linear_gradient("L").resize((640, 480)).convert("RGB")
    out = io.BytesIO()
    img.save(out, format=fmt)
    return out.getvalue()


def upload(api: Api, case_id: int, data: bytes, kind: str) -> httpx.Response:
    return api.client.post(
        f"/api/v1/cases/{case_id}/photos",
        files={"file": (f"p.{kind}", data, f"image/{kind}")},
        headers={"Authorization": f"Bearer {api.tokens['resident']}"},
    )


def photos_stored(w: World) -> int:
    with w.container.engine.connect() as conn:
        return int(conn.exec_driver_sql("SELECT count(*) FROM case_photos").scalar_one())


@pytest.mark.parametrize(
    ("fmt", "cut"),
    [
        ("PNG", lambda d: d[:80]),  # the header and the start of the first chunk
        ("PNG", lambda d: d[:-12]),  # every pixel chunk but no IEND: passed a header check and load()
        ("PNG", lambda d: d[: len(d) // 2]),
        ("JPEG", lambda d: d[:80]),
        ("JPEG", lambda d: d[:-2]),  # no end-of-image marker
        ("WEBP", lambda d: d[: len(d) // 2]),
    ],
    ids=["png-80-bytes", "png-without-iend", "png-half", "jpeg-80-bytes", "jpeg-without-eoi", "webp-half"],
)
def test_a_truncated_image_is_refused_with_422(api: Api, clean: World, fmt: str, cut: object) -> None:
    cid = api.post("resident", "/api/v1/cases", {"title": "井盖缺失", "grid_code": clean.grid}).json()["id"]
    whole = photo(fmt)
    truncated = cut(whole)  # type: ignore[operator]
    r = upload(api, cid, truncated, fmt.lower())
    assert r.status_code == 422, r.text
    error = r.json()["error"]
    assert error["code"] == "upload_refused" and error["message"] == "图片无法完整解码：文件不完整或已损坏"
    assert photos_stored(clean) == 0
    assert upload(api, cid, whole, fmt.lower()).status_code == 201  # the whole file is still welcome
    assert photos_stored(clean) == 1
