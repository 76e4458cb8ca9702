"""Telling people: notifications written in the transaction of the case event that causes them (a transactional
outbox), delivered by a worker through channel ports (SMS, e-mail, WeChat 订阅消息, 站内信). See docs/notify.md."""
