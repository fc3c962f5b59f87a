"""What ``check --database-url`` and ``migration --from-database`` ask of a live database.

``database_check`` gives the findings and the summary entry; ``database_schema`` gives the
IR a migration starts from (the database's own names kept) and the notes about it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from modelsync.dburl import DatabaseUrl, parse_database_url
from modelsync.errors import ConfigError
from modelsync.findings.model import Finding
from modelsync.live.catalog import LiveCatalog
from modelsync.live.to_ir import LiveSchema, live_schema
from modelsync.records import record
from modelsync.schema.ir import Schema

# The standard's 2.1 names it; a bare ``--database-url`` (its value "env") reads it.
ENV_NAME = "DATABASE_URL"
FROM_ENVIRONMENT = "env"


@record
class DatabaseCheck:
    findings: tuple[Finding, ...]
    summary: dict[str, Any]


def open_url(value: str, environ: Mapping[str, str]) -> DatabaseUrl:
    """The one place a ``--database-url`` / ``--from-database`` value is read (by
    ``dburl``, as libpq reads it; a malformed one is a ConfigError naming no secret)."""
    return parse_database_url(given_url(value, environ))


def given_url(value: str, environ: Mapping[str, str]) -> str:
    """The URL text a ``--database-url`` / ``--from-database`` value stands for."""
    if value != FROM_ENVIRONMENT:
        return value
    text = environ.get(ENV_NAME, "")
    if not text.strip():
        raise ConfigError(f"{ENV_NAME} is not set (a bare --database-url, or `env`, reads it)")
    return text


def read_catalog(
    url: DatabaseUrl, schema: str, ignore: tuple[str, ...], models: Schema
) -> LiveCatalog:
    from modelsync.live.connect import read_live_catalog

    modelled = frozenset(t.name for t in models.tables)
    return read_live_catalog(url, schema, ignore, modelled)


def database_check(
    models: Schema, url: DatabaseUrl, schema: str, ignore: tuple[str, ...]
) -> DatabaseCheck:
    from modelsync.live.findings import database_findings

    catalog = read_catalog(url, schema, ignore, models)
    live = live_schema(catalog, models, keep_names=False)
    findings = database_findings(models, live, catalog)
    summary = {
        "url": url.redacted,
        "schema": schema,
        "server_version": catalog.server_version,
        "tables": len(catalog.tables),
        "ignored_tables": len(catalog.ignored),
        "findings": sum(1 for f in findings if f.severity != "note"),
        "notes": sum(1 for f in findings if f.severity == "note"),
    }
    return DatabaseCheck(findings, summary)


def database_schema(
    models: Schema, url: DatabaseUrl, schema: str, ignore: tuple[str, ...]
) -> tuple[LiveSchema, LiveCatalog]:
    """The database as the IR a migration or a baseline starts from."""
    catalog = read_catalog(url, schema, ignore, models)
    return live_schema(catalog, models, keep_names=True), catalog
