"""audit: the city's one append-only log (audit_log), its signed tree head (audit_head), the erasable salts of
the personal-data digests (audit_salts)

Events written before this revision enter the log in id order with no state digest, under an unsigned head;
`gridgov audit checkpoint --adopt` signs that head once `gridgov audit verify` has passed (docs/audit.md).

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01 21:00:00
"""

from __future__ import annotations

import json

import sqlalchemy as sa
from alembic import op

from gridgov.audit.log import entry_hash
from gridgov.audit.merkle import EMPTY_ROOT, Frontier

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    log = op.create_table(
        "audit_log",
        sa.Column("idx", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("stream", sa.String(length=20), nullable=False),
        sa.Column("subject_id", sa.BigInteger(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("event_hash", sa.String(length=64), nullable=False),
        sa.Column("state", sa.String(length=100), nullable=False),
        sa.Column("leaf_hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("idx", name=op.f("pk_audit_log")),
        sa.UniqueConstraint("stream", "subject_id", "seq", name=op.f("uq_audit_log_stream")),
    )
    head = op.create_table(
        "audit_head",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("origin", sa.String(length=100), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("root", sa.String(length=64), nullable=False),
        sa.Column("time", sa.String(length=40), nullable=False),
        sa.Column("key_id", sa.String(length=32), nullable=False),
        sa.Column("signature", sa.String(length=200), nullable=False),
        sa.Column("frontier", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_head")),
    )
    op.create_table(
        "audit_salts",
        sa.Column("stream", sa.String(length=20), nullable=False),
        sa.Column("subject_id", sa.BigInteger(), nullable=False),
        sa.Column("salt", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("stream", "subject_id", name=op.f("pk_audit_salts")),
    )
    # the history so far, in the order it was written
    conn = op.get_bind()
    frontier = Frontier()
    batch: list[dict[str, object]] = []
    rows = conn.execute(sa.text("SELECT case_id, seq, hash FROM case_events ORDER BY id"))
    for case_id, seq, event_hash in rows:
        leaf = entry_hash("case", case_id, seq, event_hash, "")
        batch.append(
            {
                "idx": frontier.size,
                "stream": "case",
                "subject_id": case_id,
                "seq": seq,
                "event_hash": event_hash,
                "state": "",
                "leaf_hash": leaf.hex(),
            }
        )
        frontier.append(leaf)
        if len(batch) >= 5000:
            op.bulk_insert(log, batch)
            batch = []
    if batch:
        op.bulk_insert(log, batch)
    root = frontier.root() if frontier.size else EMPTY_ROOT
    op.bulk_insert(
        head,
        [
            {
                "id": 1,
                "origin": "",
                "size": frontier.size,
                "root": root.hex(),
                "time": "",
                "key_id": "",
                "signature": "",
                "frontier": json.dumps(frontier.to_hex()),
            }
        ],
    )


def downgrade() -> None:
    op.drop_table("audit_salts")
    op.drop_table("audit_head")
    op.drop_table("audit_log")
