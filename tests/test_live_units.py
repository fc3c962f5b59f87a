"""The live stage's pure parts, without a server: database URLs and their secrets, type
spellings, and when two SQL expressions mean the same."""

from __future__ import annotations

import pytest

from modelsync.errors import ConfigError
from modelsync.live.expressions import DIFFERENT, EQUAL, UNSURE, same_expression
from modelsync.live.types import catalog_spelling, ir_spelling
from modelsync.live.url import given_url, parse_database_url

SECRET = "s3cr%t p@ss'w"


@pytest.mark.parametrize(
    ("text", "redacted", "conninfo_has"),
    [
        (
            "postgresql://admin:1234@db:5432/interview_db",
            "postgresql://admin@db:5432/interview_db",
            "password=1234",
        ),
        (
            "postgresql+psycopg://admin:1234@db:5432/interview_db",
            "postgresql://admin@db:5432/interview_db",
            "host=db",
        ),
        (
            "postgres://admin@db/app?password=1234&sslmode=disable",
            "postgresql://admin@db/app",
            "sslmode=disable",
        ),
        (
            "host=db port=5433 dbname=app user=admin password=1234",
            "postgresql://admin@db:5433/app",
            "port=5433",
        ),
        ("host=/tmp/sock dbname=app", "postgresql:///app?host=/tmp/sock", "host=/tmp/sock"),
    ],
)
def test_every_url_form_is_read_and_shown_without_its_password(text, redacted, conninfo_has):
    url = parse_database_url(text)
    assert url.redacted == redacted
    assert conninfo_has in url.conninfo
    assert "1234" not in url.redacted


@pytest.mark.parametrize(
    "text",
    [
        "postgresql://admin:s3cr%25t%20p%40ss'w@db/app",
        "postgresql://admin@db/app?password=s3cr%25t%20p%40ss'w",
        "host=db dbname=app password='s3cr%t p@ss\\'w'",
    ],
)
def test_a_driver_message_that_quotes_the_password_is_scrubbed(text):
    url = parse_database_url(text)
    assert SECRET in url.conninfo.replace("\\'", "'") or "s3cr%25t" in text
    for leaked in (SECRET, "s3cr%25t%20p%40ss'w", "s3cr%t p@ss\\'w"):
        message = f"connection failed: password {leaked!s} rejected"
        scrubbed = url.scrubbed(message)
        assert "s3cr" not in scrubbed, scrubbed


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("mysql://root:hunter2@db/app", "must be a postgresql:// URL"),
        ("host=db password=hunter2 oops", "malformed"),
        ("postgresql://u:hunter2@db/app?nosuchoption=1", "malformed"),
        ("just-some-words", "neither a postgresql:// URL nor key=value"),
    ],
)
def test_a_malformed_url_is_one_message_without_the_password(text, expected):
    with pytest.raises(ConfigError) as raised:
        parse_database_url(text)
    assert expected in str(raised.value)
    assert "hunter2" not in str(raised.value)


def test_a_bare_flag_or_env_reads_database_url():
    environ = {"DATABASE_URL": "postgresql+psycopg://admin:1234@db:5432/interview_db"}
    assert given_url("env", environ) == environ["DATABASE_URL"]
    assert given_url("postgresql://x/y", environ) == "postgresql://x/y"
    with pytest.raises(ConfigError, match="DATABASE_URL is not set"):
        given_url("env", {})


@pytest.mark.parametrize(
    ("ir", "catalog"),
    [
        ("INTEGER", "integer"),
        ("VARCHAR", "character varying"),
        ("VARCHAR(50)", "character varying(50)"),
        ("TIMESTAMP WITHOUT TIME ZONE", "timestamp without time zone"),
        ("TIMESTAMP(3) WITH TIME ZONE", "timestamp(3) with time zone"),
        ("FLOAT", "double precision"),
        ("FLOAT(10)", "real"),
        ("NUMERIC(12, 2)", "numeric(12,2)"),
        ("DECIMAL(5)", "numeric(5,0)"),
        ("VECTOR(768)", "vector(768)"),
        ("CHAR", "character(1)"),
        ("INTEGER[][]", "integer[]"),
        ('VARCHAR(5) COLLATE "C"', "character varying(5) COLLATE C"),
        ("JSONB", "jsonb"),
        ("TSVECTOR", "tsvector"),
    ],
)
def test_sqlalchemy_types_are_spelled_as_format_type_prints_them(ir, catalog):
    assert catalog_spelling(ir) == catalog


