"""Checkpoint stores outside the database: a directory of files (the default) and an in-memory one (tests).

A directory store only ever creates files (`O_EXCL`: an existing name is never overwritten), one JSON file per
checkpoint named by size and time, so a copy of the directory on another machine, a write-once bucket or a
mailing list is as good a witness as the directory itself."""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from pathlib import Path

from gridgov.audit.log import Checkpoint


class DirectoryCheckpointStore:
    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.name = f"checkpoint directory {self.path}"
        self._problems: list[str] = []

    def append(self, checkpoint: Checkpoint) -> None:
        self.path.mkdir(parents=True, exist_ok=True)
        stamp = checkpoint.time.replace(":", "").replace("-", "")
        base = f"checkpoint-{checkpoint.size:012d}-{stamp}"
        data = (json.dumps(checkpoint.to_json(), ensure_ascii=False, indent=1) + "\n").encode()
        for n in range(100):
            target = self.path / (f"{base}.json" if n == 0 else f"{base}-{n}.json")
            try:
                fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
            except FileExistsError:
                continue
            with os.fdopen(fd, "wb") as f:
                f.write(data)
                f.flush()
                os.fsync(f.fileno())
            return
        raise FileExistsError(f"too many checkpoints named {base}")

    def all(self) -> list[Checkpoint]:
        self._problems = []
        found = []
        if self.path.is_dir():
            for file in sorted(self.path.glob("checkpoint-*.json")):
                try:
                    found.append(Checkpoint.from_json(json.loads(file.read_text(encoding="utf-8"))))
                except (ValueError, OSError) as exc:
                    self._problems.append(f"{file.name}: {exc}")
        return sorted(found, key=lambda c: (c.size, c.time))

    def problems(self) -> list[str]:
        return list(self._problems)


class MemoryCheckpointStore:
    """The fake: a list."""

    name = "memory"

    def __init__(self, checkpoints: Sequence[Checkpoint] = ()) -> None:
        self.checkpoints = list(checkpoints)

    def append(self, checkpoint: Checkpoint) -> None:
        self.checkpoints.append(checkpoint)

    def all(self) -> list[Checkpoint]:
        return sorted(self.checkpoints, key=lambda c: (c.size, c.time))

    def problems(self) -> list[str]:
        return []
