"""Migrations: the folder of numbered SQL files, the schema state kept beside them, and
the SQL a model change needs (``sql.migration_sql``: plan the operations, render them).

Importing this package must stay light: ``lint`` and ``check`` use the folder helpers, and
SQLAlchemy is loaded only by the modules that compile DDL (``ddl`` and what renders).
"""

from modelsync.migrate.folder import (
    MigrationFile,
    SqlSyntaxError,
    Statement,
    duplicate_numbers,
    migration_files,
    migration_name,
    missing_numbers,
    next_number,
    slugify,
    split_statements,
)

__all__ = [
    "MigrationFile",
    "SqlSyntaxError",
    "Statement",
    "duplicate_numbers",
    "migration_files",
    "migration_name",
    "missing_numbers",
    "next_number",
    "slugify",
    "split_statements",
]
