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
    help="Use this PostgreSQL server instead of a throwaway one: verify creates its own "
    "scratch databases there and drops them afterwards (no other database is touched).",
)
@click.option(
    "--baseline-ref",
    metavar="GITREF",
    help="Start state (a) from create_all of the models at this git commit (the migration "
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
    baseline_ref: str | None,
) -> None:
    """Prove on a real PostgreSQL 18 + pgvector that the migrations rebuild the models.

    Applies the migrations in the three states the standard allows: (a) the baseline +
    the migrations after it; (b) the same, with create_all(current models) run before the
    migrations; (c) an empty database + every migration + create_all. Each result is
    compared by catalog with a fresh create_all of the current models: columns, types,
    NOT NULL, defaults, keys, foreign keys, indexes, unique and check constraints, enum
    labels. File names, numbers and SQL syntax are checked first, before any server.

    By default a throwaway server runs in a temporary folder (the verify extra:
    pip install 'modelsync[verify]') and is always stopped and removed.

    This is the ONE command that runs your code: a subprocess imports the models file
    with real SQLModel to run create_all. Every other command reads models statically.

    Exits 0 when verified, 1 on findings, 2 on bad input (or a server that cannot start).
    """
    from modelsync.verify.server import Interrupted, sigterm_interrupts

    unwind_on_sigterm()
    config = load_project_config(
        root, source=source, target=target, migrations=migrations, sqlmodel_version=sqlmodel_version
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
    from modelsync.verify.server import (
        libpq_url,
        redacted,
        require_extra,
        scratch_databases,
        throwaway_server,
    )

    shown_folder = config.shown(config.migrations)
    lint_rules = tuple(r.rule for r in LINT_RULES if r.name.startswith("migration-"))
    folder = migration_folder_findings(config.path(config.migrations), shown_folder, config.root)
    summary = {
        "models": config.shown(config.source),
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
    server_url = libpq_url(database_url) if database_url else None
    from modelsync.verify.build import BuildWorker
    from modelsync.verify.plan import verify_plan
    from modelsync.verify.states import databases_for, run_states

    with verify_plan(config.root, config.source, config.migrations, baseline_ref, fresh) as plan:
        summary["baseline"] = plan.baseline.shown if plan.baseline else None
        summary["migration_files"] = len(plan.migrations)
        summary["init_scripts"] = [s.name for s in plan.init_scripts]
        summary["fresh_volume"] = _fresh_volume_text(fresh)
        # The build child imports SQLModel while the server starts.
        with BuildWorker() as worker, _server(server_url, throwaway_server) as url:
            summary["server"] = redacted(server_url) if server_url else "throwaway PostgreSQL"
            with scratch_databases(url, databases_for(plan)) as urls:
                outcome = run_states(plan, urls, worker)
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


def _server(server_url: str | None, throwaway_server):
    import contextlib

    if server_url:
        return contextlib.nullcontext(server_url)
    return throwaway_server()


def _model_lines(config) -> dict[tuple[str, str | None], int]:
    """Lines of the tables, columns and enums in the models file, read statically, for the
    findings' ``models`` location (none when the file cannot be read that way)."""
    from modelsync.errors import ModelsyncError
    from modelsync.schema.load import load_schema
    from modelsync.schema.release import rules_for

    try:
        schema = load_schema(
            config.path(config.source),
            config.shown(config.source),
            rules_for(config.sqlmodel_version),
        )
    except ModelsyncError:
        return {}
    lines: dict[tuple[str, str | None], int] = {}
    for table in schema.tables:
        lines[(table.name, None)] = table.line
        for column in table.columns:
            lines[(table.name, column.name)] = column.line
    for enum in schema.enums:
        lines[(enum.name, None)] = enum.line
    return lines
