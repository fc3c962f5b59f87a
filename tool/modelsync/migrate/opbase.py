"""What every migration operation is: a kind, a phase in dependency order, a table.

The operations themselves are in ``ops`` (types, tables, columns) and ``keys`` (keys,
constraints, indexes); ``ops`` re-exports both, so callers import ``ops`` only.
"""

from __future__ import annotations

from typing import Any

from modelsync.records import record

# Dependency order, one number per kind of step (see plan.py for why each comes where).
PHASES = {
    "create_extension": 0,
    "add_enum_label": 1,
    "create_enum": 2,
    # Before new tables: create_all may already have made them with the old type.
    "rewrite_enum": 3,
    "drop_foreign_key": 4,
    "drop_index": 5,
    "drop_constraint": 5,
    "drop_primary_key": 6,
    "create_table": 7,
    "add_column": 8,
    "alter_type": 9,
    "alter_nullable": 10,
    "alter_default": 10,
    "alter_autoincrement": 10,
    "alter_comment": 10,
    "alter_generated": 11,  # after SET NOT NULL, which an identity needs first
    "add_primary_key": 11,
    "add_constraint": 12,
    "create_index": 12,
    "add_foreign_key": 13,
    "drop_column": 14,
    "drop_table": 15,
    "drop_enum": 16,
}


@record
class Op:
    """What every operation has: a kind and the table it acts on (None for types)."""

    @property
    def kind(self) -> str:
        raise NotImplementedError

    @property
    def table(self) -> str | None:
        return None

    @property
    def destructive(self) -> bool:
        """Loses data when applied: emitted commented out unless allowed."""
        return False

    def sort_key(self) -> tuple[Any, ...]:
        return (PHASES[self.kind], self.table or "", repr(self.as_tuple()))

    def as_tuple(self) -> tuple[Any, ...]:
        raise NotImplementedError

    def describe(self) -> str:
        raise NotImplementedError

    def reverse(self) -> Op:
        raise NotImplementedError
