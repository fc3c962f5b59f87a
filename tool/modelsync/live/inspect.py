"""Read one schema of a live database: one catalog query per kind of object.

Only ``pg_catalog`` is read, and only through an open read-only transaction (``connect``);
the schema's name is always a bound parameter, never SQL text. Tables an extension owns
(PostGIS's ``spatial_ref_sys``) and tables whose names match the configured patterns are
left out and counted.
"""

from __future__ import annotations

from collections.abc import Iterable
from fnmatch import fnmatchcase

from modelsync.live.catalog import (
    ACTIONS,
    LiveCatalog,
    LiveCheck,
    LiveColumn,
    LiveEnum,
    LiveForeignKey,
    LiveIndex,
    LiveSequence,
    LiveTable,
    LiveUnique,
)

_SCHEMA_EXISTS = "SELECT count(*) FROM pg_catalog.pg_namespace WHERE nspname = %(schema)s"
_EXTENSIONS = """
SELECT e.extname, e.extversion, n.nspname
FROM pg_catalog.pg_extension e JOIN pg_catalog.pg_namespace n ON n.oid = e.extnamespace
ORDER BY e.extname
"""
# Alembic's version table (``alembic_version``, or the name env.py's ``version_table``
# gives it) is known by its shape, which Alembic alone gives a table: one column
# ``version_num``, the primary key over it named ``<table>_pkc``.
_TABLES = """
SELECT c.relname,
       EXISTS (SELECT 1 FROM pg_catalog.pg_depend d
               WHERE d.classid = 'pg_catalog.pg_class'::pg_catalog.regclass
                 AND d.objid = c.oid AND d.deptype = 'e'),
       EXISTS (SELECT 1 FROM pg_catalog.pg_constraint k
               JOIN pg_catalog.pg_attribute a
                 ON a.attrelid = k.conrelid AND a.attnum = ALL (k.conkey)
               WHERE k.conrelid = c.oid AND k.contype = 'p'
                 AND k.conname = c.relname || '_pkc' AND a.attname = 'version_num')
       AND (SELECT count(*) FROM pg_catalog.pg_attribute a
            WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped) = 1
FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = %(schema)s AND c.relkind IN ('r', 'p') AND NOT c.relispartition
"""
# Every column a (of table c) of the schema's tables, with its type t and, for an array,
# its element type e (else t again): ``{columns} WHERE {of_schema}``.
_SCHEMA_COLUMNS = """
FROM pg_catalog.pg_attribute a
JOIN pg_catalog.pg_class c ON c.oid = a.attrelid
JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
JOIN pg_catalog.pg_type t ON t.oid = a.atttypid
JOIN pg_catalog.pg_type e
  ON e.oid = CASE WHEN t.typcategory = 'A' AND t.typelem <> 0 THEN t.typelem ELSE t.oid END
"""
_OF_SCHEMA = """n.nspname = %(schema)s AND c.relkind IN ('r', 'p') AND a.attnum > 0
  AND NOT a.attisdropped"""
