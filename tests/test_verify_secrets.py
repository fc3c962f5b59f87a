"""``verify --database-url`` never prints a secret, in any form libpq accepts, and a
malformed URL is one line with exit 2. Against the session's PostgreSQL 18, which trusts
local connections (any password gets in)."""

from __future__ import annotations

import json
from urllib.parse import urlsplit

import pytest

from tests.conftest import run_cli
from tests.test_verify_cli import CREATE_USERS, USERS, make_project

SECRET = "Sup3rSecret"


def socket_dir(server) -> str:
    return dict(p.split("=", 1) for p in urlsplit(server.uri).query.split("&"))["host"]


def forms(server) -> dict[str, tuple[str, str]]:
    """Each way of passing a password, and how the summary must show the URL."""
    folder = socket_dir(server)
    return {
        "query": (f"{server.uri}&password={SECRET}", f"{server.uri}&password=***"),
        "keywords": (
            f"host={folder} dbname=postgres user=postgres password='{SECRET}'",
            f"host={folder} dbname=postgres user=postgres password=***",
        ),
    }


# One run per form that reaches the server differently (the redaction of every form is
# tested in test_dburl; the summary shows `DatabaseUrl.redacted` whatever the form).
@pytest.mark.parametrize("form", ["query", "keywords"])
def test_the_summary_shows_the_url_without_its_secret(tmp_path, postgres_server, form):
    url, shown = forms(postgres_server)[form]
    root = make_project(tmp_path, USERS, {"001_create_users.sql": CREATE_USERS})
    done = run_cli("verify", "--root", root, "--database-url", url, "--format", "json")
    assert done.returncode == 0, done.stdout + done.stderr
    assert json.loads(done.stdout)["summary"]["server"] == shown
    assert SECRET not in done.stdout + done.stderr


@pytest.mark.parametrize(
    "url",
    [
        f"postgresql://admin@/db?host=/nonexistent-socket-dir&password={SECRET}",
        f"host=/nonexistent-socket-dir dbname=db user=admin password={SECRET}",
        f"postgresql://admin:{SECRET}@/db?host=/nonexistent-socket-dir&sslpassword={SECRET}x",
    ],
)
def test_an_unreachable_server_is_one_line_without_the_secret(tmp_path, url):
    root = make_project(tmp_path, USERS, {"001_create_users.sql": CREATE_USERS})
    done = run_cli("verify", "--root", root, "--database-url", url)
    assert done.returncode == 2
    (line,) = done.stderr.splitlines()
    assert line.startswith("modelsync: error: cannot connect to ")
    assert SECRET not in done.stdout + done.stderr


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        (f"postgresql://admin:{SECRET}@[::1/db", "an IPv6 host has no closing ']'"),
        (f"postgresql://admin:{SECRET}%zz@db/x", "a broken %-escape"),
        (f"host=db password='{SECRET}", "a quoted value has no closing quote"),
        (f"mysql://admin:{SECRET}@db/x", "must be a postgresql:// URL, not mysql://..."),
    ],
)
def test_a_malformed_url_is_one_line_with_exit_2(tmp_path, url, reason):
    root = make_project(tmp_path, USERS, {"001_create_users.sql": CREATE_USERS})
    done = run_cli("verify", "--root", root, "--database-url", url)
    assert done.returncode == 2
    (line,) = done.stderr.splitlines()
    assert line.startswith("modelsync: error: --database-url: ") and line.endswith(reason)
    assert SECRET not in done.stdout + done.stderr
