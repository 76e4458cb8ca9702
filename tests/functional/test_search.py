"""Finding a case: staff search by 查询编号, text (Chinese, two characters and more), address and phone digits
within their scope, in the queue, the inbox and the hotline console; the public lookup by 查询编号 + 查询码 shows
only the public timeline; the receipt's 查询码 is for whoever holds the report's upload right."""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import text

from gridgov.cases.search import parse, receipt_secret
from gridgov.errors import Unauthenticated
from gridgov.web.pinyin import initials

from conftest import Api, World


def report(
    api: Api, w: World, title: str, who: str = "operator", grid: str | None = None, **extra: Any
) -> dict[str, Any]:
    body = {"title": title, "grid_code": grid or w.grid, "category_code": "H1802", **extra}
    r = api.post(who, "/api/v1/cases", body)
    assert r.status_code == 201, r.text
    return dict(r.json())


def codes(api: Api, who: str, q: str) -> set[str]:
    html = api.get(who, "/search/items", q=q).text
    return set(re.findall(r">(\d{8}-[A-Z2-9]{6})</a>", html))


def test_staff_find_cases_by_code_text_address_and_phone_within_scope(api: Api, clean: World) -> None:
    lamp = report(
        api,
        clean,
        "路灯不亮",
        description="经八路与红旗路交叉口路灯整夜不亮",
        address="红旗路 88 号",
        reporter_phone="138-0013 8000",
        reporter_name="王小明",
    )
    cover = report(api, clean, "井盖缺失", description="人行道井盖缺失 50%_的宽度", address="文化路口")
    other = report(api, clean, "路灯闪烁", grid=clean.other_grid, reporter_phone="13900139000")
    assert codes(api, "operator", lamp["tracking_code"]) == {lamp["tracking_code"]}
    assert codes(api, "operator", lamp["tracking_code"].lower()) == {lamp["tracking_code"]}
    assert codes(api, "operator", "路灯") == {lamp["tracking_code"], other["tracking_code"]}  # two characters
    assert codes(api, "operator", "整夜不亮") == {lamp["tracking_code"]}  # three and more: the trigram index
    assert codes(api, "operator", "红旗路 88") == {lamp["tracking_code"]}  # every word, the address too
    assert codes(api, "operator", "13800138000") == {lamp["tracking_code"]}  # digits, whatever was typed
    assert codes(api, "operator", "138 0013-8000") == {lamp["tracking_code"]}
    assert codes(api, "operator", "8000") == {lamp["tracking_code"]}  # the last digits
    assert codes(api, "operator", "50%_") == {cover["tracking_code"]} and codes(api, "operator", "%%") == set()
    assert codes(api, "operator", "不存在的词语") == set()
    # the street office sees its own grid only, and the phone masked
    assert codes(api, "street", "路灯") == {lamp["tracking_code"]}
    street = api.get("street", "/search/items", q="路灯").text
    assert "138****8000" in street and "13800138000" not in street
    assert "138-0013 8000" in api.get("operator", "/search/items", q="路灯").text  # as given, for the operator
    # in the queue and in the inbox the results replace the list
    queue = api.get("operator", "/queue/rows", q="路灯").text
    assert "搜索「路灯」: 2 件" in queue and set(re.findall(r'data-tracking-code="([^"]+)"', queue)) == {
        lamp["tracking_code"],
        other["tracking_code"],
    }
    inbox = api.get("street", "/inbox/items", q="路灯").text
    assert "搜索「路灯」: 1 件" in inbox and f'data-case-id="{lamp["id"]}"' in inbox
    # a query too short is said so, in Chinese; a resident has no search
    assert "每个关键词至少 2 个字" in api.get("operator", "/search/items", q="灯").text
    assert api.get("resident", "/search/items", q="路灯").status_code == 403


def test_the_search_index_follows_changes(api: Api, clean: World) -> None:
    c = report(api, clean, "垃圾满溢", reporter_phone="13700137000")
    assert codes(api, "operator", "13700137000") == {c["tracking_code"]}
    with clean.container.engine.begin() as conn:  # an erasure, a correction: the index follows (triggers)
        conn.execute(text("UPDATE cases SET reporter_phone = '', title = '垃圾桶破损' WHERE id = :c"), {"c": c["id"]})
    assert codes(api, "operator", "13700137000") == set()
    assert codes(api, "operator", "垃圾桶破损") == {c["tracking_code"]}
    assert codes(api, "operator", "满溢") == set()
    with clean.container.engine.begin() as conn:
        conn.execute(text("DELETE FROM case_events WHERE case_id = :c"), {"c": c["id"]})
        conn.execute(text("DELETE FROM cases WHERE id = :c"), {"c": c["id"]})
    assert codes(api, "operator", "垃圾桶破损") == set()


