"""What ``inspect`` reads from a live database: frozen records, PostgreSQL's own spelling.

Nothing here is normalised: types are ``format_type``'s text, expressions are
``pg_get_expr``'s, indexes ``pg_get_indexdef``'s. ``to_ir`` decides what they mean.
"""

from __future__ import annotations

from modelsync.records import record

# pg_constraint.confdeltype / confupdtype letters, as DDL spells them.
ACTIONS = {"a": "NO ACTION", "r": "RESTRICT", "c": "CASCADE", "n": "SET NULL", "d": "SET DEFAULT"}


@record
class LiveSequence:
    """The sequence behind an identity column or a SERIAL (``OWNED BY`` the column)."""

    name: str
    type: str
    start: int
    increment: int
    minvalue: int
    maxvalue: int
    cache: int
    cycle: bool


@record
class LiveColumn:
    name: str
    # format_type(atttypid, atttypmod): ``character varying(50)``, ``vector(768)``...
    type: str
    not_null: bool
    # pg_get_expr of the default, or of the generation expression of a generated column.
    default: str | None = None
    # attidentity: "" none, "a" ALWAYS, "d" BY DEFAULT.
    identity: str = ""
    # attgenerated: "" none, "s" STORED, "v" VIRTUAL.
    generated: str = ""
    # The collation, when it is not the type's own.
    collation: str | None = None
    comment: str | None = None
    # The (element) type's typtype ("e" for an enum) and name.
    type_kind: str = "b"
    type_name: str = ""
    is_array: bool = False
    # The identity's sequence, or the sequence a SERIAL default draws from.
    sequence: LiveSequence | None = None
    # Whether that sequence is owned by the column (SERIAL makes it so).
    sequence_owned: bool = False


@record
class LiveForeignKey:
    name: str
    columns: tuple[str, ...]
    ref_schema: str
    ref_table: str
    ref_columns: tuple[str, ...]
    on_delete: str
    on_update: str


@record
class LiveIndex:
    name: str
    # pg_get_indexdef: ``CREATE INDEX name ON schema.table USING method (keys) ...``.
    definition: str


@record
class LiveUnique:
    name: str
    columns: tuple[str, ...]
    nulls_not_distinct: bool = False


@record
class LiveCheck:
    name: str
    # pg_get_expr of conbin: the expression without ``CHECK (...)``.
    expression: str
    validated: bool = True


@record
class LiveTable:
    name: str
    columns: tuple[LiveColumn, ...]
    primary_key: tuple[str, ...] = ()
    primary_key_name: str | None = None
    foreign_keys: tuple[LiveForeignKey, ...] = ()
    indexes: tuple[LiveIndex, ...] = ()
    uniques: tuple[LiveUnique, ...] = ()
    checks: tuple[LiveCheck, ...] = ()

    def column(self, name: str) -> LiveColumn | None:
        return next((c for c in self.columns if c.name == name), None)


@record
class LiveEnum:
    name: str
    labels: tuple[str, ...]


@record
class LiveCatalog:
    """One schema of one database. ``ignored`` are its tables left out by name pattern or
    because an extension owns them; ``extensions`` are (name, version) pairs."""

    schema: str
    tables: tuple[LiveTable, ...] = ()
    enums: tuple[LiveEnum, ...] = ()
    extensions: tuple[tuple[str, str], ...] = ()
    ignored: tuple[str, ...] = ()
    server_version: str = ""
    # (access method, operator class, its input type) of every default operator class:
    # pg_get_indexdef leaves these out, a model may name them.
    opclass_defaults: tuple[tuple[str, str, str], ...] = ()

    def table(self, name: str) -> LiveTable | None:
        return next((t for t in self.tables if t.name == name), None)

    def has_extension(self, name: str) -> bool:
        return any(extension == name for extension, _ in self.extensions)
