"""督办 and 回访 in a real browser (issue 15): a leader puts a case under supervision from its page, sees it on the
dashboard's 挂牌督办 card, and the street answers it from the same page; an operator works the 回访 queue."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from click.testing import CliRunner
from playwright.sync_api import expect
from sqlalchemy import text

from gridgov.cli import main
from gridgov.clock import SHANGHAI

from conftest import Api, World


def _accepted(api: Api, w: World, title: str) -> int:
    body = {"title": title, "grid_code": w.grid, "category_code": "H1802", "reporter_phone": "13812345678"}
    cid = int(api.post("resident", "/api/v1/cases", body).json()["id"])
    api.ok("operator", cid, "register")
    api.ok("dispatcher", cid, "dispatch", unit_code=w.street_code)
    api.ok("street", cid, "accept")
    return cid


def test_a_leader_supervises_and_the_street_answers(browsing: Any, api: Api, clean: World) -> None:
    cid = _accepted(api, clean, "主干道旁垃圾堆积")
    due = (clean.clock.now() + timedelta(days=1)).astimezone(SHANGHAI).strftime("%Y-%m-%dT%H:%M")

    leader = browsing.page("leader")
    leader.goto(f"/cases/{cid}")
    form = leader.locator("form[data-action='supervise']")
    form.get_by_label("督办时限 (北京时间)").fill(due)
    form.get_by_label("督办要求").fill("群众反映强烈, 请明日前清运完毕并回复")
    form.locator("button[type=submit]").click()
    board = leader.locator(".supervisions li")
    expect(board).to_have_count(1)
    expect(board).to_contain_text("督办中")
    expect(leader.locator("form[data-action='supervise']")).to_have_count(0)  # one open 督办 at a time
    expect(leader.get_by_text("哈希链完整, 共 5 个事件")).to_be_visible()  # the page reloads with the new event
    browsing.shot(leader, "supervise-case")
    leader.goto("/dashboard")
    row = leader.locator("#supervised-table tr[data-case]")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("主干道旁垃圾堆积")
    expect(leader.locator("#supervision-figures")).to_contain_text("督办 1 件")
    leader.locator("#supervised-h").scroll_into_view_if_needed()
    browsing.shot(leader, "supervise-dashboard")

    street = browsing.page("street", "phone")
    street.goto(f"/cases/{cid}")
    reply = street.locator("form[data-action='reply_supervision']")
    reply.get_by_label("督办回复 (办理情况)").fill("已调派两辆清运车, 今日 18 时前清理完毕")
    reply.locator("button[type=submit]").click()
    expect(street.locator(".supervisions li")).to_contain_text("已回复")
    expect(street.locator(".supervisions li .reply")).to_contain_text("已调派两辆清运车")
    expect(street.locator("form[data-action='reply_supervision']")).to_have_count(0)
    expect(street.get_by_text("哈希链完整, 共 6 个事件")).to_be_visible()
    browsing.shot(street, "supervision-replied")
    with clean.container.engine.connect() as conn:
        kinds = [
            r[0]
            for r in conn.execute(
                text("SELECT event_type FROM case_events WHERE case_id = :c ORDER BY seq"), {"c": cid}
            )
        ]
    assert kinds[-2:] == ["supervised", "supervision_replied"]


def test_an_operator_works_the_callback_queue(browsing: Any, api: Api, clean: World, database_url: str) -> None:
    first, second = _accepted(api, clean, "小区路灯不亮"), _accepted(api, clean, "楼道堆放杂物")
    for cid in (first, second):
        api.ok("street", cid, "handle", note="已处理")
        api.ok("dispatcher", cid, "verify")
    result = CliRunner().invoke(main, ["callbacks", "sweep", "--database-url", database_url])
    assert result.exit_code == 0, result.output

    operator = browsing.page("operator")
    operator.goto("/callbacks")
    items = operator.locator("li.callback")
    expect(items).to_have_count(2)
    expect(items.first).to_contain_text("13812345678")  # the operator sees the number to call
    browsing.shot(operator, "callbacks-queue")

    one = operator.locator(f"li.callback:has(a[href='/cases/{first}'])")
    one.get_by_label("无人接听").check()
    one.get_by_role("button", name="记录").click()
    expect(operator.locator(f"li.callback:has(a[href='/cases/{first}'])")).to_contain_text("第 1 次 无人接听")

    other = operator.locator(f"li.callback:has(a[href='/cases/{second}'])")
    other.get_by_label("已接通").check()
    other.get_by_role("button", name="记录").click()  # reached without the answers: refused, nothing recorded
    expect(other.locator(".error")).to_contain_text("请记录问题是否解决")
    other.get_by_label("已解决").check()
    other.get_by_label("满意程度 (接通时填写)").select_option("satisfied")
    other.get_by_label("居民意见").fill("清理得很干净")
    other.get_by_role("button", name="记录").click()
    expect(operator.locator("li.callback")).to_have_count(1)
    done = operator.locator("table.callbacks-done tr[data-status='reached']")
    expect(done).to_contain_text("楼道堆放杂物")
    browsing.shot(operator, "callbacks-worked")
    with clean.container.engine.connect() as conn:
        status, satisfaction = conn.execute(
            text("SELECT status, satisfaction FROM cases WHERE id = :c"), {"c": second}
        ).one()
    assert (status, satisfaction) == ("evaluated", "satisfied")
