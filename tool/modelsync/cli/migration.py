"""``modelsync migration NAME``: the numbered SQL file a model change needs."""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

import click

from modelsync.cli.app import (
    database_options,
    echo_warnings,
    emit,
    load_project_config,
    one_line,
    project_options,
    unwind_on_sigterm,
)
from modelsync.errors import InputError
from modelsync.records import record, replace

# A destructive statement left commented out: a warning, never a failure.
DESTRUCTIVE_CODE, DESTRUCTIVE_KIND = "MS702", "destructive_commented_out"


@click.command()
@project_options
@click.argument("name", required=False)
@click.option(
    "--from-file",
    metavar="OLD.py",
    help="Take the previous schema from this models file instead of the schema state.",
)
@click.option(
    "--from-ref",
    metavar="GITREF",
    help="Take the previous schema from the source (a file or a package) at this git revision "
    "(read with git; the working tree is untouched).",
)
@click.option("--to-file", metavar="NEW.py", help="Take the new schema from this models file.")
@click.option("--stdout", "to_stdout", is_flag=True, help="Print the SQL; write nothing.")
@click.option(
    "--allow-destructive",
    is_flag=True,
    help="Emit drops, narrowing type changes and enum label removals live "
    "(by default they are written commented out, with a warning).",
)
@click.option("--plain", is_flag=True, help="Unguarded DDL (no IF [NOT] EXISTS, no DO blocks).")
@click.option(
    "--baseline",
    is_flag=True,
    help="Record the current models as the schema the database already has; write no SQL "
    "(with --from-database: record what that database has).",
)
@click.option(
    "--force",
    is_flag=True,
    help="With --baseline: record the models even where they differ from the schema state "
    "(a model change no migration holds is then taken as already in the database).",
)
@database_options(
    "--from-database",
    "Take the previous schema from this live PostgreSQL database, read-only (given bare, "
    "or as `env`: DATABASE_URL; put NAME before it).",
)
def migration(
    root: Path,
    source: tuple[str, ...],
    target: tuple[str, ...],
    migrations: str | None,
    sqlmodel_version: str | None,
    output_format: str,
    name: str | None,
    from_file: str | None,
    from_ref: str | None,
    to_file: str | None,
    to_stdout: bool,
    allow_destructive: bool,
    plain: bool,
    baseline: bool,
    force: bool,
    database_url: str | None,
    db_schema: str | None,
) -> None:
    """Write NNN_NAME.sql: the SQL from the previous schema to the current models.

    The previous schema is the schema state (schema_state.json in the migrations folder),
    unless --from-file or --from-ref names it; the new one is the source models (or
    --to-file). The file gets the next free number and NAME in snake_case; the SQL file
    and the updated schema state are written in one step. No change: nothing is written.

    By default every statement is guarded, so the file is correct on the old schema,
    after create_all() of the new models and on an empty database, and applying it twice
    changes nothing. Destructive statements are left commented out unless
    --allow-destructive. Steps that need a person's decision (a backfill value, a type
    conversion) are marked TODO.

    The number is the next free one, with as many digits as the folder's other names
    (three by default); one that no longer fits (1000 after 999) is refused. Two runs at
    once take turns: each holds a lock on the migrations folder while it reads and writes.

    --from-database URL reads the previous schema from a live database (read-only): for a
    database whose history nobody knows, or one create_all made that never saw the
    migrations. Its tables that no model defines are dropped (commented out unless
    --allow-destructive); tables matching db_ignore_tables are left alone. With --baseline
    it records what that database has as the schema state.
    """  # fmt: skip
    if sum(given is not None for given in (from_file, from_ref, database_url)) > 1:
        raise click.UsageError("give one of --from-file, --from-ref and --from-database")
    if not (name or to_stdout or baseline):
        raise click.UsageError("give the migration a NAME (or pass --stdout or --baseline)")
    if force and not baseline:
        raise click.UsageError("--force only goes with --baseline")
    unwind_on_sigterm()
    config = load_project_config(root, source=source, target=target, migrations=migrations,
                                 sqlmodel_version=sqlmodel_version)  # fmt: skip
    from modelsync.migrate.lock import folder_lock
    from modelsync.schema.pins import choose_release

    release = choose_release(
        config.root, config.source_anchor, sqlmodel_version, config.sqlmodel_version
    )
    rules = release.rules
    new_shown = Path(to_file).as_posix() if to_file is not None else config.source_shown
    if to_file is not None:
        new = _side_schema(config, _given_files(config), (to_file,), rules, "--to-file")
    else:
        new = _side_schema(config, config.tree(), config.source_items, rules, "source")
    folder, folder_shown = config.path(config.migrations), config.shown(config.migrations)
    live = None
    if database_url is not None:
        live = _from_database(config, new, database_url, db_schema)
    run = _Run(config, output_format, folder, folder_shown, new, new_shown, live)
    if to_stdout and not baseline:
        old, old_label = _previous(run, from_file, from_ref, rules)
        _print(run, old, old_label, plain, allow_destructive)
    # From listing the files to writing the new ones: another run waits (migrate.lock).
    with folder_lock(folder, folder_shown):
        if baseline:
            _record_baseline(run, force)
        old, old_label = _previous(run, from_file, from_ref, rules)
        _write(run, old, old_label, name, plain, allow_destructive)


