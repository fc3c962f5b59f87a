"""What a database holds, read from PostgreSQL's own catalog, and how two of them differ.

``snapshot`` reads schema ``public`` of one database: tables, columns (``format_type``,
NOT NULL, default expression, identity), primary keys, foreign keys with their actions,
indexes (``pg_get_indexdef``), unique and check constraints (``pg_get_constraintdef``) and
enum types with their labels in order. Everything is a frozen, sorted tuple, so two
snapshots of equal schemas are equal and print the same.

``catalog_differences`` compares an expected catalog (``create_all`` of the models) with an
actual one (what the migrations built). Objects are matched by what they are, not by what
they are called: a foreign key by its columns, an index by its definition without its name,
a unique or check constraint by its definition; a different name is then a difference of
its own (later migrations drop and alter by name).
"""

from __future__ import annotations

import contextlib
import re

from modelsync.records import record

# pg_constraint.confdeltype / confupdtype letters, as DDL spells them.
_ACTIONS = {"a": "NO ACTION", "r": "RESTRICT", "c": "CASCADE", "n": "SET NULL", "d": "SET DEFAULT"}
# pg_attribute.attidentity: '' (none), 'a' (ALWAYS), 'd' (BY DEFAULT).
_IDENTITY = {"": None, "a": "ALWAYS", "d": "BY DEFAULT"}


@record
class CatalogColumn:
    name: str
    type: str
    not_null: bool
    default: str | None
    identity: str | None = None
    # COMMENT ON COLUMN (create_all writes the models' ``comment=``).
    comment: str | None = None


@record
class CatalogForeignKey:
    name: str
    columns: tuple[str, ...]
    ref_table: str
    ref_columns: tuple[str, ...]
    on_delete: str
    on_update: str

    @property
    def target(self) -> str:
        text = f"{self.ref_table}({', '.join(self.ref_columns)})"
        for verb, action in (("DELETE", self.on_delete), ("UPDATE", self.on_update)):
            if action != "NO ACTION":
                text += f" ON {verb} {action}"
        return text


@record
class CatalogIndex:
    name: str
    definition: str

    @property
    def shape(self) -> str:
        """The definition without the index's own name: what the index does."""
        return _INDEX_NAME.sub(r"\1 ON", self.definition, count=1)


@record
class CatalogConstraint:
    """A unique or check constraint: its name and ``pg_get_constraintdef``."""

    name: str
    definition: str


@record
class CatalogTable:
    name: str
    columns: tuple[CatalogColumn, ...]
    primary_key: tuple[str, ...] = ()
    foreign_keys: tuple[CatalogForeignKey, ...] = ()
    indexes: tuple[CatalogIndex, ...] = ()
    uniques: tuple[CatalogConstraint, ...] = ()
    checks: tuple[CatalogConstraint, ...] = ()

    def column(self, name: str) -> CatalogColumn | None:
        return next((c for c in self.columns if c.name == name), None)


@record
class CatalogEnum:
    name: str
    labels: tuple[str, ...]


@record
class Catalog:
    tables: tuple[CatalogTable, ...] = ()
    enums: tuple[CatalogEnum, ...] = ()

    def table(self, name: str) -> CatalogTable | None:
        return next((t for t in self.tables if t.name == name), None)


@record(order=True)
class CatalogDifference:
    """One way the actual catalog differs from the expected one.

    ``what`` is one of ``table``, ``column``, ``type``, ``not_null``, ``default``,
    ``identity``, ``primary_key``, ``foreign_key``, ``index``, ``unique``, ``check``,
    ``enum``, ``enum_labels``, or ``<object>_name`` (``foreign_key_name``, ``index_name``,
    ``unique_name``, ``check_name``) when only the name differs. A value of ``None`` means
    absent on that side (a missing table has ``actual=None``). ``table`` is None for enum
    types; ``name`` is the enum's, index's or constraint's name where there is one.
    """

    table: str | None
    column: str | None
    what: str
    expected: str | None
    actual: str | None
    name: str | None = None


# ---------------------------------------------------------------- reading a database

