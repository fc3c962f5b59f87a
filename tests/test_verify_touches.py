"""Which tables and types a migration statement touches (PostgreSQL's parse tree, no server)."""

from __future__ import annotations

import pytest

from modelsync.migrate.folder import split_statements
from modelsync.verify.touches import touched_names, words

KNOWN = frozenset({"users", "companies", "role", "teams"})


@pytest.mark.parametrize(
    ("sql", "touched"),
    [
        ("CREATE TABLE users (id int, company_id text REFERENCES companies (id))", {"users"}),
        ("ALTER TABLE IF EXISTS public.users ADD COLUMN age int", {"users"}),
        ("CREATE INDEX ix_users_email ON users (email)", {"users"}),
        ("DROP TABLE IF EXISTS teams, companies", {"teams", "companies"}),
        ("CREATE TYPE role AS ENUM ('A')", {"role"}),
        ("ALTER TYPE role ADD VALUE 'B'", {"role"}),
        ("DROP TYPE role", {"role"}),
        ("COMMENT ON TABLE users IS 'people'", {"users"}),
        ("INSERT INTO teams SELECT * FROM companies", {"teams"}),
        ("SELECT 1", set()),
        ("ALTER TABLE Users ADD COLUMN age int", {"users"}),
        (
            "DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM information_schema.columns "
            "WHERE table_name = 'users' AND column_name = 'age') THEN "
            "ALTER TABLE users ADD COLUMN age int; END IF; END $$",
            {"users"},
        ),
    ],
)
def test_touched_names(sql, touched):
    assert touched_names(split_statements(sql, "x.sql"), KNOWN) == touched


def test_words_are_identifiers_keywords_and_strings():
    assert words("ALTER TABLE users ADD COLUMN name text DEFAULT 'x'") >= {"users", "name", "x"}
    assert words('ALTER TABLE Users ADD "CamelCase" int') >= {"users", "CamelCase"}