@record
class _Run:
    config: object
    output_format: str
    folder: Path
    folder_shown: str
    new: object
    new_shown: str
    # The live database read for --from-database (``live.migration``), or None.
    live: object = None


def _previous(run: _Run, from_file, from_ref, rules):
    """The schema to start from, and how messages name it."""
    from modelsync.migrate.folder import migration_files
    from modelsync.migrate.state import read_state
    from modelsync.schema.ir import Schema

    config, folder_shown = run.config, run.folder_shown
    if run.live is not None:
        return run.live.schema, run.live.label
    # ``is not None``: an empty value (a CI variable that was not set) is refused where it
    # is read, never taken for "not given" (which would diff from the state instead).
    if from_file is not None:
        old = _side_schema(config, _given_files(config), (from_file,), rules, "--from-file")
        return old, Path(from_file).as_posix()
    if from_ref is not None:
        old = _schema_at_ref(config, from_ref, rules)
        return old, f"{config.source_shown} at git revision {from_ref}"
    state = read_state(run.folder, folder_shown)
    if state is not None:
        return state.schema, f"{folder_shown}/schema_state.json" + (
            f" (after {state.head})" if state.head else ""
        )
    if not migration_files(run.folder, folder_shown):
        return Schema("(empty database)", ()), "an empty database (no migrations yet)"
    raise InputError(
        "has migrations but no schema state (schema_state.json) to start from: run "
        "`modelsync migration --baseline` once to record the current models as the schema "
        "the database already has, or pass --from-file / --from-ref",
        folder_shown,
    )


def _record_baseline(run: _Run, force: bool) -> None:
    """``--baseline``: the models as the schema the database has. Over a state that differs
    from the models, that would take a change no migration holds as done: refused, unless
    ``--force`` (then each such change is a warning)."""
    from modelsync.drift.pending import pending_findings
    from modelsync.migrate.folder import migration_files
    from modelsync.migrate.state import STATE_FILE, baseline_state, read_state, state_text

    state_shown = f"{run.folder_shown}/{STATE_FILE}"
    if run.live is not None:
        # What the database has is the baseline, whatever the models or the state say.
        recorded = baseline_state(run.live.schema, migration_files(run.folder, run.folder_shown))
        _write_files(run.folder, run.folder_shown, None, None, state_text(recorded))
        message = f"recorded {run.live.label} as the baseline schema in {state_shown}"
        _finish(run.config, run.output_format, "baseline", message, None, run.live.notes,
                run.new.warnings)  # fmt: skip
    state = read_state(run.folder, run.folder_shown)
    pending = ()
    if state is not None:
        pending = pending_findings(run.new, state.schema, state.head, state_shown)
    if pending and not force:
        first = pending[0].message.split("; run `modelsync migration")[0]
        more = f" (and {len(pending) - 1} more)" if len(pending) > 1 else ""
        raise InputError(
            f"--baseline would record a model change that no migration holds as already in "
            f"the database: {first}{more}; write its migration with `modelsync migration NAME` "
            "first, or pass --force if the database really has it",
            state_shown,
        )
    recorded = baseline_state(run.new, migration_files(run.folder, run.folder_shown))
    _write_files(run.folder, run.folder_shown, None, None, state_text(recorded))
    message = (
        f"recorded {run.new_shown} as the baseline schema in {run.folder_shown}/schema_state.json"
    )
    forced = tuple(
        replace(f, severity="warning", message=f"recorded without a migration (--force): "
                f"{f.message.split('; run `modelsync migration')[0]}")
        for f in pending
    )  # fmt: skip
    _finish(run.config, run.output_format, "baseline", message, None, forced, run.new.warnings)


