"""migration-name, migration-number, migration-sql over a real folder, parsed by pglast."""

from __future__ import annotations

from pathlib import Path

import pytest

from modelsync.lint.migrations import migration_folder_findings
from tests.conftest import EXAMPLE, imported_by_each_run


def folder_with(tmp_path: Path, files: dict[str, str]) -> Path:
    folder = tmp_path / "migrations"
    folder.mkdir()
    for name, text in files.items():
        (folder / name).write_bytes(text.encode("utf-8") if isinstance(text, str) else text)
    return folder


def summary(folder: Path) -> list[tuple[str, str, str, int | None]]:
    return [
        (f.kind, f.severity, f.location.path, f.location.line)
        for f in migration_folder_findings(folder, "m")
    ]


def test_the_example_folder_is_clean() -> None:
    folder = EXAMPLE / "infra" / "postgres" / "migrations"
    assert migration_folder_findings(folder, "infra/postgres/migrations") == ()


def test_a_missing_folder_holds_no_migrations(tmp_path: Path) -> None:
    assert migration_folder_findings(tmp_path / "nope", "nope") == ()


@pytest.mark.parametrize(
    ("name", "suggestion"),
    [
        ("1_init.sql", "001_init.sql"),
        ("001-Add Users.sql", "001_add_users.sql"),
        ("001_AddUsers.sql", "001_add_users.sql"),
        ("init.sql", None),
        ("01_init.sql", "001_init.sql"),
    ],
)
def test_migration_name(tmp_path: Path, name: str, suggestion: str | None) -> None:
    folder = folder_with(tmp_path, {name: "SELECT 1;\n"})
    (found,) = migration_folder_findings(folder, "m")
    assert (found.kind, found.code, found.severity) == ("migration-name", "MS841", "error")
    assert found.location.path == f"m/{name}"
    assert found.fix == (f"rename it to {suggestion}" if suggestion else found.fix)
    if suggestion is None:
        assert "NNN_description.sql" in found.fix


def test_migration_name_clean(tmp_path: Path) -> None:
    folder = folder_with(tmp_path, {"001_init.sql": "SELECT 1;", "002_add_users.sql": "SELECT 2;"})
    assert summary(folder) == []


def test_duplicate_numbers_are_errors_at_the_later_file(tmp_path: Path) -> None:
    folder = folder_with(
        tmp_path, {"001_init.sql": "SELECT 1;", "002_y.sql": "SELECT 1;", "002_x.sql": "SELECT 1;"}
    )
    (found,) = migration_folder_findings(folder, "m")
    assert (found.kind, found.severity, found.location.path) == (
        "migration-number",
        "error",
        "m/002_y.sql",
    )
    assert found.related[0].path == "m/002_x.sql"
    assert "003" in found.fix


def test_gaps_are_warnings_at_the_file_after_the_gap(tmp_path: Path) -> None:
    folder = folder_with(tmp_path, {"001_init.sql": "SELECT 1;", "003_x.sql": "SELECT 1;"})
    assert summary(folder) == [("migration-number", "warning", "m/003_x.sql", None)]


def test_sql_syntax_error_at_its_line(tmp_path: Path) -> None:
    sql = "-- a comment\nCREATE TABLE a (id int);\n\nCREATE TABEL b (id int);\n"
    folder = folder_with(tmp_path, {"001_init.sql": sql})
    (found,) = migration_folder_findings(folder, "m")
    assert (found.kind, found.code, found.location.line) == ("migration-sql", "MS843", 4)
    assert "TABEL" in found.message


def test_sql_clean_with_functions_and_dollar_quotes(tmp_path: Path) -> None:
    sql = (
        "CREATE EXTENSION IF NOT EXISTS vector;\n"
        "DO $$ BEGIN CREATE TYPE r AS ENUM ('A'); EXCEPTION WHEN duplicate_object THEN NULL;"
        " END $$;\n"
        "CREATE TABLE t (id serial PRIMARY KEY, e vector(768));\n"
    )
    assert summary(folder_with(tmp_path, {"001_init.sql": sql})) == []


