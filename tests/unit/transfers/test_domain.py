"""转办 (issue 17): the targets, who may transfer, and the exchanged documents read field by field (pure)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest

from gridgov.accounts.domain import Role
from gridgov.clock import SHANGHAI
from gridgov.errors import ValidationFailed
from gridgov.transfers.domain import (
    DEFAULT_TARGETS,
    TRANSFER_ROLES,
    CaseDocument,
    OutcomeDocument,
    case_document,
    outcome_document,
    read_case_document,
    read_outcome_document,
    target,
    targets_of,
    transfer_ref,
)

AT = datetime(2025, 9, 26, 9, 0, tzinfo=SHANGHAI)
CASE = CaseDocument(
    sender="zhengzhou",
    transfer_ref=transfer_ref("zhengzhou", "20250926-ABCDEF"),
    target_code="12345-other-city",
    reason="事发地在开封",
    transferred_at=AT,
    tracking_code="20250926-ABCDEF",
    title="景区乱收费",
    description="",
    address="开封市鼓楼区",
    lat=34.79,
    lon=114.35,
    urgency="normal",
    category_code=None,
    reporter_name="",
    reporter_phone="13900002222",
    reported_at=AT,
)


def test_the_default_targets_are_the_linkage_lines_and_the_platforms() -> None:
    assert {"110", "119", "120", "122", "12345-province", "12345-other-city"} == set(targets_of({}))
    assert set(targets_of({"12345-kf": "开封 12345"})) == {"12345-kf"}  # a configured list replaces them
    with pytest.raises(ValidationFailed) as refused:
        target(targets_of({}), "999")
    assert refused.value.details["field"] == "target_code"
    assert target(targets_of({}), "120").name == DEFAULT_TARGETS["120"]


def test_only_the_centre_transfers() -> None:
    assert {Role.OPERATOR, Role.DISPATCHER, Role.ADMIN} == TRANSFER_ROLES


def test_a_case_document_reads_back_what_was_written() -> None:
    assert read_case_document(case_document(CASE)) == CASE
    assert CASE.transfer_ref == "zhengzhou:20250926-ABCDEF"


def test_an_outcome_document_reads_back_what_was_written() -> None:
    doc = OutcomeDocument(CASE.transfer_ref, "kaifeng", "20250926-Q3ZP8D", "closed", "已结案: 已退费", AT)
    assert read_outcome_document(outcome_document(doc)) == doc


def _with(path: str, value: Any) -> dict[str, Any]:
    doc = case_document(CASE)
    *parents, name = path.split(".")
    node = doc
    for p in parents:
        node = node[p]
    node[name] = value
    return doc


@pytest.mark.parametrize(
    ("path", "value", "field"),
    [
        ("format", "gridgov.other", "format"),
        ("version", 2, "version"),
        ("version", "1", "version"),
        ("sender", "", "sender"),
        ("transfer_ref", None, "transfer_ref"),
        ("transferred_at", "2025-09-26T09:00:00", "transferred_at"),  # no zone
        ("case", [], "case"),
        ("case.title", "x" * 201, "case.title"),
        ("case.title", 7, "case.title"),
        ("case.description", "a\x00b", "case.description"),
        ("case.lat", 91, "case.lat"),
        ("case.lon", None, "case.lat"),  # both or neither
        ("case.lat", True, "case.lat"),
        ("case.urgency", "soon", "case.urgency"),
        ("case.reported_at", "昨天", "case.reported_at"),
    ],
)
def test_a_wrong_field_is_named(path: str, value: Any, field: str) -> None:
    with pytest.raises(ValidationFailed) as refused:
        read_case_document(_with(path, value))
    assert refused.value.details["field"] == field
    assert field.split(".")[0] in refused.value.message


def test_a_case_needs_an_address_or_coordinates() -> None:
    doc = _with("case.address", "")
    doc["case"].update(lat=None, lon=None)
    with pytest.raises(ValidationFailed) as refused:
        read_case_document(doc)
    assert refused.value.details["field"] == "case.address"


def test_a_document_that_is_not_an_object_is_refused() -> None:
    with pytest.raises(ValidationFailed):
        read_case_document([1, 2])
    with pytest.raises(ValidationFailed):
        read_outcome_document({"format": "gridgov.transfer-outcome", "version": 1})
