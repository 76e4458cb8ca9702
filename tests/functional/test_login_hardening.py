"""Sign-in that holds (issue 12, findings 2 and 3): parallel guesses are counted one by one in the database,
delays grow per (name, client address) so a stranger cannot lock the real user out, an admin can lift them,
and an unknown name answers like a wrong password, in what it says and in how long it takes."""

from __future__ import annotations

import logging
import statistics
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import httpx
import pytest
from click.testing import CliRunner

from gridgov.accounts.domain import LoginPolicy
from gridgov.accounts.hashing import ARGON2
from gridgov.accounts.repository import SqlLoginThrottle
from gridgov.accounts.services import AccountLocked, LoginFailed, add_user, login, set_password
from gridgov.cli import main
from gridgov.db import make_engine, make_sessionmaker

from conftest import Api, World

PASSWORD = "正确的密码-2025"
GUESSES = 100
Recorder = Callable[[str, object], None]
log = logging.getLogger(__name__)


def figure(record: Recorder, name: str, value: object, what: str) -> None:
    """A measured figure: in the JUnit report, and in the log (`-o log_cli=true --log-cli-level=INFO`)."""
    record(name, value)
    log.info("%s = %s (%s)", name, value, what)


class CountingHasher:
    """The real argon2 hasher, counting every evaluation (a verification or the dummy one)."""

    def __init__(self) -> None:
        self.calls: list[str] = []
        self._lock = threading.Lock()

    def hash(self, password: str) -> str:
        return ARGON2.hash(password)

    def verify(self, encoded: str, password: str) -> bool:
        with self._lock:
            self.calls.append("verify")
        return ARGON2.verify(encoded, password)

    def verify_dummy(self, password: str) -> None:
        with self._lock:
            self.calls.append("dummy")
        ARGON2.verify_dummy(password)


@pytest.fixture
def throttle(clean: World) -> Iterator[SqlLoginThrottle]:
    t = SqlLoginThrottle(clean.container.sessions)
    for name in ("leader", "community", "street", "dept-zj", "no-such-user", "dept-cg"):
        t.clear(name)
    yield t


def attempt(w: World, throttle: SqlLoginThrottle, name: str, password: str, client: str, **kw: object) -> str:
    return login(w.container.uow(), throttle, name, password, client, w.clock.now(), **kw)  # type: ignore[arg-type]


def test_a_hundred_parallel_guesses_cost_at_most_five_evaluations(
    clean: World, throttle: SqlLoginThrottle, record_property: Recorder
) -> None:
    set_password(clean.container.uow(), "leader", PASSWORD)
    hasher = CountingHasher()
    barrier = threading.Barrier(GUESSES)

    def guess(i: int) -> str:
        barrier.wait()
        try:
            attempt(clean, throttle, "leader", f"wrong-guess-{i}", "198.51.100.7", hasher=hasher)
        except LoginFailed:
            return "401"
        except AccountLocked:
            return "423"
        return "200"

    with ThreadPoolExecutor(GUESSES) as pool:
        answers = list(pool.map(guess, range(GUESSES)))
    evaluations = len(hasher.calls)
    refused = answers.count("423")
    figure(record_property, "evaluations", evaluations, f"{GUESSES} parallel wrong guesses, {refused} × 423")
    assert evaluations <= 5
    assert answers.count("401") == evaluations and answers.count("423") == GUESSES - evaluations
    # the real leader, from another address, is not held up by any of it
    assert attempt(clean, throttle, "leader", PASSWORD, "198.51.100.8", hasher=hasher).startswith("ggs_")
    with pytest.raises(AccountLocked):  # while the guessing address still waits
        attempt(clean, throttle, "leader", PASSWORD, "198.51.100.7", hasher=hasher)


