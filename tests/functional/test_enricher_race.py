"""The background enricher never collides with a person (issue 12, finding 6): four clients each loop
POST case → register → dispatch against a live server whose enricher runs (GRIDGOV_ENRICH_ASYNC), and no
action gets a 409. On PostgreSQL the old enricher bumped the case's version and moved its chain head under a
dispatcher's feet: 22–28% of the immediate dispatches failed."""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Iterator

import httpx
import pytest
import uvicorn
from click.testing import CliRunner
from sqlalchemy import text

from gridgov.app import create_app
from gridgov.bootstrap import bootstrap
from gridgov.cli import main
from gridgov.clock import FixedClock
from gridgov.config import Settings

from conftest import START, World, _free_port

CLIENTS = 4
CASES_EACH = 50


@pytest.fixture
def enriching_server(clean: World, settings: Settings) -> Iterator[str]:
    """A live server on its own container whose enricher runs in the background, as in production."""
    async_settings = settings.model_copy(update={"enrich_async": True})
    container = bootstrap(async_settings, clock=FixedClock(START))
    application = create_app(async_settings, container=container)
    port = _free_port()
    srv = uvicorn.Server(uvicorn.Config(application, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.time() + 20
    while not srv.started:
        assert time.time() < deadline, "test server did not start"
        time.sleep(0.05)
    assert container.enricher is not None
    yield f"http://127.0.0.1:{port}"
    srv.should_exit = True
    thread.join(timeout=30)
    container.close()


def _loop(base: str, w: World, client_no: int, statuses: Counter[str], failures: list[str]) -> None:
    op = {"Authorization": f"Bearer {w.tokens['operator']}"}
    disp = {"Authorization": f"Bearer {w.tokens['dispatcher']}"}
    with httpx.Client(base_url=base, timeout=60) as http:
        for i in range(CASES_EACH):
            given = i % 2 == 0  # half with a category at intake, half left to the model and the dispatcher
            body = {
                "title": f"公司拖欠农民工工资三个月 {client_no}-{i}",
                "description": "老板跑路，社保也没有缴纳",
                "grid_code": w.grid,
                "source": "hotline",
                **({"category_code": "H05"} if given else {}),
            }
            r = http.post("/api/v1/cases", json=body, headers=op)
            statuses[f"report {r.status_code}"] += 1
            if r.status_code != 201:
                failures.append(f"report {r.status_code} {r.text}")
                continue
            case_id = r.json()["id"]
            r = http.post(f"/api/v1/cases/{case_id}/actions", json={"action": "register"}, headers=disp)
            statuses[f"register {r.status_code}"] += 1
            if r.status_code != 200:
                failures.append(f"register {r.status_code} {r.text}")
                continue
            dispatch = {"action": "dispatch", "version": r.json()["version"], "category_code": "H05"}
            r = http.post(f"/api/v1/cases/{case_id}/actions", json=dispatch, headers=disp)
            statuses[f"dispatch {r.status_code}"] += 1
            if r.status_code != 200:
                failures.append(f"dispatch {r.status_code} {r.text}")


@pytest.mark.slow
def test_four_clients_dispatching_while_the_enricher_runs_get_no_conflict(
    enriching_server: str, clean: World, settings: Settings
) -> None:
    statuses: Counter[str] = Counter()
    failures: list[str] = []
    threads = [
        threading.Thread(target=_loop, args=(enriching_server, clean, n, statuses, failures)) for n in range(CLIENTS)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    total = CLIENTS * CASES_EACH
    conflicts = sum(n for k, n in statuses.items() if k.endswith(" 409"))
    assert conflicts == 0 and not failures, (dict(statuses), failures[:5])
    assert statuses["dispatch 200"] == total
    engine = clean.container.engine
    deadline = time.time() + 60
    while True:  # the enricher catches up: every case gets its proposal and its classify event
        with engine.connect() as conn:
            waiting = conn.execute(text("SELECT count(*) FROM cases WHERE enriched_at IS NULL")).scalar_one()
        if waiting == 0 or time.time() > deadline:
            break
        time.sleep(0.2)
    with engine.connect() as conn:
        classified = conn.execute(text("SELECT count(*) FROM case_events WHERE action = 'classify'")).scalar_one()
        sources = conn.execute(text("SELECT title, category_source FROM cases")).all()
    assert waiting == 0 and classified == total
    for title, source in sources:  # what a person chose is never relabelled as the reporter's
        given = int(title.rsplit("-", 1)[1]) % 2 == 0
        assert source == "reporter" if given else source in ("model", "dispatcher"), (title, source)
    r = CliRunner().invoke(main, ["audit", "verify", "--database-url", settings.database_url])
    assert r.exit_code == 0, r.output
