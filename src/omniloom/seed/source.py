"""Which data set a seed loads, and the note a store keeps of it so a reset loads it again.

`omniloom seed` and `POST /v1/admin/reset` both go through here: the committed demo store when
the parameters are its own, files exported earlier when given, else a fresh generation.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import msgspec
from sqlalchemy import Connection, delete

from omniloom.seed.model import SeedData, SeedParams
from omniloom.seed.progress import Progress, ignore_progress
from omniloom.store import tables

ORIGIN_KEY = "seed"  # settings row: {"params": {...}, "source": DIR or null}


def data_set(
    params: SeedParams,
    source: Path | None = None,
    *,
    fresh: bool = False,
    progress: Progress = ignore_progress,
) -> tuple[SeedData, str]:
    """The data set to load and where it came from. ``fresh`` always generates (an export
    copied from the committed files could never reveal that they drifted)."""
    # Imported here so that commands which only read the note do not pay for Faker.
    from omniloom.seed import files
    from omniloom.seed.generate import generate

    if source is not None:
        return files.read_dir(source), f"files in {source}"
    if not fresh:
        manifest = files.read_manifest(files.COMMITTED_DIR)
        if manifest is not None and manifest.params == params:
            return files.read_dir(files.COMMITTED_DIR), "the committed data set"
    data = generate(params.seed, params.products, params.customers, progress=progress)
    return data, f"generated from seed {params.seed}"


def record(conn: Connection, data: SeedData, source: Path | None) -> None:
    """Note in the store what was loaded into it."""
    note = {
        "params": msgspec.to_builtins(data.params),
        "source": str(source.resolve()) if source else None,
    }
    conn.execute(delete(tables.settings).where(tables.settings.c.key == ORIGIN_KEY))
    conn.execute(tables.settings.insert().values(key=ORIGIN_KEY, value=note))


def recorded(note: dict[str, Any] | None) -> tuple[SeedParams, Path | None]:
    """What a store's note says was loaded; the demo store's defaults without a note."""
    if not note:
        return SeedParams(), None
    source = note.get("source")
    return msgspec.convert(note.get("params") or {}, SeedParams), Path(source) if source else None
