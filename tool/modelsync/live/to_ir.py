"""A live catalog -> the Schema IR, in the models' spelling wherever the two mean the same.

The models' Schema guides the reading: a column whose ``format_type`` is what the model's
type compiles to takes the model's spelling (``VARCHAR(50)``, not ``character varying(50)``),
a default PostgreSQL stored as ``'draft'::character varying`` takes the model's ``'draft'``,
a ``nextval(...)`` of the column's own sequence is SERIAL (``autoincrement``), an identity
keeps the options the model names plus those not at PostgreSQL's defaults. So
``drift.compare(models, live)`` reports only real differences, in the kinds ``check``
already has, and ``migrate.plan(live, models)`` plans only real changes.

Where the two cannot be compared exactly (a model type that could not be resolved, an
expression whose equality depends on the server's type resolution) the model's value is
taken and a ``Note`` says so: a note, never a guess.

``keep_names`` chooses the database's own names for indexes and constraints that differ
from the models' only by name (for ``migration``: its statements must name what exists);
without it the models' names are taken and each such pair is a ``NameOnly`` (for ``check``).
"""

from __future__ import annotations

from modelsync.live.catalog import LiveCatalog, LiveColumn, LiveSequence, LiveTable
from modelsync.live.expressions import EQUAL, UNSURE, same_expression
from modelsync.live.names import in_model_names
from modelsync.live.objects import Matcher, NameOnly
from modelsync.live.types import catalog_spelling, ir_spelling, same_type
from modelsync.migrate.names import foreign_key_name
from modelsync.records import record, replace
from modelsync.schema.ir import (
    UNKNOWN_TYPE,
    Column,
    ColumnComputed,
    ColumnIdentity,
    EnumType,
    ForeignKeyConstraint,
    Schema,
    Table,
)
from modelsync.schema.parse import NAMING_CONVENTION_NOT_APPLIED
from modelsync.schema.pgtypes import enum_sql_type

DATABASE_PATH = "database"
_INTEGER_TYPES = ("smallint", "integer", "bigint")
_TYPE_LIMITS = {"smallint": 32767, "integer": 2147483647, "bigint": 9223372036854775807}


@record
class Note:
    """An exact comparison that was impossible: the model's value was taken."""

    table: str | None
    column: str | None
    message: str
    line: int = 0
    value: str | None = None
    # The models' file it is about (a package has several).
    path: str = ""


@record
class LiveSchema:
    schema: Schema
    notes: tuple[Note, ...] = ()
    renamed: tuple[NameOnly, ...] = ()
    # (table, column) -> the database's name of the column's foreign key, and each
    # table's primary key name: what a migration's DROP CONSTRAINT must name.
    foreign_key_names: tuple[tuple[str, str, str], ...] = ()
    primary_key_names: tuple[tuple[str, str], ...] = ()


def live_schema(catalog: LiveCatalog, models: Schema, *, keep_names: bool) -> LiveSchema:
    # Under a naming_convention the models' reading does not apply, the models' names of
    # constraints and indexes are unknown: one that differs from the database's only by
    # name is a note, and a migration leaves the database's name alone.
    names_unknown = any(w.message == NAMING_CONVENTION_NOT_APPLIED for w in models.warnings)
    keep_names = keep_names and not names_unknown
    catalog = in_model_names(catalog, models)
    defaults = frozenset(catalog.opclass_defaults)
    notes: list[Note] = []
    renamed: list[NameOnly] = []
    tables = []
    by_name = {t.name: t for t in models.tables}
    for live in catalog.tables:
        model = by_name.get(live.name)
        table, table_notes, table_renamed = _table(
            live, model, catalog.schema, defaults, keep_names
        )
        tables.append(table)
        notes += table_notes
        renamed += table_renamed
    enums = tuple(EnumType(e.name, e.labels, *_enum_place(models, e.name)) for e in catalog.enums)
    fk_names = tuple(
        (t.name, column, fk.name)
        for t in catalog.tables
        for fk in t.foreign_keys
        for column in fk.columns
    )
    pk_names = tuple((t.name, t.primary_key_name) for t in catalog.tables if t.primary_key_name)
    schema = Schema(DATABASE_PATH, tuple(tables), enums)
    if names_unknown:
        notes += [_unknown_name(r) for r in renamed]
        renamed = []
    return LiveSchema(schema, tuple(notes), tuple(renamed), fk_names, pk_names)


