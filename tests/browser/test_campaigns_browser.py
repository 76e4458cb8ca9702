"""The staff screen for suggestion campaigns in a real browser: an operator creates a campaign on the page, a
resident suggests through the public form, and the operator reviews, adopts with a public reply, turns another
suggestion into a case (whose page links back), registers a letter with its scan and imports a GBK e-mail.
A leader reads the same screen without the forms; the page fits a 360 px phone."""

from __future__ import annotations

import io
import json
from datetime import timedelta
from email.header import Header
from email.mime.text import MIMEText
from email.utils import format_datetime
from typing import Any

import httpx
from PIL import Image
from playwright.sync_api import expect
from sqlalchemy import text

from conftest import World

SLUG = "bmlm-2025"
MAILBOX = "bmlm2025@zhengzhou.gov.cn"


def rows(w: World, sql: str, **params: Any) -> list[dict[str, Any]]:
    with w.container.engine.connect() as conn:
        return [dict(r._mapping) for r in conn.execute(text(sql), params)]


def suggestion(w: World, sid: int) -> dict[str, Any]:
    return rows(w, "SELECT * FROM campaign_suggestions WHERE id = :i", i=sid)[0]


def png_scan() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (60, 80), (250, 250, 245)).save(out, format="PNG")
    return out.getvalue()


def gbk_mail(w: World) -> bytes:
    msg = MIMEText("建议社区增设老年食堂，方便独居老人就餐。", "plain", "gbk")
    msg["Subject"] = Header("养老服务建议", "gbk")
    msg["From"] = "liming@example.cn"
    msg["To"] = MAILBOX
    msg["Message-ID"] = "<screen-1@example.cn>"
    msg["Date"] = format_datetime(w.clock.now() - timedelta(hours=2))
    return msg.as_bytes()


def open_suggestion(page: Any, ref: str) -> None:
    page.locator("#suggestions").get_by_role("button", name=ref).click()
    expect(page.locator("#s-panel .panel-title")).to_contain_text(ref)


