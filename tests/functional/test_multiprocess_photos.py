"""Photos behind the storage port (gridgov.media.storage): with GRIDGOV_PHOTO_STORAGE=directory a photo taken
in by one web machine is served by another that shares the directory, the row keeps no bytes, and the same
photo twice is one file; the default keeps the bytes in the row."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import text

from gridgov.accounts.domain import Actor, Role
from gridgov.bootstrap import bootstrap
from gridgov.cases.services import CaseDraft, report_case
from gridgov.media.services import add_photo, photo

from conftest import World, png_bytes


def test_a_photo_stored_by_one_machine_is_served_by_another(clean: World, tmp_path: Path) -> None:
    shared = tmp_path / "photos"  # the shared storage both machines mount
    settings = clean.container.settings.model_copy(update={"photo_storage": "directory", "photo_dir": str(shared)})
    first, second = bootstrap(settings), bootstrap(settings)
    try:
        operator = Actor(user_id=clean.users["operator"], role=Role.OPERATOR, unit_id=None)
        case = report_case(first.uow(), CaseDraft(title="井盖缺失", grid_code=clean.grid), operator, clean.clock.now())
        meta = add_photo(first.sessions, case.id, png_bytes(), operator, clean.clock.now(), first.photo_storage)
        again = add_photo(first.sessions, case.id, png_bytes(), operator, clean.clock.now(), first.photo_storage)
        photo_id = meta["id"]
        assert isinstance(photo_id, int)
        case_id, kind, data = photo(second.sessions, photo_id, second.photo_storage)
        assert (case_id, kind) == (case.id, "image/png") and len(data) == meta["bytes"]
        assert len([p for p in shared.rglob("*") if p.is_file()]) == 1  # the same photo twice: one file
        with first.sessions() as s:
            sizes = s.execute(text("SELECT length(data) FROM case_photos ORDER BY id")).scalars().all()
        assert list(sizes) == [0, 0] and again["id"] != meta["id"]
        # the default store: bytes in the row, read whatever the other machine's setting
        kept = add_photo(clean.container.sessions, case.id, png_bytes("blue"), operator, clean.clock.now())
        kept_id = kept["id"]
        assert isinstance(kept_id, int)
        assert photo(second.sessions, kept_id, second.photo_storage)[2][:8] == b"\x89PNG\r\n\x1a\n"
    finally:
        first.close()
        second.close()
