"""The drift kinds: stable codes, what each means, and how a drift becomes a Finding.

A drift's primary location is the target (where the mirror must be fixed); the source
side is its related location. Both carry the value found there.
"""

from __future__ import annotations

from modelsync.findings.model import Finding, Location, Rule

# (kind, code, summary). New kinds get new codes; existing ones never change.
_CATALOGUE: tuple[tuple[str, str, str], ...] = (
    ("table_missing", "MS101", "A table of the source is missing from the target"),
    ("table_extra", "MS102", "The target has a table the source does not"),
    ("table_not_in_models", "MS103", "The database has a table no model defines"),
    ("column_missing", "MS201", "A column of the source is missing from the target"),
    ("column_extra", "MS202", "The target has a column the source does not"),
    ("type", "MS301", "A column's PostgreSQL type differs"),
    ("nullable", "MS302", "A column's nullability differs"),
    ("primary_key", "MS303", "Whether a column is part of the primary key differs"),
    ("unique", "MS304", "A column's uniqueness differs"),
    ("index", "MS305", "An index differs or is on one side only"),
    ("foreign_key", "MS306", "A foreign key's target or ON DELETE action differs"),
    ("default", "MS307", "A column's Python-side default differs"),
    ("server_default", "MS308", "A column's server default, identity or generated value differs"),
    (
        "autoincrement",
        "MS309",
        "Whether the key is the table's autoincrement (SERIAL) column differs",
    ),
    ("comment", "MS310", "A column's comment differs"),
    (
        "name_only",
        "MS311",
        "An index or constraint of the database matches the models' under another name",
    ),
    ("enum_labels", "MS401", "An enum type's labels differ"),
    ("enum_type", "MS402", "An enum type is in the models or in the database only"),
    ("extension_missing", "MS403", "The database lacks an extension the models need (vector)"),
    ("constraint", "MS501", "A unique or check constraint is on one side only"),
    ("stale_region", "MS601", "The generated region is out of date or was edited by hand"),
    ("migration_missing", "MS701", "The models changed since the last migration's schema state"),
    (
        "not_compared",
        "MS001",
        "Something the database and the models cannot be compared on exactly (a note)",
    ),
)
_HELP = (
    "The target mirrors the source's table models. Change the target to match, or run "
    "`modelsync generate` to rewrite its generated region."
)
_DATABASE_HELP = (
    "The database differs from the models: `modelsync migration NAME --from-database URL` "
    "writes the SQL that brings it there."
)
_SPECIFIC_HELP = {
    "table_not_in_models": _DATABASE_HELP + " A table that belongs to something else can be "
    "left out with db_ignore_tables in [tool.modelsync].",
    "name_only": "Rename the index or constraint in the database, or ignore this kind "
    "(--ignore name_only): later migrations name it by the models' name.",
    "enum_type": _DATABASE_HELP,
    "extension_missing": "CREATE EXTENSION vector in the database (a migration that adds a "
    "vector column does it).",
    "not_compared": "A note, never a failure: compare this by hand.",
    "stale_region": "Run `modelsync generate`; move hand edits of the region into the source.",
    "migration_missing": "Run `modelsync migration NAME` to write the migration this change needs.",
}

KIND_CODES: dict[str, str] = {kind: code for kind, code, _ in _CATALOGUE}
DRIFT_KINDS = tuple(KIND_CODES)
DRIFT_RULES: tuple[Rule, ...] = tuple(
    Rule(code, kind, summary, _SPECIFIC_HELP.get(kind, _HELP)) for kind, code, summary in _CATALOGUE
)


def source_side(path: str, line: int | None, value: str | None) -> Location:
    return Location("source", path, line, value=value)


def target_side(path: str, line: int | None, value: str | None) -> Location:
    return Location("target", path, line, value=value)


def drift(
    kind: str,
    table: str | None,
    column: str | None,
    message: str,
    source: Location,
    target: Location,
) -> Finding:
    return Finding(
        KIND_CODES[kind],
        kind,
        message,
        location=target,
        related=(source,),
        table=table,
        column=column,
    )
