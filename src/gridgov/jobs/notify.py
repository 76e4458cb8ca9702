"""LISTEN/NOTIFY fan-out: one listening connection per process, many subscribers.

Channels (the triggers are in migration 0012, PostgreSQL only):
- `gridgov_events`: a case event was committed; the payload is its id (the event table stays the truth);
- `gridgov_reference`: grids, grid versions, categories or units changed; the payload is the table's name.

Subscribers are plain callables taking the payload, run on the listener's thread: keep them short (set an
event, clear a cache). After a lost connection is back, every subscriber is called with `None` (notifications
may have been missed in between: treat it as "anything may have changed")."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from gridgov.logging import get_logger

log = get_logger(__name__)

EVENTS = "gridgov_events"
REFERENCE = "gridgov_reference"
CHANNELS = (EVENTS, REFERENCE)

Subscriber = Callable[[str | None], None]


class Listener:
    def __init__(self, conninfo: str, channels: tuple[str, ...] = CHANNELS, connect: Callable[..., Any] | None = None):
        self.conninfo, self.channels = conninfo, channels
        self._connect = connect
        self._subs: dict[str, list[Subscriber]] = {c: [] for c in channels}
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.ready = threading.Event()  # set once LISTEN is in place (tests wait on it)

    def subscribe(self, channel: str, fn: Subscriber) -> Callable[[], None]:
        with self._lock:
            self._subs[channel].append(fn)

        def unsubscribe() -> None:
            with self._lock:
                if fn in self._subs[channel]:
                    self._subs[channel].remove(fn)

        return unsubscribe

    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="pg-listener", daemon=True)
            self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def _dispatch(self, channel: str, payload: str | None) -> None:
        with self._lock:
            subs = list(self._subs.get(channel, ()))
        for fn in subs:
            try:
                fn(payload)
            except Exception:  # one subscriber never stops the others
                log.exception("notify_subscriber_failed", channel=channel)

    def _run(self) -> None:
        import psycopg

        connect = self._connect or psycopg.connect
        first = True
        backoff = 0.5
        while not self._stop.is_set():
            try:
                with connect(self.conninfo, autocommit=True) as conn:
                    for channel in self.channels:
                        conn.execute(f"LISTEN {channel}")
                    backoff = 0.5
                    if not first:  # what happened while we were away is unknown: everything may have changed
                        for channel in self.channels:
                            self._dispatch(channel, None)
                    first = False
                    self.ready.set()
                    while not self._stop.is_set():
                        for n in conn.notifies(timeout=1.0):
                            self._dispatch(n.channel, n.payload)
            except Exception as exc:  # the database went away: back off and listen again
                self.ready.clear()
                if self._stop.is_set():
                    return
                log.warning("notify_listener_lost", error=type(exc).__name__)
                self._stop.wait(backoff)
                backoff = min(backoff * 2, 10.0)
