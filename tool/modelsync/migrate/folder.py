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
from modelsync.files import read_text
from modelsync.modules.source import refuse_nul
from modelsync.records import record

# The standard's rule (5.1): ``NNN_description.sql``, numbered in the order they apply. A
# number has at least three digits, and every file of a folder the same number of digits
# (``number_widths``), so that the order by name (in which psql's globs and docker's
# entrypoint apply them) is the order by number: ``1000_x.sql`` sorts before ``100_y.sql``.
NAME_PATTERN = re.compile(r"(?P<number>\d{3,})_(?P<description>[a-z0-9]+(?:_[a-z0-9]+)*)\.sql")
DIGITS = 3
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

    @property
    def digits(self) -> int:
        """How many digits the name's number is written with (0: none)."""
        prefix = _NUMBER_PREFIX.match(self.path.name)
        return len(prefix.group()) if prefix else 0


@record
class Statement:
    """One SQL statement of a migration file: its text and the line it starts on."""

    text: str
    line: int


class SqlSyntaxError(InputError):
    """A migration file that PostgreSQL's parser refuses: ``path:line: message``."""


def migration_files(folder: Path, shown_folder: str) -> tuple[MigrationFile, ...]:
    """Every ``*.sql`` file of the folder, in the order they apply: by number, then name.

    A missing folder holds no migrations. An entry that is not a regular file (a FIFO, a
    device, a dangling link) is listed too, so that reading it is refused at its name
    rather than the file silently skipped.
    """
    if not folder.is_dir():
        return ()
    found = []
    for path in folder.iterdir():
        if path.suffix != ".sql" or path.is_dir():
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


def folder_digits(files: tuple[MigrationFile, ...]) -> int:
    """The number of digits the folder's names use: that of most of its well-named files
    (the fewer on a tie: ``999_a`` and a new ``1000_b`` are a three-digit folder with one
    file too wide); three in a folder without any."""
    counts: dict[int, int] = {}
    for file in files:
        if file.well_named:
            counts[file.digits] = counts.get(file.digits, 0) + 1
    return max(counts, key=lambda digits: (counts[digits], -digits), default=DIGITS)


def next_file_name(files: tuple[MigrationFile, ...], description: str, shown_folder: str) -> str:
    """``NNN_description.sql`` with the next free number, written with the folder's number
    of digits. A number that no longer fits (1000 in a folder of three-digit names) is
    refused: by name it would sort first and be applied first."""
    number, digits = next_number(files), folder_digits(files)
    if len(str(number)) > digits:
        wider, first = digits + 1, f"{10 ** (digits - 1):0{digits}d}"
        raise InputError(
            f"the next migration number, {number}, has more digits than the folder's "
            f"{digits}-digit names: {number}_... would sort before {first}_... "
            "by name, the order psql and docker's entrypoint apply files in; rename every "
            f"file to {wider} digits (001_x.sql to {1:0{wider}d}_x.sql, and the names in "
            "schema_state.json), then run the command again",
            shown_folder,
        )
    return migration_name(number, description, digits)


def migration_name(number: int, description: str, digits: int = DIGITS) -> str:
    return f"{number:0{digits}d}_{slugify(description)}.sql"


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


def read_sql(file: MigrationFile, within: Path | None = None) -> str:
    """The file's text: a regular UTF-8 file of at most ``files.TEXT_LIMIT`` bytes, and,
    with ``within``, one whose real path lies in that folder (a symlink out is refused
    unread: its text must not reach a finding)."""
    text = read_text(file.path, file.shown, within=within, outside=OUTSIDE)
    # PostgreSQL's parser takes a NUL for the end of the text: named at its line instead.
    refuse_nul(text, file.shown)
    return text


OUTSIDE = "leads outside the project root: not read"


def split_statements(sql: str, shown: str) -> tuple[Statement, ...]:
    """The statements of a SQL text, each with its starting line, as PostgreSQL parses
    them. A syntax error raises ``SqlSyntaxError`` at its line.

    Linear in the text: pglast's ``split`` runs PostgreSQL's whole grammar over it (so it
    refuses what ``parse_sql`` refuses) but builds no syntax tree, and maps no offsets
    (``parse_sql`` maps every node's byte offset to a character index by a scan over all
    the text's multi-byte characters: quadratic on non-ASCII SQL). Each statement's place is
    found from the end of the one before, and its line counted on from there.
    """
    from pglast import parser

    try:
        texts = parser.split(sql)
    except parser.ParseError as exc:
        message, location = (exc.args + (None, None))[:2]
        # pglast's location is a 0-based character offset.
        line = _line_at(sql, location) if isinstance(location, int) and location >= 0 else None
        raise SqlSyntaxError(f"not valid PostgreSQL: {message}", shown, line) from None
    statements = []
    cursor = counted = 0
    line = 1
    for text in texts:
        start = _start_of(sql, text, cursor)
        line += sql.count("\n", counted, start)
        counted = start
        statements.append(Statement(text, line))
        cursor = start + len(text)
    return tuple(statements)


# What lies between two statements as ``split`` cuts them: the ``;`` that ends one,
# empty statements, and the white space its ``strip`` removes.
_BETWEEN = re.compile(r"[\s;]*")


def _start_of(sql: str, text: str, cursor: int) -> int:
    """Where ``text`` (a statement as ``split`` gives it, stripped) starts in ``sql``, at or
    after ``cursor``: right after the separators, or (never seen) wherever it is next."""
    start = _BETWEEN.match(sql, cursor).end()
    if sql.startswith(text, start):
        return start
    found = sql.find(text, cursor)
    return found if found >= 0 else start


def _line_at(text: str, offset: int) -> int:
    """The 1-based line of a character offset, skipping the blank lines before it."""
    while offset < len(text) and text[offset] in " \t\r\n":
        offset += 1
    return text.count("\n", 0, offset) + 1
