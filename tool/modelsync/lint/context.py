"""What the lint rules read: every file parsed once, the schemas, the settings in force."""

from __future__ import annotations

from pathlib import Path

from modelsync.records import record
from modelsync.schema.ir import Schema
from modelsync.schema.load import ParsedFile


@record
class ModelsFile:
    """A side's models: every module read (``files``) and their schema; ``role`` is
    ``source`` or ``target``."""

    role: str
    files: tuple[ParsedFile, ...]
    schema: Schema


@record
class LintInput:
    root: Path
    models: tuple[ModelsFile, ...]
    # Engine and session modules (``engine_files``), read with ``ast`` only.
    engine_files: tuple[ParsedFile, ...]
    migrations: Path
    migrations_shown: str
    vector_dim: int
    # "table.column" -> the dimension that column deliberately has instead.
    vector_dims: tuple[tuple[str, int], ...] = ()

    def dimension_for(self, table: str, column: str) -> int:
        return dict(self.vector_dims).get(f"{table}.{column}", self.vector_dim)
