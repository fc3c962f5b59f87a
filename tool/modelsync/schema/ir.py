"""The schema IR: what a models file means for the database.

Records are frozen and hold tuples, so a schema is deeply immutable and hashable. Source
positions are excluded from equality: moving a class within a file is not drift.
"""

from __future__ import annotations

# Warnings are part of the findings model that every stage shares.
from modelsync.findings.model import Diagnostic
from modelsync.records import field, record, replace

UNKNOWN_TYPE = "unknown"


@record
class ColumnIdentity:
    """``Identity(...)`` in ``sa_column``: ``GENERATED ALWAYS|BY DEFAULT AS IDENTITY``.

    ``options`` are the sequence options SQLAlchemy's ``Identity`` takes (``start``,
    ``increment``, ``minvalue``, ``maxvalue``, ``cycle``, ``cache``...), sorted by name, so
    that ``sa.Identity(always=..., **dict(options))`` rebuilds it.
    """

    always: bool = False
    options: tuple[tuple[str, int | bool], ...] = ()


@record
class ColumnComputed:
    """``Computed(sqltext, persisted=...)``: a generated column. PostgreSQL 18 makes it
    VIRTUAL unless ``persisted`` is True (STORED)."""

    sqltext: str
    persisted: bool | None = None


@record
class Column:
    name: str
    type: str
    nullable: bool
    primary_key: bool = False
    unique: bool = False
    index: bool = False
    foreign_key: str | None = None
    ondelete: str | None = None
    server_default: str | None = None
    # Python-side default in canonical source form (None: no default, or a default of None).
    default: str | None = None
    # Name of the PostgreSQL enum type when the column is an enum.
    enum: str | None = None
    # The table's autoincrement column: PostgreSQL makes it SERIAL (a sequence default).
    autoincrement: bool = False
    # COMMENT ON COLUMN text, from ``comment=`` (also via ``sa_column_kwargs``).
    comment: str | None = None
    identity: ColumnIdentity | None = None
    computed: ColumnComputed | None = None
    attribute: str = field(default="", compare=False)
    line: int = field(default=0, compare=False)
    # The module the column is written in ("": the schema's own path). A package's mixin
    # gives its columns from another file than the table's.
    path: str = field(default="", compare=False)


@record
class IndexElement:
    """One key of an index, as SQLAlchemy's DDL compiler takes it: a column name or the
    SQL text of an expression (exactly one is set), its sort and nulls order as written
    (``"ASC"``/``"DESC"``, ``"FIRST"``/``"LAST"``, or None), and its operator class."""

    column: str | None = None
    expression: str | None = None
    order: str | None = None
    nulls: str | None = None
    opclass: str | None = None

    @property
    def text(self) -> str:
        """The element for people to read (``lower(email) DESC NULLS LAST``)."""
        parts = [self.column if self.column is not None else str(self.expression)]
        if self.opclass:
            parts.append(self.opclass)
        if self.order:
            parts.append(self.order)
        if self.nulls:
            parts.append(f"NULLS {self.nulls}")
        return " ".join(parts)


@record
class Index:
    name: str
    # The plain column keys of the index, in order (expression keys are left out): what
    # callers that only care about columns read. ``elements`` has every key.
    columns: tuple[str, ...]
    unique: bool = False
    using: str | None = None
    # (column, operator class) pairs, e.g. (("embedding", "vector_cosine_ops"),)
    ops: tuple[tuple[str, str], ...] = ()
    # A partial index's predicate, as SQL text.
    where: str | None = None
    # Storage parameters, e.g. (("ef_construction", "64"), ("m", "16")).
    with_: tuple[tuple[str, str], ...] = ()
    # Every key in order, with sort order, nulls order and operator class. Left empty by a
    # caller, it is derived from ``columns`` and ``ops`` (plain column keys).
    elements: tuple[IndexElement, ...] = ()
    # Made by ``index=True`` on a column (SQLAlchemy's ``_column_flag``), not named in
    # ``__table_args__``.
    from_column: bool = field(default=False, compare=False)
    line: int = field(default=0, compare=False)
    path: str = field(default="", compare=False)

    def __post_init__(self) -> None:
        if not self.elements and self.columns:
            ops = dict(self.ops)
            derived = tuple(IndexElement(column=c, opclass=ops.get(c)) for c in self.columns)
            object.__setattr__(self, "elements", derived)

    def renamed(self, names: dict[str, str]) -> Index:
        """The index with its column keys renamed (attribute keys -> column names)."""
        elements = tuple(
            replace(e, column=names.get(e.column, e.column)) if e.column is not None else e
            for e in self.elements
        )
        return replace(
            self, columns=tuple(names.get(c, c) for c in self.columns), elements=elements
        )


@record
class UniqueConstraint:
    name: str | None
    columns: tuple[str, ...]
    nulls_not_distinct: bool = False
    line: int = field(default=0, compare=False)
    path: str = field(default="", compare=False)


@record
class CheckConstraint:
    name: str | None
    sqltext: str
    line: int = field(default=0, compare=False)
    path: str = field(default="", compare=False)


@record
class ForeignKeyConstraint:
    """A ``ForeignKeyConstraint`` of ``__table_args__`` that a column's own key cannot say:
    one over several columns (a composite key), or one with a name. Each of its columns
    also has its part as ``foreign_key`` (so per-column reports stay as they are)."""

    columns: tuple[str, ...]
    # "table.column" for each column, in order.
    targets: tuple[str, ...]
    ondelete: str | None = None
    name: str | None = None
    line: int = field(default=0, compare=False)
    path: str = field(default="", compare=False)


@record
class Table:
    name: str
    class_name: str = field(compare=False)
    columns: tuple[Column, ...]
    primary_key: tuple[str, ...]
    indexes: tuple[Index, ...] = ()
    unique_constraints: tuple[UniqueConstraint, ...] = ()
    check_constraints: tuple[CheckConstraint, ...] = ()
    line: int = field(default=0, compare=False)
    path: str = field(default="", compare=False)
    foreign_keys: tuple[ForeignKeyConstraint, ...] = ()

    def column(self, name: str) -> Column | None:
        return next((c for c in self.columns if c.name == name), None)


@record
class EnumType:
    name: str
    labels: tuple[str, ...]
    class_name: str = field(default="", compare=False)
    line: int = field(default=0, compare=False)
    path: str = field(default="", compare=False)


@record
class Schema:
    # The models as configured: one file, a package folder, or several (``a.py, b.py``).
    path: str
    tables: tuple[Table, ...]
    enums: tuple[EnumType, ...] = ()
    warnings: tuple[Diagnostic, ...] = ()
    # Tables of another side's modules that this side imports instead of defining
    # (``from models import User`` in a worker): (table, class, module path).
    shared: tuple[tuple[str, str, str], ...] = field(default=(), compare=False)

    def table(self, name: str) -> Table | None:
        return next((t for t in self.tables if t.name == name), None)

    def enum(self, name: str) -> EnumType | None:
        return next((e for e in self.enums if e.name == name), None)

    def where(self, item) -> str:
        """The file an item (table, column, index, constraint, enum) is written in."""
        return getattr(item, "path", "") or self.path
