"""CSRF bound to the session (issue 12, finding 9): the token is an HMAC of the session id under the secret
key, so a CSRF cookie planted by someone else, echoed in the header, opens nothing."""

from __future__ import annotations

import httpx

from gridgov.accounts.repository import SqlLoginThrottle
from gridgov.accounts.services import set_password
from gridgov.web.deps import csrf_token_for

from conftest import Api, World

PASSWORD = "正确的密码-2025"


def sign_in(client: httpx.Client, name: str) -> str:
    r = client.post("/api/v1/auth/login", json={"username": name, "password": PASSWORD})
    assert r.status_code == 200, r.text
    csrf: str = r.json()["csrf_token"]
    return csrf


def test_an_attacker_chosen_csrf_cookie_with_a_matching_header_is_refused(api: Api, clean: World) -> None:
    w = clean
    for name in ("operator", "dispatcher"):
        set_password(w.container.uow(), name, PASSWORD)
        SqlLoginThrottle(w.container.sessions).clear(name)
    browser = api.client
    csrf = sign_in(browser, "operator")
    session = browser.cookies["gg_session"]
    assert browser.cookies["gg_csrf"] == csrf == csrf_token_for(w.container.settings.secret_key, session)
    body = {"title": "路灯坏了", "grid_code": w.grid}

    # the attack: the attacker sets the CSRF cookie (a sibling subdomain, plain HTTP) and sends it back
    browser.cookies.set("gg_csrf", "attacker-chosen-value")
    r = browser.post("/api/v1/cases", json=body, headers={"X-CSRF-Token": "attacker-chosen-value"})
    assert r.status_code == 403 and r.json()["error"]["code"] == "csrf_failed"

    # nor does another session's token fit this one
    with httpx.Client(transport=browser._transport, base_url=str(browser.base_url)) as other:
        theirs = sign_in(other, "dispatcher")
    assert theirs != csrf
    browser.cookies.set("gg_csrf", theirs)
    r = browser.post("/api/v1/cases", json=body, headers={"X-CSRF-Token": theirs})
    assert r.status_code == 403 and r.json()["error"]["code"] == "csrf_failed"

    # the session's own token works, whatever the cookie holds now (the pages' JS still reads gg_csrf)
    r = browser.post("/api/v1/cases", json=body, headers={"X-CSRF-Token": csrf})
    assert r.status_code == 201, r.text
    r = browser.post("/api/v1/cases", json=body)
    assert r.status_code == 403 and r.json()["error"]["code"] == "csrf_failed"
    browser.cookies.clear()
    assert api.post("operator", "/api/v1/cases", body).status_code == 201  # bearer tokens need no CSRF token
