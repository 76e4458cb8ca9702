"""Each channel adapter against a real server on loopback that speaks its protocol."""

from __future__ import annotations

import email
import socket
from collections.abc import Iterator
from datetime import UTC, datetime
from email import policy as email_policy
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from gridgov.notify.channels.sms_aliyun import AliyunSms, sign, string_to_sign
from gridgov.notify.channels.sms_http import HttpSmsGateway
from gridgov.notify.channels.smtp import SmtpSender
from gridgov.notify.channels.wechat import WeChatSubscribe
from gridgov.notify.domain import Channel, MessageStatus, Outcome
from gridgov.notify.ports import Outgoing
from notify_servers import AliyunGateway, SmsGateway, WeChatGateway

BODY = "【郑州市12345】您反映的“楼道堆物”已立案，查询编号 ZZ20250926001。"


def message(
    channel: Channel, address: str, key: str = "k" * 32, subject: str = "您反映的问题已立案（ZZ20250926001）"
) -> Outgoing:
    return Outgoing(1, key, channel, address, subject, BODY, MessageStatus.QUEUED, 1, False)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Inbox:
    def __init__(self) -> None:
        self.messages: list[Any] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        self.messages.append(envelope)
        return "250 Message accepted for delivery"


@pytest.fixture
def smtp() -> Iterator[tuple[Controller, Inbox]]:
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield controller, inbox
    controller.stop()


def test_smtp_sends_a_chinese_subject_rfc2047_encoded_and_a_utf8_body(smtp: tuple[Controller, Inbox]) -> None:
    controller, inbox = smtp
    sender = SmtpSender("127.0.0.1", controller.port, "noreply@12345.zz.gov.cn")
    answer = sender.send(message(Channel.EMAIL, "zhang@example.cn"))
    assert answer.outcome is Outcome.ACCEPTED
    (envelope,) = inbox.messages
    assert envelope.rcpt_tos == ["zhang@example.cn"]
    raw: bytes = envelope.original_content
    header = next(line for line in raw.split(b"\r\n") if line.startswith(b"Subject:"))
    assert b"=?utf-8?" in header.lower()  # encoded-words, never raw UTF-8 in a header
    assert all(b < 128 for b in raw.split(b"\r\n\r\n", 1)[0])
    parsed = email.message_from_bytes(raw, policy=email_policy.default)
    assert str(parsed["Subject"]) == "您反映的问题已立案（ZZ20250926001）"
    assert parsed.get_content().strip() == BODY
    assert parsed["X-Idempotency-Key"] == "k" * 32 and parsed["Message-ID"] == f"<{'k' * 32}@12345.zz.gov.cn>"


def test_smtp_a_refused_recipient_is_rejected_and_an_unreachable_server_raises(smtp: tuple[Controller, Inbox]) -> None:
    controller, _ = smtp

    class Refusing:
        async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str, options: Any) -> str:  # noqa: N802
            return "550 no such user"

    c2 = Controller(Refusing(), hostname="127.0.0.1", port=free_port())
    c2.start()
    try:
        answer = SmtpSender("127.0.0.1", c2.port, "a@b.cn").send(message(Channel.EMAIL, "nobody@example.cn"))
    finally:
        c2.stop()
    assert answer.outcome is Outcome.REJECTED and "550" in answer.text
    with pytest.raises(OSError):
        SmtpSender("127.0.0.1", free_port(), "a@b.cn", timeout=2).send(message(Channel.EMAIL, "x@example.cn"))


def test_http_gateway_gets_the_body_template_auth_and_key() -> None:
    with SmsGateway() as gw:
        sender = HttpSmsGateway(f"{gw.url}/sms/send", auth=SmsGateway.TOKEN, status_url=f"{gw.url}/sms/status")
        answer = sender.send(message(Channel.SMS, "13812345678", key="a" * 32))
        assert (answer.outcome, answer.gateway_id) == (Outcome.ACCEPTED, "m1")
        (sent,) = gw.sends
        assert sent == {
            "mobile": "13812345678",
            "content": BODY,
            "requestId": "a" * 32,
            "idempotency_header": "a" * 32,
        }
        assert sender.lookup("a" * 32) == sender.lookup("a" * 32) and sender.lookup("a" * 32).gateway_id == "m1"  # type: ignore[union-attr]
        assert sender.lookup("b" * 32) is None
        wrong = HttpSmsGateway(f"{gw.url}/sms/send", auth="Bearer wrong")
        assert wrong.send(message(Channel.SMS, "13812345678")).outcome is Outcome.REJECTED
        sender.close()
        wrong.close()


def test_http_gateway_a_form_body_is_url_encoded() -> None:
    sender = HttpSmsGateway(
        "http://127.0.0.1:1/x", body="to={phone}&msg={text}&id={key}", content_type="application/x-www-form-urlencoded"
    )
    body = sender.body(message(Channel.SMS, "13812345678", key="k1"))
    assert body.startswith(b"to=13812345678&msg=%E3%80%90") and body.endswith(b"&id=k1")


