"""Browser fixtures: Debian chromium driven by Playwright against the real test server.

Every page is watched: a request to anything but 127.0.0.1 is blocked and fails the test, and so does an
uncaught script error or a Content-Security-Policy violation. Screenshots go to var/screenshots/ (or
GRIDGOV_SCREENSHOTS)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from gridgov.accounts.services import set_password

CHROMIUM = os.environ.get("GRIDGOV_CHROMIUM", "/usr/bin/chromium")
SHOTS = Path(os.environ.get("GRIDGOV_SCREENSHOTS", Path(__file__).resolve().parents[2] / "var" / "screenshots"))
PASSWORD = "browser-pass-2025"
VIEWPORTS = {"phone": {"width": 360, "height": 780}, "desktop": {"width": 1920, "height": 1080}}
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]


@pytest.fixture(scope="session")
def chromium() -> Iterator[Any]:
    if not Path(CHROMIUM).exists():
        message = f"{CHROMIUM} not found: apt-get install chromium fonts-wqy-microhei (.ci/run installs them)"
        if os.environ.get("GRIDGOV_REQUIRE_BROWSER") == "1":
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import expect, sync_playwright

    # an assertion waits as long as an action does: under CI's two streams on two cores, one step of a console
    # (three round trips on PostgreSQL) has taken longer than Playwright's default 5 s
    expect.set_options(timeout=10_000)

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def passwords(world: Any) -> dict[str, str]:
    """Every test user (and the two grid workers) signs in with the same password."""
    names = [*world.users, f"gw{world.grid}", f"gw{world.other_grid}"]
    for name in names:
        set_password(world.container.uow(), name, PASSWORD)
    return {"grid-worker": f"gw{world.grid}", "other-worker": f"gw{world.other_grid}"}


@dataclass
class Browsing:
    base: str
    browser: Any
    usernames: dict[str, str]
    outside: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    contexts: list[Any] = field(default_factory=list)

    def page(self, who: str | None = None, viewport: str = "desktop", **options: Any) -> Any:
        """A fresh browser (own cookies) at the given size, signed in as `who` through the login form."""
        context = self.browser.new_context(
            viewport=VIEWPORTS[viewport], locale="zh-CN", timezone_id="Asia/Shanghai", base_url=self.base, **options
        )
        context.set_default_timeout(10_000)
        self.contexts.append(context)
        context.route("**/*", self._guard)
        page = context.new_page()
        page.on("pageerror", lambda exc: self.problems.append(f"script error: {exc}"))
        page.on(
            "console",
            lambda msg: (
                self.problems.append(f"console: {msg.text}")
                if "Content Security Policy" in msg.text or "Refused to" in msg.text
                else None
            ),
        )
        if who is not None:
            self.login(page, who)
        return page

    def login(self, page: Any, who: str) -> None:
        page.goto("/login")
        page.get_by_label("用户名").fill(self.usernames.get(who, who))
        page.get_by_label("密码").fill(PASSWORD)
        page.get_by_role("button", name="登录").click()
        page.wait_for_url(lambda url: "/login" not in url)

    def _guard(self, route: Any) -> None:
        url = route.request.url
        parts = urlsplit(url)
        if parts.scheme in ("data", "blob") or parts.hostname == "127.0.0.1":
            route.continue_()
        else:
            self.outside.append(url)
            route.abort()

    @staticmethod
    def pick(root: Any, label: str, typed: str, code: str) -> None:
        """Choose `code` in the type-ahead picker labelled `label` (within `root`), typing `typed`."""
        box = root.get_by_label(label, exact=True)
        box.fill(typed)
        picker = box.locator("xpath=ancestor::div[@data-picker][1]")
        picker.locator(f"[role=option][data-code='{code}']").click()
        picker.locator(f"input[type=hidden][value='{code}']").wait_for(state="attached")

    def shot(self, page: Any, name: str) -> Path:
        SHOTS.mkdir(parents=True, exist_ok=True)
        width = page.viewport_size["width"]
        path = SHOTS / f"{name}-{'phone' if width < 760 else 'desktop'}.png"
        page.screenshot(path=str(path), full_page=True)
        return path


@pytest.fixture
def browsing(server: str, clean: Any, chromium: Any, passwords: dict[str, str]) -> Iterator[Browsing]:
    b = Browsing(server, chromium, passwords)
    yield b
    for context in b.contexts:
        context.close()
    assert not b.outside, f"pages asked for resources outside 127.0.0.1: {b.outside}"
    assert not b.problems, f"pages had script errors: {b.problems}"
