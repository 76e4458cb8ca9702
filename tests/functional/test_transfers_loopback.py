"""转办 between two gridgov instances (issue 17): two `gridgov serve` processes on loopback, each on its own SQLite
file and city, pass a case and its outcome to each other as documents (docs/hotline.md#转办-transfers).

A transfers a case → A's document is imported by B (a new case there, and the same case again when the document
is sent twice) → B closes it and reports the outcome back → A records the outcome (once, however often it is
sent) on the case's chain, and `gridgov audit verify` passes on both."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

pytestmark = pytest.mark.slow
# the pair runs on SQLite files of its own whatever the suite's backend, so the PostgreSQL run of the suite
# does not run it a second time (CI budget)
if os.environ.get("GRIDGOV_TEST_DATABASE_URL", "").startswith("postgresql"):
    pytest.skip(
        "the two instances use SQLite files of their own; run once, in the SQLite suite", allow_module_level=True
    )


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Instance:
    name: str
    url: str
    port: int
    env: dict[str, str]
    token: str
    grid: str
    proc: subprocess.Popen[bytes] | None = None

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def http(self) -> httpx.Client:
        return httpx.Client(base_url=self.base, headers={"Authorization": f"Bearer {self.token}"}, timeout=30)

    def cli(self, *args: str) -> subprocess.CompletedProcess[str]:
        cmd = [sys.executable, "-m", "gridgov.cli", *args, "--database-url", self.url]
        return subprocess.run(cmd, env=self.env, capture_output=True, text=True, timeout=120)


def _prepare(name: str, tmp: Path) -> Instance:
    from sqlalchemy import text

    from gridgov import migrate
    from gridgov.accounts.services import add_user, issue_token
    from gridgov.bootstrap import bootstrap
    from gridgov.config import Settings
    from gridgov.grids.divisions import load_city_divisions
    from gridgov.grids.domain import GridLevel
    from gridgov.reference.services import initialise, small_city

    url = f"sqlite:///{tmp / f'{name}.db'}"
    migrate.upgrade(url)
    box = bootstrap(Settings(database_url=url, environment="test", log_level="WARNING"))
    try:
        now = datetime.now(UTC)
        counts = {GridLevel.STREET: 2, GridLevel.COMMUNITY: 2, GridLevel.MICRO: 4}
        divisions = small_city(load_city_divisions(), districts=1, streets_per_district=1)
        initialise(box.uow(), now, divisions=divisions, counts=counts, include_zones=False)
        add_user(box.uow(), "op", "operator", "4101", now)
        token = issue_token(box.uow(), "op", now)
        with box.sessions() as s:
            grid = s.execute(text("SELECT code FROM grids WHERE level = 4 ORDER BY code LIMIT 1")).scalar_one()
    finally:
        box.close()
    env = {
        **os.environ,
        "GRIDGOV_DATABASE_URL": url,
        "GRIDGOV_ENVIRONMENT": "test",
        "GRIDGOV_LOG_LEVEL": "WARNING",
        "GRIDGOV_INSTANCE_CODE": name,
        "GRIDGOV_ENRICH_ASYNC": "false",
        "GRIDGOV_AUDIT_CHECKPOINT_DIR": str(tmp / f"{name}-checkpoints"),
    }
    return Instance(name, url, _free_port(), env, token, grid)


def _wait(inst: Instance, log: Path) -> None:
    deadline = time.time() + 60
    while time.time() < deadline:
        assert inst.proc is not None
        if inst.proc.poll() is not None:
            raise AssertionError(f"{inst.name} exited:\n{log.read_text()[-3000:]}")
        try:
            if httpx.get(inst.base + "/healthz", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise AssertionError(f"{inst.name} did not answer /healthz")


@pytest.fixture(scope="module")
def pair(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Instance, Instance]]:
    tmp = tmp_path_factory.mktemp("transfers")
    insts = [_prepare("zhengzhou", tmp), _prepare("kaifeng", tmp)]
    logs = []
    try:
        for inst in insts:
            log = tmp / f"{inst.name}.log"
            logs.append(log)
            with log.open("ab") as out:
                args = [sys.executable, "-m", "gridgov.cli", "serve", "--port", str(inst.port)]
                inst.proc = subprocess.Popen(args, env=inst.env, stdout=out, stderr=subprocess.STDOUT)
        for inst, log in zip(insts, logs, strict=True):
            _wait(inst, log)
        yield insts[0], insts[1]
    finally:
        for inst in insts:
            if inst.proc is not None and inst.proc.poll() is None:
                inst.proc.terminate()
                try:
                    inst.proc.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    inst.proc.kill()
                    inst.proc.wait(timeout=5)


def _ok(r: httpx.Response, status: int = 200) -> Any:
    assert r.status_code == status, r.text
    return r.json()


def test_a_case_and_its_outcome_travel_between_two_servers(pair: tuple[Instance, Instance], tmp_path: Path) -> None:
    a, b = pair
    with a.http() as ha, b.http() as hb:
        body = {"title": "开封游客反映郑州景区乱收费", "address": "开封市鼓楼区某景区", "source": "hotline"}
        case = _ok(ha.post("/api/v1/cases", json={**body, "reporter_phone": "13700003333"}), 201)
        t = _ok(
            ha.post(
                f"/api/v1/cases/{case['id']}/transfers",
                json={"target_code": "12345-other-city", "reason": "事发地在开封"},
            ),
            201,
        )
        assert t["transfer_ref"] == f"zhengzhou:{case['tracking_code']}"
        doc = _ok(ha.get(f"/api/v1/transfers/{t['id']}/document"))
        assert (doc["format"], doc["version"], doc["sender"]) == ("gridgov.transfer", 1, "zhengzhou")

        got = _ok(hb.post("/api/v1/transfers/import", json=doc), 201)
        resent = _ok(hb.post("/api/v1/transfers/import", json=doc))  # the same document again: no second case
        assert (resent["case_id"], resent["created"]) == (got["case_id"], False)
        listed = _ok(hb.get("/api/v1/cases", params={"source": "transfer"}))
        assert [c["id"] for c in listed["items"]] == [got["case_id"]]
        b_case = _ok(hb.get(f"/api/v1/cases/{got['case_id']}"))
        assert (b_case["title"], b_case["status"]) == (body["title"], "reported")

        closed = {"action": "direct_close", "note": "已联系景区退还多收费用"}
        _ok(hb.post(f"/api/v1/cases/{got['case_id']}/actions", json=closed))
        outcome = _ok(hb.get(f"/api/v1/transfers/{got['transfer_id']}/outcome-document"))
        assert (outcome["transfer_ref"], outcome["receiver_ref"]) == (t["transfer_ref"], got["tracking_code"])
        assert outcome["status"] == "closed" and "已联系景区退还多收费用" in outcome["outcome"]

        assert _ok(ha.post("/api/v1/transfers/outcomes", json=outcome)) == {"case_id": case["id"], "recorded": True}
        back = _ok(ha.get(f"/api/v1/cases/{case['id']}/transfers"))[0]
        assert (back["status"], back["external_ref"], back["outcome_status"]) == (
            "reported",
            got["tracking_code"],
            "closed",
        )
        events = [e["event_type"] for e in _ok(ha.get(f"/api/v1/cases/{case['id']}/events"))]
        assert events[-2:] == ["case_transferred", "transfer_outcome_reported"]

    # the same outcome sent again, by file through the CLI: nothing new is recorded
    path = tmp_path / "outcome.json"
    path.write_text(json.dumps(outcome, ensure_ascii=False), encoding="utf-8")
    again = a.cli("transfers", "import", str(path))
    assert again.returncode == 0 and "该结果已记录过" in again.stdout, again.stderr
    for inst in (a, b):
        verified = inst.cli("audit", "verify")
        assert verified.returncode == 0, verified.stdout + verified.stderr
