"""The migrations folder: which files it holds, how they are numbered, and their SQL.

Shared by ``migration`` (the next free number), ``verify`` and ``lint`` (names, numbers,
SQL that PostgreSQL's own parser refuses). SQL is split and checked with ``pglast``, the
real PostgreSQL parser, never with a regular expression; pglast is loaded only when SQL is
actually read.
"""

from __future__ import annotations

import re
from pathlib import Path

from modelsync.errors import InputError
from modelsync.modules.source import refuse_nul
from modelsync.records import record

# The standard's rule (5.1): ``NNN_description.sql``, numbered in the order they apply.
NAME_PATTERN = re.compile(r"(?P<number>\d{3})_(?P<description>[a-z0-9]+(?:_[a-z0-9]+)*)\.sql")
# A name that at least starts with a number still takes its place in the order.
_NUMBER_PREFIX = re.compile(r"(?P<number>\d+)")


@record
class MigrationFile:
    path: Path
    # As messages show it: relative to the project root.
    shown: str
    # The leading number (None when the name has none) and whether the whole name fits.
    number: int | None
    well_named: bool

    @property
    def name(self) -> str:
        return self.path.name


@record
class Statement:
    """One SQL statement of a migration file: its text and the line it starts on."""

    text: str
    line: int


class SqlSyntaxError(InputError):
    """A migration file that PostgreSQL's parser refuses: ``path:line: message``."""


def migration_files(folder: Path, shown_folder: str) -> tuple[MigrationFile, ...]:
    """Every ``*.sql`` file of the folder, in the order they apply: by number, then name.

    A missing folder holds no migrations.
    """
    if not folder.is_dir():
        return ()
    found = []
    for path in folder.iterdir():
        if path.suffix != ".sql" or not path.is_file():
            continue
        well_named = NAME_PATTERN.fullmatch(path.name) is not None
        prefix = _NUMBER_PREFIX.match(path.name)
        number = int(prefix.group("number")) if prefix else None
        found.append(MigrationFile(path, f"{shown_folder}/{path.name}", number, well_named))
    return tuple(sorted(found, key=lambda f: (f.number is None, f.number or 0, f.name)))


def duplicate_numbers(files: tuple[MigrationFile, ...]) -> dict[int, tuple[MigrationFile, ...]]:
    """Numbers that more than one file claims (two branches both adding ``004_``)."""
    by_number: dict[int, list[MigrationFile]] = {}
    for file in files:
        if file.number is not None:
            by_number.setdefault(file.number, []).append(file)
    return {n: tuple(fs) for n, fs in sorted(by_number.items()) if len(fs) > 1}


def missing_numbers(files: tuple[MigrationFile, ...]) -> tuple[int, ...]:
    """Gaps between 1 and the highest number used."""
    used = {f.number for f in files if f.number is not None}
    return tuple(n for n in range(1, max(used, default=0)) if n not in used)


def next_number(files: tuple[MigrationFile, ...]) -> int:
    return max((f.number for f in files if f.number is not None), default=0) + 1


def migration_name(number: int, description: str) -> str:
    return f"{number:03d}_{slugify(description)}.sql"


def slugify(text: str) -> str:
    """``"Add Company table!"`` -> ``add_company_table``: ASCII snake_case, as the names
    the standard wants."""
    import unicodedata  # only for a name to write or suggest, never on a clean lint

    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    spaced = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", ascii_text)
    slug = re.sub(r"[^a-z0-9]+", "_", spaced.lower()).strip("_")
    if not slug:
        raise InputError(f"the migration name {text!r} has no letters or digits to use")
    return slug


def read_sql(file: MigrationFile) -> str:
    """The file's text. Not UTF-8, or a NUL byte (PostgreSQL's parser would take it for
    the end of the file and never see what follows), is an error at its line."""
    try:
        data = file.path.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror or exc}", file.shown) from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise InputError(
            f"is not valid UTF-8 (byte 0x{data[exc.start]:02x})", file.shown, line
        ) from None
    refuse_nul(text, file.shown)
    return text


def split_statements(sql: str, shown: str) -> tuple[Statement, ...]:
    """The statements of a SQL text, each with its starting line, as PostgreSQL parses
    them. A syntax error raises ``SqlSyntaxError`` at its line."""
    from pglast import parser

    try:
        raw = parser.parse_sql(sql)
    except parser.ParseError as exc:
        message, location = (exc.args + (None, None))[:2]
        # pglast's location is a 0-based character offset.
        line = _line_at(sql, location) if isinstance(location, int) and location >= 0 else None
        raise SqlSyntaxError(f"not valid PostgreSQL: {message}", shown, line) from None
    statements = []
    for stmt in raw:
        start = stmt.stmt_location
        # pglast gives character offsets; a length of 0 means "to the end of the text".
        end = start + stmt.stmt_len if stmt.stmt_len else len(sql)
        statements.append(Statement(sql[start:end].strip(), _line_at(sql, start)))
    return tuple(statements)


def _line_at(text: str, offset: int) -> int:
    """The 1-based line of a character offset, skipping the blank lines before it."""
    while offset < len(text) and text[offset] in " \t\r\n":
        offset += 1
    return text.count("\n", 0, offset) + 1
