"""The fakes behave like what they stand for: a transaction that is thrown away unless committed, ids from a
sequence, hooks after commit, the version moved by a commit, and ports that satisfy their protocols."""

from __future__ import annotations

import importlib

import pytest

from gridgov.cases.models import Case, CaseEvent, CaseTask
from gridgov.classify.ports import Classifier
from gridgov.errors import DuplicateKey
from gridgov.geo.ports import AreaLookup

from factories import make_case, make_event, make_task
from fakes import (
    FakeCampaignRepository,
    FakeCaseRepository,
    FakeCategoryRepository,
    FakeClassifier,
    FakeDatabase,
    FakeGridRepository,
    FakeLocator,
    FakeUnitOfWork,
    FakeUnitRepository,
    FakeUserRepository,
    TinyWorld,
)


def test_what_is_not_committed_is_thrown_away(tiny: TinyWorld) -> None:
    uow = tiny.uow()
    with uow:
        case = make_case()
        uow.cases.add(case, make_event())
        assert case.id is not None and uow.cases.get(case.id) is case
    assert tiny.db.all(Case) == [] and uow.committed == 0
    with uow:
        uow.cases.add(make_case(), make_event())
        uow.rollback()
        assert uow.cases.many([1, 2]) == [] and uow.rolled_back == 1


def test_ids_come_from_a_sequence_for_cases_tasks_and_events() -> None:
    uow = FakeUnitOfWork()
    with uow:
        first, second = make_case(), make_case()
        uow.cases.add(first, make_event())
        uow.cases.add(second, make_event())
        task = make_task(case_id=first.id, unit_id=1)
        uow.cases.add_task(task)
        uow.commit()
    assert (first.id, second.id, task.id) == (1, 2, 1)
    assert [e.case_id for e in uow.db.all(CaseEvent)] == [
        1,
        2,
    ]
    assert uow.db.get(CaseTask, 1) is not None and uow.db.get(CaseTask, 1) is not task  # stored as a copy


def test_hooks_run_after_the_commit_in_order() -> None:
    uow, seen = FakeUnitOfWork(), []
    with uow:
        uow.after_commit(lambda: seen.append(("first", uow.db.commits)))
        uow.after_commit(lambda: seen.append(("second", uow.db.commits)))
        assert seen == []
        uow.commit()
    assert seen == [("first", 1), ("second", 1)]


def test_a_commit_that_changes_a_case_moves_its_version_once() -> None:
    db = FakeDatabase()
    with db.uow() as uow:
        uow.cases.add(make_case(), make_event())
        uow.commit()
        uow.commit()  # nothing changed: the version stays
    assert db.get(Case, 1).version == 1  # type: ignore[union-attr]
    with db.uow() as uow:
        case = uow.cases.get(1)
        assert case is not None
        case.title = "改"
        uow.commit()
        case.title = "再改"
        uow.commit()
    assert db.get(Case, 1).version == 3  # type: ignore[union-attr]


def test_a_unique_key_collides_like_in_the_database() -> None:
    with FakeUnitOfWork() as uow:
        uow.cases.add(make_case(idempotency_key="k"), make_event())
        uow.cases.add(make_case(idempotency_key=None), make_event())
        uow.cases.add(make_case(idempotency_key=None), make_event())  # NULLs never collide
        with pytest.raises(DuplicateKey):
            uow.cases.add(make_case(idempotency_key="k"), make_event())


def test_save_and_restore_undo_everything_since(tiny: TinyWorld) -> None:
    state = tiny.db.save()
    with tiny.uow() as uow:
        uow.cases.add(make_case(), make_event())
        uow.commit()
    tiny.db.restore(state)
    assert tiny.db.all(Case) == []
    with tiny.uow() as uow:
        case = make_case()
        uow.cases.add(case, make_event())
    assert case.id == 1  # the sequence went back too


def test_the_ports_satisfy_their_protocols(tiny: TinyWorld) -> None:
    assert isinstance(FakeClassifier(), Classifier)
    locator: AreaLookup = FakeLocator()
    assert locator.locate(34.755, 113.625).code == "410102001001001"
    assert tiny.locator().parse_address("中原区林山寨街道建设路社区").code == "410102001001000"


def test_a_failed_savepoint_undoes_only_what_it_did() -> None:
    db = FakeDatabase()
    with db.uow() as uow:
        kept = make_case(title="留下")
        uow.cases.add(kept, make_event())
        with pytest.raises(DuplicateKey), uow.savepoint():
            kept.title = "改了"
            uow.cases.add(make_case(title="撤销"), make_event())
            uow.cases.add(make_case(idempotency_key="k"), make_event())
            uow.cases.add(make_case(idempotency_key="k"), make_event())
        assert kept.title == "留下"
        with uow.savepoint():
            uow.cases.add(make_case(title="也留下"), make_event())
        uow.commit()
    assert [c.title for c in db.all(Case)] == ["留下", "也留下"]


@pytest.mark.parametrize(
    ("port", "fake"),
    [
        ("gridgov.cases.ports:CaseRepository", FakeCaseRepository),
        ("gridgov.units.ports:UnitRepository", FakeUnitRepository),
        ("gridgov.categories.ports:CategoryRepository", FakeCategoryRepository),
        ("gridgov.grids.ports:GridRepository", FakeGridRepository),
        ("gridgov.accounts.ports:UserRepository", FakeUserRepository),
        ("gridgov.campaigns.ports:CampaignRepository", FakeCampaignRepository),
        ("gridgov.transaction:Transaction", FakeUnitOfWork),
    ],
)
def test_each_fake_has_every_method_of_its_port(port: str, fake: type) -> None:
    module, name = port.split(":")
    try:
        protocol = getattr(importlib.import_module(module), name)
    except (ImportError, AttributeError):
        pytest.skip(f"{port} is not there (yet)")
    wanted = {m for m in vars(protocol) if not m.startswith("_") and callable(getattr(protocol, m))}
    wanted |= {m for m in ("__enter__", "__exit__") if m in vars(protocol)}
    assert wanted <= set(dir(fake)), wanted - set(dir(fake))