@pytest.mark.slow
def test_parallel_guesses_over_http_then_the_leader_from_elsewhere(
    live_server: str, clean: World, throttle: SqlLoginThrottle, record_property: Recorder
) -> None:
    set_password(clean.container.uow(), "community", PASSWORD)
    barrier = threading.Barrier(GUESSES)

    def guess(i: int) -> int:
        with httpx.Client(base_url=live_server, timeout=60) as c:
            barrier.wait()
            r = c.post("/api/v1/auth/login", json={"username": "community", "password": f"wrong-{i}"})
            return r.status_code

    with ThreadPoolExecutor(GUESSES) as pool:
        codes = list(pool.map(guess, range(GUESSES)))
    figure(record_property, "http_401", codes.count(401), f"over HTTP, and {codes.count(423)} × 423 (refused unseen)")
    assert codes.count(401) <= 5 and codes.count(401) + codes.count(423) == GUESSES
    # another client address (127.0.0.2 is loopback too): the right password works at once
    elsewhere = httpx.HTTPTransport(local_address="127.0.0.2")
    with httpx.Client(base_url=live_server, transport=elsewhere, timeout=60) as c:
        r = c.post("/api/v1/auth/login", json={"username": "community", "password": PASSWORD})
        assert r.status_code == 200, r.text
    r = httpx.post(f"{live_server}/api/v1/auth/login", json={"username": "community", "password": PASSWORD})
    assert r.status_code == 423 and r.headers["retry-after"] == "1"


@pytest.mark.slow
def test_delays_grow_per_address_and_a_stranger_cannot_lock_the_leader_out(
    clean: World, throttle: SqlLoginThrottle
) -> None:
    w = clean
    set_password(w.container.uow(), "leader", PASSWORD)
    stranger, leader = "203.0.113.66", "192.0.2.10"
    for _ in range(5):  # five free tries
        with pytest.raises(LoginFailed):
            attempt(w, throttle, "leader", "guess", stranger)
    waits: list[str] = []
    for expected in (1, 2, 4, 8, 16):
        with pytest.raises(AccountLocked) as locked:
            attempt(w, throttle, "leader", PASSWORD, stranger)  # even the right password waits, from there
        assert locked.value.details["retry_after_seconds"] == expected
        waits.append(locked.value.message)
        w.clock.advance(timedelta(seconds=expected))
        with pytest.raises(LoginFailed):
            attempt(w, throttle, "leader", "guess", stranger)
        assert attempt(w, throttle, "leader", PASSWORD, leader).startswith("ggs_")  # never held up
    assert waits[0] == "登录失败次数过多，请 1 秒后再试"
    for _ in range(8):  # the delays reach the cap and stay there
        w.clock.advance(timedelta(hours=1))
        with pytest.raises(LoginFailed):
            attempt(w, throttle, "leader", "guess", stranger)
    with pytest.raises(AccountLocked) as capped:
        attempt(w, throttle, "leader", "guess", stranger)
    assert capped.value.details["retry_after_seconds"] == 900
    assert capped.value.message == "登录失败次数过多，请 15 分钟后再试"


def test_the_count_lives_in_the_database_not_in_a_process(clean: World, throttle: SqlLoginThrottle) -> None:
    for _ in range(5):
        with pytest.raises(LoginFailed):
            attempt(clean, throttle, "dept-zj", "guess", "203.0.113.9")
    engine = make_engine(clean.container.settings)  # another engine and pool, as another process would have
    try:
        elsewhere = SqlLoginThrottle(make_sessionmaker(engine))
        admission = elsewhere.admit("dept-zj", "203.0.113.9", clean.clock.now(), LoginPolicy())
        assert not admission.admitted and admission.tries == 5
    finally:
        engine.dispose()


