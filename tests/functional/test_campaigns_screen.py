"""The staff screen for suggestion campaigns (/campaigns-admin): who may open it, and the case page's link back
to the suggestion a case was made from."""

from __future__ import annotations

import httpx
import pytest

from gridgov.screens.case_page import campaign_origin

from conftest import Api, World

SLUG = "screen-2025"


def page(server: str, who: str | None, clean: World, path: str = "/campaigns-admin") -> httpx.Response:
    headers = {"Authorization": f"Bearer {clean.tokens[who]}"} if who else {}
    return httpx.get(f"{server}{path}", headers=headers)


def test_anonymous_visitors_are_sent_to_sign_in(server: str, clean: World) -> None:
    r = page(server, None, clean)
    assert r.status_code == 303 and r.headers["location"] == "/login?next=/campaigns-admin"


@pytest.mark.parametrize("who", ["resident", "street", "dept-cg", "grid-worker"])
def test_people_outside_the_campaign_staff_are_refused(server: str, clean: World, who: str) -> None:
    r = page(server, who, clean)
    assert r.status_code == 403 and "意见征集" in r.text
    assert 'href="/campaigns-admin"' not in r.text  # not in their navigation either


@pytest.mark.parametrize("who", ["operator", "dispatcher", "admin", "leader"])
def test_campaign_staff_and_leaders_get_the_screen(server: str, clean: World, who: str) -> None:
    r = page(server, who, clean)
    assert r.status_code == 200 and "建议列表" in r.text and "/static/js/campaigns.js" in r.text
    assert "script-src 'self'" in r.headers["content-security-policy"]
    assert 'href="/campaigns-admin" aria-current="page"' in r.text
    assert "交通出行、就业创业" in r.text  # the 14 default fields, from the campaign rules


def test_case_page_links_back_to_the_suggestion(api: Api, server: str, clean: World) -> None:
    made = api.post(
        "operator",
        "/api/v1/campaigns",
        {
            "slug": SLUG,
            "title": "便民利民微改革",
            "organiser": "郑州市改革办",
            "opens_on": "2025-09-20",
            "closes_on": "2025-10-10",
        },
    )
    assert made.status_code == 201, made.text
    sid = api.post(None, f"/api/v1/campaigns/{SLUG}/suggestions", {"content": "建议全市推行一网通办"}).json()["id"]
    case = api.post("operator", f"/api/v1/campaigns/suggestions/{sid}/case", {}).json()["case"]
    ref = api.get("operator", f"/api/v1/campaigns/suggestions/{sid}").json()["ref"]
    staff = page(server, "admin", clean, f"/cases/{case['id']}")
    assert staff.status_code == 200 and "来自意见征集" in staff.text
    assert f'href="/campaigns-admin?c={SLUG}&amp;s={sid}"' in staff.text and "(便民利民微改革)" in staff.text
    assert "意见征集" in staff.text.split("<dt>来源</dt>", 1)[1][:40]  # the source, in Chinese
    with clean.container.sessions() as session:  # anyone else who can see the case: the public status page only
        public = campaign_origin(session, {"id": case["id"], "source": "campaign"}, staff=False)
    assert public == {"ref": ref, "title": "便民利民微改革", "url": f"/campaigns/{SLUG}/s/{ref}"}

    plain = api.post(
        "resident", "/api/v1/cases", {"title": "路灯不亮", "description": "小区门口路灯不亮", "grid_code": clean.grid}
    )
    assert plain.status_code == 201, plain.text
    other = page(server, "admin", clean, f"/cases/{plain.json()['id']}")
    assert other.status_code == 200 and "来自意见征集" not in other.text