def test_the_query_is_read_as_a_code_a_phone_or_words() -> None:
    assert parse("20261201-abcdef").tracking_code == "20261201-ABCDEF"
    assert parse("(0371) 6788-1234").digits == "037167881234"
    assert parse("  经八路   路灯 ").terms == ("经八路", "路灯")
    assert initials("经八路街道办事处").startswith("jbl")


def test_the_public_lookup_shows_only_the_public_timeline(api: Api, clean: World) -> None:
    made = api.post(
        "resident",
        "/api/v1/cases",
        {"title": "路灯不亮 电话13800138000", "grid_code": clean.grid, "category_code": "H1802", "anonymous": True},
    ).json()
    cid, code = made["id"], made["tracking_code"]
    api.ok("operator", cid, "register", note="内部备注: 已电话核实")
    api.ok("dispatcher", cid, "dispatch", unit_code=f"{clean.district}-cg", note="请尽快处理")
    # the receipt: only whoever holds the report's upload right gets the 查询码
    receipt = api.client.get(f"/report/receipt/{cid}", headers={"X-Upload-Token": made["upload_token"]})
    secret = receipt_secret(clean.container.settings.secret_key, cid, code)
    assert receipt.status_code == 200 and secret in receipt.text and "/track" in receipt.text
    assert "不会出现在「我的反映」中" in receipt.text  # an anonymous report is not in /my: the receipt says so
    assert api.client.get(f"/report/receipt/{cid}").status_code == 404
    assert api.client.get(f"/report/receipt/{cid}", headers={"X-Upload-Token": "1.abc"}).status_code == 404

    page = api.client.get("/track", params={"code": code, "secret": secret.lower()})
    assert page.status_code == 200, page.text
    html = page.text
    assert "已派遣" in html and "城市管理局" in html and code in html
    assert "13800138000" not in html and "路灯不亮" in html  # the title, redacted
    for private in ("内部备注", "请尽快处理", "operator", "dispatcher", "哈希"):
        assert private not in html, private
    wrong = api.client.get("/track", params={"code": code, "secret": "AAAAAA"})
    unknown = api.client.get("/track", params={"code": "20000101-AAAAAA", "secret": secret})
    assert wrong.status_code == unknown.status_code == 404
    assert "没有找到: 请核对查询编号和查询码" in wrong.text and "没有找到: 请核对查询编号和查询码" in unknown.text
    assert api.client.get("/track", params={"code": code, "secret": "经八路"}).status_code == 404  # not ASCII
    assert api.client.get("/track").status_code == 200  # the empty form


def test_pickers_find_units_categories_and_grids_by_name_initials_and_code(api: Api, clean: World) -> None:
    units = api.get("dispatcher", "/api/v1/pickers/units", q="城市管理", kind="district_bureau").json()
    assert units and all("城市管理" in u["name"] and u["code"] for u in units)
    first = units[0]
    by_initials = api.get("dispatcher", "/api/v1/pickers/units", q=initials(first["name"])[:5]).json()
    assert first["code"] in [u["code"] for u in by_initials]
    by_code = api.get("dispatcher", "/api/v1/pickers/units", q=first["code"]).json()
    assert by_code[0]["code"] == first["code"]
    lamps = api.get("dispatcher", "/api/v1/pickers/categories", q="路灯").json()
    assert lamps and "路灯" in lamps[0]["name"]
    streets = api.get("dispatcher", "/api/v1/pickers/grids", q=clean.street_code).json()
    assert streets and streets[0]["code"].startswith(clean.street_code)
    # a unit whose area does not take in the case's grid comes with a warning
    other_street = api.get("dispatcher", "/api/v1/pickers/units", q=clean.other_grid[:9], grid=clean.grid).json()
    own_street = api.get("dispatcher", "/api/v1/pickers/units", q=clean.street_code, grid=clean.grid).json()
    assert other_street and "辖区不含本案所在网格" in other_street[0]["warning"]
    assert own_street and own_street[0]["warning"] == ""
    assert api.get("resident", "/api/v1/pickers/units", q="城市").status_code == 403
    assert api.get("dispatcher", "/api/v1/pickers/units", kind="nope").status_code == 422


