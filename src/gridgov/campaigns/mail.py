"""Reading e-mailed suggestions with the stdlib `email` package: RFC 2047/2231 headers, MIME multipart,
attachments, and the charsets Chinese mailers really send (UTF-8, GB2312 labels on GBK text, GB18030,
unlabelled 8-bit headers). Pure functions over bytes; the SMTP intake (aiosmtpd) lives in smtp.py."""

from __future__ import annotations

import email
import email.header
import email.utils
import mailbox
import re
import tempfile
from dataclasses import dataclass, field
from datetime import datetime
from email.message import Message
from html.parser import HTMLParser
from pathlib import Path

from gridgov.campaigns.domain import AttachmentTooLarge, MalformedMail, check_attachment

GB_FAMILY = frozenset({"gb2312", "gbk", "gb18030", "cp936", "euc-cn", "x-gbk", "hz-gb-2312", "ms936"})
# labels some Chinese mailers put on GBK text; tried as GB18030 first when the bytes read as Chinese
LATIN_LABELS = frozenset(
    {"iso-8859-1", "iso8859-1", "latin1", "latin-1", "l1", "windows-1252", "cp1252", "iso-8859-15", "latin9"}
)
MAX_ATTACHMENTS = 10
# stdlib decode_header is quadratic in the number of encoded words: headers are capped before decoding
MAX_HEADER_CHARS = 8 * 1024
MAX_ENCODED_WORDS = 200
MAX_MIME_DEPTH = 20  # multiparts nested deeper are refused (the stdlib walks them recursively)
# structural defects that mean the message cannot be read as its sender meant it
FATAL_DEFECTS = (
    "NoBoundaryInMultipartDefect",
    "StartBoundaryNotFoundDefect",
    "MultipartInvariantViolationDefect",
    "MissingHeaderBodySeparatorDefect",
    "InvalidMultipartContentTransferEncodingDefect",
)
_ENCODED_WORD = re.compile(r"=\?[^?]+\?[bBqQ]\?[^?]*\?=")


@dataclass(frozen=True)
class MailAttachment:
    filename: str
    content_type: str
    data: bytes


@dataclass(frozen=True)
class ParsedMail:
    subject: str
    body: str
    sender_name: str
    sender_email: str
    message_id: str | None
    sent_at: datetime | None
    attachments: list[MailAttachment] = field(default_factory=list)


def decode_bytes(data: bytes, declared: str | None = None) -> str:
    """Text from bytes: the declared charset (GB2312/GBK labels read as GB18030, their superset), then UTF-8,
    then GB18030; undecodable bytes become U+FFFD only when nothing fits."""
    chain: list[str] = []
    label = (declared or "").strip().lower().strip('"')
    if label in GB_FAMILY:
        chain.append("gb18030")
    elif label in LATIN_LABELS and _reads_as_chinese(data):
        chain += ["gb18030", label]
    elif label and label not in ("unknown-8bit", "us-ascii", "ascii"):
        chain.append(label)
    chain += ["utf-8", "gb18030"]
    for charset in chain:
        try:
            return data.decode(charset)
        except (UnicodeDecodeError, LookupError):
            continue
    return data.decode("utf-8", errors="replace")


def _is_cjk(ch: str) -> bool:
    o = ord(ch)
    return 0x3000 <= o <= 0x9FFF or 0xF900 <= o <= 0xFAFF or 0xFF00 <= o <= 0xFFEF or 0x20000 <= o <= 0x3FFFF


def _reads_as_chinese(data: bytes) -> bool:
    """Whether 8-bit bytes labelled Latin-1/Windows-1252 are really GBK/GB18030 Chinese: they decode strictly
    as GB18030, every non-ASCII character is CJK, and the byte pairs are mostly GB2312-style (both bytes high;
    Latin text puts its accented letters between ASCII ones, as in "Müller")."""
    if data.isascii():
        return False
    try:
        text = data.decode("gb18030")
    except UnicodeDecodeError:
        return False
    wide = [ch for ch in text if ord(ch) > 127]
    if not wide or not all(_is_cjk(ch) for ch in wide):
        return False
    low_trail = sum(1 for a, b in zip(data, data[1:], strict=False) if a >= 0x81 and b < 0x80)
    return low_trail * 5 <= len(wide)


def check_header(name: str, raw: str) -> None:
    """Refuse a header too long to be a real one before decoding it (decode_header is quadratic)."""
    if len(raw) > MAX_HEADER_CHARS or len(_ENCODED_WORD.findall(raw[: MAX_HEADER_CHARS + 1])) > MAX_ENCODED_WORDS:
        raise MalformedMail(
            f"邮件头 {name} 过长 ({len(raw)} 字符，上限 {MAX_HEADER_CHARS} 字符 / {MAX_ENCODED_WORDS} 个编码段)",
            defects=[f"HeaderTooLong:{name}"],
            field=name,
        )


def decode_header_value(value: object, name: str = "header") -> str:
    """A header as text: RFC 2047 encoded words in any charset, or raw 8-bit bytes (older Chinese mailers).
    Raises MalformedMail when it is longer than MAX_HEADER_CHARS or has more than MAX_ENCODED_WORDS words."""
    if value is None:
        return ""
    check_header(name, str(value))
    if isinstance(value, email.header.Header):
        parts = email.header.decode_header(value)
    else:
        raw = str(value)
        if any("\udc80" <= ch <= "\udcff" for ch in raw):  # 8-bit bytes kept by the parser as surrogates
            return decode_bytes(raw.encode("ascii", "surrogateescape")).strip()
        if not _ENCODED_WORD.search(raw):
            return " ".join(raw.split())
        parts = email.header.decode_header(raw)
    out = []
    for chunk, charset in parts:
        out.append(decode_bytes(chunk, charset) if isinstance(chunk, bytes) else chunk)
    return " ".join("".join(out).split())