@pytest.mark.slow
def test_unknown_name_and_wrong_password_get_the_same_answer(api: Api, clean: World) -> None:
    set_password(clean.container.uow(), "dept-cg", PASSWORD)
    SqlLoginThrottle(clean.container.sessions).clear("dept-cg")
    SqlLoginThrottle(clean.container.sessions).clear("no-such-user")

    def answer(name: str) -> tuple[int, str, str]:
        r = api.client.post("/api/v1/auth/login", json={"username": name, "password": "wrong-password"})
        return r.status_code, r.json()["error"]["code"], r.json()["error"]["message"]

    for _ in range(5):
        assert answer("dept-cg") == answer("no-such-user") == (401, "login_failed", "用户名或密码错误")
    assert answer("dept-cg") == answer("no-such-user") == (423, "account_locked", "登录失败次数过多，请 1 秒后再试")


def test_an_unknown_name_costs_a_dummy_verification(clean: World, throttle: SqlLoginThrottle) -> None:
    hasher = CountingHasher()
    with pytest.raises(LoginFailed):
        attempt(clean, throttle, "no-such-user", "whatever-it-is", "192.0.2.50", hasher=hasher)
    nameless = f"no-password-{time.monotonic_ns()}"  # an account that never had a password (other tests set some)
    add_user(clean.container.uow(), nameless, "department", f"{clean.district}-zj", clean.clock.now())
    with pytest.raises(LoginFailed):  # an account without a password: the same
        attempt(clean, throttle, nameless, "whatever-it-is", "192.0.2.50", hasher=hasher)
    assert hasher.calls == ["dummy", "dummy"]


@pytest.mark.slow
def test_an_unknown_name_takes_as_long_as_a_wrong_password(
    clean: World, throttle: SqlLoginThrottle, record_property: Recorder
) -> None:
    set_password(clean.container.uow(), "street", PASSWORD)
    timings: dict[str, list[float]] = {"street": [], "no-such-user": []}
    names = list(timings)
    for i in range(11):  # interleaved, in turn first, each from its own address so that no delay gets in the way
        for name in names if i % 2 else reversed(names):
            found = timings[name]
            start = time.perf_counter()
            with pytest.raises(LoginFailed):
                attempt(clean, throttle, name, "wrong-password", f"192.0.2.{100 + i}")
            found.append(time.perf_counter() - start)
    known, unknown = statistics.median(timings["street"]), statistics.median(timings["no-such-user"])
    figure(record_property, "median_ms_wrong_password", round(known * 1000), "median sign-in time")
    figure(record_property, "median_ms_unknown_name", round(unknown * 1000), "median sign-in time")
    assert 0.5 < unknown / known < 2.0  # before: 54–60 ms against 233–334 ms (measured, on shared CPUs)


@pytest.mark.slow
def test_an_admin_unlocks_from_the_cli_and_the_api(
    api: Api, clean: World, throttle: SqlLoginThrottle, database_url: str
) -> None:
    set_password(clean.container.uow(), "street", PASSWORD)

    def lock_out() -> None:
        for _ in range(5):
            api.client.post("/api/v1/auth/login", json={"username": "street", "password": "wrong-password"})
        r = api.client.post("/api/v1/auth/login", json={"username": "street", "password": PASSWORD})
        assert r.status_code == 423

    lock_out()
    r = CliRunner().invoke(main, ["user", "unlock", "street", "--database-url", database_url])
    assert r.exit_code == 0 and "已解除" in r.output, r.output
    assert api.client.post("/api/v1/auth/login", json={"username": "street", "password": PASSWORD}).status_code == 200
    api.client.cookies.clear()
    lock_out()
    assert api.post("dispatcher", "/api/v1/auth/unlock", {"username": "street"}).status_code == 403
    r = api.post("admin", "/api/v1/auth/unlock", {"username": "street"})
    assert r.status_code == 200 and r.json() == {"username": "street", "cleared": 1}
    assert api.client.post("/api/v1/auth/login", json={"username": "street", "password": PASSWORD}).status_code == 200
    r = CliRunner().invoke(main, ["user", "unlock", "nobody-here", "--database-url", database_url])
    assert r.exit_code == 2 and "用户不存在" in r.output