def test_not_utf8_and_empty_files(tmp_path: Path) -> None:
    folder = folder_with(
        tmp_path, {"001_init.sql": b"SELECT 1;\nSELECT '\xff';", "002_empty.sql": "\n"}
    )
    assert summary(folder) == [
        ("migration-sql", "error", "m/001_init.sql", 2),  # the line of the bad byte
        ("migration-sql", "warning", "m/002_empty.sql", None),
    ]


# --------------------------------------------------------------------------- the SQL cache


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv("MODELSYNC_CACHE_DIR", str(folder))
    monkeypatch.delenv("MODELSYNC_CACHE", raising=False)
    return folder


def test_cached_verdicts_equal_fresh_ones(tmp_path: Path, cache: Path, monkeypatch) -> None:
    sql = {"001_a.sql": "SELECT 1;\n\nSELEC 2;\n", "002_b.sql": "SELECT 1;", "003_c.sql": ""}
    folder = folder_with(tmp_path, sql)
    first = migration_folder_findings(folder, "m")
    assert len(list((cache / "sql").iterdir())) == 3
    assert migration_folder_findings(folder, "m") == first  # from the cache
    monkeypatch.setenv("MODELSYNC_CACHE", "0")
    assert migration_folder_findings(folder, "m") == first  # parsed again
    assert [(f.severity, f.location.line) for f in first] == [("error", 3), ("warning", None)]


def test_a_changed_file_is_parsed_again(tmp_path: Path, cache: Path) -> None:
    folder = folder_with(tmp_path, {"001_a.sql": "SELECT 1;\n"})
    assert migration_folder_findings(folder, "m") == ()
    (folder / "001_a.sql").write_text("SELECT 1;\nSELEC 2;\n")
    (found,) = migration_folder_findings(folder, "m")
    assert found.location.line == 2


def test_a_cached_verdict_for_other_bytes_is_not_used(tmp_path: Path, cache: Path) -> None:
    # The cache file's name is only a checksum: a file under the same name that records
    # other input (a collision, or a tampered cache) must not decide the verdict.
    from modelsync.lint.sql_cache import encode_verdict

    folder = folder_with(tmp_path, {"001_a.sql": "SELEC 1;\n"})
    (found,) = migration_folder_findings(folder, "m")
    (entry,) = (cache / "sql").iterdir()
    stored = entry.read_bytes()
    size = int.from_bytes(stored[:8], "big")
    identity = stored[8 : 8 + size]
    assert b"SELEC 1" in identity and stored[8 + size :].startswith(b"error\t1\t")
    ok = encode_verdict({"status": "ok"})
    other = identity.replace(b"SELEC 1", b"SELECT ")
    entry.write_bytes(size.to_bytes(8, "big") + other + ok)
    assert migration_folder_findings(folder, "m") == (found,)
    entry.write_bytes(size.to_bytes(8, "big") + identity + ok)  # the same input: it counts
    assert migration_folder_findings(folder, "m") == ()


def test_verdicts_survive_the_cache_format() -> None:
    from modelsync.lint.sql_cache import decode_verdict, encode_verdict

    for verdict in (
        {"status": "ok"},
        {"status": "empty"},
        {"status": "error", "message": 'syntax error at\tor near "é"\nline two\\', "line": 7},
        {"status": "error", "message": "", "line": None},
    ):
        encoded = encode_verdict(verdict)
        assert b"\n" not in encoded
        assert decode_verdict(encoded) == verdict
    assert decode_verdict(b"maybe\t\t") is None
    # A tampered line number that str.isdigit() accepts but int() does not.
    assert decode_verdict(b"error\t" + "²".encode("unicode_escape") + b"\tmessage") == {
        "status": "error",
        "message": "message",
        "line": None,
    }
    assert decode_verdict(b"not three fields") is None


def test_a_cache_that_cannot_be_written_is_ignored(tmp_path: Path, monkeypatch) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("MODELSYNC_CACHE_DIR", str(blocker / "cache"))
    folder = folder_with(tmp_path, {"001_a.sql": "SELEC 1;\n"})
    (found,) = migration_folder_findings(folder, "m")
    assert found.kind == "migration-sql"


def test_a_warm_lint_does_not_load_pglast(tmp_path: Path, cache: Path) -> None:
    assert imported_by_each_run("lint", EXAMPLE, "pglast") == [True, False]
