"""The command line: a thin layer over the stages. The only place that prints or exits.

Exit codes: 0 clean, 1 findings, 2 bad input or usage.
"""

from __future__ import annotations

import gc
import json
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from modelsync import __version__
from modelsync.errors import ConfigError, InputError, ModelsyncError

FORMATS = click.Choice(["text", "json", "github"])
_STYLES = {
    "drift": {"fg": "red"},
    "warning": {"fg": "yellow"},
    "summary-bad": {"fg": "red", "bold": True},
    "summary-good": {"fg": "green", "bold": True},
}


class ModelsyncGroup(click.Group):
    """Maps modelsync's exceptions to exit code 2 with a one-line message."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except ModelsyncError as error:
            click.echo(f"modelsync: error: {error}", err=True)
            ctx.exit(2)
        except RecursionError:
            click.echo("modelsync: error: the models file nests too deeply to read", err=True)
            ctx.exit(2)


def project_options(command: Callable) -> Callable:
    """The options every command takes (the command-line contract)."""
    options = [
        click.option(
            "--root",
            type=click.Path(file_okay=False, path_type=Path),
            default=".",
            show_default=True,
            help="Project root: where pyproject.toml and the default paths are.",
        ),
        click.option(
            "--source",
            help="Source-of-truth models file, relative to the root "
            "[default: backend-core/models.py].",
        ),
        click.option(
            "--target",
            help="Mirrored models file, relative to the root [default: ai-worker/db.py].",
        ),
        click.option(
            "--migrations",
            help="Migrations folder, relative to the root [default: infra/postgres/migrations].",
        ),
        click.option(
            "--sqlmodel-version",
            help="Follow the DDL rules of this SQLModel release instead of the installed one.",
        ),
        click.option(
            "--format",
            "output_format",
            type=FORMATS,
            default="text",
            show_default=True,
            help="Output format; github prints workflow commands.",
        ),
    ]
    for option in reversed(options):
        command = option(command)
    return command


def _config(root: Path, **overrides: Any):
    from modelsync.config import load_config

    return load_config(root, overrides)


@click.group(cls=ModelsyncGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="modelsync")
def main() -> None:
    """Keep SQLModel table models, their mirror and their migrations in agreement.

    modelsync reads models files statically (it never imports your code) and derives the
    PostgreSQL schema SQLModel would create from them.
    """


def run() -> None:
    """The console entry point (and ``python -m modelsync``): ``main`` for a process.

    - The cyclic garbage collector is off: the run is short, builds large syntax trees and
      makes no reference cycles worth collecting, and the collector would only re-scan the
      trees (on two 30k-line files it doubles the time of reading the second one).
    - An unexpected exception is a bug in modelsync: one line and exit 2, never exit 1
      (which means findings). MODELSYNC_DEBUG=1 shows the traceback instead.
    - Once the output is flushed the process ends at once: freeing a million tree nodes
      one by one at exit costs a large file most of a second and does nothing useful.
    """
    gc.disable()
    try:
        main()
        code: int = 0
    except SystemExit as exit_:
        code = exit_.code if isinstance(exit_.code, int) else (0 if exit_.code is None else 1)
        if isinstance(exit_.code, str):
            print(exit_.code, file=sys.stderr)
    except Exception as error:
        if os.environ.get("MODELSYNC_DEBUG"):
            raise
        print(
            f"modelsync: internal error: {type(error).__name__}: {error} "
            "(please report it; MODELSYNC_DEBUG=1 shows the traceback)",
            file=sys.stderr,
        )
        code = 2
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


@main.command()
@project_options
@click.option(
    "--ignore",
    "ignore",
    multiple=True,
    metavar="KIND",
    help="Drop findings of this kind (repeatable), e.g. --ignore foreign_key.",
)
def check(
    root: Path,
    source: str | None,
    target: str | None,
    migrations: str | None,
    sqlmodel_version: str | None,
    output_format: str,
    ignore: tuple[str, ...],
) -> None:
    """Compare the table models of the source and the target.

    Prints every drift with file:line on both sides. Exits 0 when they agree, 1 on
    drift, 2 on bad input.
    """
    from modelsync.drift.compare import DRIFT_KINDS, compare
    from modelsync.findings.formats import CheckResult, check_github, check_json, check_text_lines
    from modelsync.schema.load import parse_file, schema_of
    from modelsync.schema.release import rules_for

    config = _config(
        root, source=source, target=target, migrations=migrations, sqlmodel_version=sqlmodel_version
    )
    ignored = tuple(dict.fromkeys((*config.ignore, *ignore)))
    unknown_kinds = [k for k in ignored if k not in DRIFT_KINDS]
    if unknown_kinds:
        raise ConfigError(
            f"unknown drift kind {unknown_kinds[0]!r} to ignore (known: {', '.join(DRIFT_KINDS)})"
        )
    rules = rules_for(config.sqlmodel_version)
    target_shown = config.shown(config.target)
    source = parse_file(config.path(config.source), config.shown(config.source))
    if not config.path(config.target).exists():
        raise InputError("file not found (`modelsync generate` creates it)", target_shown)
    target = parse_file(config.path(config.target), target_shown)
    source_schema, target_schema = schema_of(source, rules), schema_of(target, rules)
    found = list(compare(source_schema, target_schema))
    if "stale_region" not in ignored and _has_markers(target.text):
        # Only a marked target has a generated region to keep current (and only then is
        # the region machinery loaded).
        from modelsync.mirror.state import mirror_state, stale_region_drifts

        state = mirror_state(
            source, source_schema, target, config.templates_path, config.relationships
        )
        found += stale_region_drifts(state, source.path, target.path)
    drifts = tuple(d for d in found if d.kind not in ignored)
    result = CheckResult(
        source=source_schema.path,
        target=target_schema.path,
        tables_compared=len(source_schema.tables),
        drifts=drifts,
        warnings=source_schema.warnings + target_schema.warnings,
        ignored_kinds=ignored,
    )
    if output_format == "json":
        click.echo(check_json(result))
    elif output_format == "github":
        text = check_github(result)
        if text:
            click.echo(text)
    else:
        for style, line in check_text_lines(result):
            click.echo(click.style(line, **_STYLES[style]), err=style == "warning")
    sys.exit(1 if drifts else 0)


@main.command()
@project_options
@click.option(
    "--check",
    "check_only",
    is_flag=True,
    help="Write nothing; exit 1 if generate would change the target.",
)
@click.option(
    "--diff",
    "show_diff",
    is_flag=True,
    help="Print a unified diff (current -> generated) instead of writing.",
)
@click.option(
    "--stdout", "to_stdout", is_flag=True, help="Print the generated target instead of writing it."
)
@click.option("--force", is_flag=True, help="Overwrite a generated region that was edited by hand.")
def generate(
    root: Path,
    source: str | None,
    target: str | None,
    migrations: str | None,
    sqlmodel_version: str | None,
    output_format: str,
    check_only: bool,
    show_diff: bool,
    to_stdout: bool,
    force: bool,
) -> None:
    """Write the mirrored models into the target from the source's table models.

    Only the region between the modelsync marker comments is rewritten; everything else
    in the target (engine setup, helper functions, comments) is kept byte for byte. A
    target without markers is adopted: its mirrored classes are replaced by the region,
    placed where the first of them stood. A missing target is created with the engine
    and session setup of the database standard. Imports the region needs are added;
    none are removed. The write is atomic and happens only when the text changes.
    """  # fmt: skip
    from modelsync.mirror.generate import generate_text, line_ranges, unified_diff, write_atomically
    from modelsync.mirror.state import mirror_state
    from modelsync.schema.load import parse_file, schema_of
    from modelsync.schema.release import rules_for

    config = _config(root, source=source, target=target, migrations=migrations,
                     sqlmodel_version=sqlmodel_version)  # fmt: skip
    source_file = parse_file(config.path(config.source), config.shown(config.source))
    schema = schema_of(source_file, rules_for(config.sqlmodel_version))
    target_path = config.path(config.target)
    shown = config.shown(config.target)
    # A missing or blank target is created whole; any other is spliced into.
    blank = not target_path.exists() or (
        target_path.is_file() and not target_path.read_bytes().strip()
    )
    target_file = None if blank else parse_file(target_path, shown)
    state = mirror_state(
        source_file, schema, target_file, config.templates_path, config.relationships
    )
    result = generate_text(state, target_file, shown)
    warnings = (*schema.warnings, *result.warnings)
    if to_stdout or show_diff:
        _echo_warnings(warnings)
        text = result.text if to_stdout else unified_diff(result.current, result.text, shown)
        click.echo(text, nl=False)
        sys.exit(1 if show_diff and text else 0)
    line = None
    if check_only:
        status = "would_change" if result.changed else "up_to_date"
        message = "would be changed by `modelsync generate`" if result.changed else "up to date"
    elif result.hand_edited_lines and not force:
        status, line = "refused", result.hand_edited_lines[0]
        message = (
            f"the generated region was edited by hand (line(s) "
            f"{line_ranges(result.hand_edited_lines)} differ from what generate writes); "
            f"move the change into {source_file.path}, then run generate again, "
            "or pass --force to overwrite it"
        )
    elif not result.changed:
        status, message = "up_to_date", "up to date"
    else:
        write_atomically(target_path, result.text)
        status = "created" if result.current is None else "updated"
        message = f"{status} ({len(schema.tables)} table model(s) from {source_file.path})"
    failed = status in ("would_change", "refused")
    _echo_outcome(output_format, shown, line, status, message, failed, warnings)
    sys.exit(1 if failed else 0)


def _has_markers(text: str) -> bool:
    # The markers' common stem (markers.BEGIN_PREFIX / END_PREFIX), spelled out here so
    # that an unmarked target costs no import.
    return "# --- modelsync: " in text


def _echo_warnings(warnings) -> None:
    from modelsync.findings.formats import warning_text

    for warning in warnings:
        click.echo(click.style(warning_text(warning), fg="yellow"), err=True)


def _echo_outcome(
    output_format: str,
    shown: str,
    line: int | None,
    status: str,
    message: str,
    failed: bool,
    warnings,
) -> None:
    """How generate tells what it did, in the chosen format."""  # fmt: skip
    from modelsync.findings.formats import annotation, github_warning, warning_dict

    where = f"{shown}:{line}" if line else shown
    if output_format == "json":
        document = {
            "target": shown,
            "status": status,
            "line": line,
            "message": message,
            "warnings": [warning_dict(w) for w in warnings],
        }
        click.echo(json.dumps(document, indent=2))
    elif output_format == "github":
        for warning in warnings:
            click.echo(github_warning(warning))
        if failed:
            click.echo(annotation("error", shown, line, "modelsync generate", message))
    else:
        _echo_warnings(warnings)
        click.echo(f"{where}: {message}", err=status == "refused")


@main.command()
@click.argument("file", type=click.Path(path_type=Path, dir_okay=True))
@project_options
def schema(
    file: Path,
    root: Path,
    source: str | None,
    target: str | None,
    migrations: str | None,
    sqlmodel_version: str | None,
    output_format: str,
) -> None:
    """Print the schema modelsync derives from a models FILE.

    Column types are the PostgreSQL types SQLAlchemy's postgresql dialect compiles.
    Anything that cannot be resolved statically is listed as a warning.
    """
    from modelsync.findings.formats import github_warning, warning_text
    from modelsync.schema.document import schema_document, schema_text
    from modelsync.schema.load import load_schema
    from modelsync.schema.release import rules_for

    config = _config(root, sqlmodel_version=sqlmodel_version)
    derived = load_schema(file, str(file), rules_for(config.sqlmodel_version))
    if output_format == "json":
        click.echo(json.dumps(schema_document(derived), indent=2))
    elif output_format == "github":
        for warning in derived.warnings:
            click.echo(github_warning(warning))
    else:
        click.echo(schema_text(derived))
        for warning in derived.warnings:
            click.echo(click.style(warning_text(warning), fg="yellow"), err=True)
