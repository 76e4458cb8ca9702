"""Personal data (个人信息保护法): anonymous reports, masking, the record of unmasked views, download and erasure."""

from __future__ import annotations

from click.testing import CliRunner
from sqlalchemy import String, Text, func, select
from sqlalchemy import cast as sql_cast

from gridgov.accounts.services import add_user, issue_token
from gridgov.cli import main
from gridgov.models import Base

from conftest import Api, World

NAME, PHONE = "王小明", "13912345678"


def _traces(w: World, needle: str) -> list[str]:
    """Every table and column in the database whose text contains `needle`."""
    found = []
    with w.container.engine.connect() as conn:
        for table in Base.metadata.sorted_tables:
            for column in table.columns:
                if column.type.python_type not in (str, dict, list) if hasattr(column.type, "python_type") else True:
                    continue
                text_of = sql_cast(column, Text) if not isinstance(column.type, String | Text) else column
                n = conn.execute(select(func.count()).select_from(table).where(text_of.like(f"%{needle}%"))).scalar()
                if n:
                    found.append(f"{table.name}.{column.name}")
    return found


def test_anonymous_report_keeps_nothing_that_identifies_the_reporter(api: Api, clean: World) -> None:
    body = {
        "title": "路灯坏了",
        "grid_code": clean.grid,
        "reporter_name": NAME,
        "reporter_phone": PHONE,
        "anonymous": True,
    }
    cid = api.post("resident", "/api/v1/cases", body).json()["id"]
    case = api.get("operator", f"/api/v1/cases/{cid}").json()
    assert case["reporter_name"] == "" and case["reporter_phone"] == ""
    assert api.get("operator", f"/api/v1/cases/{cid}/events").json()[0]["actor_id"] is None
    assert _traces(clean, PHONE) == [] and _traces(clean, NAME) == []


def test_unmasked_views_are_recorded_masked_ones_are_not(api: Api, clean: World) -> None:
    body = {"title": "路灯坏了", "grid_code": clean.grid, "reporter_name": NAME, "reporter_phone": PHONE}
    cid = api.post("resident", "/api/v1/cases", body).json()["id"]
    assert api.get("street", f"/api/v1/cases/{cid}").json()["reporter_phone"] == "139****5678"
    assert api.get("operator", f"/api/v1/cases/{cid}").json()["reporter_phone"] == PHONE
    with clean.container.engine.connect() as conn:
        rows = conn.exec_driver_sql("SELECT role, case_id, fields FROM pii_access_log").all()
    assert rows == [("operator", cid, "reporter_name,reporter_phone")]


def test_download_and_erasure_leave_no_trace_of_name_or_phone(api: Api, clean: World, database_url: str) -> None:
    w = clean
    # a resident of this test only: the shared one must survive for the other tests
    add_user(w.container.uow(), "resident-to-erase", "resident", None, w.clock.now())
    api.tokens["leaving"] = issue_token(w.container.uow(), "resident-to-erase", w.clock.now())
    body = {
        "title": "楼道堆物",
        "grid_code": w.grid,
        "category_code": "H1802",
        "reporter_name": NAME,
        "reporter_phone": PHONE,
    }
    mine = api.post("leaving", "/api/v1/cases", body, headers={"Idempotency-Key": "k1"}).json()["id"]
    api.ok("operator", mine, "register")
    hotline = api.post("operator", "/api/v1/cases", {**body, "source": "hotline"}).json()["id"]
    api.get("operator", f"/api/v1/cases/{mine}")  # an unmasked view, recorded
    # campaign suggestions: one sent from the account, one anonymous with the same phone
    today = w.clock.now().date().isoformat()
    campaign = {"slug": "pii-2024", "title": "征集", "organiser": "改革办", "opens_on": today, "closes_on": today}
    assert api.post("admin", "/api/v1/campaigns", campaign).status_code == 201
    idea = {"content": "建议增开夜班公交", "name": NAME, "phone": PHONE, "email": "wxm@example.cn"}
    own = api.post("leaving", "/api/v1/campaigns/pii-2024/suggestions", idea).json()["id"]
    anon = api.post(None, "/api/v1/campaigns/pii-2024/suggestions", {**idea, "email": ""}).json()["id"]

    data = api.get("leaving", "/api/v1/me/data").json()
    assert [c["id"] for c in data["cases"]] == [mine] and data["cases"][0]["reporter_phone"] == PHONE
    assert [x["id"] for x in data["suggestions"]] == [own] and data["suggestions"][0]["submitter_phone"] == PHONE
    assert set(_traces(w, PHONE)) == {"cases.reporter_phone", "campaign_suggestions.submitter_phone"}

    gone = api.post("leaving", "/api/v1/me/erase", {}).json()
    assert gone["erased_cases"] == 1
    assert api.get("leaving", "/api/v1/cases").status_code == 401  # the account and its tokens are gone
    r = CliRunner().invoke(main, ["pii", "erase", "--phone", PHONE, "--database-url", database_url])
    assert r.exit_code == 0 and "已删除 1" in r.output  # the hotline caller's case
    assert _traces(w, PHONE) == [] and _traces(w, NAME) == [] and _traces(w, "wxm@example.cn") == []
    for sid in (own, anon):
        idea_now = api.get("operator", f"/api/v1/campaigns/suggestions/{sid}").json()
        assert idea_now["content"] == "建议增开夜班公交" and idea_now["submitter_name"] == ""  # the text stays
        assert idea_now["events"][-1]["action"] == "erase_submitter"
    for cid in (mine, hotline):
        case = api.get("operator", f"/api/v1/cases/{cid}").json()
        assert case["title"] == "楼道堆物" and case["reporter_phone"] == ""  # the case itself stays
        assert api.get("operator", f"/api/v1/cases/{cid}/events").json()[-1]["action"] == "erase_reporter"
    assert CliRunner().invoke(main, ["audit", "verify", "--database-url", database_url]).exit_code == 0
