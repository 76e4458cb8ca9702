"""Aliyun's SMS API (dysmsapi 2017-05-25, SendSms) over its documented RPC request signing, on the standard
library (no SDK): every parameter, sorted, percent-encoded per RFC 3986, signed with HMAC-SHA1 under
"AccessKeySecret&" over "GET&%2F&" + the encoded query (https://help.aliyun.com/document_detail/315526.html).
The message goes as the template's `content` variable; the idempotency key as `OutId`."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import uuid
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from urllib.parse import quote, urlsplit

from gridgov.notify.channels.http import KeepAlive
from gridgov.notify.domain import Channel, Outcome
from gridgov.notify.ports import Answer, Outgoing

RETRY_CODES = frozenset({"isv.BUSINESS_LIMIT_CONTROL", "SignatureNonceUsed", "ServiceUnavailable", "Throttling"})


def percent(value: str) -> str:
    return quote(value, safe="~")


def string_to_sign(method: str, params: Mapping[str, str]) -> str:
    query = "&".join(f"{percent(k)}={percent(params[k])}" for k in sorted(params))
    return f"{method}&{percent('/')}&{percent(query)}"


def sign(secret: str, method: str, params: Mapping[str, str]) -> str:
    digest = hmac.new(f"{secret}&".encode(), string_to_sign(method, params).encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


class AliyunSms:
    channel = Channel.SMS

    def __init__(
        self,
        *,
        access_key_id: str,
        access_key_secret: str,
        sign_name: str,
        template_code: str,
        endpoint: str = "https://dysmsapi.aliyuncs.com/",
        region: str = "cn-hangzhou",
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
        nonce: Callable[[], str] = lambda: uuid.uuid4().hex,
        timeout: float = 10.0,
    ) -> None:
        parts = urlsplit(endpoint)
        self._client = KeepAlive(f"{parts.scheme}://{parts.netloc}", timeout)
        self._path = parts.path or "/"
        self.key_id, self.secret = access_key_id, access_key_secret
        self.sign_name, self.template_code, self.region = sign_name, template_code, region
        self._now, self._nonce = now, nonce

    def params(self, message: Outgoing) -> dict[str, str]:
        params = {
            "AccessKeyId": self.key_id,
            "Action": "SendSms",
            "Format": "JSON",
            "OutId": message.key,
            "PhoneNumbers": message.address,
            "RegionId": self.region,
            "SignName": self.sign_name,
            "SignatureMethod": "HMAC-SHA1",
            "SignatureNonce": self._nonce(),
            "SignatureVersion": "1.0",
            "TemplateCode": self.template_code,
            "TemplateParam": json.dumps({"content": message.body}, ensure_ascii=False),
            "Timestamp": self._now().astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "Version": "2017-05-25",
        }
        params["Signature"] = sign(self.secret, "GET", params)
        return params

    def send(self, message: Outgoing) -> Answer:
        params = self.params(message)
        query = "&".join(f"{percent(k)}={percent(v)}" for k, v in params.items())
        reply = self._client.request("GET", f"{self._path}?{query}")
        try:
            data = json.loads(reply.body or b"{}")
        except ValueError:
            data = {}
        code = str(data.get("Code", ""))
        text = f"HTTP {reply.status} {reply.text()[:300]}"
        if reply.status == 200 and code == "OK":
            return Answer(Outcome.ACCEPTED, str(data.get("BizId", "")), text)
        if reply.status >= 500 or code in RETRY_CODES:
            return Answer(Outcome.RETRY, "", text)
        return Answer(Outcome.REJECTED, "", text)

    def close(self) -> None:
        self._client.close()

    def lookup(self, key: str) -> Answer | None:
        return None  # QuerySendDetails asks for the BizId, which a cut-off try never recorded
