"""The transaction every unit of work offers (kernel). Each feature's `ports.py` adds the repositories its
services use (`CasesUnitOfWork`, …); `gridgov.uow.AbstractUnitOfWork` is all of them at once."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from types import TracebackType
from typing import Protocol, Self


class Transaction(Protocol):
    """`with uow: ...; uow.commit()`: anything not committed is rolled back on exit."""

    def __enter__(self) -> Self: ...

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None: ...

    def commit(self) -> None: ...

    def rollback(self) -> None: ...

    def after_commit(self, hook: Callable[[], None]) -> None: ...

    def savepoint(self) -> AbstractContextManager[object]:
        """A nested transaction: what fails inside it is undone, the rest of the transaction stays."""
        ...


class BoundUnitOfWork:
    """A feature's unit of work over the shared one (gridgov.uow's, from the container): the same transaction, the
    same write lock and after-commit hooks, with the feature's own repositories bound on enter (`_bind`)."""

    def __init__(self, base: Transaction) -> None:
        self._base = base

    def _bind(self) -> None:
        raise NotImplementedError

    def __enter__(self) -> Self:
        self._base.__enter__()
        self._bind()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._base.__exit__(exc_type, exc, tb)

    def commit(self) -> None:
        self._base.commit()

    def rollback(self) -> None:
        self._base.rollback()

    def after_commit(self, hook: Callable[[], None]) -> None:
        self._base.after_commit(hook)

    def savepoint(self) -> AbstractContextManager[object]:
        return self._base.savepoint()
