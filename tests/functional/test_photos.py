"""Photo uploads: real images only, bounded size, EXIF (GPS, device) removed before storage, scoped reads."""

from __future__ import annotations

import io

from PIL import Image

from conftest import Api, World

GPS_IFD = 0x8825


def _jpeg_with_gps() -> bytes:
    img = Image.new("RGB", (64, 48), (200, 30, 30))
    exif = Image.Exif()
    exif[0x010F] = "SecretPhone Inc."  # Make
    exif[GPS_IFD] = {1: "N", 2: (34.0, 45.0, 0.0), 3: "E", 4: (113.0, 39.0, 0.0)}
    out = io.BytesIO()
    img.save(out, format="JPEG", exif=exif)
    return out.getvalue()


def _upload(api: Api, who: str, case_id: int, data: bytes, name: str = "p.jpg", kind: str = "image/jpeg") -> object:
    return api.client.post(
        f"/api/v1/cases/{case_id}/photos",
        files={"file": (name, data, kind)},
        headers={"Authorization": f"Bearer {api.tokens[who]}"},
    )


def test_photo_is_stored_without_exif_and_read_only_within_scope(api: Api, clean: World) -> None:
    original = _jpeg_with_gps()
    assert Image.open(io.BytesIO(original)).getexif().get(GPS_IFD) is not None
    cid = api.post("resident", "/api/v1/cases", {"title": "井盖缺失", "grid_code": clean.grid}).json()["id"]
    r = _upload(api, "resident", cid, original)
    assert r.status_code == 201, r.text  # type: ignore[attr-defined]
    meta = r.json()  # type: ignore[attr-defined]
    assert meta["content_type"] == "image/jpeg" and (meta["width"], meta["height"]) == (64, 48)
    stored = api.client.get(f"/api/v1/photos/{meta['id']}", headers={"Authorization": f"Bearer {api.tokens['street']}"})
    assert stored.status_code == 200 and stored.headers["content-type"] == "image/jpeg"
    exif = Image.open(io.BytesIO(stored.content)).getexif()
    assert len(exif) == 0 and b"SecretPhone" not in stored.content
    other = api.client.get(
        f"/api/v1/photos/{meta['id']}", headers={"Authorization": f"Bearer {api.tokens['resident2']}"}
    )
    assert other.status_code == 404
    assert _upload(api, "resident2", cid, original).status_code == 404  # type: ignore[attr-defined]
    api.ok("operator", cid, "register")  # the reference can go into a feedback's evidence
    assert meta["ref"] == f"photo://{meta['id']}"


def test_uploads_are_checked_by_content_and_size(api: Api, clean: World) -> None:
    cid = api.post("resident", "/api/v1/cases", {"title": "井盖缺失", "grid_code": clean.grid}).json()["id"]
    fake = _upload(api, "resident", cid, b"<script>alert(1)</script>", name="x.jpg")
    assert fake.status_code == 422 and fake.json()["error"]["code"] == "upload_refused"  # type: ignore[attr-defined]
    broken = _upload(api, "resident", cid, b"\xff\xd8\xff" + b"not really a jpeg" * 10)
    assert broken.status_code == 422  # type: ignore[attr-defined]
    big = _upload(api, "resident", cid, b"\xff\xd8\xff" + b"0" * (8 * 1024 * 1024))
    assert big.status_code == 422 and "过大" in big.json()["error"]["message"]  # type: ignore[attr-defined]
    png = io.BytesIO()
    Image.new("RGBA", (10, 10)).save(png, format="PNG")
    assert _upload(api, "resident", cid, png.getvalue(), "a.png", "image/png").status_code == 201  # type: ignore[attr-defined]
    with clean.container.engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT count(*) FROM case_photos").scalar() == 1