def _unknown_name(renamed: NameOnly) -> Note:
    return Note(
        renamed.table,
        None,
        f"{renamed.table}: {renamed.what} {renamed.expected} is named {renamed.database_name} "
        "in the database; the models' naming_convention is not applied, so its name is "
        "not compared",
        renamed.line,
        renamed.database_name,
        renamed.path,
    )


def _enum_place(models: Schema, name: str) -> tuple[str, int]:
    enum = models.enum(name)
    return (enum.class_name, enum.line) if enum else ("", 0)


def _table(live: LiveTable, model: Table | None, schema: str, defaults, keep_names: bool):
    notes: list[Note] = []
    matched = Matcher(live, model, defaults, keep_names).match()
    own_indexes = {i.columns[0]: i for i in matched.indexes if i.from_column}
    unique = {*matched.unique_columns, *(c for c, i in own_indexes.items() if i.unique)}
    reader = _ColumnReader(live, model, schema, notes)
    columns = [reader.column(c, c.name in own_indexes, c.name in unique) for c in live.columns]
    for line, message, value in matched.notes:
        notes.append(Note(live.name, None, message, line, value, model.path if model else ""))
    columns = _autoincrement(live, columns)
    table = Table(
        name=live.name,
        class_name=model.class_name if model else "",
        columns=tuple(columns),
        primary_key=_primary_key(live, model),
        indexes=matched.indexes,
        unique_constraints=matched.uniques,
        check_constraints=matched.checks,
        line=model.line if model else 0,
        foreign_keys=_composite_keys(live, model, schema, keep_names),
    )
    return table, notes, matched.renamed


def _composite_keys(
    live: LiveTable, model: Table | None, schema: str, keep_names: bool
) -> tuple[ForeignKeyConstraint, ...]:
    """The keys over several columns, as the models' ``Table.foreign_keys`` holds them: no
    name where PostgreSQL chose it; the database's own otherwise, or (for ``check``) the
    model's where the two differ only by name. A one-column key is its column's."""
    mine = {(k.columns, k.targets, k.ondelete): k for k in model.foreign_keys} if model else {}
    found = []
    for fk in live.foreign_keys:
        if len(fk.columns) < 2:
            continue
        prefix = "" if fk.ref_schema == schema else f"{fk.ref_schema}."
        targets = tuple(f"{prefix}{fk.ref_table}.{ref}" for ref in fk.ref_columns)
        action = None if fk.on_delete == "NO ACTION" else fk.on_delete
        name = None if fk.name == foreign_key_name(live.name, fk.columns) else fk.name
        same = mine.get((tuple(fk.columns), targets, action))
        if same is not None and not keep_names:
            name = same.name
        found.append(ForeignKeyConstraint(tuple(fk.columns), targets, action, name))
    return tuple(found)


