"""Updates pushed to a remote Open311 endpoint (a real HTTP server on loopback that records what it gets): written
in the event's transaction with a job in the unit of work's outbox, refused once by the remote, retried after the
backoff under the same update_id, and never for a case the remote did not file or an update it sent itself."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs

import pytest
from sqlalchemy import select, text

from gridgov.bootstrap import Container, bootstrap
from gridgov.cases.commands import Register, Reject
from gridgov.cases.domain import Action, CaseStatus
from gridgov.cases.events import record_event
from gridgov.cases.services import apply_action
from gridgov.config import Settings
from gridgov.open311 import queries, services, updates
from gridgov.open311.domain import retry_at
from gridgov.open311.models import Open311Delivery
from gridgov.open311.outbound import PUSH_UPDATES
from gridgov.open311.queries import updates_by_id

from conftest import World

H = "H1802"


@dataclass
class Remote:
    url: str
    received: list[dict[str, str]] = field(default_factory=list)
    answers: list[int] = field(default_factory=list)  # statuses to answer, in order; then 200


@pytest.fixture
def remote() -> Iterator[Remote]:
    state = Remote("")

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"])).decode("utf-8")
            state.received.append({k: v[-1] for k, v in parse_qs(body, keep_blank_values=True).items()})
            status = state.answers.pop(0) if state.answers else 200
            self.send_response(status)
            self.send_header("Content-Type", "application/xml")
            self.end_headers()
            self.wfile.write(b"<service_request_updates/>")

        def log_message(self, format: str, *args: Any) -> None:
            return None

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.url = f"http://127.0.0.1:{server.server_port}/open311/servicerequestupdates.xml"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield state
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


@pytest.fixture
def pushing(clean: World, settings: Settings, remote: Remote) -> Iterator[Container]:
    """A container like the server's, with the remote configured; its in-process queue runs the push job."""
    remotes = [{"name": "fms", "url": remote.url, "api_key": "remote-key", "username": "operator"}]
    configured = settings.model_copy(update={"open311_remotes": json.dumps(remotes)})
    c = bootstrap(configured, clock=clean.clock)
    c.jobs.register(PUSH_UPDATES, lambda args: c.push_open311(args["delivery_ids"]))  # type: ignore[attr-defined]
    yield c
    c.close()


def file(c: Container, w: World, who: str, external_id: str | None = None) -> tuple[int, str]:
    actor = c.authenticate(w.tokens[who])
    with c.sessions() as s:
        category = queries.category(s, H)
    draft = services.request_draft({"service_code": H, "grid_code": w.grid, "description": "楼道堆满纸箱"}, category)
    extra = services.RequestExtra(external_id=external_id)
    reported = services.submit_request(c.uow(), draft, actor, c.clock.now(), extra=extra)
    return reported.id, reported.tracking_code


def deliveries(c: Container) -> list[tuple[str, int, str, int]]:
    with c.sessions() as s:
        rows = s.scalars(select(Open311Delivery).order_by(Open311Delivery.id)).all()
        return [(r.remote, r.event_id, r.status, r.attempts) for r in rows]


def test_an_update_is_pushed_in_its_events_transaction_refused_once_then_retried_under_the_same_id(
    pushing: Container, clean: World, remote: Remote
) -> None:
    c, w = pushing, clean
    case_id, code = file(c, w, "operator", external_id="fms-9")
    assert deliveries(c) == []  # the report itself is the remote's own
    remote.answers = [503]
    w.clock.advance(timedelta(minutes=5))
    operator = c.authenticate(w.tokens["dispatcher"])
    apply_action(c.uow(), case_id, Register(note="属实"), operator, c.clock.now(), c.calendar, c.policy)

    (row,) = deliveries(c)
    assert row[0] == "fms" and row[2:] == ("pending", 1)  # the job ran after the commit; the remote said 503
    assert len(remote.received) == 1
    with c.sessions() as s:
        (feed,) = updates.update_records(updates_by_id(s, [row[1]]))
    first = remote.received[0]
    assert first == {
        "api_key": "remote-key",
        "jurisdiction_id": "",
        "service_request_id": code,
        "update_id": feed["update_id"],  # the id GET servicerequestupdates lists
        "updated_datetime": feed["updated_datetime"],
        "status": "INVESTIGATING",
        "description": "已立案：属实",
        "external_status_code": "registered",
        "media_url": "",
        "external_id": "fms-9",
    }

    assert c.push_open311().sent == 0  # not due yet: the backoff holds
    assert len(remote.received) == 1
    due = retry_at(c.clock.now(), 1, c.settings.open311_push_backoff_seconds)
    w.clock.set(due)
    report = c.push_open311()
    assert (report.sent, report.retried, report.failed) == (1, 0, 0)
    assert remote.received[1] == first  # the retry is the same update: same update_id, same fields
    assert deliveries(c) == [("fms", row[1], "sent", 2)]
    w.clock.advance(timedelta(hours=2))
    assert c.push_open311().sent == 0 and len(remote.received) == 2  # sent once, never again