_COLUMNS = f"""
SELECT c.relname, a.attname, pg_catalog.format_type(a.atttypid, a.atttypmod), a.attnotnull,
       pg_catalog.pg_get_expr(d.adbin, d.adrelid), a.attidentity, a.attgenerated,
       CASE WHEN a.attcollation <> t.typcollation THEN co.collname END,
       pg_catalog.col_description(a.attrelid, a.attnum),
       e.typtype, e.typname, t.typcategory = 'A' AND t.typelem <> 0
{_SCHEMA_COLUMNS}
LEFT JOIN pg_catalog.pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
LEFT JOIN pg_catalog.pg_collation co ON co.oid = a.attcollation
WHERE {_OF_SCHEMA}
ORDER BY c.relname, a.attnum
"""
# Identity sequences depend on their column internally ('i'); SERIAL's are owned ('a').
_SEQUENCES = """
SELECT t.relname, a.attname, s.relname, pg_catalog.format_type(q.seqtypid, NULL),
       q.seqstart, q.seqincrement, q.seqmin, q.seqmax, q.seqcache, q.seqcycle, d.deptype
FROM pg_catalog.pg_depend d
JOIN pg_catalog.pg_class s ON s.oid = d.objid AND s.relkind = 'S'
JOIN pg_catalog.pg_sequence q ON q.seqrelid = s.oid
JOIN pg_catalog.pg_class t ON t.oid = d.refobjid
JOIN pg_catalog.pg_namespace n ON n.oid = t.relnamespace
JOIN pg_catalog.pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid
WHERE d.classid = 'pg_catalog.pg_class'::pg_catalog.regclass
  AND d.refclassid = 'pg_catalog.pg_class'::pg_catalog.regclass
  AND d.deptype IN ('a', 'i') AND n.nspname = %(schema)s
"""
# A SERIAL's default names its sequence; one not owned by the column is read here.
_DEFAULT_SEQUENCES = """
SELECT s.relname, pg_catalog.format_type(q.seqtypid, NULL), q.seqstart, q.seqincrement,
       q.seqmin, q.seqmax, q.seqcache, q.seqcycle
FROM pg_catalog.pg_class s
JOIN pg_catalog.pg_sequence q ON q.seqrelid = s.oid
JOIN pg_catalog.pg_namespace n ON n.oid = s.relnamespace
WHERE n.nspname = %(schema)s AND s.relkind = 'S'
"""
# Key columns in key order (unnest WITH ORDINALITY keeps it). A constraint with a parent
# (conparentid) is one PostgreSQL derived itself: a foreign key into a partitioned table
# gets one such copy per partition on the referencing table, which the DDL never named.
_CONSTRAINTS = """
SELECT c.relname, con.conname, con.contype,
       ARRAY(SELECT a.attname FROM unnest(con.conkey) WITH ORDINALITY k(num, pos)
             JOIN pg_catalog.pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.num
             ORDER BY k.pos),
       rn.nspname, rc.relname,
       ARRAY(SELECT a.attname FROM unnest(con.confkey) WITH ORDINALITY k(num, pos)
             JOIN pg_catalog.pg_attribute a ON a.attrelid = con.confrelid AND a.attnum = k.num
             ORDER BY k.pos),
       con.confdeltype, con.confupdtype,
       CASE WHEN con.contype = 'c' THEN pg_catalog.pg_get_expr(con.conbin, con.conrelid) END,
       con.convalidated, pg_catalog.pg_get_constraintdef(con.oid)
FROM pg_catalog.pg_constraint con
JOIN pg_catalog.pg_class c ON c.oid = con.conrelid
JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
LEFT JOIN pg_catalog.pg_class rc ON rc.oid = con.confrelid
LEFT JOIN pg_catalog.pg_namespace rn ON rn.oid = rc.relnamespace
WHERE n.nspname = %(schema)s AND con.contype IN ('p', 'f', 'u', 'c') AND con.conparentid = 0
ORDER BY c.relname, con.conname
"""
# Indexes that back a primary key, unique or exclusion constraint are that constraint.
_INDEXES = """
SELECT t.relname, i.relname, pg_catalog.pg_get_indexdef(ix.indexrelid)
FROM pg_catalog.pg_index ix
JOIN pg_catalog.pg_class i ON i.oid = ix.indexrelid
JOIN pg_catalog.pg_class t ON t.oid = ix.indrelid
JOIN pg_catalog.pg_namespace n ON n.oid = t.relnamespace
WHERE n.nspname = %(schema)s AND t.relkind IN ('r', 'p')
  AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_constraint con
                  WHERE con.conindid = ix.indexrelid AND con.conrelid = ix.indrelid
                    AND con.contype IN ('p', 'u', 'x'))
ORDER BY t.relname, i.relname
"""
_DEFAULT_OPCLASSES = """
SELECT am.amname, c.opcname, t.typname
FROM pg_catalog.pg_opclass c
JOIN pg_catalog.pg_am am ON am.oid = c.opcmethod
JOIN pg_catalog.pg_type t ON t.oid = c.opcintype
WHERE c.opcdefault
"""
# The schema's enum types, and those of other schemas its columns use (an enum kept in
# public for tables in app): the schema's own first, where two share a name.
_ENUMS = f"""
SELECT y.typname, ARRAY(SELECT l.enumlabel FROM pg_catalog.pg_enum l
                        WHERE l.enumtypid = y.oid ORDER BY l.enumsortorder)
FROM pg_catalog.pg_type y JOIN pg_catalog.pg_namespace yn ON yn.oid = y.typnamespace
WHERE y.typtype = 'e' AND (yn.nspname = %(schema)s
                           OR y.oid IN (SELECT e.oid {_SCHEMA_COLUMNS} WHERE {_OF_SCHEMA}))
ORDER BY yn.nspname <> %(schema)s, y.typname
"""


