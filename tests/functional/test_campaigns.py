"""Suggestion campaigns end to end: every channel through the real HTTP server, the SMTP intake on loopback and
the CLI; window edges in Beijing time; refusals that lose nothing; case conversion; reports and Excel."""

from __future__ import annotations

import io
import mailbox
import re
import smtplib
import socket
from collections.abc import Iterator
from datetime import datetime
from email.header import Header
from email.mime.application import MIMEApplication
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.utils import format_datetime
from pathlib import Path
from typing import Any

import openpyxl  # type: ignore[import-untyped]
import pytest
from click.testing import CliRunner
from sqlalchemy import text

from gridgov.campaigns.services import IntakePolicy
from gridgov.campaigns.smtp import CampaignMailHandler, controller
from gridgov.cli import main
from gridgov.clock import SHANGHAI

from conftest import Api, World

SLUG = "bmlm-2024"
MAILBOX = "bmlm@zhengzhou.gov.cn"
IN_WINDOW = datetime(2024, 2, 10, 10, 0, tzinfo=SHANGHAI)
SMTP_ATTACHMENT_LIMIT = 64 * 1024


def bj(*args: int) -> datetime:
    return datetime(*args, tzinfo=SHANGHAI)  # type: ignore[misc]


def new_campaign(api: Api, slug: str = SLUG, **extra: Any) -> dict[str, Any]:
    body = {
        "slug": slug,
        "title": "便民利民微改革建议征集",
        "organiser": "河南省改革办",
        "opens_on": "2024-02-01",
        "closes_on": "2024-02-29",
        "mail_address": MAILBOX if slug == SLUG else None,
        "postal_address": "郑州市金水路105号",
        "postcode": "450000",
        "letter_marking": "便民利民微改革征集",
        **extra,
    }
    r = api.post("admin", "/api/v1/campaigns", body)
    assert r.status_code == 201, r.text
    return dict(r.json())


@pytest.fixture
def camp(api: Api, clean: World) -> Iterator[str]:
    clean.clock.set(IN_WINDOW)
    new_campaign(api)
    yield SLUG


def submit(api: Api, content: str, slug: str = SLUG, **extra: Any) -> Any:
    return api.post(None, f"/api/v1/campaigns/{slug}/suggestions", {"content": content, **extra})


def listing(api: Api, slug: str = SLUG, **params: Any) -> dict[str, Any]:
    r = api.get("operator", f"/api/v1/campaigns/{slug}/suggestions", **params)
    assert r.status_code == 200, r.text
    return dict(r.json())


def count(api: Api) -> int:
    return int(listing(api)["total"])


def detail(api: Api, suggestion_id: int) -> dict[str, Any]:
    r = api.get("operator", f"/api/v1/campaigns/suggestions/{suggestion_id}")
    assert r.status_code == 200, r.text
    return dict(r.json())


# -- public web form (and the QR code pointing to it) -----------------------------------------------------
def form_token(api: Api, slug: str = SLUG, via: str = "") -> str:
    page = api.client.get(f"/campaigns/{slug}" + (f"?via={via}" if via else ""))
    assert page.status_code == 200
    assert "建议内容" in page.text and '<label for="content">' in page.text
    found = re.search(r'name="form_token" value="([^"]+)"', page.text)
    assert found
    return found.group(1)


def test_web_form_end_to_end_without_javascript(api: Api, camp: str) -> None:
    token = form_token(api, via="wechat")
    r = api.client.post(
        f"/campaigns/{camp}",
        data={
            "form_token": token,
            "channel": "wechat",
            "content": "建议在郑州东站增开夜间公交线路，方便地铁末班车后的旅客出行。",
            "name": "王芳",
            "phone": "13800001234",
        },
        files={"attachment": ("线路图.png", b"\x89PNG\r\n\x1a\n0000", "image/png")},
    )
    assert r.status_code == 201, r.text
    assert "提交成功" in r.text
    ref = re.search(r'<b id="ref">([^<]+)</b>', r.text)
    assert ref
    item = listing(api)["items"][0]
    assert item["ref"] == ref.group(1)
    assert item["channel"] == "wechat" and item["field"] == "交通出行" and item["status"] == "received"
    full = detail(api, item["id"])
    assert full["submitter_phone"] == "13800001234"
    assert [a["filename"] for a in full["attachments"]] == ["线路图.png"]
    # the public status page shows no personal data
    status = api.client.get(f"/campaigns/{camp}/s/{item['ref']}")
    assert status.status_code == 200 and "已收到" in status.text and "13800001234" not in status.text


def test_empty_form_is_refused_with_a_clear_message_and_keeps_what_was_typed(api: Api, camp: str) -> None:
    submit(api, "老旧小区加装电梯审批太慢")
    before = count(api)
    r = api.client.post(
        f"/campaigns/{camp}", data={"form_token": form_token(api), "content": "  ", "name": "赵六", "phone": "139"}
    )
    assert r.status_code == 422
    assert "建议内容不能为空" in r.text and 'role="alert"' in r.text
    assert 'value="赵六"' in r.text and 'aria-invalid="true"' in r.text
    assert count(api) == before


