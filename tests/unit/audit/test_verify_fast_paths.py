"""The verifier reads the run of event columns between the seq and the time (gridgov.cases.audit._MIDDLE) as one
JSON array made by SQLite (`json_array`) and hashes the canonical text of what it decodes to: for the values those
columns hold (text, integers, NULL) that must be exactly the canonical text of the stored values themselves, and a
REAL rewritten into one must decode to a float, whose text no honest body has in that place. (PostgreSQL's
`json_build_array` is held to the same by tests/integration/cases/test_audit_fast_paths.py.)"""

from __future__ import annotations

import json
import sqlite3
from typing import Any

import pytest

from gridgov.audit.domain import encode_canonical
from gridgov.cases.audit import _MIDDLE

TEXTS = ["case_reported", "已受理", 'q"uote', "b\\s", "\n\t\r\b\f", "\x00\x01\x1f\x7f", "😀", "\u2028\u2029", "", " "]
INTS = [0, 1, -1, 7, 2**31, 2**62, -(2**63)]


def _array(conn: sqlite3.Connection, values: list[Any]) -> str:
    marks = ", ".join("?" for _ in values)
    return str(conn.execute(f"SELECT json_array({marks})", values).fetchone()[0])


def test_the_middle_columns_read_as_one_array() -> None:
    assert len(_MIDDLE) == 8


@pytest.mark.parametrize("shift", range(len(TEXTS)))
def test_stored_texts_integers_and_nulls_decode_to_the_same_canonical_text(shift: int) -> None:
    conn = sqlite3.connect(":memory:")
    pool: list[Any] = [*TEXTS, *INTS, None]
    values = [pool[(shift + 3 * i) % len(pool)] for i in range(len(_MIDDLE))]
    decoded = json.loads(_array(conn, values))
    assert decoded == values
    assert [type(v) for v in decoded] == [type(v) for v in values]
    assert encode_canonical(decoded) == encode_canonical(values)


@pytest.mark.parametrize("real", [0.5, 1.5, 0.30000000000000004, 1e20, -2.25, 1e-300])
def test_a_real_rewritten_into_a_column_decodes_to_a_float(real: float) -> None:
    conn = sqlite3.connect(":memory:")
    decoded = json.loads(_array(conn, ["a", real, None]))
    assert type(decoded[1]) is float
    text = encode_canonical(decoded[1])
    assert not text.startswith('"') and not text.lstrip("-").isdigit()  # neither a text's nor an integer's encoding