# The schema, and the schemas of the types its columns have and of the operator classes
# its indexes use, that the role has no USAGE on (pg_catalog's are everyone's).
_UNUSABLE_SCHEMAS = f"""
SELECT array_agg(used.name ORDER BY used.name) FROM (
    SELECT %(schema)s::text AS name
    UNION
    SELECT tn.nspname::text {_SCHEMA_COLUMNS}
    JOIN pg_catalog.pg_namespace tn ON tn.oid = e.typnamespace
    WHERE {_OF_SCHEMA}
    UNION
    SELECT cn.nspname::text
    FROM pg_catalog.pg_index ix
    JOIN pg_catalog.pg_class c ON c.oid = ix.indrelid
    JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
    JOIN pg_catalog.pg_opclass oc ON oc.oid = ANY (ix.indclass::pg_catalog.oid[])
    JOIN pg_catalog.pg_namespace cn ON cn.oid = oc.opcnamespace
    WHERE n.nspname = %(schema)s
) AS used
WHERE NOT pg_catalog.has_schema_privilege(used.name, 'USAGE')
"""


def unusable_schemas(connection, schema: str) -> list[str]:
    """The schemas whose names PostgreSQL would print with the objects of ``schema``'s
    tables, because the role cannot use them."""
    return connection.execute(_UNUSABLE_SCHEMAS, {"schema": schema}).fetchone()[0] or []


def schema_exists(connection, schema: str) -> bool:
    return connection.execute(_SCHEMA_EXISTS, {"schema": schema}).fetchone()[0] > 0


def extensions(connection) -> list[tuple[str, str, str]]:
    """(name, version, schema) of every installed extension."""
    return connection.execute(_EXTENSIONS).fetchall()


def read_schema(
    connection, schema: str, ignore: tuple[str, ...] = (), modelled: frozenset[str] = frozenset()
) -> LiveCatalog:
    """Every table of ``schema`` (less the ignored ones), its enums and the extensions.
    ``modelled`` are the tables the models define: never left out as Alembic's. The caller
    has set the search path, so ``format_type`` names types unqualified."""
    params = {"schema": schema}

    def rows(query: str) -> list[tuple]:
        return connection.execute(query, params).fetchall()

    kept, ignored = _kept_tables(rows(_TABLES), ignore, modelled)
    columns: dict[str, list[LiveColumn]] = {name: [] for name in kept}
    sequences = _sequences(rows(_SEQUENCES))
    by_name = _sequences_by_name(rows(_DEFAULT_SEQUENCES))
    for row in rows(_COLUMNS):
        if row[0] in columns:
            columns[row[0]].append(_column(row, sequences, by_name))
    parts = {name: _Parts() for name in kept}
    for row in rows(_CONSTRAINTS):
        if row[0] in parts:
            parts[row[0]].add_constraint(row)
    for table, name, definition in rows(_INDEXES):
        if table in parts:
            parts[table].indexes.append(LiveIndex(name, definition))
    tables = tuple(parts[name].table(name, columns[name]) for name in sorted(kept))
    found: dict[str, tuple[str, ...]] = {}
    for name, labels in rows(_ENUMS):
        found.setdefault(name, tuple(labels))
    enums = tuple(LiveEnum(name, found[name]) for name in sorted(found))
    installed = tuple((name, version) for name, version, _ in extensions(connection))
    defaults = tuple(sorted(tuple(row) for row in rows(_DEFAULT_OPCLASSES)))
    return LiveCatalog(
        schema, tables, enums, installed, tuple(sorted(ignored)), opclass_defaults=defaults
    )


