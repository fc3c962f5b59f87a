"""Generate a large models package for benchmarking modelsync on multi-module projects.

The package is what a grown FastAPI backend looks like: ``app/core/config.py`` with the
constants, ``app/models/enums/`` (enums re-exported by ``*`` with ``__all__``),
``app/models/mixins/`` (chains of three mixins, each inheriting the one of the module before,
with fields typed by enums and sized by constants of other modules) and
``app/models/tables/`` (the tables, importing all of that relatively, absolutely and under
aliases, with foreign keys to tables of earlier modules, vectors, JSONB and
``__table_args__`` indexes). ``app/models/__init__.py`` re-exports every table by name.
It imports cleanly with real SQLModel and is deterministic.

    python bench/make_large_package.py --modules 300 --tables 2000 OUT_DIR

writes ``OUT_DIR/app/...``; every module name is imported from ``OUT_DIR``.
"""

from __future__ import annotations

import argparse
from pathlib import Path

CONFIG = '''"""Settings the models read when they are imported."""

EMBEDDING_DIM = 768
BASE_LEN = 40
NAME_LEN = BASE_LEN * 3
CODE_LEN = 32
NOTE_LEN = 2000
'''

# Mixins come in chains of this many levels, each level in its own module.
LEVELS = 3
STATES = "draft active paused archived pending approved rejected queued running failed".split()


def _enum_module(index: int, per_module: int) -> tuple[str, dict[str, list[str]]]:
    """A module of enums with ``__all__``; returns its text and each enum's labels."""
    names = [f"Kind{index * per_module + k:03d}" for k in range(per_module)]
    body = ["import enum", "", f"__all__ = {names!r}", ""]
    labels = {}
    for k, name in enumerate(names):
        labels[name] = STATES[(index + k) % 4 : (index + k) % 4 + 3 + k % 3]
        body += ["", f"class {name}(str, enum.Enum):"]
        body += [f'    {label.upper()} = "{label}"' for label in labels[name]]
        body.append("")
    return "\n".join(body), labels


def _mixin_module(index: int, enums: dict[str, list[str]]) -> str:
    kind = list(enums)[index % len(enums)]
    lines = [
        "from datetime import datetime",
        "from typing import Optional",
        "",
        "from sqlalchemy import text",
        "from sqlmodel import Field, SQLModel",
        "",
        "from app.core.config import CODE_LEN, NAME_LEN",
        f"from app.models.enums import {kind}",
    ]
    base = "SQLModel"
    if index % LEVELS:
        lines.append(f"from .m{index - 1:02d} import Mixin{index - 1:02d} as Parent")
        base = "Parent"
    lines += [
        "",
        "",
        f"class Mixin{index:02d}({base}):",
        f'    """Level {index % LEVELS + 1} of a chain of mixins, one module each."""',
        "",
        f"    stamp_{index:02d}: Optional[datetime] = Field(",
        '        default=None, sa_column_kwargs={"server_default": text("now()")}',
        "    )",
        f"    kind_{index:02d}: {kind} = {kind}.{enums[kind][0].upper()}",
        f"    code_{index:02d}: str = Field(default='', max_length=CODE_LEN)",
        f"    name_{index:02d}: Optional[str] = Field(default=None, max_length=NAME_LEN)",
        "",
    ]
    return "\n".join(lines)


