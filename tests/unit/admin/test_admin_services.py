"""The admin services on the fakes: each change and its event in one transaction, chained per subject and
queued as a leaf of the city's log; a refused change writes neither."""

from __future__ import annotations

import pytest

from gridgov.accounts.models import ApiToken, User
from gridgov.actor import Actor, Role
from gridgov.admin import services
from gridgov.admin.models import AdminEvent, AdminSubject
from gridgov.audit.domain import verify_chain
from gridgov.cases.models import Case
from gridgov.errors import PermissionDenied, ValidationFailed
from gridgov.units.models import ResponsibilityRule, Unit

from fakes import START, FakeAdminUnitOfWork, FakeDatabase

CITY_ADMIN = Actor(user_id=900, unit_id=None, role=Role.ADMIN)
DISTRICT_ADMIN = Actor(user_id=901, unit_id=3, role=Role.ADMIN, unit_grid="410102000000000")


class FastHasher:
    """The password port (gridgov.accounts.ports.PasswordHasher) without Argon2's cost."""

    def hash(self, password: str) -> str:
        return "fake$" + password

    def verify(self, encoded: str, password: str) -> bool:
        return encoded == "fake$" + password

    def verify_dummy(self, password: str) -> None:
        return None


def seeded() -> FakeDatabase:
    db = FakeDatabase()
    uow = FakeAdminUnitOfWork(db)
    with uow:
        for code, kind, grid in (
            ("410102001", "street_office", "410102001000000"),
            ("410103001", "street_office", "410103001000000"),
            ("410102001001", "community", "410102001001000"),
            ("410102001002", "community", "410102001002000"),
        ):
            parent = uow.units.by_code(code[:9]) if kind == "community" else None
            unit = Unit(code=code, name=code, kind=kind, grid_code=grid, active=True, generated=False)
            unit.parent_id = parent.id if parent else None
            uow.rows.insert(unit)
        uow.commit()
    return db


def chain_ok(db: FakeDatabase) -> None:
    for subject in db.all(AdminSubject):
        events = [e.__dict__ for e in db.all(AdminEvent) if e.subject_id == subject.id]
        ref = f"{subject.kind}:{subject.ref}"
        assert verify_chain(subject.id, ref, events, subject.event_count, subject.last_event_hash) is None


def test_a_user_is_made_and_stopped_each_with_its_chained_event_and_leaf() -> None:
    db = seeded()
    services.create_user(
        FakeAdminUnitOfWork(db), CITY_ADMIN, START, "li", "street", "410102001", "long-enough-1", hasher=FastHasher()
    )
    user = next(u for u in db.all(User) if u.username == "li")
    uow = FakeAdminUnitOfWork(db)
    with uow:
        uow.rows.insert(ApiToken(user_id=user.id, name="t", token_hash="h", prefix="ggv_x", created_at=START))
        uow.commit()
    assert services.deactivate_user(FakeAdminUnitOfWork(db), CITY_ADMIN, START, "li") == 1
    assert not db.get(User, user.id).active and db.all(ApiToken)[0].revoked_at == START  # type: ignore[union-attr]
    assert [e.action for e in db.all(AdminEvent)] == ["create_user", "deactivate"]
    assert db.all(AdminEvent)[1].prev_hash == db.all(AdminEvent)[0].hash
    assert len(db.audit_log.entries) == 2  # each event a leaf of the city's log
    chain_ok(db)


def test_a_refused_change_writes_neither_the_change_nor_an_event() -> None:
    db = seeded()
    with pytest.raises(ValidationFailed):  # a street user belongs to a street office, not a community
        services.create_user(
            FakeAdminUnitOfWork(db),
            CITY_ADMIN,
            START,
            "wang",
            "street",
            "410102001001",
            "long-enough-1",
            hasher=FastHasher(),
        )
    assert db.all(User) == [] and db.all(AdminEvent) == [] and db.commits == 1


def test_a_district_admin_stays_in_the_district() -> None:
    db = seeded()
    with pytest.raises(PermissionDenied):
        services.create_user(
            FakeAdminUnitOfWork(db),
            DISTRICT_ADMIN,
            START,
            "zhao",
            "street",
            "410103001",
            "long-enough-1",
            hasher=FastHasher(),
        )
    with pytest.raises(PermissionDenied):
        services.create_user(FakeAdminUnitOfWork(db), DISTRICT_ADMIN, START, "boss", "leader", None, "long-enough-1")
    assert db.all(User) == []


def test_a_merge_moves_users_and_rules_and_retires_the_unit_unless_work_is_open() -> None:
    db = seeded()
    uow = FakeAdminUnitOfWork(db)
    with uow:
        b = uow.units.by_code("410102001002")
        assert b is not None
        uow.rows.insert(
            User(username="c", display_name="c", role="community", unit_id=b.id, active=True, created_at=START)
        )
        uow.rows.insert(
            ResponsibilityRule(category_code="E05", grid_prefix="410102001002", target="unit", unit_id=b.id)
        )
        uow.commit()
    moved = services.merge_unit(FakeAdminUnitOfWork(db), CITY_ADMIN, START, "410102001002", "410102001001")
    assert moved == {"users": 1, "rules": 1, "children": 0}
    into = next(u for u in db.all(Unit) if u.code == "410102001001")
    assert db.all(User)[0].unit_id == into.id and db.all(ResponsibilityRule)[0].unit_id == into.id
    assert not next(u for u in db.all(Unit) if u.code == "410102001002").active
    chain_ok(db)

    uow = FakeAdminUnitOfWork(db)
    with uow:
        uow.rows.insert(Case(tracking_code="T1", title="t", status="accepted", owner_unit_id=into.id))
        uow.commit()
    with pytest.raises(ValidationFailed, match="在办案件 1 个"):  # and its user and rule: it cannot be retired yet
        services.deactivate_unit(FakeAdminUnitOfWork(db), CITY_ADMIN, START, "410102001001")
    street = "410102001"
    with pytest.raises(ValidationFailed, match="不能把单位移到它自己或它的下级之下"):
        services.move_unit(FakeAdminUnitOfWork(db), CITY_ADMIN, START, street, "410102001001")
