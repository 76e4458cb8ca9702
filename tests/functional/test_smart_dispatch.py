"""Smart dispatch through HTTP and the CLI: proposals, the needs-a-person queue, corrections that retrain the
model, duplicate hints and hot topics."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner
from sqlalchemy import text

from gridgov.cli import main

from conftest import Api, World


def report(api: Api, w: World, title: str, description: str = "", **extra: object) -> dict[str, object]:
    body = {"title": title, "description": description, "grid_code": w.grid, "source": "hotline", **extra}
    r = api.post("operator", "/api/v1/cases", body)
    assert r.status_code == 201, r.text
    case: dict[str, object] = api.get("dispatcher", f"/api/v1/cases/{r.json()['id']}").json()
    return case


def test_confident_proposal_fills_category_and_unit_doubtful_one_waits_for_a_person(api: Api, clean: World) -> None:
    sure = report(api, clean, "公司拖欠农民工工资三个月", "老板跑路，社保也没有缴纳")
    assert sure["category_code"] == "H05" and sure["category_source"] == "model"
    assert sure["suggestion_source"] == "model" and str(sure["suggestion_model"]).startswith("hotline-")
    assert sure["needs_review"] is False and float(sure["suggestion_confidence"]) >= 0.6  # type: ignore[arg-type]
    assert sure["suggested_unit"]["code"] == f"{clean.district}-rs"  # type: ignore[index]

    doubtful = report(api, clean, "这个东西怎么办")
    assert doubtful["needs_review"] is True and doubtful["category_code"] is None
    assert len(doubtful["suggestions"]) == 3  # type: ignore[arg-type]
    queue = api.get("dispatcher", "/api/v1/cases", needs_review="true").json()
    assert [c["id"] for c in queue["items"]] == [doubtful["id"]]

    given = report(api, clean, "公交车不按站点停车", category_code="H0301")
    assert given["category_code"] == "H0301" and given["category_source"] == "reporter"


def test_dispatcher_correction_is_stored_and_used_for_training(
    api: Api, clean: World, database_url: str, tmp_path: Path
) -> None:
    case = report(api, clean, "这个东西怎么办", "楼下有人占道摆摊卖菜")
    api.ok("operator", int(case["id"]), "register", category_code="H06")  # type: ignore[call-overload]
    after = api.get("dispatcher", f"/api/v1/cases/{case['id']}").json()
    assert after["needs_review"] is False and after["category_source"] == "dispatcher"
    with clean.container.engine.connect() as conn:
        rows = conn.execute(text("SELECT label, predicted, source FROM category_labels")).all()
    assert rows == [("H06", case["suggested_category_code"], "dispatcher")]

    history = tmp_path / "history.csv"
    lines = ["标题,内容,类别"]
    samples = {
        "H01": "小区违章建筑 楼顶搭建",
        "H02": "工厂排放废气 河道污水",
        "H03": "公交线路 班次太少",
        "H04": "学校乱收费 补课",
        "H05": "拖欠工资 社保缴纳",
        "H06": "商场 价格欺诈",
        "H07": "医院 挂号难",
    }
    for code, words in samples.items():
        lines += [f"{words}{i},{words} 请处理{i},{code}" for i in range(6)]
    history.write_text("\n".join(lines), "utf-8")
    out = tmp_path / "m.json.gz"
    r = CliRunner().invoke(
        main,
        [
            "model",
            "train",
            "--csv",
            str(history),
            "--text-columns",
            "标题,内容",
            "--label-column",
            "类别",
            "--output",
            str(out),
            "--include-corrections",
            "--database-url",
            database_url,
        ],
    )
    assert r.exit_code == 0, r.output
    assert "其中纠正标签 1 条" in r.output and out.exists()
    r = CliRunner().invoke(
        main,
        [
            "model",
            "eval",
            "--csv",
            str(history),
            "--text-columns",
            "标题,内容",
            "--label-column",
            "类别",
            "--model",
            str(out),
        ],
    )
    assert r.exit_code == 0 and "macro" in r.output.lower()


def test_training_file_problems_are_clear_errors_and_write_nothing(tmp_path: Path) -> None:
    out = tmp_path / "never.json.gz"
    bad = tmp_path / "bad.csv"
    bad.write_text("标题,类别\n路灯坏了,H01\n", "utf-8")
    r = CliRunner().invoke(
        main,
        [
            "model",
            "train",
            "--csv",
            str(bad),
            "--text-columns",
            "标题,内容",
            "--label-column",
            "类别",
            "--output",
            str(out),
        ],
    )
    assert r.exit_code == 2 and "内容" in r.output and not out.exists()
    gbk = tmp_path / "gbk.csv"
    gbk.write_bytes("标题,类别\n路灯坏了,H01\n井盖丢了,H01\n".encode("gbk"))
    r = CliRunner().invoke(
        main,
        ["model", "train", "--csv", str(gbk), "--text-columns", "标题", "--label-column", "类别", "--output", str(out)],
    )
    assert r.exit_code == 2 and "training_single_class" in r.output and not out.exists()


def test_duplicates_are_hinted_on_intake_near_the_same_place(api: Api, clean: World) -> None:
    first = report(api, clean, "小区门口井盖丢失", "幸福路小区东门井盖丢了，晚上很危险")
    second = report(api, clean, "东门井盖丢了", "幸福路小区东门的井盖丢失，有人差点掉下去")
    other = report(api, clean, "学校乱收费", "孩子学校强制收取资料费")
    hints = second["duplicate_candidates"]
    assert hints and hints[0]["case_id"] == first["id"] and hints[0]["score"] >= 0.25  # type: ignore[index]
    assert not other["duplicate_candidates"]
    merged = api.ok("dispatcher", int(second["id"]), "merge", into_case_id=first["id"])  # type: ignore[call-overload]
    assert merged["status"] == "merged"


def test_classify_endpoint_and_hot_topics(api: Api, clean: World) -> None:
    got = api.post(
        "operator", "/api/v1/classify", {"title": "医院挂号难", "description": "乡镇卫生院医生态度差"}
    ).json()
    assert got["label"] == "H07" and got["name"] == "卫生计生" and got["source"] == "model" and len(got["top"]) == 3
    for i in range(4):
        report(api, clean, f"丽发新城搅拌站噪音扰民{i}", "搅拌站夜间施工噪音大，粉尘污染严重")
    report(api, clean, "学校乱收费", "孩子学校强制收取资料费")
    topics = api.get("leader", "/api/v1/topics", days=30).json()["topics"]
    assert topics and topics[0]["count"] == 4 and "搅拌站" in topics[0]["titles"][0]
    r = CliRunner().invoke(
        main,
        [
            "topics",
            "--days",
            "30",
            "--now",
            "2025-09-27T00:00:00+08:00",
            "--database-url",
            str(clean.container.settings.database_url),
        ],
    )
    assert r.exit_code == 0 and "搅拌站" in r.output and "4 件" in r.output


def test_enrichment_after_commit_and_recovery_of_lost_work(clean: World) -> None:
    from datetime import timedelta

    from gridgov.accounts.domain import Actor, Role
    from gridgov.cases.services import CaseDraft, report_case
    from gridgov.worker import DeadlineScheduler, Enricher

    c = clean.container
    operator = Actor(user_id=clean.users["operator"], role=Role.OPERATOR, unit_id=None)
    enricher = Enricher(c)
    enricher.start()
    draft = CaseDraft(title="公司拖欠农民工工资三个月", description="老板跑路", grid_code=clean.grid, source="hotline")
    queued = report_case(
        c.uow(),
        draft,
        operator,
        clean.clock.now(),
        classifier=c.classifier,
        policy=c.policy,
        enrich_later=enricher.submit,
    )
    lost = report_case(
        c.uow(),
        CaseDraft(title="这个东西怎么办", grid_code=clean.grid),
        operator,
        clean.clock.now(),
        classifier=c.classifier,
        policy=c.policy,
        enrich_later=lambda _id: None,
    )  # process died
    clean.clock.advance(timedelta(minutes=1))
    DeadlineScheduler(c, enricher).run_once()  # picks up the case whose enrichment was lost
    enricher.stop()  # drains the queue
    with c.sessions() as s:
        rows = dict(s.execute(text("SELECT id, category_code FROM cases")).all())
        review = dict(s.execute(text("SELECT id, needs_review FROM cases")).all())
        events = s.execute(text("SELECT case_id, action FROM case_events ORDER BY id")).all()
    assert rows[queued.id] == "H05" and not review[queued.id]
    assert rows[lost.id] is None and review[lost.id]
    assert (queued.id, "classify") in events and (lost.id, "classify") in events
    from click.testing import CliRunner

    from gridgov.cli import main

    assert CliRunner().invoke(main, ["audit", "verify", "--database-url", c.settings.database_url]).exit_code == 0


def test_a_unit_that_returns_a_category_here_is_no_longer_proposed_for_it(api: Api, clean: World) -> None:
    """Routing from history on the case page: the matrix names the street office for 楼道堆物 (H1802); twice the
    street returns such a case and the 城管 bureau keeps it, so the next one is proposed for the bureau, with
    the basis in words. Elsewhere in the city (another street) the matrix still stands."""
    cg = f"{clean.district}-cg"
    fresh = report(api, clean, "楼道里堆满杂物", category_code="H1802")
    assert fresh["suggested_unit"]["code"] == clean.street_code  # type: ignore[index]
    assert fresh["suggested_unit"]["basis"] == "matrix"  # type: ignore[index]
    for _ in range(2):
        case = report(api, clean, "楼道里堆满杂物", category_code="H1802")
        case_id = int(case["id"])  # type: ignore[call-overload]
        api.ok("operator", case_id, "register")
        api.ok("dispatcher", case_id, "dispatch")
        api.ok("street", case_id, "return", reason="应由城管处理")
        api.ok("dispatcher", case_id, "dispatch", unit_code=cg)
        api.ok("dept-cg", case_id, "accept")
    again = api.get("dispatcher", f"/api/v1/cases/{fresh['id']}").json()["suggested_unit"]
    assert again["code"] == cg and again["basis"] == "category+grid", again
    assert again["basis_label"] == "本网格同类案件的派遣记录" and again["confidence"] == 1.0
    api.ok("operator", int(fresh["id"]), "register")  # type: ignore[call-overload]
    page = api.get("dispatcher", f"/cases/{fresh['id']}")
    assert page.status_code == 200 and "派遣建议" in page.text and "本网格同类案件的派遣记录" in page.text

    elsewhere = report(api, clean, "楼道里堆满杂物", category_code="H1802", grid_code=clean.other_grid)
    assert elsewhere["suggested_unit"]["code"] == clean.other_grid[:9]  # type: ignore[index]
    assert elsewhere["suggested_unit"]["basis"] == "matrix"  # type: ignore[index]


def test_the_route_cache_folds_new_events_and_starts_again_after_a_rebuild(api: Api, clean: World) -> None:
    from gridgov.cases.routing import RouteCache, learner_from

    cache = RouteCache()

    def settle(unit: str, who: str, keep: bool) -> None:
        case_id = int(report(api, clean, "楼道里堆满杂物", category_code="H1802")["id"])  # type: ignore[call-overload]
        api.ok("operator", case_id, "register")
        api.ok("dispatcher", case_id, "dispatch", unit_code=unit)
        api.ok(who, case_id, "accept" if keep else "return", **({} if keep else {"reason": "不属本单位"}))

    settle(clean.street_code, "street", keep=False)
    with clean.container.sessions() as s:
        first = cache.learner(s)
        assert first.net(("H1802", clean.grid)) == {clean.street_code: -2.0}
    settle(f"{clean.district}-cg", "dept-cg", keep=True)
    with clean.container.sessions() as s:
        assert cache.learner(s).net(("H1802", clean.grid)) == learner_from(s).net(("H1802", clean.grid))
        assert cache.learner(s).net(("H1802", clean.grid)) == {clean.street_code: -2.0, f"{clean.district}-cg": 1.0}
    with clean.container.engine.begin() as conn:  # the history rebuilt without the last event the cache folded
        conn.execute(text("DELETE FROM case_events WHERE action = 'accept'"))
    with clean.container.sessions() as s:
        assert (
            cache.learner(s).net(("H1802", clean.grid))
            == {clean.street_code: -2.0}
            == learner_from(s).net(("H1802", clean.grid))
        )


def test_the_second_level_proposal_is_kept_on_the_case(api: Api, clean: World) -> None:
    case = report(api, clean, "小区物业乱收费", "物业公司每月多收物业费，物业服务也很差")
    top = case["suggestions"][0]  # type: ignore[index]
    assert top["code"] == case["suggested_category_code"] == "H01", case["suggestions"]
    assert top["second_level"]["code"] == "H0901" and top["second_level"]["name"] == "物业服务", top
    api.ok("operator", int(case["id"]), "register")  # type: ignore[call-overload]
    page = api.get("dispatcher", f"/cases/{case['id']}").text
    assert 'id="second-level"' in page and "H0901" in page
