"""The command group, the options every command shares, and how a command's outcome
becomes output and an exit code. The CLI is the only layer that prints or exits.

Exit codes: 0 clean, 1 findings, 2 bad input or usage, 130 interrupted (128 + the signal
for SIGTERM where a command takes it over).
"""

from __future__ import annotations

import gc
import importlib
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from modelsync import __version__
from modelsync.errors import ModelsyncError
from modelsync.findings.inert import inert

# The formats' names (findings.formats.FORMATS), spelled out so that --help loads nothing.
FORMATS = click.Choice(["text", "json", "github", "sarif"])
_STYLES = {
    "finding": {"fg": "red"},
    "warning": {"fg": "yellow"},
    "summary-bad": {"fg": "red", "bold": True},
    "summary-good": {"fg": "green", "bold": True},
}


# Command name -> the module defining the command function of that name. A command's
# module is imported only when that command runs (or ``--help`` lists them all), so that
# ``check`` and ``lint`` never pay for the imports of ``migration`` or ``verify``.
COMMAND_MODULES = {
    name: f"modelsync.cli.{name}"
    for name in ("check", "generate", "lint", "migration", "schema", "verify")
}


class ModelsyncGroup(click.Group):
    """Loads each command when it is asked for, and maps modelsync's exceptions to exit
    code 2 with a one-line message."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*self.commands, *COMMAND_MODULES})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.commands and cmd_name in COMMAND_MODULES:
            module = importlib.import_module(COMMAND_MODULES[cmd_name])
            self.add_command(getattr(module, cmd_name))
        return self.commands.get(cmd_name)

    def resolve_command(self, ctx: click.Context, args: list[str]):
        name, command, rest = super().resolve_command(ctx, args)
        ctx.meta["modelsync.command"] = name  # for a usage error of the command's own
        return name, command, rest

    def make_context(self, info_name, args, parent=None, **extra) -> click.Context:
        # The group's own options (``modelsync --bogus``) are read here.
        try:
            return super().make_context(info_name, args, parent, **extra)
        except click.UsageError as error:
            _usage_error(error)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except click.UsageError as error:  # a command's flags, arguments, or its name
            # An option's missing value is raised before the command's context exists.
            named = ctx.meta.get("modelsync.command")
            _usage_error(error, f"{ctx.command_path} {named}" if named else ctx.command_path)
        except ModelsyncError as error:
            _fail(ctx, str(error))
        except RecursionError:
            # The stages name the file and line of what nests too deeply; this is the
            # last resort for a recursion none of them foresaw.
            _fail(ctx, "the input nests too deeply to read")
        except MemoryError:
            _fail(ctx, "out of memory reading the input")
        except OSError as error:
            # A read or write no stage wrapped (a disk full while printing, say).
            where = f"{error.filename}: " if error.filename else ""
            _fail(ctx, f"{where}{error.strerror or error}")
        except KeyboardInterrupt:
            click.echo("modelsync: interrupted", err=True)
            ctx.exit(130)
        finally:
            _tell_cache_notices()


def _tell_cache_notices() -> None:
    """Once per run: why the cache was not used (an unsafe folder, a planted entry). Never
    a failure: the command ran without it."""
    cache = sys.modules.get("modelsync.cache")  # not loaded: nothing to tell
    for message in cache.take_notices() if cache is not None else ():
        click.echo(click.style(f"modelsync: warning: {one_line(message)}", **_STYLES["warning"]),
                   err=True)  # fmt: skip


def _usage_error(error: click.UsageError, command: str = "modelsync") -> None:
    """One line, like every other error (click prints usage, a hint and the error on
    three), naming the help that explains the command."""
    command = error.ctx.command_path if error.ctx is not None else command
    message = error.format_message().rstrip(".")
    click.echo(f"modelsync: error: {one_line(message)} (see `{command} --help`)", err=True)
    raise SystemExit(error.exit_code)


def _fail(ctx: click.Context, message: str) -> None:
    click.echo(f"modelsync: error: {one_line(message)}", err=True)
    ctx.exit(2)


def one_line(text: str) -> str:
    """Control characters spelled out: a table name holding a newline must not be able to
    forge a second output line (``modelsync: error: ...`` or a fake finding), nor an ESC or
    a U+202E to act on the terminal (``findings.inert``)."""
    return inert(text)


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
            multiple=True,
            help="Source-of-truth models, relative to the root: a file, a package folder or "
            "a glob; repeat it for several [default: backend-core/models.py].",
        ),
        click.option(
            "--target",
            multiple=True,
            help="Mirrored models, relative to the root: a file, a package folder or a "
            "glob; repeat it for several [default: ai-worker/db.py].",
        ),
        click.option(
            "--migrations",
            help="Migrations folder, relative to the root [default: infra/postgres/migrations].",
        ),
        click.option(
            "--sqlmodel-version",
            help="Follow the DDL rules of this SQLModel release instead of the project's pin "
            "(or the installed one).",
        ),
        click.option(
            "--allow-outside-root",
            is_flag=True,
            expose_value=False,
            callback=_remember_allow_outside_root,
            help="Let configured paths (source, target, migrations, templates_dir) lead "
            "outside --root; pyproject.toml cannot set this.",
        ),
        click.option(
            "--format",
            "output_format",
            type=FORMATS,
            default="text",
            show_default=True,
            help="Output format: github prints workflow-command annotations, "
            "sarif prints SARIF 2.1.0 for code scanning.",
        ),
    ]
    for option in reversed(options):
        command = option(command)
    return command


def _remember_allow_outside_root(ctx: click.Context, _param, value: bool) -> None:
    # Kept out of the command's arguments, so that every command takes the flag without
    # its signature changing; load_project_config reads it back.
    if value:
        ctx.meta["modelsync.allow_outside_root"] = True


def load_project_config(root: Path, **overrides: Any):
    from modelsync.config import load_config

    context = click.get_current_context(silent=True)
    if context is not None and context.meta.get("modelsync.allow_outside_root"):
        overrides.setdefault("allow_outside_root", True)
    return load_config(root, overrides)


def exit_code(report) -> int:
    """The one mapping from a command's outcome to its exit code: 2 when some input could
    not be read (a ``bad-input`` finding: the rest was still checked and printed), else 1
    when any finding is an error, else 0. Input so bad that nothing could be checked never
    gets here: it raises and exits 2."""
    if report.bad_input:
        return 2
    return 1 if report.failed else 0


def emit(report, output_format: str) -> None:
    """Print a report in the chosen format, then exit with its code."""
    from modelsync.findings.formats import formatted

    for style, line in formatted(report, output_format):
        if style is None:
            if line:
                click.echo(line)
        else:
            click.echo(click.style(one_line(line), **_STYLES[style]), err=style == "warning")
    sys.exit(exit_code(report))


def echo_warnings(warnings) -> None:
    from modelsync.findings.text import warning_text

    for warning in warnings:
        click.echo(click.style(one_line(warning_text(warning)), **_STYLES["warning"]), err=True)


@click.group(cls=ModelsyncGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="modelsync")
def main() -> None:
    """Keep SQLModel table models, their mirror and their migrations in agreement.

    modelsync reads models files statically and derives the PostgreSQL schema SQLModel
    would create from them; only verify imports your code, to run create_all.
    """


# Set by run(): this process is modelsync's own (not a test's in-process runner), so a
# command may take SIGTERM over.
_PROCESS_ENTRY = False


def unwind_on_sigterm() -> None:
    """From here on SIGTERM (a CI job cancelled) unwinds like Ctrl-C, so that the command's
    cleanup code runs. For the commands that write files (generate, migration) or start a
    server (verify); the read-only ones (check, lint, schema) leave nothing half done when
    killed, and do not pay for importing ``signal``."""
    if _PROCESS_ENTRY:
        import signal

        signal.signal(signal.SIGTERM, _terminated)


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
    global _PROCESS_ENTRY
    gc.disable()
    _PROCESS_ENTRY = True  # see unwind_on_sigterm
    try:
        main()
        code: int = 0
    except KeyboardInterrupt:
        print("modelsync: interrupted", file=sys.stderr)
        code = 130
    except SystemExit as exit_:
        code = exit_.code if isinstance(exit_.code, int) else (0 if exit_.code is None else 1)
        if isinstance(exit_.code, str):
            print(exit_.code, file=sys.stderr)
    except Exception as error:
        if os.environ.get("MODELSYNC_DEBUG"):
            raise
        print(
            f"modelsync: internal error: {type(error).__name__}: {one_line(str(error))} "
            "(please report it; MODELSYNC_DEBUG=1 shows the traceback)",
            file=sys.stderr,
        )
        code = 2
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except OSError:  # stdout closed early (``| head``) or a full disk
        code = code or 2
    os._exit(code)


def _terminated(signum, frame) -> None:
    raise SystemExit(128 + signum)


def database_options(flag: str, help_text: str) -> Callable[[Callable], Callable]:
    """``FLAG [URL]`` (bare, or ``env``: read DATABASE_URL) and ``--db-schema NAME``."""

    def decorate(command: Callable) -> Callable:
        command = click.option(
            "--db-schema",
            metavar="NAME",
            help="The database schema to read "
            "[default: db_schema in [tool.modelsync], else public].",
        )(command)
        return click.option(
            flag,
            "database_url",
            is_flag=False,
            flag_value="env",
            default=None,
            metavar="[URL]",
            help=help_text + " postgresql://, postgresql+psycopg:// or libpq's key=value "
            "form; the password is never printed.",
        )(command)

    return decorate