def _print(run: _Run, old, old_label: str, plain: bool, allow_destructive: bool) -> None:
    """``--stdout``: the SQL printed, nothing written."""
    made = _made(run, old, old_label, plain, allow_destructive, printing=True)
    echo_warnings((*old.warnings, *run.new.warnings))
    for finding in (*_live_notes(run, made), *_destructive_findings(made, "(stdout)")):
        click.echo(one_line(f"{finding.severity}: {finding.message}"), err=True)
    click.echo(made.sql, nl=False)
    sys.exit(0)


def _made(
    run: _Run, old, old_label: str, plain: bool, allow_destructive: bool, printing: bool = False
):
    """``printing``: for --stdout, whose standard output is the SQL alone (``> x.sql``), so
    that the text message for no change goes to standard error."""
    from modelsync.migrate.sql import migration as make_migration

    search_path = run.live.search_path if run.live is not None else ()
    made = make_migration(old, run.new, plain=plain, allow_destructive=allow_destructive,
                          old_label=old_label, new_label=run.new_shown,
                          search_path=search_path)  # fmt: skip
    if made.empty:
        message = f"no schema change between {old_label} and {run.new_shown}: nothing to write"
        warnings = (*old.warnings, *run.new.warnings)
        notes = _live_notes(run, made)
        _finish(run.config, run.output_format, "no_change", message, None, notes, warnings,
                message_to_stderr=printing)  # fmt: skip
    return made


def _live_notes(run: _Run, made) -> tuple:
    """What --from-database could not compare exactly, for the operations written."""
    return run.live.notes_for(made.operations) if run.live is not None else ()


def _write(run: _Run, old, old_label: str, name: str, plain: bool, allow_destructive: bool):
    from modelsync.migrate.folder import migration_files, next_file_name
    from modelsync.migrate.state import advanced_state, read_state, state_text

    made = _made(run, old, old_label, plain, allow_destructive)
    files = migration_files(run.folder, run.folder_shown)
    file_name = next_file_name(files, name, run.folder_shown)
    shown = f"{run.folder_shown}/{file_name}"
    recorded = advanced_state(read_state(run.folder, run.folder_shown), run.new, file_name)
    _write_files(run.folder, run.folder_shown, file_name, made.sql, state_text(recorded))
    findings = (*_live_notes(run, made), *_destructive_findings(made, shown))
    message = (
        f"wrote {shown} ({len(made.operations)} change(s)) and updated "
        f"{run.folder_shown}/schema_state.json"
    )
    warnings = (*old.warnings, *run.new.warnings)
    _finish(run.config, run.output_format, "written", message, shown, findings, warnings, made)


def _from_database(config, new, database_url: str, db_schema: str | None):
    """The live database as the previous schema (psycopg is loaded only here)."""
    from modelsync.live.migration import read_database

    return read_database(new, database_url, db_schema or config.db_schema, config)


def _side_schema(config, tree, items: tuple[str, ...], rules, what: str):
    """A side's models read as a project (a file, a package folder or several)."""
    from modelsync.schema.load import load_side

    return load_side(tree, items, rules, what=what, pythonpath=config.pythonpath).schema


def _given_files(config):
    """A file named on the command line (--from-file, --to-file) is read wherever it is:
    the user chose it."""
    from modelsync.modules.tree import DiskTree

    return DiskTree(config.root, outside_ok=True)


