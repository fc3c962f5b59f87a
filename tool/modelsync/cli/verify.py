"""``modelsync verify``: the migrations, applied to a real PostgreSQL 18, rebuild the models."""

from __future__ import annotations

from pathlib import Path

import click

from modelsync.cli.app import emit, load_project_config, project_options, unwind_on_sigterm


@click.command()
@project_options
@click.option(
    "--database-url",
    metavar="URL",
    help="Use this PostgreSQL server instead of a throwaway one (a postgresql:// or "
    "postgresql+psycopg:// URL, or libpq's 'host=... dbname=...'): verify creates its own "
    "scratch databases there and drops them afterwards (no other database is touched).",
)
@click.option(
    "--statement-timeout",
    type=click.FloatRange(min=0, min_open=True, max=86400),
    metavar="SECONDS",
    help="End a migration statement that runs longer than this and report it (default: "
    "verify_statement_timeout in [tool.modelsync], else 60). A migration cannot lift it.",
)
@click.option(
    "--baseline-ref",
    metavar="GITREF",
    help="Start states (a) and (b) from create_all of the models at this git commit (the migration "
    "files that existed there count as included) instead of the schema state's baseline.",
)
def verify(
    root: Path,
    source: tuple[str, ...],
    target: tuple[str, ...],
    migrations: str | None,
    sqlmodel_version: str | None,
    output_format: str,
    database_url: str | None,
    statement_timeout: float | None,
    baseline_ref: str | None,
) -> None:
    """Prove on a real PostgreSQL 18 + pgvector that the migrations rebuild the models.

    Applies the migrations in the three states the standard allows: (a) the baseline +
    the migrations after it; (b) the same, with create_all(current models) run before the
    migrations; (c) an empty database + every migration + create_all. Each result is
    compared by catalog with a fresh create_all of the current models: columns, types,
    NOT NULL, defaults, keys, foreign keys, indexes, unique and check constraints, enum
    labels, column comments. File names, numbers and SQL syntax are checked first, before
    any server. The init scripts docker-compose mounts into /docker-entrypoint-initdb.d (or
    init_scripts in [tool.modelsync]) run first, as on a fresh volume.

    By default a throwaway server runs in a temporary folder (the verify extra:
    pip install 'modelsync[verify]') and is always stopped and removed. With
    --database-url, a migration that acts beyond its own database (databases, roles,
    ALTER SYSTEM, files, other sessions...) is refused before anything runs, and the
    migrations run as a role of verify's own where the server allows it: point it only at
    a server where throwaway databases may be made (docs/security.md).

    This is the ONE command that runs your code: a subprocess imports the models
    with real SQLModel to run create_all. Every other command reads models statically.

    Exits 0 when verified, 1 on findings, 2 on bad input (or a server that cannot start).
    """
    from modelsync.verify.server import Interrupted, sigterm_interrupts

    if baseline_ref is not None and not baseline_ref.strip():
        # An unset CI variable: not "no baseline", which would verify something else.
        from modelsync.errors import InputError

        raise InputError("--baseline-ref: an empty git revision is not a commit")
    unwind_on_sigterm()
    config = load_project_config(
        root,
        source=source,
        target=target,
        migrations=migrations,
        sqlmodel_version=sqlmodel_version,
        verify_statement_timeout=statement_timeout,
    )
    try:
        with sigterm_interrupts():
            report = _verify(config, database_url, baseline_ref)
    except KeyboardInterrupt:
        click.echo("modelsync: interrupted; verify's databases were removed", err=True)
        raise SystemExit(130) from None
    except Interrupted as stop:
        click.echo("modelsync: terminated; verify's databases were removed", err=True)
        raise SystemExit(128 + stop.signal_number) from None
    emit(report, output_format)


