"""Limits before work (issue 12, finding 4): a body larger than its route allows gets 413 `payload_too_large`
before authentication and before anything is parsed, whether its size is declared or it streams in chunks,
and the server's memory stays flat under a 200 MB body."""

from __future__ import annotations

import logging
import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

from gridgov.config import Settings
from gridgov.media.domain import MAX_BYTES as PHOTO_MAX_BYTES
from gridgov.web.limits import PHOTO_MAX_BYTES as PHOTO_LIMIT_IN_TABLE
from gridgov.web.limits import BodyLimits

from conftest import Api, World, png_bytes

BIG = 200 * 1024 * 1024
CHUNK = b"[" + b"0," * (32 * 1024 - 1) + b"0"  # 64 KiB of a JSON array, sent again and again
Recorder = Callable[[str, object], None]
log = logging.getLogger(__name__)


def body(total: int) -> Iterator[bytes]:
    """`total` bytes, made as they are sent (never held whole in the client either)."""
    sent = 0
    while sent < total:
        piece = CHUNK[: total - sent]
        sent += len(piece)
        yield piece


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise AssertionError("no VmRSS")


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def served(migrated: str) -> Iterator[tuple[str, int]]:
    """gridgov serve in its own process (as bench/intake.py starts it), so that its memory is its own."""
    port = _port()
    env = {**os.environ, "GRIDGOV_DATABASE_URL": migrated, "GRIDGOV_LOG_LEVEL": "WARNING"}
    with tempfile.TemporaryFile() as errors:
        server = subprocess.Popen(
            [sys.executable, "-m", "gridgov.cli", "serve", "--port", str(port), "--no-scheduler"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=errors,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.time() + 90
            while True:
                if server.poll() is not None:
                    errors.seek(0)
                    raise RuntimeError(f"the server exited: {errors.read().decode()[-3000:]}")
                try:
                    if httpx.get(base + "/healthz", timeout=1).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                if time.time() > deadline:
                    raise RuntimeError("the server did not start")
                time.sleep(0.2)
            yield base, server.pid
        finally:
            server.terminate()
            server.wait(timeout=20)


@pytest.mark.parametrize("declared", [True, False], ids=["content-length", "chunked"])
def test_a_200_mb_body_without_a_token_gets_413_and_memory_stays_flat(
    served: tuple[str, int], declared: bool, record_property: Recorder
) -> None:
    base, pid = served
    for _ in range(3):  # warm up: the first requests load what every request needs
        assert httpx.post(base + "/api/v1/cases", json={"title": "x"}).status_code == 401
    before = rss_kib(pid)
    headers = {"Content-Type": "application/json", **({"Content-Length": str(BIG)} if declared else {})}
    start = time.perf_counter()
    r = httpx.post(base + "/api/v1/cases", content=body(BIG), headers=headers, timeout=120)
    elapsed = time.perf_counter() - start
    after = rss_kib(pid)
    kind = "declared" if declared else "chunked"
    record_property(f"rss_kib_before_{kind}", before)
    record_property(f"rss_kib_after_{kind}", after)
    log.info("%s 200 MB body: %s in %.2f s, RSS %d → %d KiB", kind, r.status_code, elapsed, before, after)
    assert r.status_code == 413, r.text
    error = r.json()["error"]
    assert error["code"] == "payload_too_large" and error["message"] == "请求内容过大，上限 1 MB"
    assert error["details"]["limit_bytes"] == 1024 * 1024
    if declared:  # refused from the header, before the app is called
        assert error["details"]["declared_bytes"] == BIG
    else:  # counted while it streamed in, refused once past the limit (the server reads in pieces of its own)
        assert 1024 * 1024 < error["details"]["received_bytes"] < 4 * 1024 * 1024
    assert elapsed < 30  # before: parsed for 4 s, then 401
    assert after - before < 20 * 1024  # before: 378 MB → 908 MB
    assert httpx.get(base + "/healthz").status_code == 200


def test_json_over_the_default_limit_is_refused_in_the_usual_envelope(api: Api, clean: World) -> None:
    big = {"title": "路灯坏了", "description": "很" * (400 * 1024), "grid_code": clean.grid}  # ~1.2 MB of UTF-8
    r = api.post("operator", "/api/v1/cases", big)
    assert r.status_code == 413 and r.json()["error"]["code"] == "payload_too_large"
    assert r.json()["error"]["details"]["declared_bytes"] > 1024 * 1024
    assert api.get("operator", "/api/v1/cases").json()["total"] == 0


def test_uploads_and_imports_have_their_own_limits(api: Api, clean: World) -> None:
    settings = clean.container.settings
    limits = BodyLimits.from_settings(settings)
    assert PHOTO_LIMIT_IN_TABLE == PHOTO_MAX_BYTES  # the table repeats the photo feature's own limit
    assert limits.for_path("/api/v1/cases/12/photos") > PHOTO_MAX_BYTES
    assert limits.for_path("/api/v1/campaigns/pilot/mail") > settings.campaign_import_max_bytes
    assert limits.for_path("/api/v1/campaigns/pilot/letters") > settings.campaign_attachment_max_bytes
    assert limits.for_path("/campaigns/pilot") > settings.campaign_attachment_max_bytes
    assert limits.for_path("/api/v1/cases") == limits.for_path("/api/v1/cases/12/photos/x") == 1024 * 1024
    custom = BodyLimits.from_settings(Settings(database_url="sqlite://", body_limits={"/api/v1/cases/*/photos": 10}))
    assert custom.for_path("/api/v1/cases/7/photos") == 10
    # a photo of 2 MB (over the JSON default) still reaches the photo feature and is stored
    case = api.post("operator", "/api/v1/cases", {"title": "井盖缺失", "grid_code": clean.grid}).json()
    padded = png_bytes(size=(1024, 1024)) + b"\0" * (2 * 1024 * 1024)  # a whole PNG, then 2 MB after its end
    r = api.client.post(
        f"/api/v1/cases/{case['id']}/photos",
        headers={"Authorization": f"Bearer {clean.tokens['operator']}"},
        files={"file": ("p.png", padded, "image/png")},
    )
    assert r.status_code == 201, r.text