_TABLES = """
SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p')
"""
_COLUMNS = """
SELECT c.relname, a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull,
       pg_get_expr(d.adbin, d.adrelid), a.attidentity, col_description(c.oid, a.attnum)
FROM pg_attribute a
JOIN pg_class c ON c.oid = a.attrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') AND a.attnum > 0
  AND NOT a.attisdropped
ORDER BY c.relname, a.attnum
"""
# Column names of a constraint's keys, in key order (unnest WITH ORDINALITY keeps it).
_CONSTRAINTS = """
SELECT c.relname, con.conname, con.contype, pg_get_constraintdef(con.oid),
       ARRAY(SELECT a.attname FROM unnest(con.conkey) WITH ORDINALITY k(num, pos)
             JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.num
             ORDER BY k.pos),
       rc.relname,
       ARRAY(SELECT a.attname FROM unnest(con.confkey) WITH ORDINALITY k(num, pos)
             JOIN pg_attribute a ON a.attrelid = con.confrelid AND a.attnum = k.num
             ORDER BY k.pos),
       con.confdeltype, con.confupdtype
FROM pg_constraint con
JOIN pg_class c ON c.oid = con.conrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
LEFT JOIN pg_class rc ON rc.oid = con.confrelid
WHERE n.nspname = 'public' AND con.contype IN ('p', 'f', 'u', 'c')
"""
# Indexes that back a primary key, unique or exclusion constraint are that constraint.
_INDEXES = """
SELECT t.relname, i.relname, pg_get_indexdef(ix.indexrelid)
FROM pg_index ix
JOIN pg_class i ON i.oid = ix.indexrelid
JOIN pg_class t ON t.oid = ix.indrelid
JOIN pg_namespace n ON n.oid = t.relnamespace
WHERE n.nspname = 'public' AND t.relkind IN ('r', 'p')
  AND NOT EXISTS (SELECT 1 FROM pg_constraint con WHERE con.conindid = ix.indexrelid
                  AND con.conrelid = ix.indrelid AND con.contype IN ('p', 'u', 'x'))
"""
_ENUMS = """
SELECT t.typname, ARRAY(SELECT e.enumlabel FROM pg_enum e WHERE e.enumtypid = t.oid
                        ORDER BY e.enumsortorder)
FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
WHERE n.nspname = 'public' AND t.typtype = 'e'
"""

_INDEX_NAME = re.compile(r"^(CREATE (?:UNIQUE )?INDEX) \S+ ON", re.IGNORECASE)


def snapshot(libpq_url: str) -> Catalog:
    """The catalog of schema ``public`` of the database at ``libpq_url``."""
    import psycopg

    with psycopg.connect(libpq_url, autocommit=True) as connection:
        return read_catalog(connection)


def read_catalog(connection) -> Catalog:
    """``snapshot`` over an open psycopg connection (verify reads one database many times).

    The connection is the one the migrations ran in, so what they left in the session
    must not decide what is read: a temporary view named ``pg_attribute`` (the session's
    temporary schema comes first for tables unless named) or a ``search_path`` that puts
    ``public`` first would otherwise serve a forged catalog, and verify would report a
    missing column as there. Read with ``pg_catalog`` first, then ``public`` (whose types
    are named without their schema, as create_all's are), and the temporary schema last."""
    import psycopg

    # BEGIN and COMMIT by hand: psycopg's transaction block would try a ROLLBACK while a
    # query is in progress when Ctrl-C interrupts it, and log that failure to stderr.
    connection.execute("BEGIN")
    try:
        connection.execute("SET LOCAL search_path = pg_catalog, public, pg_temp")
        catalog = _read_catalog(connection)
    except psycopg.Error:
        with contextlib.suppress(psycopg.Error):
            connection.execute("ROLLBACK")
        raise
    connection.execute("COMMIT")
    return catalog


def _read_catalog(connection) -> Catalog:
    def rows(query: str) -> list[tuple]:
        return connection.execute(query).fetchall()

    columns: dict[str, list[CatalogColumn]] = {name: [] for (name,) in rows(_TABLES)}
    for table, name, type_, not_null, default, identity, comment in rows(_COLUMNS):
        columns[table].append(
            CatalogColumn(name, type_, not_null, default, _IDENTITY[identity], comment)
        )
    parts: dict[str, dict[str, list]] = {
        t: {"pk": [], "fk": [], "ix": [], "uq": [], "ck": []} for t in columns
    }
    for table, name, kind, definition, keys, ref, ref_keys, on_del, on_upd in rows(_CONSTRAINTS):
        bucket = parts[table]
        if kind == "p":
            bucket["pk"] = list(keys)
        elif kind == "f":
            fk = CatalogForeignKey(
                name, tuple(keys), ref, tuple(ref_keys), _ACTIONS[on_del], _ACTIONS[on_upd]
            )
            bucket["fk"].append(fk)
        else:
            bucket["uq" if kind == "u" else "ck"].append(CatalogConstraint(name, definition))
    for table, name, definition in rows(_INDEXES):
        parts[table]["ix"].append(CatalogIndex(name, definition))
    tables = tuple(
        CatalogTable(
            name,
            tuple(columns[name]),
            tuple(parts[name]["pk"]),
            tuple(sorted(parts[name]["fk"], key=lambda fk: (fk.columns, fk.name))),
            tuple(sorted(parts[name]["ix"], key=lambda ix: ix.name)),
            tuple(sorted(parts[name]["uq"], key=lambda uq: uq.name)),
            tuple(sorted(parts[name]["ck"], key=lambda ck: ck.name)),
        )
        for name in sorted(columns)
    )
    enums = tuple(CatalogEnum(name, tuple(labels)) for name, labels in sorted(rows(_ENUMS)))
    return Catalog(tables, enums)


# ---------------------------------------------------------------- comparing two catalogs


