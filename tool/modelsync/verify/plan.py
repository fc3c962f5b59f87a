"""What verify will build, read from the project before any server starts: the migration
files with their statements, and the baseline.

The baseline is, in this order: the models at ``--baseline-ref`` (``git show
REF:<source>`` into a temporary folder; the migration files that existed at that commit
count as included in it), else the schema state's ``baseline`` (its SQL made by
``migrate.sql.migration_sql`` from an empty schema; ``baseline_after`` names the last file
it includes), else none (state (a) starts from an empty database).

The init scripts (``verify.initdb``: the compose file's init folder, or ``init_scripts``
in the config) are read here too, so that a script PostgreSQL cannot parse is known
before any server starts.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

from modelsync.errors import InputError
from modelsync.migrate.folder import migration_files, read_sql, split_statements
from modelsync.migrate.git import names_at_ref
from modelsync.records import replace
from modelsync.verify.build import BuildJob
from modelsync.verify.initdb import FreshVolume, init_scripts
from modelsync.verify.models import ModelsImport, models_import_at_ref
from modelsync.verify.states import Baseline, Migration, Plan


def read_migrations(folder: Path, shown_folder: str) -> tuple[Migration, ...]:
    return tuple(
        Migration(file, split_statements(read_sql(file), file.shown))
        for file in migration_files(folder, shown_folder)
    )


@contextlib.contextmanager
def verify_plan(
    root: Path,
    source: ModelsImport,
    migrations_dir: str,
    baseline_ref: str | None,
    fresh: FreshVolume | None = None,
    pythonpath: tuple[str, ...] = (),
    source_items: tuple[str, ...] = (),
) -> Iterator[Plan]:
    """The plan for a project (paths relative to ``root``), with any file checked out of
    git kept in a temporary folder until the ``with`` ends. ``source``: how the build
    child imports the current models (``verify.models``); ``fresh`` is what a fresh
    volume runs first (``initdb.fresh_volume``)."""
    if not source.file.is_file():
        raise InputError("file not found", source.shown)
    migrations = read_migrations(root / migrations_dir, migrations_dir)
    plan = Plan(source.file, source.shown, migrations, import_paths=source.import_paths,
                modules=source.modules, base=source.base)  # fmt: skip
    if fresh is not None:
        scripts, notes = init_scripts(root, fresh, migrations)
        plan = replace(
            plan, init_scripts=scripts, from_compose=fresh.from_compose, init_notes=notes
        )
    if baseline_ref:
        shown = source.shown
        with models_import_at_ref(root, baseline_ref, source_items, pythonpath, shown) as old:
            included = names_at_ref(root, migrations_dir, baseline_ref)
            yield _replace_baseline(plan, _ref_baseline(plan, old, baseline_ref, included))
        return
    yield _replace_baseline(plan, _state_baseline(root, migrations_dir, migrations))


def _replace_baseline(plan: Plan, baseline: Baseline | None) -> Plan:
    return replace(plan, baseline=baseline)


def _ref_baseline(plan: Plan, old: ModelsImport, ref: str, included: frozenset[str]) -> Baseline:
    count = 0
    for migration in plan.migrations:  # the leading files that the commit already had
        if migration.file.name not in included:
            break
        count += 1
    # A lone file at the revision may still import its neighbours of today.
    paths = old.import_paths if old.modules else old.import_paths + plan.import_paths
    job = BuildJob(old.file, "", old.shown, paths, old.modules, old.base)
    return Baseline(old.shown, count, models=job)


def _state_baseline(root: Path, migrations_dir: str, migrations) -> Baseline | None:
    from modelsync.migrate.state import STATE_FILE, read_state

    state = read_state(root / migrations_dir, migrations_dir)
    if state is None or state.baseline is None:
        return None
    from modelsync.migrate.sql import migration_sql
    from modelsync.schema.ir import Schema

    shown = f"{migrations_dir}/{STATE_FILE}"
    sql = migration_sql(Schema(path="", tables=()), state.baseline, allow_destructive=True)
    statements = split_statements(sql, f"{shown} (baseline)")
    names = [m.file.name for m in migrations]
    if state.baseline_after is None:
        includes = 0
    elif state.baseline_after in names:
        includes = names.index(state.baseline_after) + 1
    else:
        raise InputError(
            f"the baseline is recorded after {state.baseline_after}, which is not in "
            f"{migrations_dir}",
            shown,
        )
    return Baseline(f"{shown} (baseline)", includes, sql=statements)