def _verify(config, database_url: str | None, baseline_ref: str | None):
    from modelsync.lint.migrations import migration_folder_findings
    from modelsync.lint.registry import LINT_RULES
    from modelsync.verify.report import state_findings, verify_report
    from modelsync.verify.server import require_extra, throwaway_server

    server_url = _database_url(database_url) if database_url else None
    shown_folder = config.shown(config.migrations)
    lint_rules = tuple(r.rule for r in LINT_RULES if r.name.startswith("migration-"))
    folder = migration_folder_findings(config.path(config.migrations), shown_folder, config.root)
    summary = {
        "models": config.source_shown,
        "migrations": shown_folder,
        "server": None,
        "baseline": None,
        "states": {},
    }
    if any(f.severity == "error" for f in folder):
        summary["server"] = "not started: the migrations folder has errors"
        return verify_report(folder, summary, str(config.root), lint_rules)
    from modelsync.verify.initdb import fresh_volume

    # What a fresh volume runs first: read (and a bad compose file refused) before a server.
    fresh = fresh_volume(config.root, config.compose_file, config.init_scripts)
    require_extra(server=not database_url)
    from modelsync.verify.build import BuildWorker
    from modelsync.verify.models import models_import
    from modelsync.verify.plan import verify_plan
    from modelsync.verify.scratch import scratch_databases
    from modelsync.verify.states import databases_for, run_states

    source = models_import(config.root, config.tree(), config.source_items, config.pythonpath,
                           config.source_shown)  # fmt: skip
    with verify_plan(config.root, source, config.migrations, baseline_ref, fresh,
                     config.pythonpath, config.source_items) as plan:  # fmt: skip
        summary["baseline"] = plan.baseline.shown if plan.baseline else None
        summary["migration_files"] = len(plan.migrations)
        summary["init_scripts"] = [s.name for s in plan.init_scripts]
        summary["fresh_volume"] = _fresh_volume_text(fresh)
        reaches = _reaches(plan) if server_url else ()
        beyond = _reach_findings(plan, (r for r in reaches if not r.dynamic))
        if beyond:
            summary["server"] = "not used: a migration acts beyond its own database"
            return verify_report(folder + beyond, summary, str(config.root), lint_rules)
        # The build child imports SQLModel while the server starts.
        with BuildWorker() as worker, _server(server_url, throwaway_server) as url:
            summary["server"] = server_url.redacted if server_url else "throwaway PostgreSQL"
            roles = databases_for(plan)
            with scratch_databases(url, roles, confine=bool(server_url)) as scratch:
                summary["sessions"] = scratch.login
                dynamic = _reach_findings(plan, (r for r in reaches if r.dynamic))
                if dynamic and not scratch.confined:
                    found = folder + dynamic
                    return verify_report(found, summary, str(config.root), lint_rules)
                outcome = run_states(
                    plan,
                    scratch,
                    worker,
                    timeout=config.verify_statement_timeout,
                    owner_statements=_owner_statements(plan) if server_url else frozenset(),
                )
    lines = _model_lines(config)
    init_shown = frozenset(s.shown for s in plan.environment)
    found = (
        folder
        + plan.init_notes
        + state_findings(
            outcome, plan.migrations, shown_folder, plan.models_shown, lines, init_shown
        )
    )
    summary["states"] = {
        r.state: "failed" if r.failure else ("differs" if r.differences else "verified")
        for r in outcome.results
    }
    verified = (
        f"verified: {len(plan.migrations)} migration(s) in {shown_folder} rebuild the models "
        f"of {plan.models_shown} in states (a), (b) and (c)"
    )
    if plan.init_scripts:
        verified += f", after {len(plan.environment)} init script(s) ({summary['fresh_volume']})"
    warnings = fresh.warnings if fresh is not None else ()
    return verify_report(found, summary, str(config.root), lint_rules, verified, warnings)


def _fresh_volume_text(fresh) -> str | None:
    if fresh is None:
        return None
    if fresh.from_compose:
        return f"the compose service {fresh.service}'s /docker-entrypoint-initdb.d"
    return "init_scripts in [tool.modelsync]" if fresh.files else None


def _database_url(text: str):
    """``--database-url`` read as libpq reads it; one line naming the flag when it is
    malformed (the text itself is not repeated: it may hold a password)."""
    from modelsync.dburl import parse_database_url
    from modelsync.errors import ConfigError

    try:
        return parse_database_url(text)
    except ConfigError as error:
        raise ConfigError(f"--database-url: {error.message}") from None


def _reaches(plan):
    """What the migrations (the baseline's SQL and the init scripts too) do beyond their
    own database (``verify.scope``), read before anything runs on a server given by URL."""
    from modelsync.verify.scope import reaches

    return reaches(_files(plan))


def _reach_findings(plan, reaches):
    from modelsync.verify.report import reach_findings

    init_shown = frozenset(s.shown for s in (*plan.environment, *plan.init_scripts))
    return reach_findings(reaches, init_shown)


def _owner_statements(plan):
    """The statements the URL's own role runs (extensions) where the sessions' role is
    verify's."""
    from modelsync.verify.scope import runs_as_owner

    return frozenset(s for _, statements in _files(plan) for s in statements if runs_as_owner(s))


def _files(plan):
    """Every SQL file verify would run: migrations, the baseline's SQL, init scripts."""
    files = {m.file.shown: m.statements for m in plan.migrations}
    if plan.baseline is not None and plan.baseline.sql is not None:
        files[plan.baseline.shown] = plan.baseline.sql
    for script in (*plan.environment, *plan.init_scripts):
        if script.migration is None:
            files.setdefault(script.shown, script.statements)
    return list(files.items())


def _server(server_url, throwaway_server):
    import contextlib

    if server_url:
        return contextlib.nullcontext(server_url)
    return throwaway_server()


def _model_lines(config) -> dict[tuple[str, str | None], tuple[str, int]]:
    """(file, line) of the tables, columns and enums of the models, read statically, for
    the findings' ``models`` location (none when the models cannot be read that way)."""
    from modelsync.errors import ModelsyncError
    from modelsync.schema.load import load_side
    from modelsync.schema.release import rules_for

    try:
        schema = load_side(config.tree(), config.source_items,
                           rules_for(config.sqlmodel_version),
                           pythonpath=config.pythonpath).schema  # fmt: skip
    except ModelsyncError:
        return {}
    lines: dict[tuple[str, str | None], tuple[str, int]] = {}
    for table in schema.tables:
        lines[(table.name, None)] = (schema.where(table), table.line)
        for column in table.columns:
            lines[(table.name, column.name)] = (schema.where(column), column.line)
    for enum in schema.enums:
        lines[(enum.name, None)] = (schema.where(enum), enum.line)
    return lines
