"""Deadlines on China's working-day calendar, yellow/red alarms and escalation up the unit tree."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

from click.testing import CliRunner

from gridgov.cli import main
from gridgov.clock import SHANGHAI

from conftest import Api, World


def _dispatched_case(api: Api, world: World, category: str = "H1802") -> int:
    r = api.post(
        "operator",
        "/api/v1/cases",
        {"title": "楼道堆物", "grid_code": world.grid, "category_code": category, "source": "hotline"},
    )
    case_id = int(r.json()["id"])
    api.ok("operator", case_id, "register")
    api.ok("dispatcher", case_id, "dispatch")
    return case_id


def test_deadlines_skip_the_2025_national_day_holiday_and_count_its_makeup_saturday(api: Api, clean: World) -> None:
    # Tue 2025-09-30 10:00: 14 h of that working day remain; Oct 1–8 are off; Sat Oct 11 is a 调休 working day
    clean.clock.set(datetime(2025, 9, 30, 10, 0, tzinfo=SHANGHAI))
    case = api.get("dispatcher", f"/api/v1/cases/{_dispatched_case(api, clean)}").json()
    assert datetime.fromisoformat(case["response_due_at"]) == datetime(2025, 10, 9, 10, 0, tzinfo=SHANGHAI)
    # 7 working days: Sep 30 (rest), Oct 9, 10, 11 (Sat, worked), 13, 14, 15 and 10 h of Oct 16
    assert datetime.fromisoformat(case["handle_due_at"]) == datetime(2025, 10, 16, 10, 0, tzinfo=SHANGHAI)


def test_makeup_sunday_before_the_holiday_is_a_working_day(api: Api, clean: World) -> None:
    # Fri 2025-09-26 09:00 + 1 working day: 15 h on Friday, Saturday off, Sun 09-28 worked → Sun 09:00
    clean.clock.set(datetime(2025, 9, 26, 9, 0, tzinfo=SHANGHAI))
    case = api.get("dispatcher", f"/api/v1/cases/{_dispatched_case(api, clean)}").json()
    assert datetime.fromisoformat(case["response_due_at"]) == datetime(2025, 9, 28, 9, 0, tzinfo=SHANGHAI)


def _escalate(database_url: str, now: str, *extra: str) -> dict[str, object]:
    result = CliRunner().invoke(main, ["escalate", "--database-url", database_url, "--now", now, "--json", *extra])
    assert result.exit_code == 0, result.output
    out: dict[str, object] = json.loads(result.output.strip().splitlines()[-1])
    return out


def test_overdue_case_escalates_to_the_right_parent_once_per_period(api: Api, clean: World, database_url: str) -> None:
    clean.clock.set(datetime(2025, 9, 26, 9, 0, tzinfo=SHANGHAI))
    case_id = _dispatched_case(api, clean)  # owner: the street office; response due Sun 2025-09-28 09:00
    url = database_url

    assert _escalate(url, "2025-09-27T12:00:00+08:00")["warned"] == 0  # Saturday: no working time passes
    dry = _escalate(url, "2025-09-28T05:00:00+08:00", "--dry-run")  # 80 % = 19.2 h → Sun 04:12
    assert dry["warned"] == 1 and dry["dry_run"] is True
    assert api.get("dispatcher", f"/api/v1/cases/{case_id}").json()["alarm_level"] == "none"
    assert _escalate(url, "2025-09-28T05:00:00+08:00")["warned"] == 1
    assert _escalate(url, "2025-09-28T05:00:00+08:00")["warned"] == 0  # idempotent
    case = api.get("dispatcher", f"/api/v1/cases/{case_id}").json()
    assert case["alarm_level"] == "yellow"

    first = _escalate(url, "2025-09-28T09:30:00+08:00")
    assert first["escalated"] == 1
    clean.clock.set(datetime(2025, 9, 28, 9, 30, tzinfo=SHANGHAI))  # the API reads "overdue" at its own now
    case = api.get("dispatcher", f"/api/v1/cases/{case_id}").json()
    assert case["alarm_level"] == "red" and case["overdue"] is True
    assert case["escalated_to"]["code"] == clean.district  # street → district
    assert _escalate(url, "2025-09-28T20:00:00+08:00")["escalated"] == 0  # same period: once

    second = _escalate(url, "2025-09-29T09:30:00+08:00")  # one more working day overdue
    assert second["escalated"] == 1
    case = api.get("dispatcher", f"/api/v1/cases/{case_id}").json()
    assert case["escalated_to"]["code"] == "4101" and case["escalation_level"] == 2  # district → city
    assert _escalate(url, "2025-10-20T09:30:00+08:00")["escalated"] == 0  # the city is the top

    events = api.get("dispatcher", f"/api/v1/cases/{case_id}/events").json()
    alarms = [(e["action"], e["payload"].get("to_unit_code")) for e in events if e["tag"] == "case:deadline"]
    assert alarms == [("warn", None), ("escalate", clean.district), ("escalate", "4101")]
    listed = api.get("dispatcher", "/api/v1/cases", overdue="true").json()
    assert [c["id"] for c in listed["items"]] == [case_id]


def test_accepting_stops_the_response_clock_and_starts_the_handling_clock(
    api: Api, clean: World, database_url: str
) -> None:
    clean.clock.set(datetime(2025, 9, 26, 9, 0, tzinfo=SHANGHAI))
    case_id = _dispatched_case(api, clean)
    clean.clock.advance(timedelta(hours=1))
    case = api.ok("street", case_id, "accept")
    assert case["tasks"][0]["response_late"] is False
    # well past the response deadline but inside the 7-working-day handling limit: nothing happens
    assert _escalate(database_url, "2025-09-29T12:00:00+08:00") == {
        "scanned": 0,
        "warned": 0,
        "escalated": 0,
        "dry_run": False,
        "steps": [],
        "urged": 0,  # 督办/催办 (issue 15)
        "supervisions_escalated": 0,
    }


def test_suspension_pauses_the_clock(api: Api, clean: World, database_url: str) -> None:
    clean.clock.set(datetime(2025, 9, 26, 9, 0, tzinfo=SHANGHAI))
    case_id = _dispatched_case(api, clean)
    api.ok("dispatcher", case_id, "suspend", reason="等待产权确认")
    assert _escalate(database_url, "2025-09-30T12:00:00+08:00")["escalated"] == 0
    clean.clock.set(datetime(2025, 9, 29, 9, 0, tzinfo=SHANGHAI))  # resumed after Sun 28 (worked) 00:00–24:00+
    case = api.ok("dispatcher", case_id, "resume")
    # paused Fri 09:00 → Mon 09:00 = 15 + 24 + 9 = 48 working hours; the due date moves by as much
    assert datetime.fromisoformat(case["response_due_at"]) == datetime(2025, 9, 30, 9, 0, tzinfo=SHANGHAI)