def test_operator_runs_a_campaign_on_the_page(browsing: Any, clean: World, server: str) -> None:
    op = browsing.page("operator")
    op.goto("/campaigns-admin")
    expect(op.locator("#c-info")).to_contain_text("还没有征集活动")
    op.locator("#new-campaign-box summary").click()
    form = op.locator("#new-campaign")
    form.get_by_label("活动标题 (必填)").fill("便民利民微改革建议征集")
    form.get_by_label("网址短名", exact=False).fill(SLUG)
    form.get_by_label("主办单位 (必填)").fill("郑州市委改革办")
    form.get_by_label("开始日期", exact=False).fill("2025-09-20")
    form.get_by_label("截止日期", exact=False).fill("2025-10-10")
    form.get_by_label("征集邮箱", exact=False).fill(MAILBOX)
    form.get_by_label("来信地址").fill("郑州市金水路105号")
    form.get_by_label("来信邮编 (6 位)").fill("450000")
    form.get_by_label("信封注明字样").fill("便民利民微改革征集")
    form.get_by_label("截止后收到的建议").select_option("keep")
    form.get_by_role("button", name="新建征集活动").click()
    expect(op.locator("#c-info")).to_contain_text("征集中")
    camp = rows(clean, "SELECT * FROM campaigns WHERE slug = :s", s=SLUG)[0]
    assert camp["title"] == "便民利民微改革建议征集" and camp["late_policy"] == "keep" and camp["postcode"] == "450000"
    fields = camp["fields"] if isinstance(camp["fields"], list) else json.loads(camp["fields"])
    assert len(fields) == 14  # the default fields, prefilled on the form
    expect(op.locator("#c-info img.camp-qr")).to_have_attribute("src", f"/campaigns/{SLUG}/qr.svg")
    assert op.locator("#c-info img.camp-qr").evaluate("img => img.naturalWidth") > 0
    expect(op.locator("#c-info").get_by_role("link", name="导出 Excel")).to_have_attribute(
        "href", f"/api/v1/campaigns/{SLUG}/report.xlsx"
    )

    # a resident, not signed in, on a phone: the public form
    pub = browsing.page(None, "phone")
    pub.goto(f"/campaigns/{SLUG}")
    pub.get_by_label("建议内容", exact=False).fill("建议公交站台加装遮雨棚和座椅，方便老人候车")
    pub.get_by_label("姓名", exact=False).fill("张三")
    pub.get_by_label("联系电话", exact=False).fill("13800138000")
    pub.get_by_role("button", name="提交建议").click()
    web_ref = pub.locator("#ref").inner_text()
    app = httpx.post(
        f"{server}/api/v1/campaigns/{SLUG}/suggestions",
        json={"content": "金水路与经三路口红绿灯时间太短，老人过马路危险", "channel": "app"},
    )
    assert app.status_code == 201, app.text
    app_ref, app_id = app.json()["ref"], app.json()["id"]

    # the operator sees both, reviews the first and adopts it with a public reply
    op.reload()
    expect(op.locator("#s-total")).to_have_text("共 2 条")
    open_suggestion(op, web_ref)
    expect(op.locator("#s-panel")).to_contain_text("张三")
    decide = op.locator("#p-decide")
    decide.get_by_role("button", name="受理审核").click()
    expect(op.locator("#s-panel .panel-title")).to_contain_text("审核中")
    decide.get_by_label("随决定公开的答复 (可选)").fill("感谢您的建议，已列入公交站台改造计划。")
    decide.get_by_role("button", name="采纳", exact=True).click()
    expect(op.locator("#p-reply-text")).to_contain_text("已列入公交站台改造计划")
    web_id = rows(clean, "SELECT id FROM campaign_suggestions WHERE ref = :r", r=web_ref)[0]["id"]
    adopted = suggestion(clean, web_id)
    assert adopted["status"] == "adopted" and "公交站台改造计划" in adopted["reply"]
    expect(op.locator("#k-adopted b")).to_have_text("1")
    expect(op.locator("#k-rate b")).to_have_text("100.0%")
    browsing.shot(op, "campaigns")

    # the second becomes a case; the case page links back to the suggestion
    open_suggestion(op, app_ref)
    case_form = op.locator("#p-case-form")
    case_form.get_by_label("网格编码 (可选)").fill(clean.grid)
    case_form.get_by_label("附言 (可选)").fill("请核实路口信号配时")
    case_form.get_by_role("button", name="转为案件").click()
    expect(op.locator("#p-case a")).to_be_visible()
    converted = suggestion(clean, app_id)
    assert converted["status"] == "converted" and converted["case_id"]
    expect(op.locator("#p-case a")).to_have_attribute("href", f"/cases/{converted['case_id']}")
    op.locator("#p-case a").click()
    expect(op.locator("#case-origin")).to_contain_text(app_ref)
    expect(op.locator("#case-origin")).to_contain_text("便民利民微改革建议征集")
    op.locator("#case-origin a").click()
    expect(op.locator("#s-panel .panel-title")).to_contain_text(app_ref)  # back on the screen, same suggestion

    # a letter with its scan (postmarked the day before)
    letter = op.locator("#letter-form")
    letter.get_by_label("来信内容 (转录, 必填)").fill("建议老旧小区加装电梯给予补贴")
    letter.get_by_label("寄信人姓名").fill("李四")
    letter.get_by_label("寄信地址").fill("郑州市二七区某街道")
    letter.get_by_label("寄信邮编 (6 位)").fill("450052")
    letter.get_by_label("邮戳日期 (以邮戳为准)").fill("2025-09-25")
    letter.get_by_label("信封注明字样").fill("便民利民微改革征集")
    letter.get_by_label("扫描件", exact=False).set_input_files(
        {"name": "来信扫描.png", "mimeType": "image/png", "buffer": png_scan()}
    )
    letter.get_by_role("button", name="登记来信").click()
    expect(op.locator("#letter-result")).to_contain_text("已登记来信")
    stored = rows(
        clean,
        "SELECT s.id, s.marking_ok, s.postcode, a.kind, a.content_type FROM campaign_suggestions s "
        "JOIN campaign_attachments a ON a.suggestion_id = s.id WHERE s.channel = 'letter'",
    )
    assert len(stored) == 1 and stored[0]["kind"] == "scan" and stored[0]["content_type"] == "image/png"
    assert stored[0]["marking_ok"] and stored[0]["postcode"] == "450052"

    # a GBK e-mail saved as .eml; then a file that is not a mail: the reason is shown and nothing is stored
    mail = op.locator("#mail-form")
    mail.get_by_label("邮件文件 (.eml 或 .mbox)").set_input_files(
        {"name": "建议.eml", "mimeType": "message/rfc822", "buffer": gbk_mail(clean)}
    )
    mail.get_by_role("button", name="导入邮件").click()
    expect(op.locator("#mail-result")).to_contain_text("导入 1 封")
    emailed = rows(clean, "SELECT title, content FROM campaign_suggestions WHERE channel = 'email'")
    assert emailed == [{"title": "养老服务建议", "content": "建议社区增设老年食堂，方便独居老人就餐。"}]
    mail.get_by_label("邮件文件 (.eml 或 .mbox)").set_input_files(
        {"name": "坏.eml", "mimeType": "message/rfc822", "buffer": b"this is not a mail message at all"}
    )
    mail.get_by_role("button", name="导入邮件").click()
    expect(mail.locator(".error")).to_contain_text("坏.eml")
    assert len(rows(clean, "SELECT id FROM campaign_suggestions")) == 4
    expect(op.locator("#s-total")).to_have_text("共 4 条")

    # filters: only letters
    op.locator("#f-channel").select_option("letter")
    expect(op.locator("#s-total")).to_have_text("共 1 条")
    expect(op.locator("#suggestions tbody tr")).to_have_count(1)

    # the same screen on a phone: it fits 360 px, nothing scrolls sideways
    phone = browsing.page("operator", "phone")
    phone.goto(f"/campaigns-admin?c={SLUG}&s={web_id}")
    expect(phone.locator("#s-panel .panel-title")).to_contain_text(web_ref)
    assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    browsing.shot(phone, "campaigns")


def test_leader_reads_without_the_forms(browsing: Any, clean: World, server: str) -> None:
    token = clean.tokens["operator"]
    made = httpx.post(
        f"{server}/api/v1/campaigns",
        headers={"Authorization": f"Bearer {token}"},
        json={
            "slug": SLUG,
            "title": "征集",
            "organiser": "改革办",
            "opens_on": "2025-09-20",
            "closes_on": "2025-10-10",
        },
    )
    assert made.status_code == 201, made.text
    sent = httpx.post(
        f"{server}/api/v1/campaigns/{SLUG}/suggestions",
        json={"content": "建议增开夜班公交", "name": "王五", "phone": "13912345678"},
    )
    ref = sent.json()["ref"]
    leader = browsing.page("leader")
    leader.goto("/campaigns-admin")
    open_suggestion(leader, ref)
    expect(leader.locator("#s-panel")).not_to_contain_text("13912345678")  # masked by the server
    expect(leader.locator("#p-decide")).to_have_count(0)
    expect(leader.locator("#p-case-form")).to_have_count(0)
    expect(leader.locator("#intake")).to_be_hidden()
    expect(leader.locator("#new-campaign-box")).to_be_hidden()