def catalog_differences(expected: Catalog, actual: Catalog) -> tuple[CatalogDifference, ...]:
    """Every way ``actual`` differs from ``expected``, sorted (empty when they agree)."""
    found: list[CatalogDifference] = []
    want = {t.name: t for t in expected.tables}
    have = {t.name: t for t in actual.tables}
    for name in want.keys() - have.keys():
        found.append(CatalogDifference(name, None, "table", "present", None))
    for name in have.keys() - want.keys():
        found.append(CatalogDifference(name, None, "table", None, "present"))
    for name in want.keys() & have.keys():
        found += _table_differences(want[name], have[name])
    found += _enum_differences(expected.enums, actual.enums)
    return tuple(sorted(found, key=_order))


def _order(d: CatalogDifference) -> tuple:
    return (d.table or "", d.column or "", d.what, d.name or "", d.expected or "", d.actual or "")


def _table_differences(want: CatalogTable, have: CatalogTable) -> list[CatalogDifference]:
    table = want.name
    found = []
    have_columns = {c.name: c for c in have.columns}
    want_columns = {c.name: c for c in want.columns}
    for column in want.columns:
        other = have_columns.get(column.name)
        if other is None:
            found.append(CatalogDifference(table, column.name, "column", column.type, None))
        else:
            found += _column_differences(table, column, other)
    for column in have.columns:
        if column.name not in want_columns:
            found.append(CatalogDifference(table, column.name, "column", None, column.type))
    if want.primary_key != have.primary_key:
        found.append(
            CatalogDifference(
                table, None, "primary_key", _listed(want.primary_key), _listed(have.primary_key)
            )
        )
    found += _matched(
        table,
        "foreign_key",
        {fk.columns: fk for fk in want.foreign_keys},
        {fk.columns: fk for fk in have.foreign_keys},
        value=lambda fk: fk.target,
        column_of=lambda fk: ", ".join(fk.columns),
    )
    found += _matched(
        table,
        "index",
        _keyed(want.indexes, lambda ix: ix.shape),
        _keyed(have.indexes, lambda ix: ix.shape),
        value=lambda ix: ix.definition,
        same=lambda ix: ix.shape,
    )
    for what, want_items, have_items in (
        ("unique", want.uniques, have.uniques),
        ("check", want.checks, have.checks),
    ):
        found += _matched(
            table,
            what,
            _keyed(want_items, lambda c: c.definition),
            _keyed(have_items, lambda c: c.definition),
            value=lambda c: c.definition,
        )
    return found


def _column_differences(
    table: str, want: CatalogColumn, have: CatalogColumn
) -> list[CatalogDifference]:
    found = []
    for what, expected, actual in (
        ("type", want.type, have.type),
        ("not_null", _null_text(want.not_null), _null_text(have.not_null)),
        ("default", want.default, have.default),
        ("identity", want.identity, have.identity),
        ("comment", want.comment, have.comment),
    ):
        if expected != actual:
            found.append(CatalogDifference(table, want.name, what, expected, actual))
    return found


def _matched(table, what, want: dict, have: dict, *, value, column_of=None, same=None) -> list:
    """Differences between two keyed collections of named objects: missing, extra, a
    different value under the same key, or the same object under another name.
    ``same`` is what must agree besides the name (default: the value shown)."""
    same = same or value
    found = []
    for key in sorted(want.keys() | have.keys(), key=str):
        mine, theirs = want.get(key), have.get(key)
        item = mine or theirs
        column = column_of(item) if column_of else None
        if mine is None or theirs is None:
            found.append(
                CatalogDifference(
                    table,
                    column,
                    what,
                    value(mine) if mine else None,
                    value(theirs) if theirs else None,
                    item.name,
                )
            )
        elif same(mine) != same(theirs):
            found.append(
                CatalogDifference(table, column, what, value(mine), value(theirs), mine.name)
            )
        elif mine.name != theirs.name:
            found.append(
                CatalogDifference(table, column, f"{what}_name", mine.name, theirs.name, mine.name)
            )
    return found


def _keyed(items, key_of) -> dict:
    """Objects by their identity; two with the same identity keep apart by name."""
    keyed: dict = {}
    for item in items:
        key = key_of(item)
        keyed[(key, item.name) if key in keyed else key] = item
    return keyed


def _enum_differences(want: tuple[CatalogEnum, ...], have: tuple[CatalogEnum, ...]) -> list:
    mine = {e.name: _listed(e.labels) for e in want}
    theirs = {e.name: _listed(e.labels) for e in have}
    found = []
    for name in mine.keys() | theirs.keys():
        expected, actual = mine.get(name), theirs.get(name)
        if expected != actual:
            what = "enum_labels" if expected and actual else "enum"
            found.append(CatalogDifference(None, None, what, expected, actual, name))
    return found


def _listed(names: tuple[str, ...]) -> str:
    return "(" + ", ".join(names) + ")"


def _null_text(not_null: bool) -> str:
    return "NOT NULL" if not_null else "NULL"
