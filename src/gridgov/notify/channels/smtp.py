"""E-mail over SMTP (the standard library): UTF-8 bodies and RFC 2047 encoded Chinese subjects; the idempotency key
makes the Message-ID, so a resent message is recognisably the same one."""

from __future__ import annotations

import smtplib
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import formatdate

from gridgov.notify.domain import Channel, Outcome
from gridgov.notify.ports import Answer, Outgoing


class SmtpSender:
    channel = Channel.EMAIL

    def __init__(
        self,
        host: str,
        port: int,
        sender: str,
        *,
        user: str = "",
        password: str = "",
        starttls: bool = False,
        timeout: float = 10.0,
    ) -> None:
        self.host, self.port, self.sender = host, port, sender
        self.user, self.password, self.starttls, self.timeout = user, password, starttls, timeout

    def build(self, message: Outgoing) -> EmailMessage:
        mail = EmailMessage(policy=SMTP)
        mail["From"] = self.sender
        mail["To"] = message.address
        mail["Subject"] = message.subject
        mail["Date"] = formatdate(localtime=False)
        domain = self.sender.rpartition("@")[2] or "gridgov.local"
        mail["Message-ID"] = f"<{message.key}@{domain}>"
        mail["X-Idempotency-Key"] = message.key
        mail.set_content(message.body, charset="utf-8")
        return mail

    def send(self, message: Outgoing) -> Answer:
        try:
            with smtplib.SMTP(self.host, self.port, timeout=self.timeout) as smtp:
                if self.starttls:
                    smtp.starttls()
                if self.user:
                    smtp.login(self.user, self.password)
                refused = smtp.send_message(self.build(message))
        except smtplib.SMTPRecipientsRefused as exc:
            return Answer(Outcome.REJECTED, "", str(exc.recipients)[:300])
        except smtplib.SMTPResponseException as exc:
            outcome = Outcome.RETRY if 400 <= exc.smtp_code < 500 else Outcome.REJECTED
            return Answer(outcome, "", f"{exc.smtp_code} {exc.smtp_error!r}"[:300])
        if refused:
            return Answer(Outcome.REJECTED, "", str(refused)[:300])
        return Answer(Outcome.ACCEPTED, message.key, "250 accepted")

    def close(self) -> None:
        return None  # one connection per message

    def lookup(self, key: str) -> Answer | None:
        return None
