"""Photo uploads (pure rules): accepted types by their first bytes (the service then decodes every file in
full), size limits. The upload right of an anonymous report is signed in the kernel (gridgov.signing) and
re-exported here."""

from __future__ import annotations

from gridgov.errors import ValidationFailed
from gridgov.signing import UPLOAD_TOKEN_SECONDS, upload_token, upload_token_valid

__all__ = [
    "MAX_BYTES",
    "MAX_PIXELS",
    "SIGNATURES",
    "UPLOAD_TOKEN_SECONDS",
    "ImageUnreadable",
    "UploadRefused",
    "sniff",
    "upload_token",
    "upload_token_valid",
]

MAX_BYTES = 8 * 1024 * 1024
MAX_PIXELS = 40_000_000

SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
)


class UploadRefused(ValidationFailed):
    code = "upload_refused"
    message = "上传的文件不被接受"


class ImageUnreadable(UploadRefused):
    """The file starts like an image but does not decode to the end: cut short, corrupted, or not one."""

    message = "图片无法完整解码：文件不完整或已损坏"


def sniff(data: bytes) -> str:
    """The content type the bytes really are (never the name or the declared type)."""
    if len(data) > MAX_BYTES:
        raise UploadRefused(f"文件过大: {len(data)} 字节, 上限 {MAX_BYTES} 字节", size=len(data))
    if len(data) == 0:
        raise UploadRefused("文件为空")
    for magic, kind in SIGNATURES:
        if data.startswith(magic):
            return kind
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    raise UploadRefused("只接受 JPEG、PNG、WebP 图片")