def test_http_gateway_5xx_is_retried_and_4xx_rejected() -> None:
    with SmsGateway(fail_first=1) as gw:
        sender = HttpSmsGateway(f"{gw.url}/sms/send", auth=SmsGateway.TOKEN)
        assert sender.send(message(Channel.SMS, "13812345678")).outcome is Outcome.RETRY
        assert sender.send(message(Channel.SMS, "13812345678")).outcome is Outcome.ACCEPTED
        sender.close()
    with SmsGateway(status=400) as gw:
        sender = HttpSmsGateway(f"{gw.url}/sms/send", auth=SmsGateway.TOKEN)
        answer = sender.send(message(Channel.SMS, "138"))
        assert answer.outcome is Outcome.REJECTED and "MOBILE_INVALID" in answer.text
        sender.close()


def test_aliyun_signature_matches_the_documented_example() -> None:
    # the worked example of Aliyun's RPC signature documentation (AccessKeyId testId, AccessKeySecret testSecret)
    params = {
        "AccessKeyId": "testId",
        "Action": "SendSms",
        "Format": "XML",
        "OutId": "123",
        "PhoneNumbers": "15300000001",
        "RegionId": "cn-hangzhou",
        "SignName": "阿里云短信测试专用",
        "SignatureMethod": "HMAC-SHA1",
        "SignatureNonce": "45e25e9b-0a6f-4070-8c85-2956eda1b466",
        "SignatureVersion": "1.0",
        "TemplateCode": "SMS_71390007",
        "TemplateParam": '{"customer":"test"}',
        "Timestamp": "2017-07-12T02:42:19Z",
        "Version": "2017-05-25",
    }
    assert string_to_sign("GET", params).startswith("GET&%2F&AccessKeyId%3DtestId%26Action%3DSendSms")
    assert sign("testSecret", "GET", params) == "zJDF+Lrzhj/ThnlvIToysFRq6t4="


def test_aliyun_sends_with_a_signature_the_gateway_verifies() -> None:
    with AliyunGateway() as gw:
        nonces = iter(["n1", "n2", "n2"])
        sms = AliyunSms(
            access_key_id="LTAI-test",
            access_key_secret="test-secret",
            sign_name="郑州市12345",
            template_code="SMS_100",
            endpoint=f"{gw.url}/",
            now=lambda: datetime(2025, 9, 26, 1, 0, tzinfo=UTC),
            nonce=lambda: next(nonces),
        )
        answer = sms.send(message(Channel.SMS, "13812345678", key="b" * 32))
        assert answer.outcome is Outcome.ACCEPTED and answer.gateway_id == "biz1"
        (got,) = gw.received
        assert got["OutId"] == "b" * 32 and got["PhoneNumbers"] == "13812345678"
        assert got["TemplateParam"] == '{"content": "' + BODY + '"}' and got["Timestamp"] == "2025-09-26T01:00:00Z"
        assert sms.send(message(Channel.SMS, "13812345678")).outcome is Outcome.ACCEPTED
        assert sms.send(message(Channel.SMS, "13812345678")).outcome is Outcome.RETRY  # nonce reused
        forged = AliyunSms(
            access_key_id="LTAI-test", access_key_secret="wrong", sign_name="x", template_code="y", endpoint=gw.url
        )
        answer = forged.send(message(Channel.SMS, "13812345678"))
        assert answer.outcome is Outcome.REJECTED and "SignatureDoesNotMatch" in answer.text
        sms.close()
        forged.close()


def test_wechat_gets_a_token_sends_and_refreshes_an_expired_token() -> None:
    with WeChatGateway() as gw:
        wx = WeChatSubscribe(appid="wx-test", secret="wx-secret", template_id="TPL1", page="pages/track", api=gw.url)
        answer = wx.send(message(Channel.WECHAT, "oOPENID1"))
        assert answer.outcome is Outcome.ACCEPTED and answer.gateway_id == "1001"
        (sent,) = gw.sent
        assert sent["touser"] == "oOPENID1" and sent["template_id"] == "TPL1"
        assert sent["data"]["thing1"]["value"] == "您反映的问题已立案（ZZ20250926001）"[:20]
        assert wx.send(message(Channel.WECHAT, "oOPENID1")).outcome is Outcome.ACCEPTED
        assert gw.tokens_issued == 1  # cached
        gw.expire()
        assert wx.send(message(Channel.WECHAT, "oOPENID1")).outcome is Outcome.ACCEPTED
        assert gw.tokens_issued == 2
        gw.refused_users.add("oREFUSED")
        answer = wx.send(message(Channel.WECHAT, "oREFUSED"))
        assert answer.outcome is Outcome.REJECTED and "43101" in answer.text
        wx.close()
    with WeChatGateway() as gw:
        bad = WeChatSubscribe(appid="wx-test", secret="nope", template_id="T", api=gw.url)
        with pytest.raises(RuntimeError, match="40013"):
            bad.send(message(Channel.WECHAT, "o1"))
        bad.close()