class _ColumnReader:
    def __init__(self, live: LiveTable, model: Table | None, schema: str, notes: list[Note]):
        self.live, self.model, self.notes = live, model, notes
        self.model_columns = {c.name: c for c in model.columns} if model else {}
        self.column_types = {c.name: c.type for c in live.columns}
        self.foreign = _foreign_keys(live, schema, notes, model)

    def column(self, live: LiveColumn, index: bool, unique: bool) -> Column:
        mine = self.model_columns.get(live.name)
        type_, enum = self._type(live, mine)
        foreign_key, ondelete = self.foreign.get(live.name, (None, None))
        if mine is not None and foreign_key == mine.foreign_key:
            ondelete = _same_action(mine.ondelete, ondelete)
        return Column(
            name=live.name,
            type=type_,
            nullable=not live.not_null,
            primary_key=live.name in self.live.primary_key,
            unique=unique,
            index=index,
            foreign_key=foreign_key,
            ondelete=ondelete,
            default=mine.default if mine else None,
            enum=enum,
            comment=live.comment,
            attribute=mine.attribute if mine else live.name,
            line=mine.line if mine else 0,
            path=mine.path if mine else "",
            **self._server_side(live, mine),
        )

    def _type(self, live: LiveColumn, mine: Column | None) -> tuple[str, str | None]:
        shown = live.type + (f" COLLATE {live.collation}" if live.collation else "")
        if live.type_kind == "e" and (mine is None or mine.type != UNKNOWN_TYPE):
            if mine is not None and mine.enum == live.type_name:
                return mine.type, mine.enum
            sql = enum_sql_type(EnumType(live.type_name, ())).sql
            return sql + ("[]" if live.is_array else ""), live.type_name
        if mine is None or mine.enum is not None:
            return ir_spelling(live.type, live.collation), None
        if mine.type != UNKNOWN_TYPE and same_type(catalog_spelling(mine.type), shown):
            return mine.type, None
        # A type the models' reading could not resolve (an enum's values_callable) is
        # not compared, whatever the database has, an enum type included.
        if mine.type == UNKNOWN_TYPE or catalog_spelling(mine.type) is None:
            self._note(
                mine,
                f"type {mine.type} cannot be compared exactly with the "
                f"database's {shown}; not compared",
                shown,
            )
            return mine.type, None
        return ir_spelling(live.type, live.collation), None

    def _server_side(self, live: LiveColumn, mine: Column | None) -> dict:
        """What the server puts in the column: one of a generated value, an identity,
        SERIAL's sequence or a default."""
        if live.generated:
            return {"computed": self._computed(live, mine)}
        if live.identity:
            return {"identity": _identity(live, mine)}
        if _is_serial(live):
            return {"autoincrement": True}
        if _serial_unowned(live, mine):
            # Hand-written DDL often leaves out ALTER SEQUENCE ... OWNED BY: the column
            # still numbers its rows as SERIAL does; only a DROP TABLE differs.
            self._note(
                mine,
                f"its default draws from sequence {live.sequence.name}, which the column "
                "does not own (SERIAL's does): the ownership is not compared",
                live.default,
            )
            return {"autoincrement": True}
        return {"server_default": self._default(live, mine)}

    def _default(self, live: LiveColumn, mine: Column | None) -> str | None:
        stored = live.default
        wanted = mine.server_default if mine else None
        if stored is None or wanted is None or wanted == UNKNOWN_TYPE:
            if stored is not None and wanted == UNKNOWN_TYPE:
                self._note(
                    mine, "its server default cannot be resolved statically; not compared", stored
                )
                return wanted
            return stored
        return self._compared(
            mine,
            wanted,
            stored,
            "server default",
            live.type,
            live.type_kind == "e" and not live.is_array,
        )

    def _computed(self, live: LiveColumn, mine: Column | None) -> ColumnComputed:
        stored = live.default or ""
        persisted = True if live.generated == "s" else None
        if mine is None or mine.computed is None:
            return ColumnComputed(stored, persisted)
        if live.generated == "v" and mine.computed.persisted is False:
            persisted = False
        sqltext = self._compared(mine, mine.computed.sqltext, stored, "generation expression")
        return ColumnComputed(sqltext, persisted)

    def _compared(
        self, mine: Column, wanted: str, stored: str, what: str, type_=None, enum=False
    ) -> str:
        verdict = same_expression(
            wanted, stored, column_types=self.column_types, column_type=type_, enum=enum
        )
        if verdict == UNSURE:
            self._note(
                mine,
                f"its {what} {wanted} cannot be compared exactly with the "
                f"database's {stored}; not compared",
                stored,
            )
        return wanted if verdict in (EQUAL, UNSURE) else stored

    def _note(self, mine: Column, message: str, value: str | None) -> None:
        text = f"{self.live.name}.{mine.name}: {message}"
        self.notes.append(Note(self.live.name, mine.name, text, mine.line, value, mine.path))


def _foreign_keys(live: LiveTable, schema: str, notes: list[Note], model: Table | None):
    """column -> (``table.column`` it points at, ON DELETE or None for NO ACTION)."""
    found: dict[str, tuple[str, str | None]] = {}
    line, path = (model.line, model.path) if model else (0, "")
    for fk in live.foreign_keys:
        # Keys into the inspected schema are written without it, as the models write them.
        prefix = "" if fk.ref_schema == schema else f"{fk.ref_schema}."
        for column, ref in zip(fk.columns, fk.ref_columns, strict=True):
            if column in found:
                notes.append(
                    Note(
                        live.name,
                        column,
                        f"{live.name}.{column} has more than one "
                        f"foreign key; only the first is compared",
                        line,
                        fk.name,
                        path,
                    )
                )
                continue
            action = None if fk.on_delete == "NO ACTION" else fk.on_delete
            found[column] = (f"{prefix}{fk.ref_table}.{ref}", action)
        if fk.on_update != "NO ACTION":
            notes.append(
                Note(
                    live.name,
                    fk.columns[0],
                    f"foreign key {fk.name} has ON UPDATE "
                    f"{fk.on_update}, which modelsync does not compare",
                    line,
                    fk.on_update,
                    path,
                )
            )
    return found