def _kept_tables(
    found: Iterable[tuple[str, bool, bool]], ignore: tuple[str, ...], modelled: frozenset[str]
):
    kept, ignored = [], []
    for name, extension_member, version_table in found:
        alembic = version_table and name not in modelled
        if extension_member or alembic or any(fnmatchcase(name, p) for p in ignore):
            ignored.append(name)
        else:
            kept.append(name)
    return kept, ignored


def _sequence(values: tuple) -> LiveSequence:
    name, type_, start, increment, minvalue, maxvalue, cache, cycle = values
    return LiveSequence(name, type_, start, increment, minvalue, maxvalue, cache, cycle)


def _sequences(found: list[tuple]) -> dict[tuple[str, str], tuple[LiveSequence, str]]:
    """(table, column) -> (sequence, how it depends on the column: 'i' identity, 'a' owned)."""
    return {(row[0], row[1]): (_sequence(row[2:10]), row[10]) for row in found}


def _sequences_by_name(found: list[tuple]) -> dict[str, LiveSequence]:
    return {row[0]: _sequence(row) for row in found}


def _column(row: tuple, sequences: dict, by_name: dict[str, LiveSequence]) -> LiveColumn:
    (
        table,
        name,
        type_,
        not_null,
        default,
        identity,
        generated,
        collation,
        comment,
        type_kind,
        type_name,
        is_array,
    ) = row
    sequence, dependency = sequences.get((table, name), (None, ""))
    if sequence is None and default and default.startswith("nextval("):
        sequence = next((s for n, s in by_name.items() if f"'{n}'" in default), None)
    return LiveColumn(
        name,
        type_,
        not_null,
        default,
        identity or "",
        generated or "",
        collation,
        comment,
        type_kind,
        type_name,
        bool(is_array),
        sequence,
        dependency == "a",
    )


class _Parts:
    """A table's constraints and indexes as they are read, before they are frozen."""

    def __init__(self) -> None:
        self.primary_key: tuple[str, ...] = ()
        self.primary_key_name: str | None = None
        self.foreign_keys: list[LiveForeignKey] = []
        self.indexes: list[LiveIndex] = []
        self.uniques: list[LiveUnique] = []
        self.checks: list[LiveCheck] = []

    def add_constraint(self, row: tuple) -> None:
        (
            _,
            name,
            kind,
            keys,
            ref_schema,
            ref_table,
            ref_keys,
            on_delete,
            on_update,
            expression,
            validated,
            definition,
        ) = row
        if kind == "p":
            self.primary_key, self.primary_key_name = tuple(keys), name
        elif kind == "f":
            self.foreign_keys.append(
                LiveForeignKey(
                    name,
                    tuple(keys),
                    ref_schema,
                    ref_table,
                    tuple(ref_keys),
                    ACTIONS[on_delete],
                    ACTIONS[on_update],
                )
            )
        elif kind == "u":
            distinct = "NULLS NOT DISTINCT" in definition.split("(", 1)[0]
            self.uniques.append(LiveUnique(name, tuple(keys), distinct))
        else:
            self.checks.append(LiveCheck(name, expression, bool(validated)))

    def table(self, name: str, columns: list[LiveColumn]) -> LiveTable:
        return LiveTable(
            name,
            tuple(columns),
            self.primary_key,
            self.primary_key_name,
            tuple(self.foreign_keys),
            tuple(self.indexes),
            tuple(self.uniques),
            tuple(self.checks),
        )
