"""On PostgreSQL with procrastinate: the delivery job is a procrastinate row written in the transaction of the case
event, and the task body `gridgov worker` binds to it (worker.queue_tasks) delivers through the configured
gateway. Skipped without PostgreSQL (GRIDGOV_TEST_DATABASE_URL)."""

from __future__ import annotations

import os

import pytest
from sqlalchemy import text

from gridgov.bootstrap import bootstrap
from gridgov.cases.commands import Register
from gridgov.cases.services import apply_action
from gridgov.notify.repository import NOTIFY_DELIVER
from gridgov.worker import queue_tasks
from notify_servers import SmsGateway

from conftest import Api, World

if not os.environ.get("GRIDGOV_TEST_DATABASE_URL", "").startswith("postgresql"):
    pytest.skip("needs PostgreSQL (GRIDGOV_TEST_DATABASE_URL)", allow_module_level=True)


def test_the_delivery_job_commits_with_the_event_and_the_worker_task_delivers(api: Api, clean: World) -> None:
    w = clean
    body = {"title": "路灯不亮", "source": "web", "category_code": "H1802", "grid_code": w.grid,
            "reporter_name": "张伟", "reporter_phone": "13812341234"}  # fmt: skip
    case_id = api.post("resident", "/api/v1/cases", body).json()["id"]
    with SmsGateway() as gw:
        settings = w.container.settings.model_copy(
            update={
                "job_queue": "procrastinate",
                "notify_sms": "http",
                "notify_sms_url": f"{gw.url}/sms",
                "notify_sms_auth": SmsGateway.TOKEN,
            }  # fmt: skip
        )
        box = bootstrap(settings, clock=w.clock, calendar=w.container.calendar)
        try:
            with box.engine.begin() as conn:
                conn.execute(text("DELETE FROM procrastinate_jobs WHERE task_name = :t"), {"t": NOTIFY_DELIVER})
            operator = box.authenticate(w.tokens["operator"])
            apply_action(box.uow(), case_id, Register(), operator, w.clock.now(), box.calendar, box.policy)
            with box.engine.connect() as conn:
                jobs = conn.execute(
                    text("SELECT status FROM procrastinate_jobs WHERE task_name = :t"), {"t": NOTIFY_DELIVER}
                ).all()
            assert [j.status for j in jobs] == ["todo"]  # written in the case event's transaction
            tasks, periodic = queue_tasks(box)
            assert NOTIFY_DELIVER in tasks and any(p.task.startswith(NOTIFY_DELIVER) for p in periodic)
            tasks[NOTIFY_DELIVER]()
            assert [s["mobile"] for s in gw.sends] == ["13812341234"]
        finally:
            with box.engine.begin() as conn:
                conn.execute(text("DELETE FROM procrastinate_jobs WHERE task_name = :t"), {"t": NOTIFY_DELIVER})
            for sender in box.notify_senders.values():
                sender.close()
            box.close()
