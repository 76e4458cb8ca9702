"""Open311 bodies as JSON or XML. Pure: no framework, no database.

XML is built with ElementTree, which escapes text; characters that XML 1.0 cannot carry at all
(control characters, lone surrogates) are dropped rather than written as a broken document.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal
from xml.etree import ElementTree as ET

Format = Literal["json", "xml"]
MEDIA_TYPES: dict[Format, str] = {
    "json": "application/json; charset=utf-8",
    "xml": "application/xml; charset=utf-8",
}
# the element name of one entry of a list, by the list's element name (as in the spec's XML samples)
ITEM_NAMES = {"endpoints": "endpoint", "formats": "format", "attributes": "attribute", "values": "value"}
_NOT_IN_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


@dataclass(frozen=True, slots=True)
class Body:
    content: bytes
    media_type: str


def parse_format(extension: str) -> Format | None:
    if extension == "json":
        return "json"
    if extension == "xml":
        return "xml"
    return None


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return _NOT_IN_XML.sub("", str(value))


def _fill(parent: ET.Element, name: str, value: Any) -> None:
    element = ET.SubElement(parent, name)
    if isinstance(value, Mapping):
        for key, inner in value.items():
            _fill(element, key, inner)
    elif isinstance(value, list | tuple):
        for inner in value:
            _fill(element, ITEM_NAMES.get(name, "item"), inner)
    else:
        element.text = _text(value)


def to_xml(data: Mapping[str, Any] | Sequence[Mapping[str, Any]], root: str, item: str | None) -> bytes:
    """`<root><item>…</item>…</root>` for a list of records, or `<root>…</root>` for one mapping (item None)."""
    top = ET.Element(root)
    records: Sequence[Mapping[str, Any]] = [] if isinstance(data, Mapping) else data
    if isinstance(data, Mapping):
        for key, value in data.items():
            _fill(top, key, value)
    else:
        assert item is not None, "a list needs an item element name"
        for record in records:
            _fill(top, item, record)
    return b'<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(top, encoding="unicode").encode("utf-8")


def to_json(data: Any) -> bytes:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def render(fmt: Format, data: Mapping[str, Any] | Sequence[Mapping[str, Any]], root: str, item: str | None) -> Body:
    content = to_json(data) if fmt == "json" else to_xml(data, root, item)
    return Body(content, MEDIA_TYPES[fmt])


def render_error(fmt: Format, code: int, description: str) -> Body:
    """The spec's error body: `[{"code", "description"}]` or `<errors><error>…</error></errors>`."""
    return render(fmt, [{"code": code, "description": description}], "errors", "error")
