"""The settings as an admin may read them (pure): every GRIDGOV_ setting with its value, secrets hidden — the
secret key and any password, token or key, the password inside a database URL, and a key or token carried in a
tile URL's query (天地图's `tk`)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

HIDDEN = "已设置 (隐藏)"
SECRET_NAME = re.compile(r"(secret|password|passwd|token|api_key|apikey|private|tianditu_key)", re.IGNORECASE)
URL_PASSWORD = re.compile(r"(://[^:/@\s]+:)([^@/\s]+)(@)")
QUERY_SECRET = re.compile(r"([?&](?:tk|key|token|access_token|apikey|ak|sk)=)([^&#\s]+)", re.IGNORECASE)


def masked(name: str, value: Any) -> str:
    """One setting as shown: a secret by name is hidden whole; URLs lose their passwords and query keys."""
    if value is None or value == "":
        return "" if value == "" else "—"
    if SECRET_NAME.search(name) and not name.endswith(("_path", "_file", "_public_key")):
        return HIDDEN
    text = value if isinstance(value, str) else repr(value)
    text = URL_PASSWORD.sub(r"\1***\3", text)
    return QUERY_SECRET.sub(r"\1***", text)


def settings_rows(values: Mapping[str, Any], prefix: str = "GRIDGOV_") -> list[tuple[str, str]]:
    return [(prefix + name.upper(), masked(name, value)) for name, value in sorted(values.items())]
