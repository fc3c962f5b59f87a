"""The round trip on a real PostgreSQL 18 + pgvector: for every (old, new) pair of models in
``tests/golden/migration/``, the generated migration (``--allow-destructive``) turns each
state the database standard allows into what ``create_all(new)`` builds in a fresh database:

- (a) the old schema (``create_all(old)``);
- (b) the old schema plus what ``create_all(new)`` adds when the new app starts first;
- (c) an empty database, then ``create_all(new)`` after the file (init scripts on a new volume);
- (a) with two rows in every old table: each pair either applies, or stops at a statement
  that the file marks TODO (a decision a person must make); ``ROW_OUTCOME`` says which.

Applying the same file again must change nothing. Everything is batched for speed: one
SQLModel subprocess builds every database of a phase, one reference snapshot per pair.
"""

from __future__ import annotations

import re
import subprocess
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import psycopg
import pytest
from psycopg import sql

from modelsync.migrate.plan import _fk_order
from modelsync.migrate.sql import migration_sql
from modelsync.schema.ir import Schema, Table
from modelsync.schema.load import load_schema
from modelsync.schema.release import rules_for
from modelsync.verify.build import BuildError, BuildWorker
from modelsync.verify.catalog import catalog_differences, read_catalog
from tests.pg_server import PSQL

GOLDEN = Path(__file__).parent / "golden" / "migration"
CASES = sorted(p.name for p in GOLDEN.iterdir() if (p / "old.py").is_file())

# With two rows in every old table: "applies", or "todo" (fails at a statement under a TODO).
ROW_OUTCOME = {
    "add_column_not_null": "todo",  # the backfill value of the new NOT NULL column
    "vector_dimension": "todo",  # embeddings of the old dimension must be recomputed
    "text_to_enum": "todo",  # 'v1' is not a label: the conversion is a person's call
    "enum_label_removed": "todo",  # rows holding the dropped label must be changed first
    "new_enum_column": "todo",  # the backfill value of the new NOT NULL enum column
    "primary_key_changed": "applies",
    "multiline_sql_added": "todo",  # the rows' status is not one the new CHECK allows
}
STATES = ("a", "b", "c")
# Pairs whose key changes between SERIAL and an identity: with rows 1 and 2 in the table, the
# next key the new sequence gives is 3 (table, the columns of an insert that takes it).
NEXT_KEY = {
    "serial_to_identity": ("tickets", "(title) VALUES ('row 3')"),
    "identity_to_serial": ("tickets", "(title) VALUES ('row 3')"),
}


@dataclass
class Case:
    name: str
    old: Schema
    new: Schema
    sql_file: Path
    plain_file: Path
    databases: dict[str, str] = field(default_factory=dict)
    results: dict[str, object] = field(default_factory=dict)


def _schema(path: Path) -> Schema:
    return load_schema(path, f"{path.parent.name}/{path.name}", rules_for(None))


ROLES = ("ref", "a", "b", "c", "rows", "plain")
# Commits need not wait for the disk in a throwaway database (session setting only).
FAST = "options=-c%20synchronous_commit%3Doff"


@pytest.fixture(scope="module")
def round_trip(postgres_server, tmp_path_factory):
    """Runs every case once; the tests below only read the results. Creating and dropping
    a database costs about a second on a slow disk, so each of two workers (threads: the
    work is waiting for PostgreSQL and psql) reuses five databases, emptied before a case."""
    folder = tmp_path_factory.mktemp("roundtrip")
    with ThreadPoolExecutor(WORKERS) as pool:
        shares = [CASES[n::WORKERS] for n in range(WORKERS)]
        done = pool.map(lambda names: _run_share(names, postgres_server, folder), shares)
        yield {case.name: case for share in done for case in share}


WORKERS = 2


def _run_share(names: list[str], server, folder: Path) -> list[Case]:
    databases = {role: server.create_database(f"rt_{role}") for role in ROLES}
    urls = {role: f"{server.libpq_url(db)}&{FAST}" for role, db in databases.items()}
    # No prepared statements: their plans would outlive the types each case drops.
    connections = {
        role: psycopg.connect(url, autocommit=True, prepare_threshold=None)
        for role, url in urls.items()
    }
    cases = []
    worker = BuildWorker()
    try:
        for name in names:
            case = _prepare(name, folder)
            try:
                _run_case(case, urls, connections, worker)
            except BuildError as error:
                case.results["error"] = str(error)
                worker.close()
                worker = BuildWorker()
            cases.append(case)
    finally:
        worker.close()
        for connection in connections.values():
            connection.close()
        for db in databases.values():
            server.drop_database(db)
    return cases


def _prepare(name: str, folder: Path) -> Case:
    old, new = _schema(GOLDEN / name / "old.py"), _schema(GOLDEN / name / "new.py")
    sql_file = folder / f"{name}.sql"
    sql_file.write_text(migration_sql(old, new, allow_destructive=True), encoding="utf-8")
    plain_file = folder / f"{name}.plain.sql"
    plain = migration_sql(old, new, allow_destructive=True, plain=True)
    plain_file.write_text(plain, encoding="utf-8")
    return Case(name, old, new, sql_file, plain_file)


