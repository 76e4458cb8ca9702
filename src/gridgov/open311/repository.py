"""The SQL adapter of Open311's repository (its rows, in the unit of work's session)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from gridgov.cases.models import Case, CaseEvent
from gridgov.open311.models import Open311Delivery, Open311Request, Open311Update


class SqlOpen311Repository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def case_by_tracking_code(self, code: str) -> Case | None:
        return self.session.scalars(select(Case).where(Case.tracking_code == code)).first()

    def case_of_external_id(self, user_id: int | None, external_id: str) -> int | None:
        return self.session.scalar(
            select(Open311Request.case_id).where(
                Open311Request.user_id == user_id, Open311Request.external_id == external_id
            )
        )

    def add_request(self, row: Open311Request) -> None:
        self.session.add(row)
        self.session.flush()

    def email_of(self, case_id: int) -> str | None:
        return self.session.scalar(select(Open311Request.email).where(Open311Request.case_id == case_id))

    def update_of_client(self, user_id: int | None, client_update_id: str) -> Open311Update | None:
        return self.session.scalars(
            select(Open311Update).where(
                Open311Update.user_id == user_id, Open311Update.client_update_id == client_update_id
            )
        ).first()

    def add_update(self, row: Open311Update) -> None:
        self.session.add(row)
        self.session.flush()

    def event_id(self, case_id: int, seq: int) -> int | None:
        self.session.flush()
        return self.session.scalar(select(CaseEvent.id).where(CaseEvent.case_id == case_id, CaseEvent.seq == seq))

    def last_event_id(self, case_id: int, action: str) -> int | None:
        return self.session.scalar(
            select(CaseEvent.id)
            .where(CaseEvent.case_id == case_id, CaseEvent.action == action)
            .order_by(CaseEvent.seq.desc())
            .limit(1)
        )

    def add_deliveries(self, rows: Sequence[Open311Delivery]) -> None:
        self.session.add_all(rows)
        self.session.flush()