class _TextOfHtml(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self._skip += 1
        elif tag in ("br", "p", "div", "li", "tr"):
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style") and self._skip:
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


def html_to_text(html: str) -> str:
    parser = _TextOfHtml()
    parser.feed(html)
    parser.close()
    return "".join(parser.parts)


def _part_text(part: Message) -> str:
    payload = part.get_payload(decode=True)
    if not isinstance(payload, bytes):
        return ""
    return decode_bytes(payload, part.get_content_charset())


def _is_attachment(part: Message) -> bool:
    disposition = (part.get("Content-Disposition") or "").split(";", 1)[0].strip().lower()
    return disposition == "attachment" or part.get_filename() is not None or part.get_content_maintype() != "text"


def _depth(msg: Message) -> int:
    """How deeply multiparts nest, without recursion."""
    deepest, stack = 0, [(msg, 1)]
    while stack:
        part, depth = stack.pop()
        deepest = max(deepest, depth)
        if depth > MAX_MIME_DEPTH:
            break
        payload = part.get_payload()
        if part.is_multipart() and isinstance(payload, list):
            stack += [(child, depth + 1) for child in payload if isinstance(child, Message)]
    return deepest


def _defects(msg: Message) -> list[str]:
    found = []
    for part in msg.walk():
        found += [type(d).__name__ for d in part.defects if type(d).__name__ in FATAL_DEFECTS]
    return found


def parse_mail(raw: bytes, max_attachment_bytes: int, max_attachments: int = MAX_ATTACHMENTS) -> ParsedMail:
    """Subject, plain-text body, sender and attachments. Raises MalformedMail or AttachmentTooLarge."""
    try:
        return _parse_mail(raw, max_attachment_bytes, max_attachments)
    except RecursionError:  # the stdlib parses and walks MIME recursively
        raise MalformedMail(
            f"邮件 MIME 结构嵌套过深 (上限 {MAX_MIME_DEPTH} 层)", defects=["MimeNestedTooDeep"]
        ) from None


def _parse_mail(raw: bytes, max_attachment_bytes: int, max_attachments: int) -> ParsedMail:
    if not raw.strip():
        raise MalformedMail("邮件为空")
    msg = email.message_from_bytes(raw)
    if _depth(msg) > MAX_MIME_DEPTH:
        raise MalformedMail(f"邮件 MIME 结构嵌套过深 (上限 {MAX_MIME_DEPTH} 层)", defects=["MimeNestedTooDeep"])
    if not any(msg.get(h) for h in ("From", "Subject", "Content-Type", "Date", "Message-ID")):
        raise MalformedMail("邮件缺少邮件头 (From/Subject/Content-Type)，不是有效的邮件")
    defects = _defects(msg)
    if defects:
        raise MalformedMail(f"邮件 MIME 结构损坏: {', '.join(sorted(set(defects)))}", defects=sorted(set(defects)))
    plain: list[str] = []
    html: list[str] = []
    attachments: list[MailAttachment] = []
    for part in msg.walk():
        if part.is_multipart():
            continue
        if _is_attachment(part) and part is not msg:
            data = part.get_payload(decode=True)
            if not isinstance(data, bytes):
                continue
            name = decode_header_value(part.get_filename() or "", "filename") or "附件"
            check_attachment(name, data, max_attachment_bytes)
            attachments.append(MailAttachment(name[:255], part.get_content_type()[:100], data))
            continue
        if part.get_content_type() == "text/html":
            html.append(html_to_text(_part_text(part)))
        elif part.get_content_maintype() == "text":
            plain.append(_part_text(part))
    if len(attachments) > max_attachments:
        raise AttachmentTooLarge(f"附件过多: {len(attachments)} 个，上限 {max_attachments} 个", count=len(attachments))
    name, address = email.utils.parseaddr(decode_header_value(msg.get("From"), "From"))
    message_id = (msg.get("Message-ID") or "").strip()[:300] or None
    sent_at = None
    if msg.get("Date"):
        try:
            sent_at = email.utils.parsedate_to_datetime(str(msg.get("Date")))
        except (TypeError, ValueError, IndexError):
            sent_at = None
        if sent_at is not None and sent_at.tzinfo is None:
            sent_at = None
    return ParsedMail(
        subject=decode_header_value(msg.get("Subject"), "Subject"),
        body="\n".join(plain) if plain else "\n".join(html),
        sender_name=name,
        sender_email=address if "@" in address else "",
        message_id=message_id,
        sent_at=sent_at,
        attachments=attachments,
    )


def read_mail_bytes(name: str, data: bytes) -> list[tuple[str, bytes]]:
    """(label, raw message) for each message of an .eml file or an mbox file (an mbox starts with "From ")."""
    if not data.startswith(b"From "):
        return [(name, data)]
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "import.mbox"
        path.write_bytes(data)
        box = mailbox.mbox(str(path), create=False)
        try:
            return [(f"{name} 第 {i} 封", box.get_bytes(key)) for i, key in enumerate(box.keys(), start=1)]
        finally:
            box.close()


def read_mail_file(path: Path) -> list[tuple[str, bytes]]:
    return read_mail_bytes(path.name, path.read_bytes())
