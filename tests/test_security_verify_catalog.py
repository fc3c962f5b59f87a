"""verify reads the catalog in the session the migrations ran in: what they leave in it (a
temporary view, a ``search_path``) must not decide what verify reads.

A hostile migration leaves the ``nickname`` column out of ``users`` and serves verify a
``pg_attribute`` that has it: as a temporary view (the session's temporary schema comes
first for tables), or as a view in ``public`` with ``public`` put before ``pg_catalog``.
verify must still report the missing column. The real CLI against the session's
PostgreSQL 18, with ``--database-url`` (on verify's own server the migrations run as its
superuser, who could rewrite the catalog itself: docs/security.md).
"""

from __future__ import annotations

import json

import pytest

from tests.conftest import run_cli
from tests.test_verify_cli import USERS, make_project

WITHOUT_NICKNAME = """\
CREATE TABLE IF NOT EXISTS users (
    id SERIAL NOT NULL,
    email VARCHAR(255) NOT NULL,
    PRIMARY KEY (id)
);
CREATE INDEX IF NOT EXISTS ix_users_email ON users (email);
CREATE SCHEMA IF NOT EXISTS hidden;
CREATE TABLE IF NOT EXISTS hidden.shadow (a int, b int, nickname VARCHAR(50));
"""
# pg_attribute as verify reads it, with hidden.shadow's nickname added to users.
FORGED = """\
    SELECT attrelid, attname, atttypid, atttypmod, attnotnull, attnum, attisdropped, attidentity
    FROM pg_catalog.pg_attribute
    UNION ALL
    SELECT 'public.users'::regclass::oid, attname, atttypid, atttypmod, attnotnull, 3::int2,
           attisdropped, attidentity
    FROM pg_catalog.pg_attribute
    WHERE attrelid = 'hidden.shadow'::regclass AND attname = 'nickname';
"""
ATTACKS = {
    "temporary_view": f"CREATE TEMP VIEW pg_attribute AS\n{FORGED}",
    "search_path": (
        f"CREATE VIEW public.pg_attribute AS\n{FORGED}SET search_path = public, pg_catalog;\n"
    ),
}


@pytest.mark.parametrize("attack", sorted(ATTACKS))
def test_a_forged_catalog_in_the_session_does_not_hide_a_missing_column(
    attack, tmp_path, postgres_server
):
    root = make_project(tmp_path, USERS, {"001_users.sql": WITHOUT_NICKNAME + ATTACKS[attack]})
    done = run_cli(
        "verify", "--root", root, "--database-url", postgres_server.uri, "--format", "json"
    )
    assert done.returncode == 1, done.stdout + done.stderr
    document = json.loads(done.stdout)
    missing = [f for f in document["findings"] if f["message"].startswith("users.nickname")]
    assert missing and "column missing" in missing[0]["message"], document["findings"]
