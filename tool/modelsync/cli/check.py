"""``modelsync check``: drift between the source models and their mirror, model changes
the schema state has no migration for (``migration_missing``), and, with
``--database-url``, the models against a live database."""

from __future__ import annotations

from pathlib import Path

import click

from modelsync.cli.app import database_options, emit, load_project_config, project_options
from modelsync.errors import ConfigError, InputError


@click.command()
@project_options
@click.option(
    "--ignore",
    "ignore",
    multiple=True,
    metavar="KIND",
    help="Drop findings of this kind (repeatable), e.g. --ignore foreign_key.",
)
@database_options(
    "--database-url",
    "Also compare the source models with this live PostgreSQL database, read-only "
    "(given bare, or as `env`: DATABASE_URL).",
)
def check(
    root: Path,
    source: tuple[str, ...],
    target: tuple[str, ...],
    migrations: str | None,
    sqlmodel_version: str | None,
    output_format: str,
    ignore: tuple[str, ...],
    database_url: str | None,
    db_schema: str | None,
) -> None:
    """Compare the table models of the source and the target.

    Prints every drift with file:line on both sides. When the migrations folder holds a
    schema state, also reports each table or enum the models changed since the last
    migration (migration_missing). Exits 0 when they agree, 1 on drift, 2 on bad input.
    Tables whose classes the target imports from the source's modules (`from models
    import User` after a sys.path insertion) are shared: counted in the summary, not
    compared.

    With --database-url, also compares the source models with a live database: tables,
    columns (type, NOT NULL, defaults, identity, SERIAL), keys, foreign keys with ON
    DELETE, indexes by definition, unique and check constraints, enum labels, vector
    dimensions and the vector extension. The database is only read: one read-only
    transaction, catalog queries only, nothing created; a role that can only read will
    do. Each finding stands at the model's line, with the database's value as its second
    place; what cannot be compared exactly is a note. Tables matching db_ignore_tables in
    [tool.modelsync] are left out. The password never appears in any output.
    """
    from modelsync.drift import DRIFT_KINDS, DRIFT_RULES, compare
    from modelsync.findings import Report
    from modelsync.schema.pins import choose_release

    config = load_project_config(
        root, source=source, target=target, migrations=migrations, sqlmodel_version=sqlmodel_version
    )
    ignored = tuple(dict.fromkeys((*config.ignore, *ignore)))
    unknown_kinds = [k for k in ignored if k not in DRIFT_KINDS]
    if unknown_kinds:
        from_file = unknown_kinds[0] in config.ignore and unknown_kinds[0] not in ignore
        raise ConfigError(
            f"unknown drift kind {unknown_kinds[0]!r} to ignore (known: {', '.join(DRIFT_KINDS)})",
            "pyproject.toml" if from_file else None,
            config.line_of("ignore") if from_file else None,
        )
    release = choose_release(
        config.root, config.source_anchor, sqlmodel_version, config.sqlmodel_version
    )
    source, target = read_sides(config, release.rules)
    source_schema, target_schema = source.schema, target.schema
    found = list(compare(without_shared(source_schema, target_schema), target_schema))
    state_shown = None
    if "migration_missing" not in ignored:
        # Only a project with a schema state has migrations to keep current; reading it
        # needs no SQLAlchemy.
        from modelsync.drift.pending import pending_findings
        from modelsync.migrate.state import STATE_FILE, read_state

        state = read_state(config.path(config.migrations), config.shown(config.migrations))
        if state is not None:
            state_shown = f"{config.shown(config.migrations)}/{STATE_FILE}"
            found += pending_findings(source_schema, state.schema, state.head, state_shown)
    marked = [f for f in target.files if f.path in target.entries and has_markers(f.text)]
    if "stale_region" not in ignored and marked:
        # Only a marked target has a generated region to keep current (and only then is
        # the region machinery loaded).
        from modelsync.mirror.state import mirror_state, stale_region_drifts
        from modelsync.schema.load import imported_definitions

        mirrored = without_shared(source_schema, target_schema)
        target_has = imported_definitions(target.graph, target.entries, source)
        state = mirror_state(
            source, mirrored, marked[0], config.templates_path, config.relationships,
            target_has=target_has,
        )  # fmt: skip
        found += stale_region_drifts(state, source_schema.path, marked[0].path)
    database = None
    if database_url is not None:
        database = _database_check(config, source_schema, database_url, db_schema)
        found += database.findings
    drifts = tuple(d for d in found if d.kind not in ignored)
    by_kind: dict[str, int] = {}
    for kind in sorted(d.kind for d in drifts):
        by_kind[kind] = by_kind.get(kind, 0) + 1
    warnings = source_schema.warnings + target_schema.warnings
    shared = target_schema.shared
    summary = {
        "source": source_schema.path,
        "target": target_schema.path,
        "tables_compared": len(source_schema.tables) - len(shared),
        "shared": [{"table": t, "class": c, "path": p} for t, c, p in shared],
        "findings": len(drifts),
        "by_kind": by_kind,
        "ignored_kinds": list(ignored),
        "warnings": len(warnings),
        "sqlmodel": release.as_dict(),
    }
    if state_shown is not None:
        summary["schema_state"] = state_shown
    against = target_schema.path
    if database is not None:
        summary["database"] = database_summary(database.summary, drifts)
        against += f" and {database.summary['url']}"
    failing = [d for d in drifts if d.severity == "error"]
    if failing:
        kinds = ", ".join(f"{k}: {n}" for k, n in by_kind.items())
        headline = f"{len(failing)} drift(s) between {source_schema.path} and {against} ({kinds})"
    else:
        compared = len(source_schema.tables) - len(shared)
        headline = f"in sync: {compared} table(s) of {source_schema.path} match {against}"
        if not compared and shared and database is None:
            headline = "in sync"  # the target imports every table: nothing was compared
        notes = len(drifts) - len(failing)
        headline += f" ({notes} note(s))" if notes else ""
    if shared:
        headline += (
            f"; {len(shared)} table(s) shared: {target_schema.path} imports their classes "
            f"from {source_schema.path}"
        )
    if database is not None and database.summary["ignored_tables"]:
        headline += f"; {database.summary['ignored_tables']} database table(s) ignored"
    headline += f"; {release.text}"
    report = Report("check", drifts, summary, headline, DRIFT_RULES, warnings, str(config.root))
    emit(report, output_format)


