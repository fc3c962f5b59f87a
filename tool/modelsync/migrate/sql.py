"""The migration between two schemas, as other stages ask for it.

``migration_sql(old, new)`` is the whole path: plan the operations, render them. ``verify``
uses it to build a database from the schema state's baseline
(``migration_sql(empty, baseline, allow_destructive=True)``); ``modelsync migration`` uses
``migration`` to also learn which destructive statements were left commented out.
"""

from __future__ import annotations

from modelsync.migrate.ops import Op
from modelsync.records import record
from modelsync.schema.ir import Schema


@record
class Migration:
    operations: tuple[Op, ...]
    sql: str
    # Destructive operations left commented out (no --allow-destructive).
    disabled: tuple[Op, ...] = ()

    @property
    def empty(self) -> bool:
        return not self.operations


def migration(
    old: Schema,
    new: Schema,
    *,
    plain: bool = False,
    allow_destructive: bool = False,
    old_label: str = "",
    new_label: str = "",
    search_path: tuple[str, ...] = (),
) -> Migration:
    # SQLAlchemy comes in with the renderer, only when a migration is actually made.
    from modelsync.migrate.plan import plan
    from modelsync.migrate.sqlfile import render

    operations = plan(old, new)
    if not operations:
        return Migration((), "")
    rendered = render(
        operations,
        old,
        new,
        plain=plain,
        allow_destructive=allow_destructive,
        old_label=old_label,
        new_label=new_label,
        search_path=search_path,
    )
    return Migration(operations, rendered.sql, rendered.disabled)


def migration_sql(
    old: Schema,
    new: Schema,
    *,
    plain: bool = False,
    allow_destructive: bool = False,
    old_label: str = "",
    new_label: str = "",
) -> str:
    """The SQL that takes a database from ``old`` to ``new`` ("" when they agree)."""
    return migration(
        old,
        new,
        plain=plain,
        allow_destructive=allow_destructive,
        old_label=old_label,
        new_label=new_label,
    ).sql
