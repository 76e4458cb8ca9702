"""The notify feature's parts from settings (bootstrap asks for them): the rules, the policy, the links, the
outbox writer and one sender per configured channel."""

from __future__ import annotations

from datetime import time

from gridgov.config import Settings
from gridgov.notify.domain import Channel, Policy
from gridgov.notify.ports import Sender
from gridgov.notify.repository import Links, OutboxWriter
from gridgov.notify.rules import load


def _time(text: str) -> time:
    hour, _, minute = text.partition(":")
    return time(int(hour), int(minute or 0))


def policy(settings: Settings) -> Policy:
    return Policy(
        quiet_start=_time(settings.notify_quiet_start),
        quiet_end=_time(settings.notify_quiet_end),
        daily_cap=settings.notify_daily_cap,
        max_attempts=settings.notify_max_attempts,
        backoff_seconds=settings.notify_backoff_seconds,
    )


def links(settings: Settings) -> Links:
    base = settings.notify_public_url or f"http://{settings.host}:{settings.port}"
    return Links(base.rstrip("/"), settings.secret_key, settings.city_name)


def outbox_writer(settings: Settings) -> OutboxWriter:
    return OutboxWriter(load(settings.notify_rules_dir), policy(settings), links(settings))


def senders(settings: Settings) -> dict[Channel, Sender]:
    s = settings
    out: dict[Channel, Sender] = {}
    if s.notify_sms == "http":
        from gridgov.notify.channels.sms_http import HttpSmsGateway

        out[Channel.SMS] = HttpSmsGateway(
            s.notify_sms_url,
            auth=s.notify_sms_auth,
            body=s.notify_sms_body,
            content_type=s.notify_sms_content_type,
            status_url=s.notify_sms_status_url,
        )
    elif s.notify_sms == "aliyun":
        from gridgov.notify.channels.sms_aliyun import AliyunSms

        out[Channel.SMS] = AliyunSms(
            access_key_id=s.notify_aliyun_access_key_id,
            access_key_secret=s.notify_aliyun_access_key_secret,
            sign_name=s.notify_aliyun_sign_name,
            template_code=s.notify_aliyun_template_code,
            endpoint=s.notify_aliyun_endpoint,
        )
    if s.notify_email:
        from gridgov.notify.channels.smtp import SmtpSender

        out[Channel.EMAIL] = SmtpSender(
            s.notify_smtp_host,
            s.notify_smtp_port,
            s.notify_smtp_from,
            user=s.notify_smtp_user,
            password=s.notify_smtp_password,
            starttls=s.notify_smtp_starttls,
        )
    if s.notify_wechat:
        from gridgov.notify.channels.wechat import WeChatSubscribe

        out[Channel.WECHAT] = WeChatSubscribe(
            appid=s.notify_wechat_appid,
            secret=s.notify_wechat_secret,
            template_id=s.notify_wechat_template_id,
            page=s.notify_wechat_page,
            api=s.notify_wechat_api,
        )
    return out
