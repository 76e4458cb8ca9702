"""Intake's group commit (gridgov.groupcommit): many threads of one process report cases at once through
`container.intake_uow()`. Cases share transactions, yet each request sees its own outcome: the same key
twice gives one case (both answered with it), a refused draft is refused alone, every answered case is
there, and the record verifies."""

from __future__ import annotations

import threading
import time
from collections import Counter
from typing import Any

import pytest
from click.testing import CliRunner
from sqlalchemy import event, text

from gridgov.accounts.domain import Actor, Role
from gridgov.audit.domain import GENESIS
from gridgov.cases.models import Case, CaseEvent
from gridgov.cases.services import CaseDraft, report_case
from gridgov.cli import main
from gridgov.errors import DuplicateKey, GridgovError

from conftest import World

THREADS = 8
EACH = 40


def test_concurrent_intake_shares_commits_and_keeps_each_answer(clean: World) -> None:
    c = clean.container
    group = c.intake_group
    commits_before, members_before = group.commits, group.members
    operator = Actor(user_id=clean.users["operator"], role=Role.OPERATOR, unit_id=None)
    answers: dict[str, list[int]] = {}
    refused: Counter[str] = Counter()
    lock = threading.Lock()

    def client(n: int) -> None:
        for i in range(EACH):
            key = f"k-{i}-{n % 4}"  # each key sent by two threads at about the same time
            bad = i % 10 == 3
            draft = CaseDraft(title="" if bad else f"路灯不亮 {i}", grid_code=clean.grid, source="hotline")
            try:
                got = report_case(c.intake_uow(), draft, operator, clean.clock.now(), key if not bad else None)
            except GridgovError as exc:
                with lock:
                    refused[exc.code] += 1
                continue
            with lock:
                answers.setdefault(key, []).append(got.id)

    threads = [threading.Thread(target=client, args=(n,)) for n in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    with c.sessions() as s:
        rows = dict(s.execute(text("SELECT idempotency_key, id FROM cases")).all())
    assert refused == {"validation_error": THREADS * (EACH // 10)}
    assert len(answers) == 4 * (EACH - EACH // 10)
    for key, ids in answers.items():
        assert len(ids) == 2 and len(set(ids)) == 1, (key, ids)  # one case for both senders of a key
        assert rows[f"{clean.users['operator']}:{key}"] == ids[0]
    assert len(rows) == len(answers)
    assert group.members - members_before == len(answers)
    assert group.commits - commits_before <= len(answers)  # usually far fewer: cases shared transactions
    assert CliRunner().invoke(main, ["audit", "verify", "--database-url", c.settings.database_url]).exit_code == 0


def test_a_case_is_written_by_the_groups_insert_without_a_savepoint_or_flush_of_its_own(clean: World) -> None:
    c = clean.container
    operator = Actor(user_id=clean.users["operator"], role=Role.OPERATOR, unit_id=None)
    seen: list[str] = []

    def watch(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        seen.append(statement)

    event.listen(c.engine, "before_cursor_execute", watch)
    try:
        got = report_case(
            c.intake_uow(), CaseDraft(title="井盖缺失", grid_code=clean.grid), operator, clean.clock.now(), "one"
        )
    finally:
        event.remove(c.engine, "before_cursor_execute", watch)
    cases = [s for s in seen if s.startswith("INSERT INTO cases ")]
    events = [s for s in seen if s.startswith("INSERT INTO case_events ")]
    assert len(cases) == 1 and "ON CONFLICT DO NOTHING" in cases[0] and len(events) == 1
    assert sum(s.startswith("SAVEPOINT") for s in seen) == 1  # the group's one, not one per member
    with c.sessions() as s:
        assert s.execute(text("SELECT count(*) FROM case_events WHERE case_id = :i"), {"i": got.id}).scalar_one() == 1


def test_a_member_whose_row_fails_the_groups_insert_fails_alone(clean: World) -> None:
    """A row the database refuses for another reason than its key (here a missing title) sinks the group's
    INSERT; the cases are then written one by one, and the member it belongs to alone is refused."""
    c = clean.container
    group = c.intake_group
    commits_before = group.commits
    operator = Actor(user_id=clean.users["operator"], role=Role.OPERATOR, unit_id=None)
    now = clean.clock.now()
    first_in = threading.Event()
    outcome: dict[str, Any] = {}

    def bad() -> None:
        with group.unit_of_work() as uow:
            first_in.set()
            deadline = time.monotonic() + 10
            while group._waiting == 0 and time.monotonic() < deadline:  # the good member waits for its turn
                time.sleep(0.01)
            case = Case(tracking_code="BAD-1", title=None, source="hotline", status="reported", created_at=now)
            case.updated_at, case.event_count, case.last_event_hash = now, 1, "f" * 64
            first = CaseEvent(seq=1, event_type="case_reported", tag="case:created", action="report_case")
            first.to_status, first.actor_role, first.occurred_at, first.payload = "reported", "operator", now, {}
            first.prev_hash, first.hash = GENESIS, "0" * 64
            uow.cases.add(case, first)
            try:
                uow.commit()
            except DuplicateKey:
                outcome["bad"] = "refused"

    def good() -> None:
        first_in.wait(10)
        outcome["good"] = report_case(c.intake_uow(), CaseDraft(title="路灯不亮", grid_code=clean.grid), operator, now)

    threads = [threading.Thread(target=bad), threading.Thread(target=good)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert outcome["bad"] == "refused" and outcome["good"].created
    assert group.commits - commits_before == 1  # the two shared one transaction
    with c.sessions() as s:
        titles = s.execute(text("SELECT title FROM cases")).scalars().all()
    assert titles == ["路灯不亮"]
    assert CliRunner().invoke(main, ["audit", "verify", "--database-url", c.settings.database_url]).exit_code == 0


def test_a_group_commit_leaves_one_enrichment_job_for_all_of_its_cases(clean: World) -> None:
    """Each reported case asks for its enrichment; the cases a group commits together get one job (one row,
    one fetch, one finish for the worker), which names them all, and the worker's task enriches them."""
    from gridgov.jobs.ports import ENRICH_CASES, Job
    from gridgov.worker import queue_tasks

    c = clean.container
    pg = c.engine.dialect.name == "postgresql"
    inner: Any = c.jobs
    if pg:  # the queue production runs on: procrastinate's rows, written in the group's transaction
        from gridgov.jobs.pgqueue import ProcrastinateQueue, make_app

        inner = ProcrastinateQueue(make_app(c.settings.database_url))
    count = text("SELECT count(*) FROM procrastinate_jobs WHERE task_name = :t")
    if pg:
        with c.engine.connect() as conn:
            before = conn.execute(count, {"t": ENRICH_CASES}).scalar_one()
    written: list[list[Job]] = []

    class Recording:
        def write(self, connection: Any, jobs: Any) -> None:
            written.append(list(jobs))
            inner.write(connection, jobs)

        def committed(self, jobs: Any) -> None:
            inner.committed(jobs)

    operator = Actor(user_id=clean.users["operator"], role=Role.OPERATOR, unit_id=None)

    def client(n: int) -> None:
        for i in range(10):
            draft = CaseDraft(title=f"井盖缺失 {n}-{i}", grid_code=clean.grid, source="hotline")
            report_case(c.intake_uow(), draft, operator, clean.clock.now(), f"e-{n}-{i}", enrich_later=lambda _id: None)

    saved, c.jobs = c.jobs, Recording()
    try:
        threads = [threading.Thread(target=client, args=(n,)) for n in range(THREADS)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    finally:
        c.jobs = saved
    with c.sessions() as s:
        cases = sorted(s.execute(text("SELECT id FROM cases")).scalars())
    per_commit = [[j for j in jobs if j.task == ENRICH_CASES] for jobs in written]
    assert len(cases) == THREADS * 10
    assert all(len(jobs) == 1 for jobs in per_commit), per_commit  # one enrichment job per transaction
    assert sorted(i for jobs in per_commit for i in jobs[0].args["case_ids"]) == cases  # naming every case once
    assert len(per_commit) <= len(cases)  # usually far fewer: the group shares its commits, and so its job
    if pg:  # the queue's own rows: one per transaction
        with c.engine.connect() as conn:
            assert conn.execute(count, {"t": ENRICH_CASES}).scalar_one() - before == len(per_commit)
    tasks, _ = queue_tasks(c)
    for jobs in per_commit:
        tasks[ENRICH_CASES](**jobs[0].args)
    with c.sessions() as s:
        assert s.execute(text("SELECT count(*) FROM cases WHERE enriched_at IS NULL")).scalar_one() == 0


def test_a_burst_of_concurrent_intakes_opens_no_new_database_connections(clean: World) -> None:
    """On PostgreSQL, sixteen requests at once (each a token check and a report) are served from the pool once
    it is warm: a connection opened and closed per request (the pool too small for the burst, its overflow
    closed on return) cost about 2 ms of CPU per case (bench/intake.py, issue 13)."""
    c = clean.container
    if c.engine.dialect.name != "postgresql":
        pytest.skip("the connection pool sized by GRIDGOV_DB_POOL_SIZE is PostgreSQL's (SQLite opens files)")
    operator = Actor(user_id=clean.users["operator"], role=Role.OPERATOR, unit_id=None)
    token = clean.tokens["operator"]

    def burst(tag: str) -> None:
        def client(n: int) -> None:
            for i in range(10):
                c.authenticate(token)
                draft = CaseDraft(title=f"垃圾未清运 {tag}{n}-{i}", grid_code=clean.grid, source="hotline")
                report_case(c.intake_uow(), draft, operator, clean.clock.now(), f"p-{tag}{n}-{i}")

        threads = [threading.Thread(target=client, args=(n,)) for n in range(16)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()

    def sessions() -> int:
        with c.engine.connect() as conn:
            q = text("SELECT sessions FROM pg_stat_database WHERE datname = current_database()")
            return int(conn.execute(q).scalar_one())

    burst("warm-")  # the pool fills
    before = sessions()
    burst("")
    assert sessions() - before <= 1, "the burst opened new connections: the pool is smaller than it"  # ≤ the probe's
