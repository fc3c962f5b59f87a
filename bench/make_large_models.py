"""Generate a large, realistic SQLModel models file for benchmarking modelsync.

The output imports cleanly with real SQLModel: enums, a timestamp mixin, tables with
foreign keys to earlier tables, JSONB/Vector/Text sa_columns, server defaults, Decimal
precision and `__table_args__` indexes. Deterministic for a given seed.

    python bench/make_large_models.py --tables 800 > models.py
"""

from __future__ import annotations

import argparse
import random
import sys

HEADER = '''"""Generated benchmark models ({tables} tables)."""

from datetime import datetime, timezone
from decimal import Decimal
from enum import Enum
from typing import Optional

from pgvector.sqlalchemy import Vector
from sqlalchemy import Column, DateTime, Index, Text, UniqueConstraint, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field, SQLModel

EMBEDDING_DIM = 768


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


class TimestampMixin(SQLModel):
    created_at: datetime = Field(
        default_factory=utcnow, sa_column_kwargs={{"server_default": text("now()")}}
    )
    updated_at: Optional[datetime] = None
'''

_VOCABULARY = """
account audit batch budget campaign channel contract course device event feedback grade invoice
job lesson match metric offer order panel payment plan policy post prompt quota rating region
report review round score session skill slot stage survey task team ticket topic track vendor
venue wallet
"""
_STATES = "draft active paused archived pending approved rejected queued running failed"
WORDS = _VOCABULARY.split()
LABELS = _STATES.split()


def _enum(i: int, rng: random.Random) -> str:
    labels = rng.sample(LABELS, rng.randint(3, 6))
    body = "\n".join(f'    {label.upper()} = "{label}"' for label in labels)
    return f"\n\nclass Kind{i:02d}(str, Enum):\n{body}\n"


def _column(name: str, rng: random.Random, n_enums: int) -> list[str]:
    """Return the source lines of one column declaration (4-space indented)."""
    r = rng.random()
    if r < 0.20:
        return [f"    {name}: str = Field(max_length={rng.choice((50, 100, 255))})"]
    if r < 0.33:
        return [f"    {name}: Optional[str] = Field(default=None, max_length=100, index=True)"]
    if r < 0.45:
        return [f"    {name}: int = 0"]
    if r < 0.53:
        return [f"    {name}: Optional[int] = None"]
    if r < 0.59:
        return [
            f"    {name}: bool = Field(",
            '        default=False, sa_column_kwargs={"server_default": text("false")}',
            "    )",
        ]
    if r < 0.66:
        return [f"    {name}: Optional[datetime] = None"]
    if r < 0.72:
        return [
            f"    {name}: Decimal = Field(",
            "        default=Decimal(0), max_digits=12, decimal_places=2",
            "    )",
        ]
    if r < 0.80:
        kind = rng.randrange(n_enums)
        return [f"    {name}: Kind{kind:02d} = Field(index={rng.random() < 0.5})"]
    if r < 0.88:
        return [
            f"    {name}: dict = Field(",
            "        default_factory=dict,",
            "        sa_column=Column(",
            "            JSONB, nullable=False, server_default=text(\"'{}'::jsonb\")",
            "        ),",
            "    )",
        ]
    if r < 0.94:
        return [f"    {name}: Optional[str] = Field(default=None, sa_column=Column(Text))"]
    return [f"    {name}: float = Field(default=0.0, ge=0)"]


def _table(i: int, rng: random.Random, n_enums: int, tables: list[str]) -> str:
    table = f"{rng.choice(WORDS)}_{i:04d}_items"
    mixin = "TimestampMixin" if rng.random() < 0.7 else "SQLModel"
    lines = [
        "",
        "",
        f"class Item{i:04d}({mixin}, table=True):",
        f'    """Rows of {table}."""',
        "",
        f'    __tablename__ = "{table}"',
    ]
    names = rng.sample(WORDS, rng.randint(11, 18))
    has_vector = rng.random() < 0.15
    if rng.random() < 0.35:
        a, b = names[0], names[1]
        lines += [
            "    __table_args__ = (",
            f'        UniqueConstraint("{a}", "{b}", name="uq_{table}_{a}_{b}"),',
            f'        Index("ix_{table}_{b}_{a}", "{b}", "{a}"),',
        ]
        if has_vector:
            lines += [
                "        Index(",
                f'            "ix_{table}_embedding_hnsw",',
                '            "embedding",',
                '            postgresql_using="hnsw",',
                '            postgresql_ops={"embedding": "vector_cosine_ops"},',
                "        ),",
            ]
        lines.append("    )")
    lines += ["", "    id: Optional[int] = Field(default=None, primary_key=True)"]
    for k in range(rng.randint(0, 2) if i else 0):
        parent = rng.randrange(i)
        ondelete = rng.choice(("CASCADE", "SET NULL", None))
        extra = f', ondelete="{ondelete}"' if ondelete else ""
        typ = "Optional[int]" if ondelete != "CASCADE" else "int"
        default = "default=None, " if typ.startswith("Optional") else ""
        lines += [
            f"    parent{k}_id: {typ} = Field(",
            f'        {default}foreign_key="{tables[parent]}.id"{extra}, index=True',
            "    )",
        ]
    for name in names:
        lines += _column(name, rng, n_enums)
    if has_vector:
        lines += [
            "    embedding: Optional[list[float]] = Field(",
            "        default=None, sa_column=Column(Vector(EMBEDDING_DIM))",
            "    )",
        ]
    if rng.random() < 0.3:
        lines += [
            "    happened_at: datetime = Field(",
            "        default_factory=utcnow,",
            "        sa_column=Column(",
            '            DateTime(timezone=True), nullable=False, server_default=text("now()")',
            "        ),",
            "    )",
        ]
    tables.append(table)
    return "\n".join(lines) + "\n"


def make_models(tables: int = 800, seed: int = 20240501, enums: int = 24) -> str:
    rng = random.Random(seed)
    names: list[str] = []
    parts = [HEADER.format(tables=tables)]
    parts += [_enum(i, rng) for i in range(enums)]
    parts += [_table(i, rng, enums, names) for i in range(tables)]
    return "".join(parts)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tables", type=int, default=800)
    parser.add_argument("--seed", type=int, default=20240501)
    args = parser.parse_args()
    sys.stdout.write(make_models(args.tables, args.seed))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
