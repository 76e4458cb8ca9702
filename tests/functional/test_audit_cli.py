"""`gridgov audit verify` passes on an intact record and names the first edited or deleted event."""

from __future__ import annotations

from click.testing import CliRunner
from sqlalchemy import text

from gridgov.cli import main

from conftest import Api, World


def _case_with_events(api: Api, world: World) -> int:
    r = api.post("resident", "/api/v1/cases", {"title": "路灯不亮", "grid_code": world.grid, "category_code": "H1802"})
    case_id = int(r.json()["id"])
    api.ok("operator", case_id, "register")
    api.ok("dispatcher", case_id, "dispatch")
    api.ok("street", case_id, "accept")
    return case_id


def _verify(url: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["audit", "verify", "--database-url", url])
    return result.exit_code, result.output


def test_intact_chain_verifies(api: Api, clean: World, database_url: str) -> None:
    _case_with_events(api, clean)
    code, out = _verify(database_url)
    assert code == 0, out
    assert "1 个案件, 4 个事件" in out


def test_editing_one_event_row_fails_naming_it(api: Api, clean: World, database_url: str) -> None:
    case_id = _case_with_events(api, clean)
    other = _case_with_events(api, clean)
    with clean.container.engine.begin() as conn:
        sql = text("SELECT id FROM case_events WHERE case_id = :c AND seq = 2")
        event_id = conn.execute(sql, {"c": case_id}).scalar()
        conn.execute(text("UPDATE case_events SET actor_role = 'admin' WHERE id = :i"), {"i": event_id})
    code, out = _verify(database_url)
    assert code == 1
    assert f"案件 {case_id} 第 2 个事件 (事件 id={event_id})" in out
    assert f"案件 {other}" not in out


def test_deleting_an_event_row_fails(api: Api, clean: World, database_url: str) -> None:
    case_id = _case_with_events(api, clean)
    with clean.container.engine.begin() as conn:
        conn.execute(text("DELETE FROM case_events WHERE case_id = :c AND seq = 4"), {"c": case_id})
    code, out = _verify(database_url)
    assert code == 1 and f"案件 {case_id}" in out and "末尾事件被删除" in out
    with clean.container.engine.begin() as conn:
        conn.execute(text("DELETE FROM case_events WHERE case_id = :c AND seq = 2"), {"c": case_id})
    code, out = _verify(database_url)
    assert code == 1 and "第 2 个事件" in out
