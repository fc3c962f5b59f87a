"""The bundled example is what the README shows: clean for check and lint, and its migrations
folder verifies on a real PostgreSQL 18 in all three states."""

from __future__ import annotations

from tests.conftest import EXAMPLE, run_cli
from tests.pg_server import PostgresServer


def test_the_example_is_in_sync_and_lint_clean() -> None:
    check = run_cli("check", "--root", EXAMPLE)
    assert check.returncode == 0, check.stdout + check.stderr
    assert check.stdout.startswith("in sync: 7 table(s)")
    lint = run_cli("lint", "--root", EXAMPLE)
    assert lint.returncode == 0, lint.stdout + lint.stderr


def test_the_example_migrations_verify(postgres_server: PostgresServer) -> None:
    done = run_cli("verify", "--root", EXAMPLE, "--database-url", postgres_server.uri)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "in states (a), (b) and (c)" in done.stdout


def test_the_example_needs_no_new_migration() -> None:
    done = run_cli("migration", "anything", "--root", EXAMPLE, "--stdout")
    assert done.returncode == 0, done.stderr
    assert "no schema change" in done.stdout + done.stderr
    assert "CREATE" not in done.stdout and "ALTER" not in done.stdout