def _database_check(config, source_schema, database_url: str, db_schema: str | None):
    """The source models against the live database (psycopg is loaded only here)."""
    import os

    from modelsync.live.run import database_check, open_url

    url = open_url(database_url, os.environ)
    schema = db_schema or config.db_schema
    return database_check(source_schema, url, schema, config.db_ignore_tables)


def database_summary(summary: dict, drifts) -> dict:
    """The database's part of the summary, its counts after --ignore."""
    mine = [d for d in drifts if d.at("database") is not None]
    notes = sum(1 for d in mine if d.severity == "note")
    return {**summary, "findings": len(mine) - notes, "notes": notes}


def read_sides(config, rules):
    """The source and the target, each read as a project of modules; the target's imports
    of the source's modules make those tables shared."""
    from modelsync.schema.load import load_side

    tree = config.tree()
    loaded: dict = {}
    source = load_side(tree, config.source_items, rules, what="source",
                       pythonpath=config.pythonpath, loaded=loaded)  # fmt: skip
    items = config.target_items
    if len(items) == 1 and not config.path(items[0]).exists():
        raise InputError("file not found (`modelsync generate` creates it)", config.target_shown)
    target = load_side(tree, items, rules, what="target", pythonpath=config.pythonpath,
                       imports_from=source, loaded=loaded)  # fmt: skip
    return source, target


def without_shared(source, target):
    """The source's tables less those the target imports: they are the same classes."""
    if not target.shared:
        return source
    from modelsync.records import replace

    names = {name for name, _, _ in target.shared}
    tables = tuple(t for t in source.tables if t.name not in names)
    return replace(source, tables=tables, shared=target.shared)


def has_markers(text: str) -> bool:
    # The markers' common stem (markers.BEGIN_PREFIX / END_PREFIX), spelled out here so
    # that an unmarked target costs no import.
    return "# --- modelsync: " in text
