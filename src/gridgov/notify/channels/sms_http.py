"""A generic HTTP SMS gateway, as 政务短信平台 expose: POST a body built from a template to a URL, with an
Authorization header. `{phone}`, `{text}` and `{key}` in the template are replaced (JSON-escaped for a JSON body,
URL-encoded for a form); the idempotency key travels as `{key}` and as the `Idempotency-Key` header.

Answers: 2xx accepted (delivered if the JSON says `"status": "delivered"`), 429 and 5xx retried, other 4xx
rejected. With a status URL, a message in doubt is first looked up (`GET status_url?requestId=KEY`)."""

from __future__ import annotations

import json
from urllib.parse import quote, urlencode, urlsplit

from gridgov.notify.channels.http import KeepAlive, Reply
from gridgov.notify.domain import Channel, Outcome
from gridgov.notify.ports import Answer, Outgoing


def _gateway_id(reply: Reply) -> tuple[str, str]:
    try:
        data = json.loads(reply.body or b"{}")
    except ValueError:
        return "", ""
    if not isinstance(data, dict):
        return "", ""
    gid = data.get("id") or data.get("msgId") or data.get("messageId") or ""
    return str(gid), str(data.get("status", ""))


def classify(reply: Reply) -> Answer:
    gid, status = _gateway_id(reply)
    text = f"HTTP {reply.status} {reply.text()[:300]}"
    if 200 <= reply.status < 300:
        return Answer(Outcome.DELIVERED if status.lower() == "delivered" else Outcome.ACCEPTED, gid, text)
    if reply.status == 429 or reply.status >= 500:
        return Answer(Outcome.RETRY, gid, text)
    return Answer(Outcome.REJECTED, gid, text)


class HttpSmsGateway:
    channel = Channel.SMS

    def __init__(
        self,
        url: str,
        *,
        auth: str = "",
        body: str = '{"mobile": "{phone}", "content": "{text}", "requestId": "{key}"}',
        content_type: str = "application/json",
        status_url: str = "",
        timeout: float = 10.0,
    ) -> None:
        parts = urlsplit(url)
        self._client = KeepAlive(f"{parts.scheme}://{parts.netloc}", timeout)
        self._path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        status = urlsplit(status_url) if status_url else None
        self._status_path = status.path if status else ""
        self.auth, self.template, self.content_type = auth, body, content_type

    def _fill(self, value: str) -> str:
        if "json" in self.content_type:
            return json.dumps(value, ensure_ascii=False)[1:-1]
        return quote(value, safe="")

    def body(self, message: Outgoing) -> bytes:
        out = self.template
        for name, value in (("{phone}", message.address), ("{text}", message.body), ("{key}", message.key)):
            out = out.replace(name, self._fill(value))
        return out.encode("utf-8")

    def _headers(self, key: str) -> dict[str, str]:
        headers = {"Content-Type": f"{self.content_type}; charset=utf-8", "Idempotency-Key": key}
        if self.auth:
            headers["Authorization"] = self.auth
        return headers

    def send(self, message: Outgoing) -> Answer:
        return classify(self._client.request("POST", self._path, self.body(message), self._headers(message.key)))

    def close(self) -> None:
        self._client.close()

    def lookup(self, key: str) -> Answer | None:
        if not self._status_path:
            return None
        reply = self._client.request(
            "GET", f"{self._status_path}?{urlencode({'requestId': key})}", None, self._headers(key)
        )
        if reply.status == 404:
            return None
        answer = classify(reply)
        return answer if answer.outcome in (Outcome.ACCEPTED, Outcome.DELIVERED) else None
