"""Storing and serving case photos. The image is decoded and re-encoded, which drops EXIF (GPS position,
device, time) and any other metadata before anything is written."""

from __future__ import annotations

import hashlib
import io
import struct
from datetime import datetime

from PIL import Image, UnidentifiedImageError
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from gridgov.accounts.domain import Actor
from gridgov.errors import NotFound
from gridgov.media.domain import MAX_PIXELS, ImageUnreadable, UploadRefused, sniff
from gridgov.media.models import CasePhoto
from gridgov.media.storage import DATABASE, PhotoStorage

FORMATS = {"image/jpeg": "JPEG", "image/png": "PNG", "image/webp": "WEBP"}


def clean_image(data: bytes) -> tuple[bytes, str, int, int]:
    """(bytes without metadata, content type, width, height). Refuses what is not really an image: the kind is
    sniffed from the first bytes, then the whole file is checked twice on fresh opens, its structure and
    checksums (`verify()`, which reads to the end, so a file cut short fails) and every pixel (`load()`)."""
    kind = sniff(data)
    Image.MAX_IMAGE_PIXELS = MAX_PIXELS
    try:
        with Image.open(io.BytesIO(data)) as probe:
            if probe.format != FORMATS[kind]:
                raise UploadRefused("文件内容与图片格式不符")
            if probe.width * probe.height > MAX_PIXELS:
                raise UploadRefused("图片像素过多")
            probe.verify()
        with Image.open(io.BytesIO(data)) as img:
            img.load()
            pixels = img.convert("RGB") if FORMATS[kind] == "JPEG" and img.mode not in ("RGB", "L") else img.copy()
    except UploadRefused:
        raise
    except Image.DecompressionBombError:
        raise UploadRefused("图片像素过多") from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError, struct.error) as exc:
        raise ImageUnreadable(reason=type(exc).__name__) from None
    out = io.BytesIO()
    pixels.save(out, format=FORMATS[kind], **({"quality": 90} if kind == "image/jpeg" else {}))
    return out.getvalue(), kind, pixels.width, pixels.height


def add_photo(
    sessions: sessionmaker[Session],
    case_id: int,
    data: bytes,
    actor: Actor,
    now: datetime,
    storage: PhotoStorage = DATABASE,
) -> dict[str, object]:
    clean, kind, width, height = clean_image(data)
    digest = hashlib.sha256(clean).hexdigest()
    kept = storage.put(digest, clean)  # before the row: a row never names bytes that are not stored
    with sessions() as s, s.begin():
        photo = CasePhoto(
            case_id=case_id,
            content_type=kind,
            data=kept,
            sha256=digest,
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


def photo(sessions: sessionmaker[Session], photo_id: int, storage: PhotoStorage = DATABASE) -> tuple[int, str, bytes]:
    with sessions() as s:
        row = s.execute(
            select(CasePhoto.case_id, CasePhoto.content_type, CasePhoto.data, CasePhoto.sha256).where(
                CasePhoto.id == photo_id
            )
        ).first()
    if row is None:
        raise NotFound(f"照片不存在: {photo_id}")
    return row[0], row[1], storage.get(row[3], row[2])
