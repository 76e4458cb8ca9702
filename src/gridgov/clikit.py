"""What every `<feature>/cli.py` shares: options, error handling and the container for one command.

This module sits low (it imports only click and the kernel: config, errors, logging), so a feature's CLI can
import it without importing `gridgov.cli`, and `gridgov.cli` can import every feature's CLI: no cycle.

The container is the one thing a command needs that lives above the features (`gridgov.bootstrap`). It is not
imported here; the entry point hands it down instead. `gridgov.cli.main` puts a `Wiring` into click's context
object (`context_settings={"obj": ...}`), every sub-command's context inherits it, and `opened()` /
`container()` call `Wiring.build` from the current context. Tests and other entry points may pass their own
`Wiring` as `obj=`.
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

import click

from gridgov.config import Settings
from gridgov.errors import GridgovError
from gridgov.logging import configure_logging

F = TypeVar("F", bound=Callable[..., Any])


@dataclass(frozen=True, slots=True)
class Wiring:
    """What only the entry point knows, handed to the feature commands through click's context."""

    build: Callable[[Settings], Any]  # settings -> the composition root (gridgov.bootstrap.Container)
    serve: Callable[[Settings, bool], None]  # run the HTTP app until stopped; the flag runs the scheduler
    load_classifier: Callable[[str | None], Any]  # a model file (None: the shipped model) -> Classifier


def wiring() -> Wiring:
    found = click.get_current_context().find_object(Wiring)
    if found is None:
        raise RuntimeError("gridgov command run without gridgov.cli.main's Wiring in its context")
    return found


def settings_for(database_url: str | None, **extra: Any) -> Settings:
    """Settings from the environment, with the options given on the command line on top."""
    overrides = {k: v for k, v in extra.items() if v is not None}
    if database_url:
        overrides["database_url"] = database_url
    return Settings(**overrides)


def db_option(f: F) -> F:
    return click.option(
        "--database-url",
        envvar="GRIDGOV_DATABASE_URL",
        default=None,
        help="数据库 URL (默认 GRIDGOV_DATABASE_URL 或 sqlite:///var/gridgov.db)",
    )(f)


def friendly(f: F) -> F:
    """Domain errors end the command with exit code 2 and a Chinese message on stderr."""

    @functools.wraps(f)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return f(*args, **kwargs)
        except GridgovError as exc:
            click.echo(f"错误 [{exc.code}]: {exc.message}", err=True)
            sys.exit(2)

    return wrapper  # type: ignore[return-value]


def container(settings: Settings) -> Any:
    """The composition root for these settings, with logging configured; the caller closes it."""
    configure_logging(settings)
    return wiring().build(settings)


@contextmanager
def opened(database_url: str | None) -> Iterator[Any]:
    """The composition root for one command, closed afterwards."""
    c = container(settings_for(database_url))
    try:
        yield c
    finally:
        c.close()


def parse_now(value: str | None) -> datetime | None:
    if value is None:
        return None
    try:
        at = datetime.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"无法解析时间: {value} (例如 2025-10-09T09:00:00+08:00)") from None
    if at.tzinfo is None:
        raise click.BadParameter("时间须带时区, 例如 2025-10-09T09:00:00+08:00")
    return at
