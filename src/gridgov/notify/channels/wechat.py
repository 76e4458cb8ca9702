"""WeChat 订阅消息 (mini program subscribe messages): an access_token from /cgi-bin/token (cached until shortly
before it expires), then POST /cgi-bin/message/subscribe/send. The message's subject and body go in the
template's `thing1` and `thing2` (20 characters each, WeChat's limit for a thing field)."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from urllib.parse import urlencode, urlsplit

from gridgov.notify.channels.http import KeepAlive
from gridgov.notify.domain import Channel, Outcome
from gridgov.notify.ports import Answer, Outgoing

TOKEN_EXPIRED = frozenset({40001, 40014, 42001})
RETRY = frozenset({-1, 45009})  # busy; over the API's rate


class WeChatSubscribe:
    channel = Channel.WECHAT

    def __init__(
        self,
        *,
        appid: str,
        secret: str,
        template_id: str,
        page: str = "",
        api: str = "https://api.weixin.qq.com",
        clock: Callable[[], float] = time.time,
        timeout: float = 10.0,
    ) -> None:
        parts = urlsplit(api)
        self._client = KeepAlive(f"{parts.scheme}://{parts.netloc}", timeout)
        self._prefix = parts.path.rstrip("/")
        self.appid, self.secret, self.template_id, self.page = appid, secret, template_id, page
        self._clock = clock
        self._token = ("", 0.0)
        self._lock = threading.Lock()

    def token(self, refresh: bool = False) -> str:
        with self._lock:
            value, until = self._token
            if value and not refresh and self._clock() < until:
                return value
            q = urlencode({"grant_type": "client_credential", "appid": self.appid, "secret": self.secret})
            data = json.loads(self._client.request("GET", f"{self._prefix}/cgi-bin/token?{q}").body or b"{}")
            if "access_token" not in data:
                raise RuntimeError(f"access_token refused: {data.get('errcode')} {data.get('errmsg')}")
            self._token = (data["access_token"], self._clock() + int(data.get("expires_in", 7200)) - 300)
            return str(data["access_token"])

    def payload(self, message: Outgoing) -> dict[str, object]:
        return {
            "touser": message.address,
            "template_id": self.template_id,
            "page": self.page,
            "data": {"thing1": {"value": message.subject[:20]}, "thing2": {"value": message.body[:20]}},
            "miniprogram_state": "formal",
            "lang": "zh_CN",
        }

    def send(self, message: Outgoing) -> Answer:
        body = json.dumps(self.payload(message), ensure_ascii=False).encode()
        for refresh in (False, True):
            path = f"{self._prefix}/cgi-bin/message/subscribe/send?access_token={self.token(refresh)}"
            reply = self._client.request("POST", path, body, {"Content-Type": "application/json"})
            data = json.loads(reply.body or b"{}")
            code = int(data.get("errcode", -1 if reply.status >= 500 else 0))
            text = f"HTTP {reply.status} {reply.text()[:300]}"
            if code in TOKEN_EXPIRED and not refresh:
                continue
            if code == 0 and reply.status == 200:
                return Answer(Outcome.ACCEPTED, str(data.get("msgid", "")), text)
            if code in RETRY or reply.status >= 500:
                return Answer(Outcome.RETRY, "", text)
            return Answer(Outcome.REJECTED, "", text)  # 43101: the user has not subscribed (or refused)
        return Answer(Outcome.RETRY, "", "access_token refused twice")

    def close(self) -> None:
        self._client.close()

    def lookup(self, key: str) -> Answer | None:
        return None