def test_queue_columns_show_names_and_merge_takes_a_tracking_code(api: Api, clean: World) -> None:
    a = report(api, clean, "占道经营")
    b = report(api, clean, "占道经营 又一起")
    queue = api.get("dispatcher", "/queue/rows").text
    assert re.search(r'<span class="name">[^<]+</span> <small class="code">H1802</small>', queue)
    assert re.search(r'<span class="name">[^<]+</span> <small class="code">' + clean.grid + "</small>", queue)
    api.ok("operator", a["id"], "register")
    api.ok("operator", b["id"], "register")
    csrf = {"Authorization": f"Bearer {clean.tokens['dispatcher']}"}
    detail = api.get("dispatcher", f"/api/v1/cases/{b['id']}").json()
    r = api.client.post(
        f"/cases/{b['id']}/panel",
        data={"action": "merge", "version": str(detail["version"]), "into_tracking_code": a["tracking_code"].lower()},
        headers=csrf,
    )
    assert r.status_code == 200, r.text
    assert api.get("dispatcher", f"/api/v1/cases/{b['id']}").json()["status"] == "merged"
    bad = api.client.post(
        f"/cases/{a['id']}/panel",
        data={"action": "merge", "version": "9", "into_tracking_code": "20000101-AAAAAA"},
        headers=csrf,
    )
    assert bad.status_code == 422 and "主案不存在或不在您的范围内" in bad.json()["error"]["message"]


def test_a_resident_reads_the_public_timeline_of_their_case(api: Api, clean: World) -> None:
    body = {"title": "井盖缺失", "grid_code": clean.grid, "category_code": "H1802"}
    made = api.post("resident", "/api/v1/cases", body).json()
    api.ok("operator", made["id"], "register", note="内部备注: 已电话核实")
    api.ok("dispatcher", made["id"], "dispatch", unit_code=f"{clean.district}-cg", note="请尽快处理")
    page = api.get("resident", f"/cases/{made['id']}").text
    assert 'id="public-timeline"' in page and "城市管理局" in page and "已派遣" in page
    for private in ("内部备注", "请尽快处理", "哈希链", "dispatcher", "operator"):
        assert private not in page, private
    staff = api.get("dispatcher", f"/cases/{made['id']}").text
    assert "哈希链完整" in staff and "内部备注" in staff


def test_the_inbox_lists_what_the_unit_can_act_on_apart_from_what_it_watches(api: Api, clean: World) -> None:
    mine = report(api, clean, "本街道承办")
    api.ok("operator", mine["id"], "register")
    api.ok("dispatcher", mine["id"], "dispatch", unit_code=clean.street_code)
    watched = report(api, clean, "部门承办")
    api.ok("operator", watched["id"], "register")
    api.ok("dispatcher", watched["id"], "dispatch", unit_code=f"{clean.district}-cg")  # in the street's area
    html = api.get("street", "/inbox/items").text
    act, _, watch = html.partition('id="inbox-watch"')
    assert f'data-case-id="{mine["id"]}"' in act and f'data-case-id="{watched["id"]}"' in watch
    assert "待我办理" in html and "关注 (辖区内或曾参与, 当前无需操作)" in html


def test_search_finds_exactly_the_case_lists_scope(api: Api, clean: World) -> None:
    from sqlalchemy import select

    from gridgov.accounts.domain import scope_of
    from gridgov.cases.models import Case
    from gridgov.cases.queries import in_scope
    from gridgov.cases.search import search_cases
    from gridgov.web.deps import actor_for_token

    for i, grid in enumerate((clean.grid, clean.other_grid, clean.grid)):
        c = report(api, clean, f"问题{i}", grid=grid, who="resident")
        api.ok("operator", c["id"], "register")
        api.ok("dispatcher", c["id"], "dispatch", unit_code=f"{clean.district}-cg" if i else clean.street_code)
    with clean.container.sessions() as s:
        checked = 0
        for who, token in clean.tokens.items():
            try:
                actor = actor_for_token(clean.container, token)
            except Unauthenticated:  # a token another test revoked (sign-out, revocation)
                continue
            checked += 1
            expected = set(s.scalars(select(Case.id).where(in_scope(scope_of(actor)))))
            found = {item["id"] for item in search_cases(s, actor, "问题")["items"]}
            assert found == expected, who
        assert checked >= len(clean.tokens) // 2
