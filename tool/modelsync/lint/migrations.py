"""Lint rules over the migrations folder (standard 5.1): migration-name, migration-number,
migration-sql.

``migration_folder_findings`` is also what ``verify`` runs before it starts a server: a
folder with two ``004_`` files or SQL that PostgreSQL's parser refuses is reported here,
at the file and line, instead of failing half-way through applying it. It returns every
finding unfiltered; ``--select``/``--ignore`` and inline suppressions are applied by the
lint command (``lint.suppress``).
"""

from __future__ import annotations

from pathlib import Path

from modelsync.errors import InputError
from modelsync.findings.model import Finding, Location
from modelsync.lint import sql_cache
from modelsync.lint.registry import finding
from modelsync.migrate.folder import (
    MigrationFile,
    SqlSyntaxError,
    duplicate_numbers,
    folder_digits,
    migration_files,
    migration_name,
    missing_numbers,
    next_number,
    read_sql,
    split_statements,
)


def migration_folder_findings(
    folder: Path, shown_folder: str, root: Path | None = None
) -> tuple[Finding, ...]:
    """Every name, numbering and SQL finding of the folder's ``*.sql`` files, in the
    order the files apply. A missing folder holds no migrations and gives no findings.
    With ``root``, a file whose real path leads outside it is refused unread."""
    files = migration_files(folder, shown_folder)
    found: list[Finding] = []
    for file in files:
        found += name_findings(file)
    found += number_findings(files)
    for file in files:
        found += sql_findings(file, root)
    return tuple(found)


def _at(file: MigrationFile, line: int | None = None) -> Location:
    return Location("migration", file.shown, line, value=file.name)


def name_findings(file: MigrationFile) -> tuple[Finding, ...]:
    if file.well_named:
        return ()
    suggestion = suggested_name(file)
    fix = f"rename it to {suggestion}" if suggestion else "rename it to NNN_description.sql"
    return (
        finding(
            "migration-name",
            f"{file.name} does not follow NNN_description.sql (three or more digits, an "
            "underscore, lower-case snake_case words)",
            _at(file),
            fix=fix,
        ),
    )


def suggested_name(file: MigrationFile) -> str | None:
    """``1-Add Users.sql`` -> ``001_add_users.sql``; None when the name has no number."""
    if file.number is None:
        return None
    rest = file.path.stem.lstrip("0123456789")
    try:
        return migration_name(file.number, rest)
    except InputError:  # nothing but the number: no description to keep
        return None


def number_findings(files: tuple[MigrationFile, ...]) -> tuple[Finding, ...]:
    """Duplicates are errors (two branches both added ``004_``: only one order can be
    right), and so is a number written with more or fewer digits than the folder's others
    (``1000_x.sql`` among three-digit names: by name it sorts first, and files are applied
    by name); a gap is a warning (a deleted or renumbered file, usually harmless)."""
    found = [*_width_findings(files)]
    free = next_number(files)
    for number, claimants in duplicate_numbers(files).items():
        first, *others = claimants
        for offset, file in enumerate(others):
            found.append(
                finding(
                    "migration-number",
                    f"{file.name} and {first.name} both have number {number:03d}",
                    _at(file),
                    related=(Location("duplicate", first.shown, value=first.name),),
                    fix=f"renumber it to {free + offset:03d}, the next free number",
                )
            )
    for number in missing_numbers(files):
        after = next(f for f in files if f.number is not None and f.number > number)
        found.append(
            finding(
                "migration-number",
                f"number {number:03d} is missing before {after.name}",
                _at(after),
                severity="warning",
                fix="renumber the files without a gap, or ignore this if the gap is deliberate",
            )
        )
    return tuple(found)


def _width_findings(files: tuple[MigrationFile, ...]) -> list[Finding]:
    digits = folder_digits(files)
    found = []
    for file in files:
        if file.well_named and file.digits != digits:
            found.append(
                finding(
                    "migration-number",
                    f"{file.name} has a {file.digits}-digit number and the folder's other "
                    f"files {digits} digits: by name it sorts out of numeric order, and psql and "
                    "docker's entrypoint apply files by name",
                    _at(file),
                    fix=f"give every file of the folder the same number of digits "
                    f"(rename them all to {max(digits, file.digits)} digits)",
                )
            )
    return found


def sql_findings(file: MigrationFile, root: Path | None = None) -> tuple[Finding, ...]:
    """The first place in the file where PostgreSQL's parser stops, or an empty file."""
    try:
        verdict = file_verdict(file, root)
    except InputError as error:  # not UTF-8, unreadable, outside the root
        return (finding("migration-sql", error.message, _at(file, error.line)),)
    if verdict["status"] == "error":
        return (
            finding(
                "migration-sql",
                verdict["message"],
                _at(file, verdict.get("line")),
                fix="correct the SQL; it must run under psql as written",
            ),
        )
    if verdict["status"] == "empty":
        return (
            finding(
                "migration-sql",
                f"{file.name} holds no SQL statement",
                _at(file),
                severity="warning",
                fix="write the migration's SQL, or delete the file",
            ),
        )
    return ()


def file_verdict(file: MigrationFile, root: Path | None = None) -> dict:
    """PostgreSQL's verdict on the file, through the cache. A file whose real path leads
    outside ``root`` (a symlink) is refused unread: its text must not reach a finding."""
    sql = read_sql(file, within=root)
    return text_verdict(sql, file.shown)


def text_verdict(sql: str, shown: str) -> dict:
    key = sql_cache.key_for(shown, sql.encode("utf-8", "surrogateescape"))
    verdict = sql_cache.load(key)
    if verdict is None:
        verdict = parse_verdict(sql, shown)
        sql_cache.store(key, verdict)
    return verdict


def parse_verdict(sql: str, shown: str) -> dict:
    """What pglast says about the text, as the cache stores it: parses, empty, or the
    first syntax error; and the facts other rules need of it without pglast (the vector
    indexes' operator classes, the comments that silence a rule)."""
    from modelsync.lint.sqlscan import ignore_comments, index_metrics

    verdict: dict = {}
    try:
        statements = split_statements(sql, shown)
    except SqlSyntaxError as error:
        verdict = {"status": "error", "message": error.message, "line": error.line}
    else:
        verdict = {"status": "ok" if statements else "empty"}
        metrics = tuple(index_metrics(sql))
        if metrics:
            verdict["metrics"] = metrics
    ignores = tuple(ignore_comments(sql))
    if ignores:
        verdict["ignores"] = ignores
    return verdict


def metric_findings(
    folder: Path, shown_folder: str, root: Path | None = None
) -> tuple[Finding, ...]:
    """vector-metric's migration side: a vector index (hnsw, ivfflat) whose operator class
    is not a cosine one, at the operator class's line."""
    found = []
    for file in migration_files(folder, shown_folder):
        try:
            verdict = file_verdict(file, root)
        except InputError:
            continue  # migration-sql reports it
        for line, used in verdict.get("metrics", ()):
            what = used or "no operator class (pgvector's default is L2)"
            found.append(
                finding(
                    "vector-metric",
                    f"a vector index in {file.name} uses {what}; the standard's metric is "
                    "cosine, so cosine_distance queries cannot use it",
                    _at(file, line),
                    fix="USING hnsw (embedding vector_cosine_ops)",
                )
            )
    return tuple(found)
