"""``modelsync generate``: write the mirrored models into the target."""

from __future__ import annotations

import json
import shlex
import sys
from pathlib import Path

import click
from click.core import ParameterSource

from modelsync.cli.app import (
    echo_warnings,
    emit,
    load_project_config,
    one_line,
    project_options,
    unwind_on_sigterm,
)


@click.command()
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
@click.option(
    "--force",
    is_flag=True,
    help="Overwrite a generated region that was edited by hand, or hand-written members "
    "of a mirrored class being adopted.",
)
def generate(
    root: Path,
    source: tuple[str, ...],
    target: tuple[str, ...],
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
    placed where the first of them stood; comments inside them are kept above the region,
    and code in them (methods, nested classes) is refused by line unless --force drops it.
    A missing target is created with the engine
    and session setup of the database standard. Imports the region needs are added;
    none are removed. The write is atomic and happens only when the text changes.
    """  # fmt: skip
    from modelsync.errors import ConfigError, InputError
    from modelsync.mirror.generate import generate_text, line_ranges, unified_diff, write_atomically
    from modelsync.mirror.state import mirror_state
    from modelsync.records import replace
    from modelsync.schema.load import load_side, parse_file, target_imports
    from modelsync.schema.pins import choose_release

    unwind_on_sigterm()
    config = load_project_config(root, source=source, target=target, migrations=migrations,
                     sqlmodel_version=sqlmodel_version)  # fmt: skip
    release = choose_release(config.root, config.source_anchor, sqlmodel_version,
                             config.sqlmodel_version)  # fmt: skip
    if len(config.target_items) != 1 or any(c in config.target_items[0] for c in "*?["):
        raise ConfigError(
            f"generate writes one target file; the target is {config.target_shown} "
            "(give one with --target)"
        )
    tree = config.tree()
    loaded: dict = {}
    source = load_side(tree, config.source_items, release.rules,
                       pythonpath=config.pythonpath, loaded=loaded)  # fmt: skip
    schema = source.schema
    target_path = config.path(config.target_items[0])
    shown = config.target_shown
    if target_path.is_dir():
        raise InputError("is a folder: generate writes one target file", shown)
    # A missing or blank target is created whole; any other is spliced into.
    blank = not target_path.exists() or _blank(target_path)
    target_file = None if blank else parse_file(target_path, shown)
    target_has = {}
    if target_file is not None:
        # Tables whose classes the target imports from the source are not copied, nor
        # what else of the source it imports by name (an enum, a mixin).
        imports = target_imports(tree, config.target_items, source,
                                 pythonpath=config.pythonpath, loaded=loaded)  # fmt: skip
        names = {name for name, _, _ in imports.shared}
        tables = tuple(t for t in schema.tables if t.name not in names)
        schema = replace(schema, tables=tables, shared=imports.shared)
        target_has = imports.definitions
    state = mirror_state(
        source,
        schema,
        target_file,
        config.templates_path,
        config.relationships,
        templates_shown=config.templates_dir,
        target_has=target_has,
    )
    if target_file is not None and not schema.tables and state.region is None:
        # Every table's class is imported from the source: the target mirrors them by
        # construction, and there is nothing to copy. "Up to date" is then a verdict on the
        # target as it is: read it as check does, which refuses a table it defines again.
        load_side(tree, config.target_items, release.rules, what="target",
                  pythonpath=config.pythonpath, imports_from=source, loaded=loaded)  # fmt: skip
        message = f"up to date: every table of {source.schema.path} is imported (shared)"
        _echo_outcome(root, source.schema.path, output_format, shown, None, "up_to_date",
                      message, False, schema.warnings)  # fmt: skip
        sys.exit(0)
    result = generate_text(state, target_file, shown, force, _command_line())
    warnings = (*schema.warnings, *result.warnings)
    if to_stdout or show_diff:
        echo_warnings(warnings)
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
            f"move the change into {source.schema.path} and run `{_command_line()}` again, "
            f"or run `{_command_line()} --force`, which overwrites exactly those line(s)"
        )
    elif not result.changed:
        status, message = "up_to_date", "up to date"
    else:
        write_atomically(target_path, result.text, shown)
        status = "created" if result.current is None else "updated"
        message = f"{status} ({len(schema.tables)} table model(s) from {source.schema.path})"
        if result.carried_lines:
            message += (
                f"; kept {len(result.carried_lines)} comment(s) from inside the replaced "
                f"classes above the region (line(s) {line_ranges(result.carried_lines)})"
            )
    failed = status in ("would_change", "refused")
    _echo_outcome(
        root, source.schema.path, output_format, shown, line, status, message, failed, warnings
    )
    sys.exit(1 if failed else 0)


# Options that only choose how generate reports, never what it writes.
_REPORTING = frozenset({"output_format", "check_only", "show_diff", "to_stdout", "force"})


def _command_line() -> str:
    """``modelsync generate`` with the project options the user gave, quoted for a shell:
    the command a message tells the user to run next."""
    context = click.get_current_context()
    words = ["modelsync", "generate"]
    for param in context.command.params:
        given = context.get_parameter_source(param.name) is ParameterSource.COMMANDLINE
        if param.name in _REPORTING or not given or not isinstance(param, click.Option):
            continue
        words.append(param.opts[0])
        if not param.is_flag:
            words.append(str(context.params[param.name]))
    return shlex.join(words)


def _echo_outcome(
    root: Path,
    source_path: str,
    output_format: str,
    shown: str,
    line: int | None,
    status: str,
    message: str,
    failed: bool,
    warnings,
) -> None:
    """How generate tells what it did, in the chosen format. JSON is a status document;
    SARIF reports a failed run as one stale_region finding."""  # fmt: skip
    from modelsync.findings.github import annotation, github_warning
    from modelsync.findings.jsondoc import warning_dict

    where = f"{shown}:{line}" if line else shown
    if output_format == "sarif":
        from modelsync.drift import DRIFT_RULES, drift
        from modelsync.findings import Location, Report

        findings = (
            (drift("stale_region", None, None, message, Location("source", source_path),
                   Location("target", shown, line)),)
            if failed else ()
        )  # fmt: skip
        emit(Report("generate", findings, {"status": status}, message, DRIFT_RULES,
                    tuple(warnings), str(root)), "sarif")  # fmt: skip
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
        echo_warnings(warnings)
        click.echo(one_line(f"{where}: {message}"), err=status == "refused")


def _blank(path: Path) -> bool:
    """A target holding nothing but white space (one that cannot be read is not blank:
    reading it as models then says why)."""
    from modelsync.files import TEXT_LIMIT, read_bytes

    try:
        return not read_bytes(path, TEXT_LIMIT).strip()
    except (OSError, ValueError):
        return False
