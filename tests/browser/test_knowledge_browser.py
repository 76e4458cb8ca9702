"""The hotline console answers from the knowledge base in a real browser: the operator types the caller's
question, the suggestions appear as they type (htmx), the operator picks the article and closes the case
directly; the case page cites the article."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import expect
from sqlalchemy import text

from gridgov.knowledge.demo import seed_knowledge
from gridgov.knowledge.repository import SqlKnowledgeUnitOfWork

from conftest import World


def test_the_operator_answers_from_the_knowledge_base_and_the_case_cites_it(browsing: Any, clean: World) -> None:
    seed_knowledge(lambda: SqlKnowledgeUnitOfWork(clean.container.uow()), lambda k: f"4101-{k}", clean.clock.now())
    op = browsing.page("operator")
    op.goto("/hotline")
    op.get_by_label("来电号码").fill("13800138001")
    op.get_by_label("诉求概要 (必填)").fill("暖气报停")
    op.get_by_label("诉求内容").type("今年冬天全家去南方过冬，家里的暖气能不能不交")
    hit = op.locator("#kb-suggest .kb-hit").first
    expect(hit).to_contain_text("供暖报停")
    browsing.shot(op, "hotline-knowledge")
    hit.get_by_role("button", name="选用").click()
    expect(op.locator("#kb-picked")).to_contain_text("《供暖报停》")
    expect(op.get_by_label("办理意见 / 答复 (直接办结时必填)")).to_have_value(
        "集中供热用户在每年供暖季开始前（一般为10月31日前）可向所属供热企业申请报停，报停须满足供热企业的技术条件"
        "（如可关断入户阀门），报停后按规定缴纳基本热费。"
    )
    op.get_by_role("button", name="直接办结 (咨询)").click()
    link = op.locator("#call-result a")
    expect(link).to_be_visible()
    with clean.container.engine.connect() as conn:
        case_id, status = conn.execute(text("SELECT id, status FROM cases ORDER BY id DESC LIMIT 1")).one()
    assert status == "closed"
    link.click()
    expect(op).to_have_url(f"{browsing.base}/cases/{case_id}")
    cite = op.locator(".cite")
    expect(cite).to_contain_text("引用知识库")
    expect(cite).to_contain_text("《供暖报停》")
    expect(cite).to_contain_text("第 1 版")
    browsing.shot(op, "case-cites-article")
    cite.locator("a.cited-article").click()
    expect(op.locator("#article h1")).to_contain_text("供暖报停")
