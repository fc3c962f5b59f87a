"""The migrations folder: names, numbers, next number, and statements as PostgreSQL splits them."""

from __future__ import annotations

from pathlib import Path

import pytest

from modelsync.errors import InputError
from modelsync.migrate.folder import (
    SqlSyntaxError,
    duplicate_numbers,
    migration_files,
    migration_name,
    missing_numbers,
    next_number,
    slugify,
    split_statements,
)


def folder_with(tmp_path: Path, *names: str) -> Path:
    for name in names:
        (tmp_path / name).write_text("SELECT 1;\n", encoding="utf-8")
    return tmp_path


def test_files_come_in_the_order_they_apply(tmp_path: Path) -> None:
    folder = folder_with(tmp_path, "010_c.sql", "002_b.sql", "001_a.sql", "notes.txt", "x.sql")
    files = migration_files(folder, "migs")
    assert [f.name for f in files] == ["001_a.sql", "002_b.sql", "010_c.sql", "x.sql"]
    assert [f.number for f in files] == [1, 2, 10, None]
    assert files[0].shown == "migs/001_a.sql"


@pytest.mark.parametrize(
    ("name", "well_named"),
    [
        ("001_add_company_table.sql", True),
        ("004_x.sql", True),
        ("1_short.sql", False),
        ("0001_four_digits.sql", True),  # digits are checked across the folder (lint)
        ("002_Add_Company.sql", False),
        ("003-dashes.sql", False),
        ("003_.sql", False),
        ("init.sql", False),
    ],
)
def test_names_follow_the_standard(tmp_path: Path, name: str, well_named: bool) -> None:
    (file,) = migration_files(folder_with(tmp_path, name), "m")
    assert file.well_named is well_named


def test_duplicates_gaps_and_the_next_number(tmp_path: Path) -> None:
    files = migration_files(
        folder_with(tmp_path, "001_a.sql", "002_x.sql", "002_y.sql", "005_z.sql"), "m"
    )
    assert {n: [f.name for f in fs] for n, fs in duplicate_numbers(files).items()} == {
        2: ["002_x.sql", "002_y.sql"]
    }
    assert missing_numbers(files) == (3, 4)
    assert next_number(files) == 6
    assert next_number(()) == 1


def test_a_missing_folder_holds_no_migrations(tmp_path: Path) -> None:
    assert migration_files(tmp_path / "nope", "nope") == ()


@pytest.mark.parametrize(
    ("text", "slug"),
    [
        ("Add Company table!", "add_company_table"),
        ("addCompanyTable", "add_company_table"),
        ("  résumé  embeddings ", "resume_embeddings"),
        ("v2-scores", "v2_scores"),
    ],
)
def test_slugify(text: str, slug: str) -> None:
    assert slugify(text) == slug


def test_a_name_without_letters_is_refused() -> None:
    with pytest.raises(InputError):
        slugify("!!!")
    assert migration_name(7, "Add x") == "007_add_x.sql"


def test_statements_start_on_their_own_lines() -> None:
    sql = "-- header\nCREATE TABLE a (id int);\n\n/* é */ ALTER TABLE a\n  ADD b int;\nDO $$ BEGIN PERFORM 1; END $$;\n"
    statements = split_statements(sql, "m/001_a.sql")
    assert [(s.line, s.text.split()[0]) for s in statements] == [
        (2, "CREATE"),
        (4, "ALTER"),
        (6, "DO"),
    ]
    assert statements[1].text == "ALTER TABLE a\n  ADD b int"


@pytest.mark.parametrize(
    ("sql", "line"),
    [
        ("TABL x;", 1),  # an error at offset 0
        ("SELECT 1;\nTABL x;", 2),  # at the start of a line
        ("SELECT 'ééé';\n\nCREATE TABL x;", 3),  # after non-ASCII text
        ("SELECT (1;\n", 1),
    ],
)
def test_a_syntax_error_is_located(sql: str, line: int) -> None:
    with pytest.raises(SqlSyntaxError) as raised:
        split_statements(sql, "m/002_b.sql")
    assert (raised.value.path, raised.value.line) == ("m/002_b.sql", line)
    assert str(raised.value).startswith(f"m/002_b.sql:{line}: not valid PostgreSQL: syntax error")
