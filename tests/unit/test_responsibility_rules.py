"""The responsibility matrix's choice of rule (gridgov.units.domain)."""

from __future__ import annotations

import pytest

from gridgov.units.domain import RuleTarget, RuleView, category_prefixes, most_specific


def rule(rule_id: int, category: str, grid_prefix: str) -> RuleView:
    return RuleView(id=rule_id, category_code=category, grid_prefix=grid_prefix, target=RuleTarget.UNIT, unit_id=1)


@pytest.mark.parametrize(
    ("code", "prefixes"),
    [
        ("E0501", ["", "E05", "E0501"]),
        ("C010203", ["", "C01", "C0102", "C010203"]),
        ("E05", ["", "E05"]),
        ("E", ["", "E"]),
        ("E050", ["", "E05", "E050"]),
        ("", [""]),
        (None, [""]),
    ],
)
def test_category_prefixes_grow_by_two_digits_after_the_root(code: str | None, prefixes: list[str]) -> None:
    assert category_prefixes(code) == prefixes


def test_no_rules_choose_nothing() -> None:
    assert most_specific([]) is None


def test_deepest_grid_subtree_wins_over_a_deeper_category() -> None:
    city_wide_exact = rule(1, "E0501", "")
    street_any_category = rule(2, "", "410102001")
    assert most_specific([city_wide_exact, street_any_category]) == street_any_category


def test_deeper_category_wins_within_the_same_grid_subtree() -> None:
    broad = rule(5, "E05", "410102")
    narrow = rule(3, "E0501", "410102")
    default = rule(9, "", "410102")
    assert most_specific([broad, narrow, default]) == narrow


def test_newest_rule_wins_a_tie() -> None:
    older, newer = rule(3, "E0501", "410102"), rule(8, "E0501", "410102")
    assert most_specific([newer, older]) == newer
    assert most_specific([older, newer]) == newer


def test_choice_does_not_depend_on_rule_order() -> None:
    rules = [rule(1, "", ""), rule(2, "E05", ""), rule(3, "", "410102"), rule(4, "E05", "410102001")]
    assert most_specific(rules) == most_specific(list(reversed(rules))) == rules[3]
