"""Where photo bytes live (a port with two adapters, chosen by GRIDGOV_PHOTO_STORAGE).

- `DatabasePhotoStorage` (the default): the bytes in `case_photos.data`, so one database backup holds all.
- `DirectoryPhotoStorage`: files named by their SHA-256 under a directory (GRIDGOV_PHOTO_DIR), for several web
  machines on shared storage (NFS, a mounted bucket). The row keeps the type, size, digest and an empty
  `data`; a file is written once (to a temporary name, then renamed) and never changed, so two machines
  writing the same photo write the same file.

A row with bytes is read from the row whatever the setting, so a directory can be adopted without moving
old photos."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Protocol

from gridgov.errors import NotFound


class PhotoStorage(Protocol):
    def put(self, sha256: str, data: bytes) -> bytes:
        """Store the cleaned bytes; what the row's `data` column keeps (the bytes, or b"" when stored outside)."""
        ...

    def get(self, sha256: str, row_data: bytes) -> bytes: ...


class DatabasePhotoStorage:
    def put(self, sha256: str, data: bytes) -> bytes:
        return data

    def get(self, sha256: str, row_data: bytes) -> bytes:
        return row_data


class DirectoryPhotoStorage:
    def __init__(self, root: str | Path) -> None:
        self.root = Path(root)

    def _path(self, sha256: str) -> Path:
        if len(sha256) != 64 or any(c not in "0123456789abcdef" for c in sha256):
            raise ValueError("not a SHA-256 hex digest")
        return self.root / sha256[:2] / sha256

    def put(self, sha256: str, data: bytes) -> bytes:
        path = self._path(sha256)
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
            try:
                with os.fdopen(fd, "wb") as f:
                    f.write(data)
                    f.flush()
                    os.fsync(f.fileno())
                os.replace(tmp, path)
            except BaseException:
                Path(tmp).unlink(missing_ok=True)
                raise
        return b""

    def get(self, sha256: str, row_data: bytes) -> bytes:
        if row_data:
            return row_data
        try:
            return self._path(sha256).read_bytes()
        except FileNotFoundError:
            raise NotFound("照片文件缺失") from None


DATABASE = DatabasePhotoStorage()
