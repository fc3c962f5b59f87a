"""Golden migration files a DBA can review: ``tests/golden/migration/<case>/expected.sql``
is what ``modelsync migration`` writes (guarded, destructive statements commented out) for
``old.py`` -> ``new.py``. Refreshed only by ``pytest --update-goldens``. squawk, the
PostgreSQL migration linter, runs over every one of them."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from modelsync.migrate.sql import migration_sql
from modelsync.schema.load import load_schema
from modelsync.schema.release import rules_for

GOLDEN = Path(__file__).parent / "golden" / "migration"
CASES = sorted(p.name for p in GOLDEN.iterdir() if (p / "old.py").is_file())
SQUAWK = Path(sys.executable).parent / "squawk"

# squawk's default rules that the generated SQL does not avoid, and why (docs/migration.md).
SQUAWK_ALLOWED = {
    # How long an index build or a table rewrite may take is the team's call: the file
    # bounds the wait for locks (SET LOCAL lock_timeout), not the work.
    "require-statement-timeout": "index builds and rewrites take as long as the data needs",
    # The file is one transaction (BEGIN ... COMMIT), so that a failure leaves nothing half
    # done; DROP INDEX CONCURRENTLY cannot run inside a transaction.
    "require-concurrent-index-deletion": "the file is one transaction",
    # Types come from the models, as create_all makes them: the migration builds what
    # create_all builds, not what squawk would prefer.
    "prefer-bigint-over-int": "the model's type",
    "prefer-identity": "SERIAL is what SQLAlchemy's create_all makes",
    "prefer-text-field": "VARCHAR(n) is the model's max_length",
    "changing-column-type": "the model's new type (the file says when it needs USING)",
    # SET NOT NULL scans the table; it comes after the backfill TODO.
    "adding-not-nullable-field": "SET NOT NULL after the backfill the TODO asks for",
    # What the model removed: a key, a uniqueness, a default, a SERIAL's sequence.
    "ban-drop-constraint": "the model dropped or changed the constraint",
    "ban-drop-default": "the model dropped the server default",
    "ban-drop-not-null": "the model made the column nullable",
    "ban-drop-sequence": "the model's key is no longer SERIAL",
    "ban-alter-identity": "the model's key is no longer an identity: SERIAL takes over at once",
    # A name longer than 63 bytes is the model's: PostgreSQL cuts it in the migration exactly
    # as in create_all, and the guards compare the catalog with the cut name.
    "identifier-too-long": "the model's own name, cut by PostgreSQL as create_all's is",
}


def _schema(path: Path):
    return load_schema(path, f"{path.parent.name}/{path.name}", rules_for(None))


def expected_sql(case: str) -> str:
    folder = GOLDEN / case
    return migration_sql(
        _schema(folder / "old.py"),
        _schema(folder / "new.py"),
        old_label="old.py",
        new_label="new.py",
    )


@pytest.mark.parametrize("case", CASES)
def test_golden_sql(case, update_goldens):
    golden = GOLDEN / case / "expected.sql"
    text = expected_sql(case)
    if update_goldens:
        golden.write_text(text, encoding="utf-8")
    assert golden.read_text(encoding="utf-8") == text


def test_squawk_findings_are_avoided_or_allowed():
    files = [str(GOLDEN / case / "expected.sql") for case in CASES]
    done = subprocess.run(
        [str(SQUAWK), "--reporter", "json", *files], capture_output=True, text=True, timeout=120
    )
    findings = json.loads(done.stdout or "[]")
    rules = sorted({f["rule_name"] for f in findings})
    assert [r for r in rules if r not in SQUAWK_ALLOWED] == [], done.stdout[:2000]
    # Every file was read (a parse error would be a finding of its own).
    assert done.returncode in (0, 1), done.stderr


@pytest.mark.parametrize("case", CASES)
def test_postgresql_reads_exactly_the_planned_statements(case):
    """pglast (PostgreSQL's parser) finds in each golden file the statements of its plan and
    nothing more, in the file as written (destructive steps commented out) and with them."""
    from modelsync.migrate.plan import plan
    from modelsync.migrate.sqlfile import render
    from tests.statement_kinds import assert_file_matches_plan

    old, new = _schema(GOLDEN / case / "old.py"), _schema(GOLDEN / case / "new.py")
    operations = plan(old, new)
    for allow in (False, True):
        for plain in (False, True):
            rendered = render(operations, old, new, plain=plain, allow_destructive=allow)
            assert_file_matches_plan(rendered.sql, rendered.blocks, operations)
