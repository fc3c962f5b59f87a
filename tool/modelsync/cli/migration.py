"""``modelsync migration NAME``: the numbered SQL file a model change needs."""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

import click

from modelsync.cli.app import (
    echo_warnings,
    emit,
    load_project_config,
    project_options,
    unwind_on_sigterm,
)
from modelsync.errors import InputError

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
    help="Take the previous schema from the source file at this git revision "
    "(read with `git show`; the working tree is untouched).",
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
    help="Record the current models as the schema the database already has; write no SQL.",
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
    """  # fmt: skip
    from modelsync.migrate.folder import migration_files, migration_name, next_number, slugify
    from modelsync.migrate.state import advanced_state, baseline_state, read_state, state_text
    from modelsync.schema.ir import Schema
    from modelsync.schema.load import parse_file, schema_of
    from modelsync.schema.pins import choose_release

    if from_file and from_ref:
        raise click.UsageError("give --from-file or --from-ref, not both")
    if not (name or to_stdout or baseline):
        raise click.UsageError("give the migration a NAME (or pass --stdout or --baseline)")
    unwind_on_sigterm()
    config = load_project_config(root, source=source, target=target, migrations=migrations,
                                 sqlmodel_version=sqlmodel_version)  # fmt: skip
    release = choose_release(config.root, config.source, sqlmodel_version, config.sqlmodel_version)
    rules = release.rules
    new_shown = Path(to_file).as_posix() if to_file else config.shown(config.source)
    new_path = config.root / to_file if to_file else config.path(config.source)
    new = schema_of(parse_file(new_path, new_shown), rules)
    folder, folder_shown = config.path(config.migrations), config.shown(config.migrations)
    files = migration_files(folder, folder_shown)
    state = read_state(folder, folder_shown)
    if baseline:
        recorded = baseline_state(new, files)
        _write_files(folder, folder_shown, None, None, state_text(recorded))
        message = f"recorded {new_shown} as the baseline schema in {folder_shown}/schema_state.json"
        _finish(config, output_format, "baseline", message, None, (), new.warnings)
    if from_file:
        old = schema_of(parse_file(config.root / from_file, Path(from_file).as_posix()), rules)
        old_label = Path(from_file).as_posix()
    elif from_ref:
        old = schema_of(_parsed_at_ref(config.root, config.source, from_ref), rules)
        old_label = f"{config.shown(config.source)} at git revision {from_ref}"
    elif state is not None:
        old = state.schema
        old_label = f"{folder_shown}/schema_state.json" + (
            f" (after {state.head})" if state.head else ""
        )
    elif not files:
        old, old_label = Schema("(empty database)", ()), "an empty database (no migrations yet)"
    else:
        raise InputError(
            "has migrations but no schema state (schema_state.json) to start from: run "
            "`modelsync migration --baseline` once to record the current models as the schema "
            "the database already has, or pass --from-file / --from-ref",
            folder_shown,
        )
    from modelsync.migrate.sql import migration as make_migration

    made = make_migration(old, new, plain=plain, allow_destructive=allow_destructive,
                          old_label=old_label, new_label=new_shown)  # fmt: skip
    warnings = (*old.warnings, *new.warnings)
    if made.empty:
        message = f"no schema change between {old_label} and {new_shown}: nothing to write"
        _finish(config, output_format, "no_change", message, None, (), warnings)
    if to_stdout:
        echo_warnings(warnings)
        for finding in _destructive_findings(made, "(stdout)"):
            click.echo(f"warning: {finding.message}", err=True)
        click.echo(made.sql, nl=False)
        sys.exit(0)
    file_name = migration_name(next_number(files), slugify(name))
    shown = f"{folder_shown}/{file_name}"
    recorded = advanced_state(state, new, file_name)
    _write_files(folder, folder_shown, file_name, made.sql, state_text(recorded))
    findings = _destructive_findings(made, shown)
    message = (
        f"wrote {shown} ({len(made.operations)} change(s)) and updated "
        f"{folder_shown}/schema_state.json"
    )
    _finish(config, output_format, "written", message, shown, findings, warnings, made)


def _parsed_at_ref(root: Path, source: str, ref: str):
    """The source file as it was at ``ref``, read with ``git show`` (nothing is checked out)."""
    from modelsync.migrate.git import file_at_ref
    from modelsync.modules.source import parse_python
    from modelsync.schema.load import ParsedFile

    shown = f"{ref}:{Path(source).as_posix()}"
    text = file_at_ref(root, source, ref)
    return ParsedFile(shown, text, parse_python(text, shown))


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


def _finish(config, output_format, status, message, shown, findings, warnings, made=None):
    """Print the outcome in the chosen format and exit 0 (a warning never fails)."""
    from modelsync.findings import Report, Rule

    if output_format == "text":
        echo_warnings(warnings)
        for finding in findings:
            click.echo(f"{finding.location.where}: warning: {finding.message}", err=True)
        click.echo(message)
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