def _schema_at_ref(config, ref: str, rules):
    """The source as it was at ``ref``, read from git (nothing is checked out); its
    warnings name the revision."""
    from modelsync.errors import ModelsyncError
    from modelsync.migrate.gittree import GitTree
    from modelsync.records import replace

    try:
        schema = _side_schema(config, GitTree(config.root, ref), config.source_items, rules,
                              "source")  # fmt: skip
    except ModelsyncError as error:
        # A module that does not parse at the revision is named there, not in the work tree.
        if error.path and not error.path.startswith(f"{ref}:"):
            error.path = f"{ref}:{error.path}"
        raise
    warnings = tuple(replace(w, path=f"{ref}:{w.path}") for w in schema.warnings)
    return replace(schema, warnings=warnings)


def _write_files(
    folder: Path, folder_shown: str, file_name: str | None, sql: str | None, state: str
) -> None:
    """Both files or neither: each is written to a temporary file first, then renamed; if
    the second rename fails, the first file is removed again."""
    from modelsync.migrate.state import STATE_FILE

    pending: list[tuple[Path, Path]] = []
    try:
        folder.mkdir(parents=True, exist_ok=True)
        for name, text in ((file_name, sql), (STATE_FILE, state)):
            if name is None or text is None:
                continue
            descriptor, temporary = tempfile.mkstemp(dir=folder, prefix=f".{name}.", suffix=".tmp")
            with os.fdopen(descriptor, "w", encoding="utf-8", newline="\n") as handle:
                handle.write(text)
            pending.append((Path(temporary), folder / name))
        if file_name and (folder / file_name).exists():
            raise InputError("already exists; not overwritten", f"{folder_shown}/{file_name}")
        renamed: list[Path] = []
        try:
            # The SQL file first, the state last: if the state cannot be replaced, the SQL
            # file is taken back, so the folder never holds one without the other.
            for temporary, final in pending:
                os.replace(temporary, final)
                renamed.append(final)
        except OSError:
            for final in renamed:
                if final.name != STATE_FILE:
                    final.unlink(missing_ok=True)
            raise
    except OSError as exc:
        raise InputError(f"cannot write: {exc.strerror or exc}", folder_shown) from None
    finally:
        for temporary, _ in pending:
            temporary.unlink(missing_ok=True)


def _destructive_findings(made, shown: str):
    from modelsync.findings import Finding, Location

    lines = made.sql.splitlines()
    found = []
    for op in made.disabled:
        marker = f"-- {op.describe()}"
        line = next((i for i, text in enumerate(lines, 1) if text == marker), None)
        found.append(
            Finding(
                DESTRUCTIVE_CODE,
                DESTRUCTIVE_KIND,
                f"{op.describe()}: destructive, left commented out "
                "(review it; uncomment it or generate with --allow-destructive)",
                Location("migration", shown, line),
                severity="warning",
                table=op.table,
            )
        )
    return tuple(found)


def _finish(
    config, output_format, status, message, shown, findings, warnings, made=None,
    message_to_stderr=False,
):  # fmt: skip
    """Print the outcome in the chosen format and exit 0 (a warning never fails)."""
    from modelsync.findings import Report, Rule

    if output_format == "text":
        echo_warnings(warnings)
        for finding in findings:
            line = f"{finding.location.where}: warning: {finding.message}"
            click.echo(one_line(line), err=True)
        click.echo(message, err=message_to_stderr)
        sys.exit(0)
    summary = {
        "status": status,
        "file": shown,
        "message": message,
        "changes": [op.describe() for op in made.operations] if made else [],
        "destructive_commented_out": len(findings),
    }
    rules = (
        Rule(
            DESTRUCTIVE_CODE,
            DESTRUCTIVE_KIND,
            "A destructive statement was written commented out",
            "Review it, then uncomment it or run `modelsync migration` with --allow-destructive.",
        ),
    )
    report = Report(
        "migration", findings, summary, message, rules, tuple(warnings), str(config.root)
    )
    emit(report, output_format)
