"""Resident sign-up by phone and SMS code over HTTP: the code goes to the loopback SMS gateway through notify's
HTTP SMS adapter, is kept only as a digest, signs the resident up, and their earlier hotline cases show under /my."""

from __future__ import annotations

import re
from collections.abc import Iterator

import httpx
import pytest
from click.testing import CliRunner
from sqlalchemy import text

from gridgov.cli import main
from gridgov.notify.channels.sms_http import HttpSmsGateway
from gridgov.notify.domain import Channel
from notify_servers import SmsGateway

from conftest import Api, World

PHONE = "13912340001"


@pytest.fixture
def gateway(clean: World) -> Iterator[SmsGateway]:
    """The container's SMS channel pointed at a loopback gateway for the test (then put back)."""
    with SmsGateway() as gw:
        sender = HttpSmsGateway(f"{gw.url}/sms", auth=SmsGateway.TOKEN)
        senders = clean.container.notify_senders
        before = senders.get(Channel.SMS)
        senders[Channel.SMS] = sender
        try:
            yield gw
        finally:
            if before is None:
                senders.pop(Channel.SMS, None)
            else:
                senders[Channel.SMS] = before
            sender.close()


def last_code(gw: SmsGateway, phone: str) -> str:
    sent = [s for s in gw.sends if s["mobile"] == phone]
    found = re.search(r"验证码为 (\d{6})", sent[-1]["content"])
    assert found is not None
    return found.group(1)


def sign_in(client: httpx.Client, gw: SmsGateway, phone: str) -> httpx.Response:
    r = client.post("/api/v1/auth/phone/code", json={"phone": phone})
    assert r.status_code == 200, r.text
    return client.post("/api/v1/auth/phone/login", json={"phone": phone, "code": last_code(gw, phone)})


def test_sign_up_by_sms_code_finds_the_earlier_hotline_cases_under_my(
    api: Api, clean: World, gateway: SmsGateway
) -> None:
    w = clean
    body = {"title": "小区路灯不亮", "source": "hotline", "grid_code": w.grid, "reporter_phone": PHONE}
    earlier = api.post("operator", "/api/v1/cases", body)
    assert earlier.status_code == 201, earlier.text
    other = api.post("operator", "/api/v1/cases", {**body, "title": "别人的反映", "reporter_phone": "13700000002"})
    assert other.status_code == 201

    client = api.client
    r = sign_in(client, gateway, PHONE)
    assert r.status_code == 200, r.text
    assert r.json()["new_account"] is True
    me = client.get("/api/v1/auth/me").json()
    assert me["role"] == "resident"
    with w.container.engine.connect() as conn:  # neither the code nor the number is in the database
        rows = conn.execute(text("SELECT phone_key, code_hash, used_at FROM sign_in_codes")).all()
        assert len(rows) == 1 and rows[0].used_at is not None
        assert PHONE not in rows[0].phone_key and last_code(gateway, PHONE) not in rows[0].code_hash
        named = conn.execute(text("SELECT count(*) FROM users WHERE username LIKE :p"), {"p": f"%{PHONE}%"})
        assert named.scalar() == 0
    listed = client.get("/api/v1/cases").json()
    titles = [c["title"] for c in listed["items"]]
    assert titles == ["小区路灯不亮"]  # the earlier case, and nobody else's
    page = client.get("/my")
    assert page.status_code == 200 and "小区路灯不亮" in page.text and "别人的反映" not in page.text

    # the earlier case joined the account, on its record, so the resident acts on it as on their own reports
    with w.container.engine.connect() as conn:
        owners = dict(conn.execute(text("SELECT title, reporter_user_id FROM cases")).all())
        claimed = conn.execute(
            text("SELECT c.title, e.payload FROM case_events e JOIN cases c ON c.id = e.case_id"
                 " WHERE e.event_type = 'report_claimed'")
        ).all()  # fmt: skip
        account = conn.execute(text("SELECT user_id FROM phone_accounts")).scalar_one()
    assert owners == {"小区路灯不亮": account, "别人的反映": None}
    assert [row.title for row in claimed] == ["小区路灯不亮"] and PHONE not in str(claimed[0].payload)
    assert client.get(f"/api/v1/cases/{earlier.json()['id']}").status_code == 200
    # a hotline case filed after the sign-up joins at the next sign-in
    later = api.post("operator", "/api/v1/cases", {**body, "title": "路灯又坏了"})
    assert later.status_code == 201

    client.cookies.clear()  # signing in again with a new code: the same account, no second one
    again = sign_in(client, gateway, PHONE)
    assert again.status_code == 200 and again.json()["new_account"] is False
    with w.container.engine.connect() as conn:
        later_owner = conn.execute(
            text("SELECT reporter_user_id FROM cases WHERE id = :i"), {"i": later.json()["id"]}
        ).scalar_one()
    assert later_owner == account
    verified = CliRunner().invoke(main, ["audit", "verify", "--database-url", str(w.container.settings.database_url)])
    assert verified.exit_code == 0, verified.output
    wrong = client.post("/api/v1/auth/phone/login", json={"phone": PHONE, "code": "000000"})
    assert wrong.status_code == 400 and wrong.json()["error"]["code"] == "otp_invalid"
    client.cookies.clear()


def test_code_requests_are_limited_per_number_and_per_address_in_the_database(
    api: Api, clean: World, gateway: SmsGateway
) -> None:
    client = api.client
    answers = [client.post("/api/v1/auth/phone/code", json={"phone": "13912340002"}) for _ in range(4)]
    assert [a.status_code for a in answers] == [200, 200, 200, 429]
    refused = answers[-1].json()["error"]
    assert refused["code"] == "otp_rate_limited" and "稍后再试" in refused["message"]
    assert answers[-1].headers["Retry-After"] == "60"
    others = [client.post("/api/v1/auth/phone/code", json={"phone": f"1391234010{n}"}) for n in range(7)]
    assert [a.status_code for a in others] == [200] * 6 + [429]  # the address's 10 tries, the refused one counted
    with clean.container.engine.connect() as conn:
        buckets = {r[0] for r in conn.execute(text("SELECT bucket FROM rate_buckets WHERE bucket LIKE 'otp-%'"))}
    assert any(b.startswith("otp-client:") for b in buckets) and not any("13912340002" in b for b in buckets)
    bad = client.post("/api/v1/auth/phone/code", json={"phone": "12345"})
    assert bad.status_code == 422 and bad.json()["error"]["code"] == "otp_bad_phone"
    assert len(gateway.sends) == 9