def test_nothing_is_owed_for_other_cases_for_the_remotes_own_updates_or_a_rolled_back_change(
    pushing: Container, clean: World, remote: Remote
) -> None:
    c, w = pushing, clean
    theirs, code = file(c, w, "operator")
    someone_elses, _ = file(c, w, "resident")
    dispatcher = c.authenticate(w.tokens["dispatcher"])
    apply_action(c.uow(), someone_elses, Reject(reason="重复上报"), dispatcher, c.clock.now(), c.calendar, c.policy)
    # the remote's own comment is not sent back to it
    draft = updates.update_draft({"service_request_id": code, "update_id": "c1", "description": "补充"})
    updates.post_update(c.uow(), draft, c.authenticate(w.tokens["operator"]), c.clock.now(), c.calendar, c.policy)
    # an event whose transaction rolls back leaves no delivery and no job: they are written in that transaction
    with c.uow() as uow:
        case = uow.cases.get(theirs)
        assert case is not None
        status = CaseStatus(case.status)
        record_event(uow.cases, case, Action.REGISTER, dispatcher, status, CaseStatus.REGISTERED, c.clock.now(), {})
        uow.session.flush()
        uow.rollback()
    assert deliveries(c) == [] and remote.received == []
    apply_action(c.uow(), theirs, Reject(reason="不属于本市管辖"), dispatcher, c.clock.now(), c.calendar, c.policy)
    assert [(r["service_request_id"], r["status"]) for r in remote.received] == [(code, "NOT_COUNCILS_RESPONSIBILITY")]


def test_the_remotes_setting_is_checked() -> None:
    from gridgov.open311.domain import BadRemotes, parse_remotes

    assert parse_remotes("") == ()
    ok = parse_remotes(json.dumps([{"name": "a", "url": "https://x/y", "api_key": "k", "username": "u"}]))
    assert ok[0].name == "a" and ok[0].jurisdiction_id == ""
    for bad in ("{", "{}", '[{"name": "a"}]', '[{"name": "a", "url": "ftp://x", "api_key": "k", "username": "u"}]'):
        with pytest.raises(BadRemotes):
            parse_remotes(bad)


def test_on_postgresql_the_job_is_a_procrastinate_row_of_the_events_transaction_and_the_worker_delivers_it(
    clean: World, settings: Settings, remote: Remote
) -> None:
    if settings.is_sqlite:
        pytest.skip("procrastinate's job queue is PostgreSQL's (GRIDGOV_TEST_DATABASE_URL)")
    from gridgov.worker import queue_tasks

    remotes = [{"name": "fms", "url": remote.url, "api_key": "remote-key", "username": "operator"}]
    configured = settings.model_copy(update={"open311_remotes": json.dumps(remotes), "job_queue": "procrastinate"})
    c = bootstrap(configured, clock=clean.clock)
    try:
        with c.engine.begin() as conn:
            conn.execute(text("DELETE FROM procrastinate_jobs WHERE task_name = :t"), {"t": PUSH_UPDATES})
        case_id, code = file(c, clean, "operator")
        dispatcher = c.authenticate(clean.tokens["dispatcher"])
        apply_action(c.uow(), case_id, Register(note="属实"), dispatcher, c.clock.now(), c.calendar, c.policy)
        with c.engine.begin() as conn:
            jobs = conn.execute(
                text("SELECT args FROM procrastinate_jobs WHERE task_name = :t"), {"t": PUSH_UPDATES}
            ).all()
            conn.execute(text("DELETE FROM procrastinate_jobs WHERE task_name = :t"), {"t": PUSH_UPDATES})
        ((args,),) = jobs
        assert remote.received == []  # nothing is sent by the web process: the job waits for the worker
        tasks, _ = queue_tasks(c)
        tasks[PUSH_UPDATES](**args)  # the body `gridgov worker` runs for the job
        assert [(r["service_request_id"], r["status"]) for r in remote.received] == [(code, "INVESTIGATING")]
        assert [d[2] for d in deliveries(c)] == ["sent"]
    finally:
        c.close()