def test_form_without_a_valid_token_is_refused_and_keeps_the_text(api: Api, camp: str) -> None:
    r = api.client.post(f"/campaigns/{camp}", data={"form_token": "1.forged", "content": "我的建议原文"})
    assert r.status_code == 422 and "表单已过期" in r.text and "我的建议原文" in r.text
    assert count(api) == 0


def test_form_escapes_what_residents_type(api: Api, camp: str) -> None:
    r = api.client.post(
        f"/campaigns/{camp}", data={"form_token": "x", "content": "<script>alert(1)</script>", "title": '"><b>x'}
    )
    assert r.status_code == 422
    assert "<script>alert(1)</script>" not in r.text and "&lt;script&gt;" in r.text


def test_qr_code_points_to_the_form(api: Api, camp: str) -> None:
    png = api.client.get(f"/campaigns/{camp}/qr.png")
    assert png.status_code == 200 and png.headers["content-type"] == "image/png"
    assert png.content.startswith(b"\x89PNG\r\n\x1a\n")
    svg = api.client.get(f"/campaigns/{camp}/qr.svg")
    assert svg.status_code == 200 and b"<svg" in svg.content
    assert api.client.get("/campaigns/no-such/qr.png").status_code == 404


# -- API for apps and mini-programs --------------------------------------------------------------------
def test_app_api_submission_anonymous_and_with_a_token(api: Api, camp: str) -> None:
    info = api.client.get(f"/api/v1/campaigns/{camp}")
    assert info.status_code == 200
    assert len(info.json()["fields"]) == 14 and info.json()["state"] == "open"
    r = submit(api, "小学入学材料太多，学区划分不透明", channel="app", name="张三", phone="13912345678")
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["field"] == "教育" and body["created"] and body["status_url"].endswith(body["ref"])
    r2 = api.post(
        "resident", f"/api/v1/campaigns/{camp}/suggestions", {"content": "社区医院开放夜间门诊", "channel": "wechat"}
    )
    assert r2.status_code == 201 and r2.json()["field"] == "医疗卫生"
    chosen = submit(api, "随便说说", field="文化惠民")
    assert chosen.json()["field"] == "文化惠民"
    assert submit(api, "x", field="不存在的领域").status_code == 422
    assert submit(api, "x", channel="email").status_code == 422  # e-mail only through the mailbox
    assert submit(api, "").json()["error"]["code"] == "empty_suggestion"
    assert count(api) == 3


def test_channel_not_enabled_is_refused(api: Api, clean: World) -> None:
    clean.clock.set(IN_WINDOW)
    new_campaign(api, "web-only", channels=["web"])
    r = submit(api, "建议", slug="web-only", channel="app")
    assert r.status_code == 409 and r.json()["error"]["code"] == "channel_closed"


# -- window at the edges (Beijing time) ------------------------------------------------------------------
@pytest.mark.parametrize(
    ("at", "accepted"),
    [
        (bj(2024, 1, 31, 23, 59, 59), False),
        (bj(2024, 2, 1, 0, 0, 0), True),
        (bj(2024, 2, 29, 23, 59, 59), True),
        (bj(2024, 3, 1, 0, 0, 0), False),
    ],
)
def test_window_edges_over_http(api: Api, camp: str, clean: World, at: datetime, accepted: bool) -> None:
    clean.clock.set(at)
    r = submit(api, "建议增开公交")
    if accepted:
        assert r.status_code == 201, r.text
        assert r.json()["late"] is False
    else:
        assert r.status_code == 409
        error = r.json()["error"]
        assert error["code"] == "outside_window"
        assert ("尚未开始" if at.month == 1 else "已截止") in error["message"]
        assert "2024年02月01日 00:00 至 2024年02月29日 23:59:59 (北京时间)" in error["message"]
    assert count(api) == (1 if accepted else 0)


def test_late_suggestions_kept_and_marked_when_the_campaign_says_so(api: Api, clean: World) -> None:
    clean.clock.set(IN_WINDOW)
    new_campaign(api, "keep-late", late_policy="keep")
    clean.clock.set(bj(2024, 3, 1, 0, 0, 0))
    r = submit(api, "截止后才想到的建议", slug="keep-late")
    assert r.status_code == 201 and r.json()["late"] is True
    clean.clock.set(bj(2024, 1, 31, 23, 59, 59))
    assert submit(api, "太早了", slug="keep-late").status_code == 409


# -- e-mail: SMTP on loopback ----------------------------------------------------------------------------
def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def smtp_port(camp: str, clean: World) -> Iterator[int]:
    c = clean.container
    handler = CampaignMailHandler(c.uow, c.clock, IntakePolicy(SMTP_ATTACHMENT_LIMIT, 0.6))
    port = _free_port()
    server = controller(handler, "127.0.0.1", port, 1024 * 1024)
    server.start()
    yield port
    server.stop()


