"""The 12345 knowledge base through HTTP (SQLite, and PostgreSQL with GRIDGOV_TEST_DATABASE_URL): an article
written, versioned, reviewed by its owning department only and published; suggested while in force and never
once expired; synonyms; a case closed directly citing it (on the case's record and page, and in 知识库直办率); a
纠错 flag as a task with a deadline for the department; a file of 500 articles with one bad line refused whole,
the line named (HTTP and CLI); the export read back; the demo's articles and the recall of the labelled
paraphrases; the record checked by `gridgov knowledge verify` and `gridgov audit verify`."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from openpyxl import Workbook, load_workbook  # type: ignore[import-untyped]

from gridgov.cli import main
from gridgov.knowledge.demo import seed_knowledge
from gridgov.knowledge.repository import SqlKnowledgeUnitOfWork

from conftest import START, Api, World

QUESTIONS = Path(__file__).resolve().parents[2] / "bench" / "data" / "knowledge_questions.csv"


@pytest.fixture
def kb(api: Api, clean: World) -> Iterator[Api]:
    yield api


def dept(w: World, key: str = "cg") -> str:
    return f"{w.district}-{key}"


def article(w: World, **over: Any) -> dict[str, Any]:
    body = {
        "title": "供暖报停",
        "variants": ["暖气怎么停", "冬天不住暖气能停吗"],
        "answer": "集中供热用户可在供暖季开始前向供热企业申请报停。",
        "basis": "城市供热管理条例",
        "category": "供水供暖",
        "unit_code": dept(w),
    }
    return body | over


def create(kb: Api, w: World, who: str = "operator", **over: Any) -> dict[str, Any]:
    r = kb.post(who, "/api/v1/knowledge/articles", article(w, **over))
    assert r.status_code == 201, r.text
    body: dict[str, Any] = r.json()
    return body


def step(kb: Api, who: str, article_id: int, action: str, **extra: Any) -> Any:
    return kb.post(who, f"/api/v1/knowledge/articles/{article_id}/steps", {"action": action, **extra})


def publish(kb: Api, w: World, **over: Any) -> dict[str, Any]:
    a = create(kb, w, **over)
    assert step(kb, "operator", a["id"], "submit").status_code == 200
    r = step(kb, "dept-cg", a["id"], "approve")
    assert r.status_code == 200, r.text
    body: dict[str, Any] = r.json()
    return body


def search(kb: Api, q: str) -> list[dict[str, Any]]:
    r = kb.get("operator", "/api/v1/knowledge/search", q=q)
    assert r.status_code == 200, r.text
    hits: list[dict[str, Any]] = r.json()
    return hits


def hotline_case(kb: Api, w: World, title: str = "咨询暖气报停") -> int:
    r = kb.post(
        "operator", "/api/v1/cases", {"title": title, "description": title, "source": "hotline", "grid_code": w.grid}
    )
    assert r.status_code == 201, r.text
    return int(r.json()["id"])


def test_only_the_owning_department_publishes_and_every_version_is_kept(kb: Api, clean: World) -> None:
    a = create(kb, clean)
    assert (a["status"], a["current_version"], a["published_version"]) == ("draft", 1, None)
    assert search(kb, "暖气报停") == []  # a draft is never suggested
    edited = kb.client.put(
        f"/api/v1/knowledge/articles/{a['id']}",
        headers=kb._h("operator"),
        json=article(clean, answer="第二版答复：供暖季开始前向供热企业申请报停。", version=a["version"]),
    )
    assert edited.status_code == 200, edited.text
    assert edited.json()["current_version"] == 2
    assert step(kb, "dept-cg", a["id"], "approve").status_code == 409  # not yet submitted
    assert step(kb, "operator", a["id"], "submit").status_code == 200
    assert step(kb, "operator", a["id"], "approve").status_code == 403  # the hotline does not publish
    refused = step(kb, "dept-zj", a["id"], "approve")  # another department does not either
    assert refused.status_code == 403 and refused.json()["error"]["message"] == "只有条目的责任部门可以审核或处理纠错"
    assert step(kb, "dept-cg", a["id"], "send_back").status_code == 422  # a reason is required
    assert step(kb, "dept-cg", a["id"], "send_back", reason="请写明报停截止日期").json()["status"] == "draft"
    assert step(kb, "operator", a["id"], "submit").status_code == 200
    done = step(kb, "dept-cg", a["id"], "approve").json()
    assert (done["status"], done["published_version"]) == ("published", 2)
    assert [v["number"] for v in done["versions"]] == [1, 2]
    assert [e["event_type"] for e in done["events"]] == [
        "article_created",
        "article_edited",
        "article_submitted",
        "article_sent_back",
        "article_submitted",
        "article_published",
    ]
    hits = search(kb, "冬天家里没人住，暖气可以停掉吗")
    assert hits and hits[0]["id"] == a["id"] and hits[0]["version"] == 2

    # editing a published article: the new text goes to review, the approved one stays on the phone
    third = kb.client.put(
        f"/api/v1/knowledge/articles/{a['id']}",
        headers=kb._h("operator"),
        json=article(clean, answer="第三版（待审核）"),
    ).json()
    assert (third["status"], third["current_version"], third["published_version"]) == ("draft", 3, 2)
    hits = search(kb, "暖气报停")
    assert hits[0]["id"] == a["id"] and hits[0]["answer"].startswith("第二版")
    assert step(kb, "operator", a["id"], "expire").json()["status"] == "expired"
    assert search(kb, "暖气报停") == []  # an expired article is never suggested


def test_an_article_past_its_end_date_is_never_suggested(kb: Api, clean: World) -> None:
    today = START.date()
    publish(kb, clean, title="去年冬季取暖补贴", valid_to=(today - timedelta(days=1)).isoformat())
    future = publish(kb, clean, title="明年取暖补贴", valid_from=(today + timedelta(days=10)).isoformat())
    assert search(kb, "取暖补贴") == []
    clean.clock.set(START + timedelta(days=11))
    assert [h["id"] for h in search(kb, "取暖补贴")] == [future["id"]]
    done = CliRunner().invoke(main, ["knowledge", "expire", "--database-url", clean.container.settings.database_url])
    assert done.exit_code == 0 and "已下架 1 个过期条目" in done.output, done.output


def test_synonyms_widen_the_query(kb: Api, clean: World) -> None:
    a = publish(
        kb, clean, title="社保卡补办", variants=["社保卡丢了"], answer="持身份证到服务网点补办。", unit_code=dept(clean)
    )
    assert search(kb, "市民卡遗失") == []
    r = kb.post("operator", "/api/v1/knowledge/synonyms", {"words": ["社保卡", "市民卡", "社会保障卡"]})
    assert r.status_code == 201, r.text
    assert [h["id"] for h in search(kb, "市民卡遗失")] == [a["id"]]


def test_a_case_closed_directly_cites_the_article_and_counts_in_the_knowledge_rate(kb: Api, clean: World) -> None:
    a = publish(kb, clean)
    cited = hotline_case(kb, clean)
    plain = hotline_case(kb, clean, "咨询其他事项")
    hotline_case(kb, clean, "另一件待派遣")
    r = kb.post("operator", f"/api/v1/knowledge/articles/{a['id']}/close-case", {"case_id": cited, "note": ""})
    assert r.status_code == 200, r.text
    assert r.json()["article"] == {"id": a["id"], "code": a["code"], "version": 1, "title": "供暖报停"}
    kb.ok("operator", plain, "direct_close", note="已电话答复")
    # a citation cannot be forged through the case API
    assert kb.act("operator", plain, "direct_close", note="x", citation={"article_id": 1}).status_code == 422
    case = kb.get("operator", f"/api/v1/cases/{cited}").json()
    assert case["status"] == "closed"
    page = kb.client.get(f"/cases/{cited}", headers=kb._h("operator"))
    assert page.status_code == 200
    assert (
        f'引用知识库: <a href="/knowledge/articles/{a["id"]}" class="cited-article">{a["code"]}《供暖报停》</a> 第 1 版'
        in page.text
    )
    figures = kb.get("leader", "/api/v1/knowledge/figures").json()
    assert (figures["received"], figures["direct_closed"], figures["knowledge_closed"]) == (3, 2, 1)
    assert figures["knowledge_rate"] == pytest.approx(1 / 3) and figures["direct_rate"] == pytest.approx(2 / 3)
    # the leaders' dashboard carries the month's same figures
    board = kb.get("leader", "/api/v1/dashboard/supervision").json()["hotline"]
    assert (board["received"], board["direct_closed"], board["knowledge_closed"]) == (3, 2, 1)
    wall = kb.client.get("/dashboard", headers=kb._h("leader"))
    assert wall.status_code == 200 and "热线直接办结率 66.7% · 知识库直办率 33.3%" in wall.text
    # an expired article cannot be cited
    step(kb, "operator", a["id"], "expire")
    other = hotline_case(kb, clean)
    refused = kb.post("operator", f"/api/v1/knowledge/articles/{a['id']}/close-case", {"case_id": other})
    assert refused.status_code == 409 and refused.json()["error"]["code"] == "article_not_usable"


def test_a_flag_is_a_task_for_the_owning_department_with_a_deadline(kb: Api, clean: World) -> None:
    a = publish(kb, clean)
    case_id = hotline_case(kb, clean)
    r = kb.post(
        "operator",
        f"/api/v1/knowledge/articles/{a['id']}/flags",
        {"reason": "报停截止日期已改为10月25日", "case_id": case_id},
    )
    assert r.status_code == 201, r.text
    flag = r.json()
    assert flag["status"] == "open" and flag["unit_id"] == a["unit_id"] and flag["due_at"] > START.isoformat()
    assert kb.post("resident", f"/api/v1/knowledge/articles/{a['id']}/flags", {"reason": "x"}).status_code == 403
    mine = kb.get("dept-cg", "/api/v1/knowledge/flags").json()
    assert [f["id"] for f in mine] == [flag["id"]]
    assert kb.get("dept-zj", "/api/v1/knowledge/flags").json() == []
    page = kb.client.get("/knowledge", headers=kb._h("dept-cg"))
    assert page.status_code == 200 and "报停截止日期已改为10月25日" in page.text
    assert kb.post("dept-zj", f"/api/v1/knowledge/flags/{flag['id']}/resolve", {"resolution": "x"}).status_code == 403
    done = kb.post("dept-cg", f"/api/v1/knowledge/flags/{flag['id']}/resolve", {"resolution": "已修改口径并重新提交"})
    assert done.status_code == 200 and done.json()["status"] == "resolved"
    events = kb.get("operator", f"/api/v1/knowledge/articles/{a['id']}").json()["events"]
    assert [e["event_type"] for e in events][-2:] == ["article_flagged", "article_flag_resolved"]
    assert events[-1]["payload"]["on_time"] is True


def _sheet(rows: list[list[Any]]) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.append(["标题", "问法", "答复口径", "政策依据", "分类", "责任部门编码", "生效日期", "失效日期"])
    for r in rows:
        ws.append(r)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def test_500_articles_with_one_bad_line_import_nothing_and_name_the_line(kb: Api, clean: World, tmp_path: Path) -> None:
    rows: list[list[Any]] = [
        [
            f"第{i}号事项办理",
            f"第{i}号怎么办|第{i}号在哪办",
            f"第{i}号事项的答复口径。",
            "演示依据",
            "综合",
            dept(clean),
            "2025-01-01",
            "",
        ]
        for i in range(500)
    ]
    rows[316][2] = ""  # line 318 (the header is line 1): no answer
    raw = _sheet(rows)
    r = kb.client.post(
        "/api/v1/knowledge/import",
        headers=kb._h("operator"),
        files={"file": ("知识库.xlsx", raw, "application/octet-stream")},
    )
    assert r.status_code == 422, r.text
    err = r.json()["error"]
    assert err["code"] == "knowledge_import_refused" and "第 318 行: 答复口径不能为空" in err["message"]
    assert [(p["line"], p["field"]) for p in err["details"]["problems"]] == [(318, "answer")]
    assert kb.get("operator", "/api/v1/knowledge/articles").json()["total"] == 0

    path = tmp_path / "知识库.xlsx"
    path.write_bytes(raw)
    done = CliRunner().invoke(
        main, ["knowledge", "import", str(path), "--database-url", clean.container.settings.database_url]
    )
    assert done.exit_code == 2 and "第 318 行: 答复口径不能为空" in done.output
    assert kb.get("operator", "/api/v1/knowledge/articles").json()["total"] == 0

    rows[316][2] = "补上的答复。"
    rows[3][5] = "no-such-unit"
    r = kb.client.post(
        "/api/v1/knowledge/import", headers=kb._h("operator"), files={"file": ("k.xlsx", _sheet(rows), "x")}
    )
    assert r.status_code == 422 and "第 5 行: 责任部门不存在: no-such-unit" in r.json()["error"]["message"]
    rows[3][5] = dept(clean)
    r = kb.client.post(
        "/api/v1/knowledge/import", headers=kb._h("operator"), files={"file": ("k.xlsx", _sheet(rows), "x")}
    )
    assert r.status_code == 201 and r.json()["imported"] == 500, r.text

    exported = kb.client.get("/api/v1/knowledge/export.xlsx", headers=kb._h("operator"))
    assert exported.status_code == 200
    ws = load_workbook(io.BytesIO(exported.content)).active
    got = list(ws.iter_rows(values_only=True))
    assert len(got) == 501 and got[317][1] == "第316号事项办理" and got[317][3] == "补上的答复。"
    assert got[1][2] == "第0号怎么办\n第0号在哪办"


def _seed_demo(w: World) -> int:
    return seed_knowledge(lambda: SqlKnowledgeUnitOfWork(w.container.uow()), lambda key: f"4101-{key}", w.clock.now())


def test_the_demo_articles_answer_paraphrased_questions(kb: Api, clean: World) -> None:
    assert _seed_demo(clean) == 41
    with QUESTIONS.open(encoding="utf-8") as f:
        labelled = [(r["问题"], r["条目标题"]) for r in csv.DictReader(f)]
    assert len(labelled) == 50
    found = 0
    for question, title in labelled:
        titles = [h["title"] for h in search(kb, question)]
        found += title in titles[:5]
    # the figure docs/hotline.md states (bench/knowledge.py prints it with the misses); a drop is a regression
    assert found / len(labelled) >= 0.9, found
    # the demo's expired article (its end date has passed) is never suggested
    assert all(h["title"] != "2024年冬季取暖补贴" for h in search(kb, "2024年冬季取暖补贴怎么领"))


def test_the_record_verifies_and_a_rewritten_event_is_found(kb: Api, clean: World) -> None:
    from sqlalchemy import text

    a = publish(kb, clean)
    url = clean.container.settings.database_url
    done = CliRunner().invoke(main, ["knowledge", "verify", "--database-url", url])
    assert done.exit_code == 0 and "完整: 1 个条目, 3 个事件" in done.output, done.output
    done = CliRunner().invoke(main, ["audit", "verify", "--database-url", url])
    assert done.exit_code == 0, done.output
    with clean.container.engine.begin() as conn:
        conn.execute(
            text("UPDATE knowledge_events SET to_status = 'draft' WHERE article_id = :a AND seq = 3"), {"a": a["id"]}
        )
    done = CliRunner().invoke(main, ["knowledge", "verify", "--database-url", url])
    assert done.exit_code == 1 and "篡改" in done.output


def test_the_knowledge_index_is_built_when_the_app_starts(clean: World) -> None:
    """Smaller item of issue 17: the app's lifespan builds the knowledge index (like the route cache), so the
    first search of a process does not read every article. A new app over a new container: a new index."""
    from anyio.from_thread import start_blocking_portal

    from gridgov.app import create_app
    from gridgov.knowledge.index import index_for

    app = create_app(clean.container.settings)  # its own container, closed with it
    sessions = app.state.container.sessions
    assert index_for(sessions)._mark is None  # nothing read yet
    with start_blocking_portal() as portal, portal.wrap_async_context_manager(app.router.lifespan_context(app)):
        assert index_for(sessions)._mark is not None  # read at start-up, before any search


def _press(kb: Api, w: World, who: str, path: str, **form: str) -> Any:
    headers = {"Authorization": f"Bearer {w.tokens[who]}", "HX-Request": "true"}
    return kb.client.post(path, data=form, headers=headers)


def test_the_article_page_offers_review_flag_and_answer_as_buttons(kb: Api, clean: World) -> None:
    """Smaller item of issue 17: the page's buttons take the same steps as the API, offered by the same guard."""
    w = clean
    a = create(kb, w)
    page = kb.get("operator", f"/knowledge/articles/{a['id']}").text
    assert 'data-step="submit"' in page and 'data-step="approve"' not in page  # only the department approves
    assert _press(kb, w, "operator", f"/knowledge/articles/{a['id']}/steps", action="submit").status_code == 204
    page = kb.get("dept-cg", f"/knowledge/articles/{a['id']}").text
    assert 'data-step="approve"' in page and 'data-step="send_back"' in page
    assert _press(kb, w, "dept-cg", f"/knowledge/articles/{a['id']}/steps", action="edit").status_code == 422
    r = _press(kb, w, "dept-cg", f"/knowledge/articles/{a['id']}/steps", action="approve")
    assert r.status_code == 204 and r.headers["HX-Refresh"] == "true"
    assert kb.get("operator", f"/api/v1/knowledge/articles/{a['id']}").json()["status"] == "published"

    page = kb.get("operator", f"/knowledge/articles/{a['id']}").text
    assert 'id="flag-form"' in page
    assert _press(kb, w, "operator", f"/knowledge/articles/{a['id']}/flags", reason="").status_code == 422
    assert _press(kb, w, "operator", f"/knowledge/articles/{a['id']}/flags", reason="报停时间已改").status_code == 204
    page = kb.get("dept-cg", f"/knowledge/articles/{a['id']}").text
    assert "处理纠错" in page and "报停时间已改" in page
    assert "处理纠错</button>" not in kb.get("operator", f"/knowledge/articles/{a['id']}").text
    flag = kb.get("dept-cg", "/api/v1/knowledge/flags").json()[0]
    assert (
        _press(kb, w, "dept-cg", f"/knowledge/flags/{flag['id']}/resolve", resolution="已更新口径").status_code == 204
    )
    assert kb.get("dept-cg", "/api/v1/knowledge/flags").json() == []  # no open task left