def _table_module(
    index: int, first_table: int, count: int, enums: dict[str, list[str]], mixins: int
) -> tuple[str, list[str]]:
    mixin = f"Mixin{index % mixins:02d}"
    names = list(enums)
    enum_a = names[index % len(names)]
    enum_b = names[(index * 7 + 3) % len(names)]
    enum_module_b = f"e{((index * 7 + 3) % len(names)) // 3:02d}"
    lines = [
        f'"""Tables {first_table} to {first_table + count - 1}."""',
        "",
        "from typing import Any, Optional",
        "",
        "from pgvector.sqlalchemy import Vector",
        "from sqlalchemy import Column, Index",
        "from sqlalchemy.dialects.postgresql import JSONB",
        "from sqlmodel import Field, SQLModel",
        "",
        "from app.core.config import EMBEDDING_DIM, NOTE_LEN",
        "from app.core.config import NAME_LEN as LABEL_LEN",
        f"from app.models.enums import {enum_a}",
        "",
        f"from ..enums.{enum_module_b} import {enum_b} as Phase",
        f"from ..mixins import {mixin}",
    ]
    classes = []
    for k in range(count):
        number = first_table + k
        name = f"Table{number:04d}"
        table = f"table_{number:04d}"
        classes.append(name)
        base = mixin if k % 2 == 0 else "SQLModel"
        lines += ["", "", f"class {name}({base}, table=True):", f'    __tablename__ = "{table}"']
        if k % 3 == 0:
            lines.append(
                f'    __table_args__ = (Index("ix_{table}_label_state", "label", "state"),)'
            )
        lines += [
            "",
            "    id: Optional[int] = Field(default=None, primary_key=True)",
            "    label: str = Field(max_length=LABEL_LEN, index=True)",
            f"    state: {enum_a} = Field(default={enum_a}.{enums[enum_a][0].upper()})",
            "    phase: Optional[Phase] = None",
            "    note: Optional[str] = Field(default=None, max_length=NOTE_LEN)",
        ]
        if number:
            parent = f"table_{(number * 37) % number:04d}"
            lines.append(
                f'    parent_id: Optional[int] = Field(default=None, foreign_key="{parent}.id")'
            )
        if k % 4 == 1:
            lines.append(
                "    embedding: Optional[list[float]] = Field("
                "default=None, sa_column=Column(Vector(EMBEDDING_DIM)))"
            )
        if k % 4 == 2:
            lines.append(
                "    payload: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSONB))"
            )
    lines.append("")
    return "\n".join(lines), classes


def write_package(out: Path, modules: int, tables: int) -> list[Path]:
    """Write the package under ``out``; return every file written."""
    enum_modules = max(1, modules // 20)
    mixin_modules = max(1, modules // 20)
    fixed = 7  # app, app.core, app.core.config, app.models, .enums, .mixins, .tables
    table_modules = modules - fixed - enum_modules - mixin_modules
    if table_modules < 1 or tables < table_modules:
        raise SystemExit(f"{modules} modules cannot hold {tables} tables")
    files: dict[str, str] = {
        "app/__init__.py": "",
        "app/core/__init__.py": "",
        "app/core/config.py": CONFIG,
        "app/models/tables/__init__.py": "",
    }
    enums: dict[str, list[str]] = {}
    star_lines = []
    for i in range(enum_modules):
        text, labels = _enum_module(i, 3)
        files[f"app/models/enums/e{i:02d}.py"] = text
        enums.update(labels)
        star_lines.append(f"from .e{i:02d} import *  # noqa: F403")
    files["app/models/enums/__init__.py"] = "\n".join(star_lines) + "\n"
    mixin_lines = []
    for i in range(mixin_modules):
        files[f"app/models/mixins/m{i:02d}.py"] = _mixin_module(i, enums)
        mixin_lines.append(f"from .m{i:02d} import Mixin{i:02d}")
    files["app/models/mixins/__init__.py"] = "\n".join(mixin_lines) + "\n"
    init_lines = []
    first = 0
    for i in range(table_modules):
        count = tables // table_modules + (1 if i < tables % table_modules else 0)
        text, classes = _table_module(i, first, count, enums, mixin_modules)
        files[f"app/models/tables/t{i:03d}.py"] = text
        init_lines.append(f"from .tables.t{i:03d} import {', '.join(classes)}")
        first += count
    files["app/models/__init__.py"] = "\n".join(init_lines) + "\n"
    written = []
    for relative, text in files.items():
        path = out / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--modules", type=int, default=300)
    parser.add_argument("--tables", type=int, default=2000)
    parser.add_argument("out", type=Path)
    args = parser.parse_args()
    files = write_package(args.out, args.modules, args.tables)
    print(f"{len(files)} modules written under {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