# Drops every table, enum type and sequence of schema public in one statement.
_EMPTY = """
DO $$
DECLARE
    r record;
BEGIN
    FOR r IN SELECT c.oid::regclass AS name FROM pg_class c
             WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'p') LOOP
        EXECUTE 'DROP TABLE IF EXISTS ' || r.name || ' CASCADE';
    END LOOP;
    FOR r IN SELECT c.oid::regclass AS name FROM pg_class c
             WHERE c.relnamespace = 'public'::regnamespace AND c.relkind = 'S' LOOP
        EXECUTE 'DROP SEQUENCE IF EXISTS ' || r.name || ' CASCADE';
    END LOOP;
    FOR r IN SELECT t.oid::regtype AS name FROM pg_type t
             WHERE t.typnamespace = 'public'::regnamespace AND t.typtype = 'e' LOOP
        EXECUTE 'DROP TYPE IF EXISTS ' || r.name || ' CASCADE';
    END LOOP;
END
$$
"""


def _empty(connection, role: str) -> None:
    """Empty the database for the next case. Only state (c) must lack the vector
    extension too (the migration creates it); elsewhere create_all would only make it again."""
    if role == "c":
        connection.execute("DROP EXTENSION IF EXISTS vector CASCADE")
    connection.execute(_EMPTY)


def _run_case(case: Case, urls, connections, worker) -> None:
    old, new = GOLDEN / case.name / "old.py", GOLDEN / case.name / "new.py"
    for role, connection in connections.items():
        _empty(connection, role)
    jobs = [(new, urls["ref"]), (old, urls["a"]), (old, urls["b"]), (new, urls["b"])]
    worker.submit([*jobs, (old, urls["rows"]), (old, urls["plain"])])
    worker.result()
    _insert_rows(connections["rows"], case.old)
    results = case.results
    results["ref"] = read_catalog(connections["ref"])
    for state in (*STATES, "rows"):
        results[f"apply_{state}"] = _apply(urls[state], case.sql_file)
    results["apply_plain"] = _apply(urls["plain"], case.plain_file)
    results["plain"] = read_catalog(connections["plain"])
    worker.submit([(new, urls["c"])])
    worker.result()
    for state in STATES:
        results[state] = read_catalog(connections[state])
        results[f"again_{state}"] = _apply(urls[state], case.sql_file)
        results[f"{state}_again"] = read_catalog(connections[state])
    results["rows"] = read_catalog(connections["rows"])
    for role in ("ref", *STATES, "rows", "plain"):
        results[f"sequences_{role}"] = _sequences(connections[role])
    if case.name in NEXT_KEY and results["apply_rows"].returncode == 0:
        table, columns = NEXT_KEY[case.name]
        results["next_key"] = (
            connections["rows"].execute(f"INSERT INTO {table} {columns} RETURNING id").fetchone()[0]
        )


# The sequences of SERIAL and identity columns with their options, which verify's catalog
# leaves out: (table, column, how it depends on the column, type, start, increment, bounds,
# cache, cycle).
_SEQUENCES = """
SELECT t.relname, a.attname, d.deptype, format_type(q.seqtypid, NULL), q.seqstart,
       q.seqincrement, q.seqmin, q.seqmax, q.seqcache, q.seqcycle
FROM pg_depend d
JOIN pg_class s ON s.oid = d.objid AND s.relkind = 'S'
JOIN pg_sequence q ON q.seqrelid = s.oid
JOIN pg_class t ON t.oid = d.refobjid
JOIN pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid
WHERE d.classid = 'pg_class'::regclass AND d.refclassid = 'pg_class'::regclass
  AND d.deptype IN ('a', 'i') AND t.relnamespace = 'public'::regnamespace
ORDER BY 1, 2
"""


def _sequences(connection) -> list[tuple]:
    return connection.execute(_SEQUENCES).fetchall()


def _apply(libpq_url: str, sql_file: Path) -> subprocess.CompletedProcess:
    """``psql -v ON_ERROR_STOP=1 -f FILE``, as a person applies a migration."""
    command = [str(PSQL), "-X", "-q", "-v", "ON_ERROR_STOP=1", libpq_url, "-f", str(sql_file)]
    return subprocess.run(command, capture_output=True, text=True, timeout=120)


# --------------------------------------------------------------------------- rows


def _value(table: Table, column, row: int, schema: Schema):
    """A value of the column's type for row 1 or 2 that satisfies the old schema's keys,
    foreign keys (the target's row of the same number), enums and the pairs' checks."""
    if column.enum:
        labels = schema.enum(column.enum).labels
        return labels[(row - 1) % len(labels)]
    sql = column.type
    base = sql.split("(")[0]
    if base in ("INTEGER", "BIGINT", "SMALLINT", "NUMERIC", "FLOAT", "REAL", "DOUBLE PRECISION"):
        return row
    if base in ("VARCHAR", "TEXT", "CHAR"):
        length = re.search(r"\((\d+)\)", sql)
        text = f"value {row}"
        return text[-int(length.group(1)) :] if length else text
    if base == "BOOLEAN":
        return True
    if base.startswith("TIMESTAMP"):
        return f"2024-01-0{row} 12:00:00"
    if base in ("JSON", "JSONB"):
        return psycopg.types.json.Json({"row": row})
    if base == "VECTOR":
        dim = int(re.search(r"\((\d+)\)", sql).group(1))
        return "[" + ",".join([str(row)] * dim) + "]"
    raise AssertionError(f"no row value for type {sql} (add one to the test)")


