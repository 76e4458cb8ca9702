"""Real servers on loopback that speak the gateways' protocols, for the notify tests and bench/notify.py:

- `SmsGateway`: a generic HTTP SMS gateway (POST JSON with a requestId, a bearer token, GET status by requestId);
  it records every send and every key it was sent, and answers a key it already took with the first answer;
- `AliyunGateway`: dysmsapi's SendSms, verifying the RPC signature (HMAC-SHA1) from the secret it knows;
- `WeChatGateway`: /cgi-bin/token and /cgi-bin/message/subscribe/send, checking the access_token.

Each runs a ThreadingHTTPServer with HTTP/1.1 keep-alive in a thread; `with Server() as s: s.url`.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import socket
import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, quote, urlsplit


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def setup(self) -> None:
        super().setup()
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def log_message(self, *args: Any) -> None:
        return None

    def _reply(self, status: int, body: dict[str, Any]) -> None:
        data = json.dumps(body, ensure_ascii=False).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self._headers_buffer.append(b"\r\n" + data)  # headers and body in one write (no Nagle/delayed-ACK stall)
        self.flush_headers()

    def _body(self) -> bytes:
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(n) if n else b""

    def do_GET(self) -> None:  # noqa: N802
        status, body = self.server.owner.get(self.path, dict(self.headers))
        self._reply(status, body)

    def do_POST(self) -> None:  # noqa: N802
        status, body = self.server.owner.post(self.path, dict(self.headers), self._body())
        self._reply(status, body)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    owner: Any


class LoopbackServer:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.owner = self
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def __enter__(self) -> LoopbackServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    def get(self, path: str, headers: dict[str, str]) -> tuple[int, dict[str, Any]]:
        return 404, {}

    def post(self, path: str, headers: dict[str, str], body: bytes) -> tuple[int, dict[str, Any]]:
        return 404, {}


class SmsGateway(LoopbackServer):
    TOKEN = "Bearer test-gateway-token"

    def __init__(self, fail_first: int = 0, status: int = 200) -> None:
        super().__init__()
        self.sends: list[dict[str, Any]] = []  # every POST, in order
        self.keys: Counter[str] = Counter()  # how many times each key was sent
        self.accepted: dict[str, str] = {}  # key -> message id
        self.lookups: list[str] = []
        self.times: list[float] = []  # time.perf_counter() of each first acceptance (bench/notify.py)
        self.fail_first = fail_first  # answer 503 to the first n sends
        self.status = status
        self.hold_at: int | None = None  # the send that makes this many acceptances is answered only on release
        self._released = threading.Event()

    def hold(self, at: int) -> None:
        """Accept the `at`-th message but keep its answer back (the sender is then mid-delivery) until `release`."""
        with self.lock:
            self.hold_at, self._released = at, threading.Event()

    def release(self) -> None:
        with self.lock:
            self.hold_at = None
            self._released.set()

    def post(self, path: str, headers: dict[str, str], body: bytes) -> tuple[int, dict[str, Any]]:
        if headers.get("Authorization") != self.TOKEN:
            return 401, {"error": "unauthorized"}
        data = json.loads(body)
        key = str(data.get("requestId", ""))
        with self.lock:
            self.sends.append({**data, "idempotency_header": headers.get("Idempotency-Key")})
            self.keys[key] += 1
            if self.fail_first > 0:
                self.fail_first -= 1
                return 503, {"error": "busy"}
            if self.status != 200:
                return self.status, {"error": "refused", "code": "MOBILE_INVALID"}
            held = None
            if key not in self.accepted:
                self.accepted[key] = f"m{len(self.accepted) + 1}"
                self.times.append(time.perf_counter())
                if self.hold_at is not None and len(self.accepted) == self.hold_at:
                    held = self._released
            answer = 200, {"id": self.accepted[key], "status": "accepted"}
        if held is not None:
            held.wait(timeout=60)
        return answer

    def get(self, path: str, headers: dict[str, str]) -> tuple[int, dict[str, Any]]:
        key = dict(parse_qsl(urlsplit(path).query)).get("requestId", "")
        with self.lock:
            self.lookups.append(key)
            if key in self.accepted:
                return 200, {"id": self.accepted[key], "status": "accepted"}
        return 404, {"error": "unknown"}

    def rate(self, first: int = 0) -> float:
        """Acceptances per second from the `first`-th acceptance on (first to last)."""
        with self.lock:
            t = self.times[first:]
        return (len(t) - 1) / (t[-1] - t[0]) if len(t) > 1 and t[-1] > t[0] else 0.0

    def duplicates(self) -> dict[str, int]:
        with self.lock:
            return {k: n for k, n in self.keys.items() if n > 1}


def aliyun_signature(secret: str, params: dict[str, str]) -> str:
    """The documented algorithm, written again here on purpose (the server must not trust the client's code)."""

    def enc(s: str) -> str:
        return quote(s, safe="").replace("+", "%20").replace("*", "%2A").replace("%7E", "~")

    canon = "&".join(f"{enc(k)}={enc(v)}" for k, v in sorted(params.items()))
    text = "GET&%2F&" + enc(canon)
    return base64.b64encode(hmac.new(f"{secret}&".encode(), text.encode(), hashlib.sha1).digest()).decode()


class AliyunGateway(LoopbackServer):
    def __init__(self, key_id: str = "LTAI-test", secret: str = "test-secret") -> None:
        super().__init__()
        self.key_id, self.secret = key_id, secret
        self.received: list[dict[str, str]] = []
        self.nonces: set[str] = set()

    def get(self, path: str, headers: dict[str, str]) -> tuple[int, dict[str, Any]]:
        params = dict(parse_qsl(urlsplit(path).query, keep_blank_values=True))
        signature = params.pop("Signature", "")
        with self.lock:
            self.received.append(params)
            if params.get("AccessKeyId") != self.key_id:
                return 404, {"Code": "InvalidAccessKeyId.NotFound", "Message": "Specified access key is not found."}
            if not hmac.compare_digest(signature, aliyun_signature(self.secret, params)):
                return 400, {"Code": "SignatureDoesNotMatch", "Message": "Specified signature is not matched."}
            nonce = params.get("SignatureNonce", "")
            if nonce in self.nonces:
                return 400, {"Code": "SignatureNonceUsed", "Message": "Specified signature nonce was used already."}
            self.nonces.add(nonce)
            if params.get("Action") != "SendSms" or params.get("Version") != "2017-05-25":
                return 400, {"Code": "InvalidAction"}
            return 200, {"Code": "OK", "Message": "OK", "BizId": f"biz{len(self.nonces)}", "RequestId": nonce}


class WeChatGateway(LoopbackServer):
    def __init__(self, appid: str = "wx-test", secret: str = "wx-secret") -> None:
        super().__init__()
        self.appid, self.secret = appid, secret
        self.tokens_issued = 0
        self.token = ""
        self.sent: list[dict[str, Any]] = []
        self.refused_users: set[str] = set()

    def expire(self) -> None:
        with self.lock:
            self.token = ""

    def get(self, path: str, headers: dict[str, str]) -> tuple[int, dict[str, Any]]:
        parts = urlsplit(path)
        q = dict(parse_qsl(parts.query))
        if parts.path != "/cgi-bin/token":
            return 404, {}
        if q.get("grant_type") != "client_credential" or (q.get("appid"), q.get("secret")) != (self.appid, self.secret):
            return 200, {"errcode": 40013, "errmsg": "invalid appid"}
        with self.lock:
            self.tokens_issued += 1
            self.token = f"tok{self.tokens_issued}"
            return 200, {"access_token": self.token, "expires_in": 7200}

    def post(self, path: str, headers: dict[str, str], body: bytes) -> tuple[int, dict[str, Any]]:
        parts = urlsplit(path)
        q = dict(parse_qsl(parts.query))
        if parts.path != "/cgi-bin/message/subscribe/send":
            return 404, {}
        with self.lock:
            if not self.token or q.get("access_token") != self.token:
                return 200, {"errcode": 40001, "errmsg": "invalid credential, access_token is invalid or not latest"}
            data = json.loads(body)
            if data.get("touser") in self.refused_users:
                return 200, {"errcode": 43101, "errmsg": "user refuse to accept the msg"}
            self.sent.append(data)
            return 200, {"errcode": 0, "errmsg": "ok", "msgid": 1000 + len(self.sent)}


def seed_messages(engine: Any, n: int, at: Any, prefix: str = "kill") -> list[str]:
    """`n` queued SMS in the outbox, due at `at`, as the outbox writer leaves them; their keys."""
    from sqlalchemy import insert

    from gridgov.notify.models import Message

    keys = [hashlib.sha256(f"{prefix}-{i}".encode()).hexdigest()[:32] for i in range(n)]
    rows = [
        {
            "idempotency_key": k,
            "case_id": None,
            "event_id": None,
            "event_type": "case_registered",
            "rule_id": "case_registered/reporter/sms",
            "channel": "sms",
            "recipient_key": f"phone:{i % 997}",
            "user_id": None,
            "address": f"138{i:08d}",
            "subject": "",
            "body": f"【郑州市12345】您反映的问题已立案，查询编号 ZZ{i:08d}。",
            "urgent": False,
            "status": "queued",
            "reason": "",
            "attempts": 0,
            "not_before": at,
            "lease_until": None,
            "created_at": at,
            "sent_at": None,
            "delivered_at": None,
            "read_at": None,
            "gateway_id": "",
            "answer": "",
        }
        for i, k in enumerate(keys)
    ]
    with engine.begin() as conn:
        for i in range(0, n, 1000):
            conn.execute(insert(Message.__table__), rows[i : i + 1000])
    return keys


def worker_env(gateway: SmsGateway, database_url: str, **extra: str) -> dict[str, str]:
    """The environment of a `gridgov notify worker` process delivering to `gateway`."""
    import os

    return {
        **os.environ,
        "GRIDGOV_DATABASE_URL": database_url,
        "GRIDGOV_LOG_LEVEL": "WARNING",
        "GRIDGOV_NOTIFY_SMS": "http",
        "GRIDGOV_NOTIFY_SMS_URL": f"{gateway.url}/sms",
        "GRIDGOV_NOTIFY_SMS_AUTH": SmsGateway.TOKEN,
        "GRIDGOV_NOTIFY_SMS_STATUS_URL": f"{gateway.url}/sms/status",
        **extra,
    }
