"""Sign-in and credentials (issue 6 §2): passwords, lockout, cookie sessions with CSRF, read-only tokens,
limits on public intake."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import httpx
from click.testing import CliRunner

from gridgov.accounts.services import authenticate, issue_token, set_password
from gridgov.cli import main
from gridgov.web.deps import RateLimiter

from conftest import Api, World

PASSWORD = "正确的密码-2025"


def test_password_sign_in_lockout_and_session_with_csrf(new_client: Callable[[], httpx.Client], clean: World) -> None:
    w = clean
    set_password(w.container.uow(), "dispatcher", PASSWORD)
    with new_client() as browser:
        for _ in range(5):
            r = browser.post("/api/v1/auth/login", json={"username": "dispatcher", "password": "wrong-password"})
            assert r.status_code == 401 and r.json()["error"]["code"] == "login_failed"
        r = browser.post("/api/v1/auth/login", json={"username": "dispatcher", "password": PASSWORD})
        assert r.status_code == 423 and r.json()["error"]["code"] == "account_locked"  # even the right one
        w.clock.advance(timedelta(minutes=16))
        r = browser.post("/api/v1/auth/login", json={"username": "dispatcher", "password": PASSWORD})
        assert r.status_code == 200, r.text
        csrf = r.json()["csrf_token"]
        assert "httponly" in r.headers.get_list("set-cookie")[0].lower()
        assert browser.get("/api/v1/cases").status_code == 200  # the cookie signs reads in
        body = {"title": "路灯坏了", "grid_code": w.grid}
        r = browser.post("/api/v1/cases", json=body)
        assert r.status_code == 403 and r.json()["error"]["code"] == "csrf_failed"
        r = browser.post("/api/v1/cases", json=body, headers={"X-CSRF-Token": "forged"})
        assert r.status_code == 403
        r = browser.post("/api/v1/cases", json=body, headers={"X-CSRF-Token": csrf})
        assert r.status_code == 201, r.text
        assert browser.post("/api/v1/auth/logout", headers={"X-CSRF-Token": csrf}).status_code == 200
        assert browser.get("/api/v1/cases").status_code == 401
    assert new_client().post("/api/v1/auth/login", json={"username": "nobody", "password": "x"}).status_code == 401


def test_read_only_token_cannot_change_anything(api: Api, clean: World) -> None:
    api.tokens["reader"] = issue_token(clean.container.uow(), "leader", clean.clock.now(), scopes="read")
    assert api.get("reader", "/api/v1/cases").status_code == 200
    r = api.post("reader", "/api/v1/classify", {"title": "路灯坏了"})
    assert r.status_code == 403 and r.json()["error"]["code"] == "insufficient_scope"
    assert api.get("reader", "/api/v1/cases").json()["total"] == 0


def test_residents_intake_is_rate_limited(api: Api, clean: World) -> None:
    app = clean.app
    saved = app.state.intake_limiter
    app.state.intake_limiter = RateLimiter(per_minute=1, burst=3)
    try:
        codes = [
            api.post("resident", "/api/v1/cases", {"title": f"第{i}件", "grid_code": clean.grid}).status_code
            for i in range(5)
        ]
        assert codes == [201, 201, 201, 429, 429]
        r = api.post("resident", "/api/v1/cases", {"title": "再来", "grid_code": clean.grid})
        assert r.json()["error"]["code"] == "rate_limited"
        assert api.post("operator", "/api/v1/cases", {"title": "热线", "grid_code": clean.grid}).status_code == 201
    finally:
        app.state.intake_limiter = saved
    assert api.get("operator", "/api/v1/cases").json()["total"] == 4


def test_token_revocation_and_passwords_from_the_cli(
    new_client: Callable[[], httpx.Client], clean: World, database_url: str
) -> None:
    token = issue_token(clean.container.uow(), "leader", clean.clock.now())
    r = CliRunner().invoke(main, ["token", "revoke", token, "--database-url", database_url])
    assert r.exit_code == 0
    clean.container.tokens.clear()
    r = new_client().get("/api/v1/cases", headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 401
    run = CliRunner()
    short = run.invoke(main, ["user", "passwd", "leader", "--password", "short", "--database-url", database_url])
    assert short.exit_code == 2 and "至少 10 位" in short.output
    ok = run.invoke(main, ["user", "passwd", "leader", "--password", PASSWORD, "--database-url", database_url])
    assert ok.exit_code == 0
    ro = run.invoke(main, ["token", "issue", "leader", "--scopes", "read", "--database-url", database_url])
    assert ro.exit_code == 0 and ro.output.strip().startswith("ggv_")


def test_an_expired_session_opens_nothing_not_even_open311(
    new_client: Callable[[], httpx.Client], clean: World
) -> None:
    set_password(clean.container.uow(), "operator", PASSWORD)
    with new_client() as browser:
        assert (
            browser.post("/api/v1/auth/login", json={"username": "operator", "password": PASSWORD}).status_code == 200
        )
        session = browser.cookies["gg_session"]
    clean.container.tokens.clear()
    clean.clock.advance(timedelta(hours=13))
    replay = new_client()
    replay.cookies.set("gg_session", session)
    assert replay.get("/api/v1/cases").status_code == 401
    r = new_client().post(
        "/open311/v2/requests.json",
        data={"api_key": session, "service_code": "H1802", "grid_code": clean.grid, "description": "x"},
    )
    assert r.status_code == 403


def test_a_token_is_checked_in_one_query_with_its_user_and_unit(clean: World) -> None:
    from sqlalchemy import event

    c = clean.container
    seen: list[str] = []

    def watch(conn: object, cursor: object, statement: str, *args: object) -> None:
        if statement.lstrip().upper().startswith("SELECT"):
            seen.append(statement)

    event.listen(c.engine, "before_cursor_execute", watch)
    try:
        actor = authenticate(c.uow(write=False), clean.tokens["grid-worker"], clean.clock.now())
    finally:
        event.remove(c.engine, "before_cursor_execute", watch)
    assert len(seen) == 1, seen
    assert actor.role.value == "grid_worker" and actor.unit_grid is not None  # the unit came with the same row
