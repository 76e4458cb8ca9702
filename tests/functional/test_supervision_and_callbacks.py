"""督办, 催办 and 回访 through HTTP, the CLI and the real database (issue 15); `gridgov audit verify` covers
every event they write."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta
from typing import Any

from click.testing import CliRunner
from sqlalchemy import func, select, text

from gridgov.accounts.services import add_user
from gridgov.callbacks.models import Callback
from gridgov.cases.models import CaseEvent, CaseUrge
from gridgov.cases.services import scan_overdue
from gridgov.cases.services.supervision import scan_supervisions
from gridgov.cli import main
from gridgov.worker import press_and_call_back

from conftest import Api, World


def _accepted(api: Api, world: World, **extra: object) -> int:
    body = {"title": "楼道堆物", "grid_code": world.grid, "category_code": "H1802", "reporter_phone": "13812341234"}
    r = api.post("resident", "/api/v1/cases", {**body, **extra})
    assert r.status_code == 201, r.text
    case_id = int(r.json()["id"])
    api.ok("operator", case_id, "register")
    api.ok("dispatcher", case_id, "dispatch")
    api.ok("street", case_id, "accept")
    return case_id


def _messages(world: World, event_type: str) -> list[Any]:
    with world.container.engine.connect() as conn:
        return list(
            conn.execute(
                text("SELECT recipient_key, channel, body FROM notify_messages WHERE event_type = :e ORDER BY id"),
                {"e": event_type},
            )
        )


def _verify(url: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["audit", "verify", "--database-url", url])
    return result.exit_code, result.output


def test_a_leader_supervises_the_unit_answers_and_the_record_verifies(
    api: Api, clean: World, database_url: str
) -> None:
    case_id = _accepted(api, clean)
    due = (clean.clock.now() + timedelta(days=1)).isoformat()
    assert api.act("street", case_id, "supervise", due_at=due, note="x").status_code == 403
    case = api.ok("leader", case_id, "supervise", due_at=due, note="请明日前回复处置进展")
    assert case["supervisions"][0]["status"] == "open" and "reply_supervision" not in case["allowed_actions"]
    board = api.get("leader", "/api/v1/dashboard/supervision").json()
    assert [i["case_id"] for i in board["items"]] == [case_id] and board["supervised"] == 1
    assert "reply_supervision" in api.get("street", f"/api/v1/cases/{case_id}").json()["allowed_actions"]
    clean.clock.advance(timedelta(hours=2))
    case = api.ok("street", case_id, "reply_supervision", note="已清理完毕")
    assert case["supervisions"][0]["on_time"] is True
    board = api.get("leader", "/api/v1/dashboard/supervision").json()
    assert board["items"] == [] and board["supervision_on_time_rate"] == 1.0
    events = api.get("dispatcher", f"/api/v1/cases/{case_id}/events").json()
    assert [e["event_type"] for e in events][-2:] == ["supervised", "supervision_replied"]
    # the leader who asked is told of the reply in the 站内信, with the unit and what it said
    told = _messages(clean, "supervision_replied")
    assert [(m.recipient_key, m.channel) for m in told] == [(f"user:{clean.users['leader']}", "inapp")]
    assert "已清理完毕" in told[0].body and "回复" in told[0].body
    code, out = _verify(database_url)
    assert code == 0, out
    # the row feeds 督办按期回复率: an UPDATE of it, or its deletion, is caught by re-deriving it from the events
    for tamper, undo, expected in (
        ("UPDATE case_supervisions SET on_time = false", "UPDATE case_supervisions SET on_time = true", "on_time"),
        ("UPDATE case_supervisions SET status = 'open'", "UPDATE case_supervisions SET status = 'replied'", "status"),
    ):
        with clean.container.engine.begin() as conn:
            conn.execute(text(tamper))
        code, out = _verify(database_url)
        assert code == 1 and "督办与催办" in out and expected in out, out
        with clean.container.engine.begin() as conn:
            conn.execute(text(undo))
    assert _verify(database_url)[0] == 0


def test_an_unanswered_supervision_escalates_and_the_record_verifies(api: Api, clean: World, database_url: str) -> None:
    # someone at the district's centre, where the 督办 goes first (the test world has nobody there); the account is
    # stopped at the end, so that no other test's messages reach it
    centre = add_user(clean.container.uow(), "centre-410102", "dispatcher", clean.district, clean.clock.now())
    try:
        _escalates(api, clean, database_url, centre)
    finally:
        with clean.container.engine.begin() as conn:
            conn.execute(text("UPDATE users SET active = false WHERE id = :id"), {"id": centre})


def _escalates(api: Api, clean: World, database_url: str, centre: int) -> None:
    case_id = _accepted(api, clean)
    due = clean.clock.now() + timedelta(hours=4)
    api.ok("dispatcher", case_id, "supervise", due_at=due.isoformat(), note="限四小时回复")
    result = CliRunner().invoke(
        main, ["escalate", "--json", "--database-url", database_url, "--now", (due + timedelta(minutes=1)).isoformat()]
    )
    assert result.exit_code == 0, result.output
    assert '"supervisions_escalated": 1' in result.output
    case = api.get("dispatcher", f"/api/v1/cases/{case_id}").json()
    assert case["supervisions"][0]["escalated_to"] and case["supervisions"][0]["escalation_level"] == 1
    # the unit it escalated to is told at once, in the 站内信 (and by SMS where its people left a number)
    escalated = [e for e in api.get("dispatcher", f"/api/v1/cases/{case_id}/events").json()
                 if e["event_type"] == "supervision_escalated"]  # fmt: skip
    to_unit = escalated[0]["payload"]["to_unit_name"]
    assert escalated[0]["payload"]["to_unit_code"] == clean.district
    told = [m for m in _messages(clean, "supervision_escalated") if m.channel == "inapp"]
    with clean.container.engine.connect() as conn:  # other tests may have given the centre people of their own
        staff = {
            f"user:{uid}"
            for (uid,) in conn.execute(
                text("SELECT id FROM users WHERE unit_id = :u AND active AND role NOT IN ('resident', 'system')"),
                {"u": escalated[0]["payload"]["to_unit_id"]},
            )
        }
    assert f"user:{centre}" in staff and sorted(m.recipient_key for m in told) == sorted(staff)
    assert all(to_unit in m.body and "督办升级" in m.body for m in told)
    assert scan_supervisions(clean.container.uow_factory, due + timedelta(minutes=1)).escalated == 0
    code, out = _verify(database_url)
    assert code == 0, out


def test_concurrent_scans_urge_each_task_once_per_level(api: Api, clean: World, database_url: str) -> None:
    ids = []
    for _ in range(12):
        r = api.post(
            "operator", "/api/v1/cases", {"title": "暴露垃圾", "grid_code": clean.grid, "category_code": "E0102"}
        )
        ids.append(int(r.json()["id"]))
        api.ok("operator", ids[-1], "register")
        api.ok("dispatcher", ids[-1], "dispatch")
    c = clean.container
    errors: list[BaseException] = []

    def scan(at: datetime) -> None:
        try:
            scan_overdue(c.uow_factory, at, c.calendar, c.policy, batch_size=5)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    for later in (timedelta(hours=1, minutes=50), timedelta(hours=2, minutes=30), timedelta(days=2)):
        at = c.clock.now() + later
        threads = [threading.Thread(target=scan, args=(at,)) for _ in range(3)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert not errors, errors
    with c.sessions() as s:
        per_level = s.execute(select(CaseUrge.level, func.count()).group_by(CaseUrge.level)).all()
        urged = s.scalar(select(func.count()).select_from(CaseEvent).where(CaseEvent.event_type == "urged"))
    assert dict(per_level) == {"yellow": 12, "red": 12}
    assert urged == 24
    # each 黄灯, 红灯 and 催办 told the people of the unit holding the case in the 站内信, once per event and person
    with c.engine.connect() as conn:
        holders = {
            f"user:{uid}"
            for (uid,) in conn.execute(
                text("SELECT u.id FROM users u JOIN cases k ON k.owner_unit_id = u.unit_id WHERE u.active")
            )
        }
    for event_type, subject, per_case in (("deadline_warned", "黄灯预警", 1), ("urged", "催办", 2)):
        told = [m for m in _messages(clean, event_type) if m.channel == "inapp"]
        assert told and {m.recipient_key for m in told} <= holders
        assert len(told) == 12 * per_case * len({m.recipient_key for m in told})
        assert all(subject in m.body for m in told)
    red = [m for m in _messages(clean, "case_escalated") if m.channel == "inapp"]
    assert red and all("红灯" in m.body for m in red)
    code, out = _verify(database_url)
    assert code == 0, out
    with c.engine.begin() as conn:  # a 催办 row moved to another unit, and one deleted: both caught
        first, second = conn.execute(text("SELECT id, unit_id FROM case_urges ORDER BY id LIMIT 2")).all()
        other = conn.execute(text("SELECT id FROM units WHERE id <> :u LIMIT 1"), {"u": first.unit_id}).scalar_one()
        conn.execute(text("UPDATE case_urges SET unit_id = :o WHERE id = :i"), {"o": other, "i": first.id})
        conn.execute(text("DELETE FROM case_urges WHERE id = :i"), {"i": second.id})
    code, out = _verify(database_url)
    assert code == 1 and f"催办 {first.id}" in out and "事件中有, 表中缺失" in out, out


def test_an_operator_works_the_callback_queue(api: Api, clean: World, database_url: str) -> None:
    first, second = _accepted(api, clean), _accepted(api, clean)
    for case_id in (first, second):
        api.ok("street", case_id, "handle", note="已清理")
        api.ok("dispatcher", case_id, "verify")
    result = CliRunner().invoke(main, ["callbacks", "sweep", "--database-url", database_url])
    assert result.exit_code == 0 and "进入回访队列 2 件" in result.output, result.output
    page = api.get("operator", "/callbacks")
    assert page.status_code == 200 and "待回访" in page.text and "13812341234" in page.text
    assert api.get("street", "/callbacks").status_code == 403
    with clean.container.sessions() as s:
        cb = {c.case_id: c.id for c in s.scalars(select(Callback))}
    headers = {"Authorization": f"Bearer {clean.tokens['operator']}"}

    def call(case_id: int, **form: str) -> int:
        return api.client.post(f"/callbacks/{cb[case_id]}/attempts", data=form, headers=headers).status_code

    assert call(first, outcome="reached") == 422  # reached without the answers
    for _ in range(3):
        assert call(first, outcome="no_answer") == 200
    assert call(second, outcome="reached", resolved="true", satisfaction="satisfied", comment="很及时") == 200
    assert api.get("operator", f"/api/v1/cases/{second}").json()["satisfaction"] == "satisfied"
    street = {"Authorization": f"Bearer {clean.tokens['street']}"}
    denied = api.client.post(f"/callbacks/{cb[first]}/attempts", data={"outcome": "refused"}, headers=street)
    assert denied.status_code == 403
    board = api.get("leader", "/api/v1/dashboard/supervision").json()
    assert board["callbacks"] == {"satisfied": 1, "unsatisfied": 0, "unreached": 1, "refused": 0}
    assert board["callback_reach_rate"] == 0.5 and board["callback_satisfaction_rate"] == 1.0
    code, out = _verify(database_url)
    assert code == 0, out
    # the rows 回访率 is counted from: a 未回访 turned into 已接通, or a call's outcome changed, is caught
    for tamper, undo in (
        (f"UPDATE callbacks SET status = 'reached' WHERE id = {cb[first]}",
         f"UPDATE callbacks SET status = 'unreached' WHERE id = {cb[first]}"),
        (f"UPDATE callback_attempts SET outcome = 'refused' WHERE callback_id = {cb[second]}",
         f"UPDATE callback_attempts SET outcome = 'reached' WHERE callback_id = {cb[second]}"),
    ):  # fmt: skip
        with clean.container.engine.begin() as conn:
            conn.execute(text(tamper))
        code, out = _verify(database_url)
        assert code == 1 and "回访: 回访" in out, out
        with clean.container.engine.begin() as conn:
            conn.execute(text(undo))
    assert _verify(database_url)[0] == 0


def test_the_worker_escalates_supervisions_and_fills_the_callback_queue(api: Api, clean: World) -> None:
    closed, pressed = _accepted(api, clean), _accepted(api, clean)
    api.ok("street", closed, "handle", note="已清理")
    api.ok("dispatcher", closed, "verify")
    api.ok(
        "leader", pressed, "supervise", due_at=(clean.clock.now() + timedelta(hours=1)).isoformat(), note="一小时内回复"
    )
    clean.clock.advance(timedelta(minutes=90))  # one period late: one level up
    press_and_call_back(clean.container)
    press_and_call_back(clean.container)  # again: nothing more
    with clean.container.sessions() as s:
        queued = [c.case_id for c in s.scalars(select(Callback))]
        escalated = s.scalar(
            select(func.count()).select_from(CaseEvent).where(CaseEvent.event_type == "supervision_escalated")
        )
    assert queued == [closed] and escalated == 1
