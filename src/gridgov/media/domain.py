"""Photo uploads (pure rules): accepted types by their first bytes, size limits."""

from __future__ import annotations

import hashlib
import hmac

from gridgov.errors import ValidationFailed

MAX_BYTES = 8 * 1024 * 1024
MAX_PIXELS = 40_000_000

SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
)


class UploadRefused(ValidationFailed):
    code = "upload_refused"
    message = "上传的文件不被接受"


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


UPLOAD_TOKEN_SECONDS = 30 * 60  # an anonymous reporter has half an hour to attach photos


def upload_token(secret: str, case_id: int, issued_at: int) -> str:
    """A one-case, short-lived right to attach photos, for an anonymous report: the case keeps no account, so
    scope alone would let nobody (not even the reporter) attach a photo to it."""
    mac = hmac.new(secret.encode(), f"photo-upload:{case_id}:{issued_at}".encode(), hashlib.sha256).hexdigest()
    return f"{issued_at}.{mac[:40]}"


def upload_token_valid(secret: str, case_id: int, token: str, now: int) -> bool:
    issued, _, _ = token.partition(".")
    if not issued.isdigit() or len(token) > 64:
        return False
    if not 0 <= now - int(issued) <= UPLOAD_TOKEN_SECONDS:
        return False
    return hmac.compare_digest(token, upload_token(secret, case_id, int(issued)))