def test_a_type_it_cannot_spell_is_unknown_not_guessed():
    assert catalog_spelling("INTERVAL DAY TO SECOND (3)") is None
    assert catalog_spelling("unknown") is None


@pytest.mark.parametrize(
    ("catalog", "ir"),
    [
        ("character varying(80)", "VARCHAR(80)"),
        ("integer", "INTEGER"),
        ("timestamp with time zone", "TIMESTAMP WITH TIME ZONE"),
        ("numeric(5,2)", "NUMERIC(5, 2)"),
        ("vector(3)", "VECTOR(3)"),
        ("text[]", "TEXT[]"),
        ("double precision", "DOUBLE PRECISION"),
        ("my_domain", "my_domain"),
    ],
)
def test_a_database_type_is_given_in_sqlalchemys_spelling(catalog, ir):
    assert ir_spelling(catalog) == ir


COLUMNS = {"email": "character varying(255)", "status": "character varying(20)",
           "n": "integer", "score": "double precision", "id": "integer"}  # fmt: skip


@pytest.mark.parametrize(
    ("model", "stored", "column_type", "verdict"),
    [
        ("'T-' || id::text", "('T-'::text || (id)::text)", None, EQUAL),
        ("price * quantity", "(price * quantity)", None, EQUAL),
        (
            "status IN ('a', 'b')",
            "((status)::text = ANY ((ARRAY['a'::character varying, 'b'::character varying])::text[]))",
            None,
            EQUAL,
        ),
        (
            "status NOT IN ('a')",
            "((status)::text <> ALL ((ARRAY['a'::character varying])::text[]))",
            None,
            EQUAL,
        ),
        ("n BETWEEN 1 AND 5", "((n >= 1) AND (n <= 5))", None, EQUAL),
        ("lower(email)", "lower((email)::text)", None, EQUAL),
        ("score >= 0", "(score >= (0)::double precision)", None, EQUAL),
        ("price * n", "(price * (n)::numeric)", None, EQUAL),
        ("coalesce(rank, 0)", "COALESCE(rank, 0)", None, EQUAL),
        ("now()", "CURRENT_TIMESTAMP", "timestamp with time zone", EQUAL),
        ("transaction_timestamp()", "now()", "timestamp with time zone", EQUAL),
        ("'draft'", "'draft'::character varying", "character varying(20)", EQUAL),
        ("'1'", "1", "integer", EQUAL),
        ("-1", "'-1'::integer", "integer", EQUAL),
        ("'yes'", "true", "boolean", EQUAL),
        ("'{}'", "'{}'::jsonb", "jsonb", EQUAL),
        ("'{\"a\":1}'", "'{\"a\": 1}'::jsonb", "jsonb", EQUAL),
        ("'a'", "'a'::role", "role", EQUAL),
        ("'b'", "'a'::role", "role", DIFFERENT),
        ("'x'", "'y'::character varying", "character varying(5)", DIFFERENT),
        ("'2'", "1", "integer", DIFFERENT),
        ("score >= 0", "(score > (0)::double precision)", None, DIFFERENT),
        ("x::numeric(5,2)", "(x)::numeric(6,2)", None, DIFFERENT),
        ("now()", "LOCALTIMESTAMP", "timestamp without time zone", DIFFERENT),
        # What only the server's input functions or type resolution could settle.
        (
            "'2020-01-01'",
            "'2020-01-01 00:00:00'::timestamp without time zone",
            "timestamp without time zone",
            UNSURE,
        ),
        ("x::numeric", "(x)::integer", None, UNSURE),
        ("this is not sql (", "1", None, UNSURE),
    ],
)
def test_expressions_equal_different_or_unsure(model, stored, column_type, verdict):
    assert same_expression(model, stored, column_types=COLUMNS, column_type=column_type) == verdict
