"""Storing and serving case photos. The image is decoded and re-encoded, which drops EXIF (GPS position,
device, time) and any other metadata before anything is written."""

from __future__ import annotations

import hashlib
import io
from datetime import datetime

from PIL import Image, UnidentifiedImageError
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from gridgov.accounts.domain import Actor
from gridgov.errors import NotFound
from gridgov.media.domain import MAX_PIXELS, UploadRefused, sniff
from gridgov.media.models import CasePhoto

FORMATS = {"image/jpeg": "JPEG", "image/png": "PNG", "image/webp": "WEBP"}


def clean_image(data: bytes) -> tuple[bytes, str, int, int]:
    """(bytes without metadata, content type, width, height). Refuses what is not really an image."""
    kind = sniff(data)
    Image.MAX_IMAGE_PIXELS = MAX_PIXELS
    try:
        with Image.open(io.BytesIO(data)) as img:
            img.load()
            if img.width * img.height > MAX_PIXELS:
                raise UploadRefused("图片像素过多")
            pixels = img.convert("RGB") if FORMATS[kind] == "JPEG" and img.mode not in ("RGB", "L") else img.copy()
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError) as exc:
        raise UploadRefused(f"无法读取图片: {type(exc).__name__}") from None
    out = io.BytesIO()
    pixels.save(out, format=FORMATS[kind], **({"quality": 90} if kind == "image/jpeg" else {}))
    return out.getvalue(), kind, pixels.width, pixels.height


def add_photo(
    sessions: sessionmaker[Session], case_id: int, data: bytes, actor: Actor, now: datetime
) -> dict[str, object]:
    clean, kind, width, height = clean_image(data)
    with sessions() as s, s.begin():
        photo = CasePhoto(
            case_id=case_id,
            content_type=kind,
            data=clean,
            sha256=hashlib.sha256(clean).hexdigest(),
            width=width,
            height=height,
            uploaded_by=actor.user_id,
            created_at=now,
        )
        s.add(photo)
        s.flush()
        return {
            "id": photo.id,
            "ref": f"photo://{photo.id}",
            "content_type": kind,
            "width": width,
            "height": height,
            "bytes": len(clean),
        }


def photo(sessions: sessionmaker[Session], photo_id: int) -> tuple[int, str, bytes]:
    with sessions() as s:
        row = s.execute(
            select(CasePhoto.case_id, CasePhoto.content_type, CasePhoto.data).where(CasePhoto.id == photo_id)
        ).first()
    if row is None:
        raise NotFound(f"照片不存在: {photo_id}")
    return row[0], row[1], row[2]