def _insert_rows(connection, schema: Schema) -> None:
    for table in _fk_order(list(schema.tables)):
        columns = [c for c in table.columns if c.computed is None]
        # psycopg reads every "%" of the query as a placeholder, quoted names' included.
        names = sql.SQL(", ").join(sql.Identifier(c.name) for c in columns)
        target = (
            sql.Identifier(table.name).as_string(connection)
            + " ("
            + names.as_string(connection)
            + ")"
        )
        # The rows' own keys, also in a GENERATED ALWAYS identity column.
        always = any(c.identity is not None and c.identity.always for c in columns)
        overriding = " OVERRIDING SYSTEM VALUE" if always else ""
        insert = sql.SQL("INSERT INTO {}" + overriding + " VALUES ({})").format(
            sql.SQL(target.replace("%", "%%")), sql.SQL(", ").join(sql.Placeholder() * len(columns))
        )
        for row in (1, 2):
            connection.execute(insert, [_value(table, c, row, schema) for c in columns])


# --------------------------------------------------------------------------- tests


def _applied(case: Case, key: str) -> None:
    assert "error" not in case.results, case.results.get("error")
    result = case.results[key]
    assert result.returncode == 0, result.stderr


# (case, state) pairs known to fail, each with the reason: none at present.
KNOWN: dict[tuple[str, str], pytest.MarkDecorator] = {}


def _cases(prefix: str = ""):
    return [
        pytest.param(case, state, marks=KNOWN.get((case, prefix + state), ()))
        for case in CASES
        for state in STATES
    ]


@pytest.mark.parametrize(("case", "state"), _cases())
def test_migration_makes_what_create_all_makes(round_trip, case, state):
    done = round_trip[case]
    _applied(done, f"apply_{state}")
    assert catalog_differences(done.results["ref"], done.results[state]) == ()


@pytest.mark.parametrize(("case", "state"), _cases("again_"))
def test_applying_it_again_changes_nothing(round_trip, case, state):
    done = round_trip[case]
    _applied(done, f"again_{state}")
    assert catalog_differences(done.results[state], done.results[f"{state}_again"]) == ()


@pytest.mark.parametrize("case", CASES)
def test_with_rows_it_applies_or_stops_at_a_todo(round_trip, case):
    done = round_trip[case]
    assert "error" not in done.results, done.results.get("error")
    result = done.results["apply_rows"]
    expected = ROW_OUTCOME.get(case, "applies")
    if result.returncode == 0:
        assert expected == "applies", f"{case} applied although ROW_OUTCOME says {expected}"
        assert catalog_differences(done.results["ref"], done.results["rows"]) == ()
        return
    assert expected == "todo", f"{case} failed on rows:\n{result.stderr}"
    line = int(re.search(r":(\d+): ERROR", result.stderr).group(1))
    lines = done.sql_file.read_text(encoding="utf-8").splitlines()
    start = max(i for i in range(line) if not lines[i].strip())
    block = "\n".join(lines[start:line])
    assert "TODO" in block, f"{case} failed at line {line}, not under a TODO:\n{block}"


@pytest.mark.parametrize("case", CASES)
def test_every_key_sequence_has_the_options_create_all_gives_it(round_trip, case):
    done = round_trip[case].results
    assert "error" not in done, done.get("error")
    # A file that stopped at a TODO on rows has not run to its end there.
    finished = done["apply_rows"].returncode == 0
    for role in (*STATES, "plain", *(("rows",) if finished else ())):
        assert done[f"sequences_{role}"] == done["sequences_ref"], role


@pytest.mark.parametrize("case", NEXT_KEY)
def test_a_key_moved_between_serial_and_identity_continues_after_the_rows(round_trip, case):
    done = round_trip[case]
    _applied(done, "apply_rows")
    assert done.results["next_key"] == 3


@pytest.mark.parametrize(
    "case",
    [pytest.param(c, marks=KNOWN.get((c, "plain"), ())) for c in CASES],
)
def test_plain_ddl_takes_the_old_schema_to_the_new(round_trip, case):
    done = round_trip[case]
    _applied(done, "apply_plain")
    assert catalog_differences(done.results["ref"], done.results["plain"]) == ()


def test_the_pairs_cover_every_operation():
    """The pairs are at least 30 and cover every operation the plan has."""
    from modelsync.migrate.ops import PHASES
    from modelsync.migrate.plan import plan

    kinds = set()
    for name in CASES:
        kinds |= {
            op.kind
            for op in plan(_schema(GOLDEN / name / "old.py"), _schema(GOLDEN / name / "new.py"))
        }
    assert len(CASES) >= 30
    assert set(PHASES) - kinds == set()
