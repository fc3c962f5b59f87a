"""What the lint rules read: every file parsed once, the schemas, the settings in force."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from modelsync.schema.ir import Schema
from modelsync.schema.load import ParsedFile


@dataclass(frozen=True, slots=True)
class ModelsFile:
    """A models file with its schema; ``role`` is ``source`` or ``target``."""

    role: str
    parsed: ParsedFile
    schema: Schema


@dataclass(frozen=True, slots=True)
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