def chinese_mail(
    charset: str,
    subject: str,
    body: str,
    *,
    attachment: tuple[str, bytes] | None = None,
    message_id: str = "<m1@example.cn>",
    date: datetime | None = None,
) -> bytes:
    msg = MIMEMultipart()
    msg["Subject"] = Header(subject, charset)  # RFC 2047 encoded word in that charset
    msg["From"] = f"{Header('李明', charset).encode()} <liming@example.cn>"
    msg["To"] = MAILBOX
    msg["Message-ID"] = message_id
    if date is not None:
        msg["Date"] = format_datetime(date)
    msg.attach(MIMEText(body, "plain", charset))
    if attachment is not None:
        part = MIMEApplication(attachment[1])
        part.add_header("Content-Disposition", "attachment", filename=(charset, "", attachment[0]))
        msg.attach(part)
    return msg.as_bytes()


def send(port: int, raw: bytes, to: str = MAILBOX) -> tuple[int, bytes]:
    with smtplib.SMTP("127.0.0.1", port, timeout=30) as client:
        client.ehlo()
        client.sendmail("liming@example.cn", [to], raw.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n"))
        return client.noop()


def test_gbk_multipart_mail_over_smtp_is_stored_decoded(api: Api, smtp_port: int) -> None:
    raw = chinese_mail(
        "gbk",
        "关于老旧小区加装电梯的建议",
        "建议简化老旧小区加装电梯的审批流程，镕基金补贴到位。",
        attachment=("小区照片说明.pdf", b"%PDF-1.4 scan bytes"),
    )
    assert b"=?gbk?" in raw  # the subject really is RFC 2047 encoded in GBK
    send(smtp_port, raw)
    items = listing(api)["items"]
    assert len(items) == 1
    full = detail(api, items[0]["id"])
    assert full["title"] == "关于老旧小区加装电梯的建议"
    assert "镕基金补贴到位" in full["content"]  # 镕 is in GBK but not in GB2312
    assert full["channel"] == "email" and full["field"] == "城乡住房"
    assert full["submitter_name"] == "李明" and full["submitter_email"] == "liming@example.cn"
    [att] = full["attachments"]
    assert att["filename"] == "小区照片说明.pdf"
    got = api.get("operator", att["url"])
    assert got.status_code == 200 and got.content == b"%PDF-1.4 scan bytes"
    assert api.get("resident", att["url"]).status_code == 403


def test_gb18030_and_utf8_mail_over_smtp(api: Api, smtp_port: int) -> None:
    send(smtp_port, chinese_mail("gb18030", "建议改善䶮字姓名办证", "生僻字䶮𠀀在社保卡上无法显示", message_id="<a@x>"))
    send(smtp_port, chinese_mail("utf-8", "食品安全建议", "外卖后厨卫生要公开", message_id="<b@x>"))
    titles = {i["title"]: i["id"] for i in listing(api)["items"]}
    assert set(titles) == {"建议改善䶮字姓名办证", "食品安全建议"}
    assert "䶮𠀀" in detail(api, titles["建议改善䶮字姓名办证"])["content"]
    assert detail(api, titles["食品安全建议"])["field"] == "食品安全"


def test_same_mail_delivered_twice_is_one_suggestion(api: Api, smtp_port: int) -> None:
    raw = chinese_mail("utf-8", "公交建议", "增开夜班公交", message_id="<same@x>")
    send(smtp_port, raw)
    send(smtp_port, raw)
    assert count(api) == 1


def test_malformed_mail_refused_with_a_reason_and_nothing_else_lost(api: Api, smtp_port: int) -> None:
    send(smtp_port, chinese_mail("utf-8", "第一条", "先到的建议", message_id="<ok@x>"))
    broken = (
        b"From: a@example.cn\r\nTo: " + MAILBOX.encode() + b"\r\nSubject: broken\r\nMIME-Version: 1.0\r\n"
        b'Content-Type: multipart/mixed; boundary="NEVER"\r\n\r\nno parts, no boundary\r\n'
    )
    with pytest.raises(smtplib.SMTPDataError) as exc:
        send(smtp_port, broken)
    assert exc.value.smtp_code == 550 and b"Malformed" in exc.value.smtp_error
    assert count(api) == 1


def test_oversize_attachment_refused_with_a_reason_and_nothing_else_lost(api: Api, smtp_port: int) -> None:
    send(smtp_port, chinese_mail("gbk", "第一条", "先到的建议", message_id="<ok@x>"))
    big = chinese_mail("gbk", "大附件", "附件很大", attachment=("大.pdf", b"%PDF" + b"0" * SMTP_ATTACHMENT_LIMIT))
    with pytest.raises(smtplib.SMTPDataError) as exc:
        send(smtp_port, big)
    assert exc.value.smtp_code == 552 and b"Attachment too large" in exc.value.smtp_error
    assert count(api) == 1
    assert listing(api)["items"][0]["title"] == "第一条"


def test_mail_for_unknown_mailbox_is_not_relayed(api: Api, smtp_port: int) -> None:
    with pytest.raises(smtplib.SMTPRecipientsRefused):
        send(smtp_port, chinese_mail("utf-8", "x", "y"), to="someone@else.example")
    assert count(api) == 0


def test_mail_after_the_window_is_refused_over_smtp(api: Api, smtp_port: int, clean: World) -> None:
    clean.clock.set(bj(2024, 3, 1, 0, 0, 0))
    with pytest.raises(smtplib.SMTPDataError) as exc:
        send(smtp_port, chinese_mail("utf-8", "迟到", "迟到的建议"))
    assert exc.value.smtp_code == 550 and b"closed" in exc.value.smtp_error
    assert count(api) == 0


# -- e-mail: .eml and mbox import through the CLI ------------------------------------------------------------
def test_import_eml_and_mbox_with_the_cli(api: Api, camp: str, tmp_path: Path, database_url: str) -> None:
    sent = bj(2024, 2, 20, 8, 30)
    eml = tmp_path / "one.eml"
    eml.write_bytes(chinese_mail("gbk", "养老服务建议", "社区增加老年食堂和日间照料", message_id="<e1@x>", date=sent))
    box_path = tmp_path / "box.mbox"
    box = mailbox.mbox(str(box_path))
    box.add(chinese_mail("gb18030", "环境建议", "工地扬尘和夜间噪音污染", message_id="<e2@x>", date=sent))
    box.add(chinese_mail("utf-8", "法律建议", "希望提供法律援助和律师咨询", message_id="<e3@x>", date=sent))
    box.close()
    runner = CliRunner()
    r = runner.invoke(main, ["campaigns", "import-mail", SLUG, str(eml), str(box_path), "--database-url", database_url])
    assert r.exit_code == 0, r.output
    assert "共导入 3 封" in r.output
    fields = {i["title"]: i["field"] for i in listing(api)["items"]}
    assert fields == {"养老服务建议": "健康养老", "环境建议": "环境保护", "法律建议": "法律援助"}
    assert {i["received_at"][:10] for i in listing(api)["items"]} == {"2024-02-20"}  # as dated, not as imported
    again = runner.invoke(main, ["campaigns", "import-mail", SLUG, str(eml), "--database-url", database_url])
    assert again.exit_code == 0 and "已存在" in again.output
    assert count(api) == 3


def test_a_bad_message_in_an_mbox_imports_nothing_and_names_the_message(
    api: Api, camp: str, tmp_path: Path, database_url: str
) -> None:
    box_path = tmp_path / "bad.mbox"
    box = mailbox.mbox(str(box_path))
    box.add(chinese_mail("utf-8", "好邮件", "可以导入的建议", message_id="<g1@x>", date=bj(2024, 2, 2, 9)))
    box.add(b"From: x@y\nSubject: broken\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=Q\n\nnothing\n")
    box.close()
    args = ["campaigns", "import-mail", SLUG, str(box_path), "--database-url", database_url]
    r = CliRunner().invoke(main, args)
    assert r.exit_code == 2
    assert "bad.mbox 第 2 封" in r.output and "MIME" in r.output
    assert count(api) == 0
    skipped = CliRunner().invoke(main, [*args, "--skip-bad"])
    assert skipped.exit_code == 1 and "共导入 1 封" in skipped.output
    assert count(api) == 1


def test_import_through_the_api(api: Api, camp: str) -> None:
    raw = chinese_mail("gbk", "交通建议", "路口红绿灯时间太短", message_id="<api@x>", date=bj(2024, 2, 3, 9))
    r = api.client.post(
        f"/api/v1/campaigns/{camp}/mail",
        headers=api._h("operator"),
        files={"file": ("one.eml", raw, "message/rfc822")},
    )
    assert r.status_code == 200, r.text
    assert len(r.json()["imported"]) == 1 and r.json()["imported"][0]["field"] == "交通出行"


# -- letters -------------------------------------------------------------------------------------------------
def test_letter_registered_with_its_scan_postmark_counts(api: Api, camp: str, clean: World) -> None:
    clean.clock.set(bj(2024, 3, 4, 9, 0))  # arrived after the window, postmarked on its last day
    form = {
        "content": "建议在金水路增设过街天桥，方便老人出行。",
        "sender_name": "陈老师",
        "sender_address": "郑州市金水区经三路12号",
        "postcode": "450000",
        "marking": "便民利民微改革征集",
        "postmarked_on": "2024-02-29",
    }
    scan = ("letter.pdf", b"%PDF-1.7 scanned letter", "application/pdf")
    r = api.client.post(
        f"/api/v1/campaigns/{camp}/letters", headers=api._h("operator"), data=form, files={"scan": scan}
    )
    assert r.status_code == 201, r.text
    assert r.json()["late"] is False
    full = detail(api, r.json()["id"])
    assert full["channel"] == "letter" and full["postcode"] == "450000" and full["marking_ok"] is True
    assert full["submitter_address"] == "郑州市金水区经三路12号"
    assert [(a["kind"], a["content_type"]) for a in full["attachments"]] == [("scan", "application/pdf")]
    late = api.client.post(
        f"/api/v1/campaigns/{camp}/letters",
        headers=api._h("operator"),
        data={**form, "postmarked_on": "2024-03-01"},
        files={"scan": scan},
    )
    assert late.status_code == 409 and late.json()["error"]["code"] == "outside_window"
    bad_scan = api.client.post(
        f"/api/v1/campaigns/{camp}/letters",
        headers=api._h("operator"),
        data=form,
        files={"scan": ("x.exe", b"MZ\x90\x00", "application/octet-stream")},
    )
    assert bad_scan.status_code == 422 and "PDF" in bad_scan.json()["error"]["message"]
    bad_postcode = api.client.post(
        f"/api/v1/campaigns/{camp}/letters", headers=api._h("operator"), data={**form, "postcode": "4500"}
    )
    assert bad_postcode.status_code == 422
    residents = api.client.post(f"/api/v1/campaigns/{camp}/letters", headers=api._h("resident"), data=form)
    assert residents.status_code == 403
    assert count(api) == 1


# -- review, reply, case ------------------------------------------------------------------------------------
def test_review_adopt_and_public_reply(api: Api, camp: str) -> None:
    r = submit(api, "建议公交站台加装遮雨棚")
    sid, ref = r.json()["id"], r.json()["ref"]
    ok = api.post("operator", f"/api/v1/campaigns/suggestions/{sid}/actions", {"action": "review"})
    assert ok.status_code == 200 and ok.json()["status"] == "under_review"
    adopted = api.post(
        "operator",
        f"/api/v1/campaigns/suggestions/{sid}/actions",
        {"action": "adopt", "reply": "感谢您的建议，已列入2024年公交站台改造计划。"},
    )
    assert adopted.status_code == 200 and adopted.json()["status"] == "adopted"
    page = api.client.get(f"/campaigns/{camp}/s/{ref}")
    assert "已列入2024年公交站台改造计划" in page.text and "采纳" in page.text
    again = api.post("operator", f"/api/v1/campaigns/suggestions/{sid}/actions", {"action": "review"})
    assert again.status_code == 409 and again.json()["error"]["code"] == "invalid_transition"
    assert api.post("leader", f"/api/v1/campaigns/suggestions/{sid}/reply", {"reply": "x"}).status_code == 403
    events = [e["action"] for e in detail(api, sid)["events"]]
    assert events == ["receive", "review", "adopt"]


def test_turn_a_suggestion_into_a_case_linked_both_ways(api: Api, camp: str, clean: World) -> None:
    r = submit(api, "金水路与经三路口红绿灯时间太短，老人过马路危险", name="刘洋", phone="13700001111")
    sid, ref = r.json()["id"], r.json()["ref"]
    made = api.post("dispatcher", f"/api/v1/campaigns/suggestions/{sid}/case", {"grid_code": clean.grid})
    assert made.status_code == 201, made.text
    case_id = made.json()["case"]["id"]
    case = api.get("admin", f"/api/v1/cases/{case_id}")
    assert case.status_code == 200
    assert case.json()["source"] == "campaign" and ref in case.json()["description"]
    assert case.json()["grid_code"] == clean.grid
    back = api.get("admin", f"/api/v1/campaigns/cases/{case_id}")
    assert back.status_code == 200 and back.json()["suggestion_id"] == sid and back.json()["ref"] == ref
    full = detail(api, sid)
    assert full["status"] == "converted" and full["case"]["id"] == case_id
    twice = api.post("dispatcher", f"/api/v1/campaigns/suggestions/{sid}/case", {})
    assert twice.status_code == 409
    assert api.get("admin", "/api/v1/cases").json()["total"] == 1
    # a case not made from a suggestion
    assert api.get("resident", f"/api/v1/campaigns/cases/{case_id}").status_code == 404


def test_two_staff_converting_one_suggestion_get_one_case(api: Api, camp: str, clean: World) -> None:
    sid = submit(api, "建议在农业路口增设过街天桥").json()["id"]
    first = api.post("dispatcher", f"/api/v1/campaigns/suggestions/{sid}/case", {"grid_code": clean.grid})
    assert first.status_code == 201, first.text
    # as if the dispatcher's link step had not happened yet when the operator converts the same suggestion
    with clean.container.engine.begin() as conn:
        conn.execute(
            text("UPDATE campaign_suggestions SET case_id = NULL, status = 'received' WHERE id = :s"), {"s": sid}
        )
    second = api.post("operator", f"/api/v1/campaigns/suggestions/{sid}/case", {"grid_code": clean.grid})
    assert second.status_code in (200, 201), second.text
    assert second.json()["case"]["id"] == first.json()["case"]["id"]
    assert api.get("admin", "/api/v1/cases").json()["total"] == 1


def test_convert_without_a_place_goes_to_the_city(api: Api, camp: str) -> None:
    sid = submit(api, "建议全市推行一网通办").json()["id"]
    made = api.post("operator", f"/api/v1/campaigns/suggestions/{sid}/case", {})
    assert made.status_code == 201, made.text
    assert made.json()["case"]["status"] == "reported"


# -- duplicates and reports ---------------------------------------------------------------------------------
def test_near_identical_suggestions_share_a_cluster(api: Api, camp: str) -> None:
    a = submit(api, "建议增开郑州东站夜间公交线路").json()
    b = submit(api, "建议增开郑州东站的夜间公交线路！").json()
    c = submit(api, "建议郑州东站增开夜间公交线路").json()
    d = submit(api, "老旧小区加装电梯补贴").json()
    assert a["cluster_id"] == a["id"] == b["cluster_id"] == c["cluster_id"]
    assert d["cluster_id"] == d["id"]
    assert {i["id"] for i in listing(api, cluster_id=a["id"])["items"]} == {a["id"], b["id"], c["id"]}
    sizes = {i["id"]: i["cluster_size"] for i in listing(api)["items"]}
    assert sizes == {a["id"]: 3, b["id"]: 3, c["id"]: 3, d["id"]: 1}


def _seed_for_report(api: Api, clean: World) -> None:
    clean.clock.set(bj(2024, 2, 5, 9))
    ids = [submit(api, "建议增开夜间公交线路", channel="web").json()["id"] for _ in range(3)]
    ids.append(
        submit(
            api, "学校课后托管时间太短", channel="app", name="赵敏", phone="13800001234", email="zm@example.cn"
        ).json()["id"]
    )
    clean.clock.set(bj(2024, 2, 6, 23, 59, 59))
    ids.append(submit(api, "社区医院开放预约挂号", channel="wechat").json()["id"])
    ids.append(submit(api, "今天天气不错", channel="app").json()["id"])
    for sid, action in zip(ids, ["adopt", "partly_adopt", "not_adopt", "not_adopt"], strict=False):
        assert (
            api.post("operator", f"/api/v1/campaigns/suggestions/{sid}/actions", {"action": action}).status_code == 200
        )


def test_report_counts_and_excel_export(api: Api, camp: str, clean: World) -> None:
    _seed_for_report(api, clean)
    r = api.get("leader", f"/api/v1/campaigns/{camp}/report")
    assert r.status_code == 200, r.text
    rep = r.json()
    assert rep["total"] == 6 and rep["decided"] == 4 and rep["adopted"] == 2 and rep["adoption_rate"] == 0.5
    by_field = {x["field"]: x["count"] for x in rep["by_field"]}
    assert by_field["交通出行"] == 3 and by_field["教育"] == 1 and by_field["医疗卫生"] == 1 and by_field["其他"] == 1
    assert {x["channel"]: x["count"] for x in rep["by_channel"]} == {
        "web": 3,
        "app": 2,
        "wechat": 1,
        "email": 0,
        "letter": 0,
    }
    assert rep["by_day"] == [{"day": "2024-02-05", "count": 4}, {"day": "2024-02-06", "count": 2}]
    assert rep["top_clusters"][0]["size"] == 3
    xlsx = api.get("leader", f"/api/v1/campaigns/{camp}/report.xlsx")
    assert xlsx.status_code == 200
    wb = openpyxl.load_workbook(io.BytesIO(xlsx.content))
    assert wb.sheetnames == ["概况", "按领域", "按渠道", "按状态", "按日期", "重复建议", "建议明细"]
    summary = {row[0]: row[1] for row in wb["概况"].iter_rows(values_only=True)}
    assert summary["建议总数"] == 6 and summary["采纳率"] == 0.5
    fields = {row[0]: row[1] for row in wb["按领域"].iter_rows(min_row=2, values_only=True)}
    assert fields["交通出行"] == 3 and fields["其他"] == 1 and len(fields) == 15
    channels = {row[0]: row[1] for row in wb["按渠道"].iter_rows(min_row=2, values_only=True)}
    assert channels == {"政府网站": 3, "豫事办App": 2, "微信扫码": 1, "电子邮件": 0, "信件": 0}
    days = [tuple(row) for row in wb["按日期"].iter_rows(min_row=2, values_only=True)]
    assert days == [("2024-02-05", 4), ("2024-02-06", 2)]
    details = list(wb["建议明细"].iter_rows(min_row=2, values_only=True))
    assert len(details) == 6
    for secret in ("13800001234", "1380000", "zm@example.cn", "赵敏"):
        assert all(secret not in str(row) for row in details)
    assert [row[0] for row in wb["重复建议"].iter_rows(min_row=2, values_only=True)] != []
    assert api.get("resident", f"/api/v1/campaigns/{camp}/report.xlsx").status_code == 403


def test_excel_cells_never_become_formulas(api: Api, camp: str) -> None:
    submit(api, '=HYPERLINK("http://evil","点我")')
    wb = openpyxl.load_workbook(io.BytesIO(api.get("operator", f"/api/v1/campaigns/{camp}/report.xlsx").content))
    row = next(wb["建议明细"].iter_rows(min_row=2, values_only=True))
    assert str(row[8]).startswith("'=")


def test_printable_report_page(api: Api, camp: str, clean: World) -> None:
    _seed_for_report(api, clean)
    page = api.get("leader", f"/campaigns/{camp}/report")
    assert page.status_code == 200
    assert '<td class="n" id="total">6</td>' in page.text and "50.0%" in page.text
    assert "@media print" in page.text and "交通出行" in page.text
    assert "http" not in page.text.replace("http-equiv", "")  # nothing fetched from elsewhere
    assert api.client.get(f"/campaigns/{camp}/report").status_code == 401


def test_cli_create_list_and_report(api: Api, clean: World, tmp_path: Path, database_url: str) -> None:
    runner = CliRunner()
    base = ["--database-url", database_url]
    made = runner.invoke(
        main,
        ["campaigns", "create", "--slug", "cli-2024", "--title", "征集", "--organiser", "改革办"]
        + ["--opens", "2024-02-01", "--closes", "2024-02-29", *base],
    )
    assert made.exit_code == 0, made.output
    bad = runner.invoke(
        main,
        ["campaigns", "create", "--slug", "cli-bad", "--title", "征集", "--organiser", "改革办"]
        + ["--opens", "2024-02-29", "--closes", "2024-02-01", *base],
    )
    assert bad.exit_code == 2 and "截止日期不能早于开始日期" in bad.output
    listed = runner.invoke(main, ["campaigns", "list", *base])
    assert "cli-2024" in listed.output and "cli-bad" not in listed.output
    out = tmp_path / "r.xlsx"
    rep = runner.invoke(main, ["campaigns", "report", "cli-2024", "--xlsx", str(out), *base])
    assert rep.exit_code == 0, rep.output
    assert openpyxl.load_workbook(out)["概况"]["B4"].value == 0
    missing = runner.invoke(main, ["campaigns", "report", "nope", *base])
    assert missing.exit_code == 2 and "征集活动不存在" in missing.output


# -- reviewer's findings ---------------------------------------------------------------------------------------
def deliver(port: int, raw: bytes, to: tuple[str, ...] = (MAILBOX,)) -> tuple[int, str, dict[str, Any]]:
    """(code, text) of the DATA reply and the refused recipients."""
    with smtplib.SMTP("127.0.0.1", port, timeout=30) as client:
        client.ehlo()
        client.mail("liming@example.cn")
        refused = {}
        for address in to:
            code, msg = client.rcpt(address)
            if code != 250:
                refused[address] = (code, msg.decode())
        code, msg = client.data(raw.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n"))
        return code, msg.decode(), refused


def nested_mail(depth: int) -> bytes:
    parts = "".join(f'--b{i}\r\nContent-Type: multipart/mixed; boundary="b{i + 1}"\r\n\r\n' for i in range(depth))
    head = f'From: a@example.cn\r\nTo: {MAILBOX}\r\nSubject: x\r\nContent-Type: multipart/mixed; boundary="b0"\r\n\r\n'
    return (head + parts + f"--b{depth}\r\nContent-Type: text/plain\r\n\r\nhi\r\n").encode()


def test_deeply_nested_mime_is_refused_everywhere_with_its_reason(
    api: Api, smtp_port: int, tmp_path: Path, database_url: str
) -> None:
    raw = nested_mail(1000)
    code, text_, _ = deliver(smtp_port, raw)
    assert code == 550 and "MimeNestedTooDeep" in text_  # permanent: the sender does not retry for days
    r = api.client.post(
        f"/api/v1/campaigns/{SLUG}/mail",
        headers=api._h("operator"),
        files={"file": ("deep.eml", raw, "message/rfc822")},
    )
    assert r.status_code == 422, r.text
    assert "malformed_mail" in r.text and "嵌套过深" in r.text
    eml = tmp_path / "deep.eml"
    eml.write_bytes(raw)
    out = CliRunner().invoke(main, ["campaigns", "import-mail", SLUG, str(eml), "--database-url", database_url])
    assert out.exit_code == 2 and "deep.eml" in out.output and "嵌套过深" in out.output
    assert out.exception is None or isinstance(out.exception, SystemExit)
    assert count(api) == 0


def test_huge_subject_is_refused_quickly_over_smtp(api: Api, smtp_port: int) -> None:
    subject = "\r\n ".join(" ".join(["=?utf-8?b?5L2g?="] * 50) for _ in range(1000))  # folded, 50k words
    raw = f"From: a@example.cn\r\nTo: {MAILBOX}\r\nSubject: {subject}\r\n\r\nhi\r\n".encode()
    code, text_, _ = deliver(smtp_port, raw)
    assert code == 550 and "HeaderTooLong:Subject" in text_
    assert count(api) == 0


def test_reused_message_id_with_other_content_is_a_new_suggestion(api: Api, smtp_port: int) -> None:
    first = chinese_mail("utf-8", "公交建议", "增开夜班公交", message_id="<reused@x>")
    other = chinese_mail("utf-8", "教育建议", "延长课后托管", message_id="<reused@x>")
    a, b = deliver(smtp_port, first), deliver(smtp_port, other)
    assert a[0] == 250 and b[0] == 250 and a[1] != b[1]
    assert {i["title"] for i in listing(api)["items"]} == {"公交建议", "教育建议"}
    again = deliver(smtp_port, other)  # a real redelivery is still one suggestion
    assert again[0] == 250 and again[1] == b[1]
    assert count(api) == 2


def test_a_stored_message_resent_after_the_window_gets_its_ref(api: Api, smtp_port: int, clean: World) -> None:
    raw = chinese_mail("utf-8", "最后一天", "截止前发来的建议", message_id="<edge@x>")
    code, stored, _ = deliver(smtp_port, raw)
    assert code == 250
    clean.clock.set(bj(2024, 3, 2, 9))  # the sender did not see our 250 and resends after the close
    code, again, _ = deliver(smtp_port, raw)
    assert code == 250 and again == stored
    code, text_, _ = deliver(smtp_port, chinese_mail("utf-8", "迟到", "新的建议", message_id="<new@x>"))
    assert code == 550 and "closed" in text_
    assert count(api) == 1


def test_long_mail_is_stored_whole_not_bounced(api: Api, smtp_port: int) -> None:
    subject, body = "关于" + "公交线路" * 60, "建议增开夜班公交。" * 1500  # 242 and 13,500 characters
    code, text_, _ = deliver(smtp_port, chinese_mail("utf-8", subject, body, message_id="<long@x>"))
    assert code == 250, text_
    full = detail(api, listing(api)["items"][0]["id"])
    assert len(full["title"]) == 200 and subject in full["content"] and len(full["content"]) <= 10_000
    [att] = full["attachments"]
    assert att["filename"] == "邮件正文全文.txt"
    assert api.get("operator", att["url"]).content.decode("utf-8") == body


def test_one_delivery_for_two_campaign_mailboxes_is_split_not_half_stored(
    api: Api, smtp_port: int, clean: World
) -> None:
    new_campaign(api, slug="other-2024", mail_address="other@zhengzhou.gov.cn")
    raw = chinese_mail("utf-8", "公交建议", "增开夜班公交", message_id="<two@x>")
    code, _, refused = deliver(smtp_port, raw, to=(MAILBOX, "other@zhengzhou.gov.cn"))
    assert code == 250
    assert refused["other@zhengzhou.gov.cn"][0] == 452 and "4.5.3" in refused["other@zhengzhou.gov.cn"][1]
    assert count(api) == 1 and listing(api, "other-2024")["total"] == 0
    assert deliver(smtp_port, raw, to=("other@zhengzhou.gov.cn",))[0] == 250  # the sender's retry
    assert listing(api, "other-2024")["total"] == 1


def test_files_are_for_unmasked_staff_and_their_views_are_recorded(api: Api, camp: str, clean: World) -> None:
    with clean.container.engine.begin() as conn:
        conn.execute(text("DELETE FROM campaign_pii_access_log"))
    form = {"content": "建议增设过街天桥", "sender_name": "陈老师", "sender_address": "经三路12号"}
    scan = ("letter.pdf", b"%PDF-1.7 scanned letter", "application/pdf")
    r = api.client.post(
        f"/api/v1/campaigns/{camp}/letters", headers=api._h("operator"), data=form, files={"scan": scan}
    )
    sid = r.json()["id"]
    masked = api.get("leader", f"/api/v1/campaigns/suggestions/{sid}").json()
    assert masked["submitter_address"] == ""
    url = masked["attachments"][0]["url"]
    assert api.get("leader", url).status_code == 403  # a letter's scan shows what masking hides
    assert api.get("operator", url).status_code == 200
    detail(api, sid)
    with clean.container.engine.connect() as conn:
        rows = conn.execute(text("SELECT role, suggestion_id, fields FROM campaign_pii_access_log")).all()
    assert [tuple(row) for row in rows] == [("operator", sid, "submitter_name,submitter_address")]


def test_convert_links_the_case_even_if_decided_meanwhile(api: Api, camp: str, clean: World) -> None:
    from gridgov.accounts.domain import Actor, Role
    from gridgov.campaigns import services

    sid = submit(api, "建议在农业路口增设过街天桥").json()["id"]
    c = clean.container
    operator = Actor(user_id=clean.users["operator"], role=Role.OPERATOR, unit_id=None, name="operator")
    calls = 0

    def uow_factory() -> Any:
        nonlocal calls
        calls += 1
        if calls == 3:  # between the case's creation and the link step, someone decides "not adopt"
            services.decide(c.uow(), sid, "not_adopt", operator, c.clock.now())
        return c.uow()

    made = services.convert_to_case(
        uow_factory, sid, services.CaseTarget(grid_code=clean.grid), operator, c.clock.now()
    )
    full = detail(api, sid)
    assert full["status"] == "converted" and full["case"]["id"] == made["case"]["id"]
    last = full["events"][-1]
    assert last["action"] == "convert_to_case" and last["payload"]["overrides"] == "not_adopted"
    assert api.get("admin", "/api/v1/cases").json()["total"] == 1


def test_letters_cannot_be_postmarked_in_the_future(api: Api, camp: str) -> None:
    r = api.client.post(
        f"/api/v1/campaigns/{camp}/letters",
        headers=api._h("operator"),
        data={"content": "建议", "postmarked_on": "2024-02-11"},  # the clock says 2024-02-10
    )
    assert r.status_code == 422 and "邮戳日期不能晚于今天" in r.json()["error"]["message"]
    assert count(api) == 0


def test_qr_code_never_trusts_the_host_header(api: Api, camp: str) -> None:
    mine = api.client.get(f"/campaigns/{camp}/qr.svg")
    theirs = api.client.get(f"/campaigns/{camp}/qr.svg", headers={"Host": "evil.example"})
    assert theirs.status_code == 200 and theirs.content == mine.content
    assert "public" not in theirs.headers["cache-control"]


def test_oversize_form_is_refused_before_it_is_read(api: Api, camp: str, clean: World) -> None:
    limit = clean.container.settings.campaign_attachment_max_bytes
    r = api.client.post(
        f"/campaigns/{camp}",
        data={"form_token": form_token(api), "content": "建议"},
        files={"attachment": ("big.bin", b"0" * (limit + 512 * 1024), "application/octet-stream")},
    )
    assert r.status_code == 413 and "form_too_large" in r.text and "提交内容过大" in r.text
    assert count(api) == 0