def _same_action(mine: str | None, theirs: str | None) -> str | None:
    """The model's spelling of an equal ON DELETE (``cascade``, an explicit NO ACTION)."""
    norm = (mine or "NO ACTION").upper()
    return mine if norm == (theirs or "NO ACTION") else theirs


def ddl_key_order(table: Table) -> tuple[str, ...]:
    """The key's columns as create_all writes PRIMARY KEY (...): SQLAlchemy puts the
    autoincrement column first (``columns_autoinc_first``)."""
    first = [c.name for c in table.columns if c.autoincrement and c.name in table.primary_key]
    return (*first, *(name for name in table.primary_key if name not in first))


def _primary_key(live: LiveTable, model: Table | None) -> tuple[str, ...]:
    """The model's key tuple when the database's key is what create_all made of it."""
    if model is not None and live.primary_key == ddl_key_order(model):
        return model.primary_key
    return live.primary_key


def _is_serial(live: LiveColumn) -> bool:
    return bool(
        live.default
        and live.default.startswith("nextval(")
        and live.sequence is not None
        and live.sequence_owned
    )


def _serial_unowned(live: LiveColumn, mine: Column | None) -> bool:
    """A default of exactly ``nextval('seq'::regclass)``, of a sequence the column does not
    own, where the model has SERIAL."""
    if live.sequence is None or mine is None or not mine.autoincrement:
        return False
    if mine.server_default is not None or mine.identity is not None or mine.computed:
        return False
    return live.default == f"nextval({_regclass(live.sequence.name)}::regclass)"


def _regclass(name: str) -> str:
    """A sequence's name as ``regclass`` prints it in a default, quoted as a literal."""
    from modelsync.live.types import quote_ident

    return "'" + quote_ident(name).replace("'", "''") + "'"


def _identity(live: LiveColumn, mine: Column | None) -> ColumnIdentity:
    sequence = live.sequence
    named = dict(mine.identity.options) if mine and mine.identity else {}
    options: dict[str, int | bool] = {}
    if sequence is not None:
        found = _sequence_options(sequence)
        defaults = _sequence_defaults(sequence)
        for key, value in found.items():
            if key in named or value != defaults[key]:
                options[key] = value
        for key in ("nominvalue", "nomaxvalue"):
            plain = key[2:]
            if key in named and found[plain] == defaults[plain]:
                options[key] = named[key]
                if plain not in named:
                    options.pop(plain, None)
        if "order" in named:
            options["order"] = named["order"]
    return ColumnIdentity(live.identity == "a", tuple(sorted(options.items())))


def _sequence_options(sequence: LiveSequence) -> dict[str, int | bool]:
    return {
        "start": sequence.start,
        "increment": sequence.increment,
        "minvalue": sequence.minvalue,
        "maxvalue": sequence.maxvalue,
        "cache": sequence.cache,
        "cycle": sequence.cycle,
    }


def _sequence_defaults(sequence: LiveSequence) -> dict[str, int | bool]:
    limit = _TYPE_LIMITS.get(sequence.type, _TYPE_LIMITS["bigint"])
    ascending = sequence.increment > 0
    return {
        # START defaults to the bound the sequence starts from (PostgreSQL's rule), so
        # MINVALUE 5 alone starts at 5.
        "start": sequence.minvalue if ascending else sequence.maxvalue,
        "increment": 1,
        "minvalue": 1 if ascending else -limit - 1,
        "maxvalue": limit if ascending else -1,
        "cache": 1,
        "cycle": False,
    }


def _autoincrement(live: LiveTable, columns: list[Column]) -> list[Column]:
    """SQLAlchemy's autoincrement column, as the models' IR marks it: the one integer key
    column without a foreign key or a server default, whether it is SERIAL or an identity."""
    if len(live.primary_key) != 1:
        return columns
    key = live.primary_key[0]
    result = []
    for column in columns:
        eligible = (
            column.name == key
            and column.identity is not None
            and column.foreign_key is None
            and live.column(key).type in _INTEGER_TYPES
        )
        result.append(replace(column, autoincrement=True) if eligible else column)
    return result
