"""Intake's group commit (gridgov.groupcommit): many threads of one process report cases at once through
`container.intake_uow()`. Cases share transactions, yet each request sees its own outcome: the same key
twice gives one case (both answered with it), a refused draft is refused alone, every answered case is
there, and the record verifies."""

from __future__ import annotations

import threading
from collections import Counter

from click.testing import CliRunner
from sqlalchemy import text

from gridgov.accounts.domain import Actor, Role
from gridgov.cases.services import CaseDraft, report_case
from gridgov.cli import main
from gridgov.errors import GridgovError

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
