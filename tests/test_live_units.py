"""The live stage's pure parts, without a server: the URL a bare flag stands for, type
spellings, when two SQL expressions mean the same, and names PostgreSQL cut. (Database URLs
and their secrets are ``dburl``'s: tests/test_dburl.py.)"""

from __future__ import annotations

import pytest

from modelsync.errors import ConfigError
from modelsync.live.expressions import DIFFERENT, EQUAL, UNSURE, same_expression
from modelsync.live.run import given_url
from modelsync.live.types import catalog_spelling, ir_spelling


def test_a_bare_flag_or_env_reads_database_url():
    environ = {"DATABASE_URL": "postgresql+psycopg://admin:1234@db:5432/interview_db"}
    assert given_url("env", environ) == environ["DATABASE_URL"]
    assert given_url("postgresql://x/y", environ) == "postgresql://x/y"
    with pytest.raises(ConfigError, match="DATABASE_URL is not set"):
        given_url("env", {})


def test_a_keyword_libpq_does_not_know_is_a_malformed_url_without_the_password():
    from modelsync.dburl import parse_database_url
    from modelsync.live.connect import read_only_session

    url = parse_database_url("postgresql://u:hunter2@db/app?sslmod=require")
    with pytest.raises(ConfigError) as raised, read_only_session(url):
        pass
    # Refused before any connection is tried (there is no server "db" to reach).
    assert str(raised.value) == 'the database URL is malformed: invalid connection option "sslmod"'


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


@pytest.mark.parametrize(
    ("model", "database", "same"),
    [
        ("timestamp with time zone", "timestamp(6) with time zone", True),
        ("timestamp(6) without time zone", "timestamp without time zone", True),
        ("time without time zone[]", "time(6) without time zone[]", True),
        ("timestamp with time zone", "timestamp(3) with time zone", False),
        ("timestamp with time zone", "timestamp without time zone", False),
        (None, "integer", False),
    ],
)
def test_six_fractional_digits_are_the_default_precision(model, database, same):
    from modelsync.live.types import same_type

    assert same_type(model, database) is same


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
           "n": "integer", "score": "double precision", "id": "integer", "name": "text",
           "title": "character varying(200)"}  # fmt: skip
# The column types below that are enum types (the caller knows it from pg_type).
ENUM_TYPES = {"role", '"Status"'}


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
        # An enum type whose name PostgreSQL quotes is the cast's type all the same.
        ("'active'", "'active'::\"Status\"", '"Status"', EQUAL),
        ("'blocked'", "'active'::\"Status\"", '"Status"', DIFFERENT),
        # A type whose input rewrites its text: only the server could compare two texts.
        ("'1 hour'", "'01:00:00'::interval", "interval", UNSURE),
        ("interval '30 minutes'", "'00:30:00'::interval", "interval", UNSURE),
        ("'1 hour'", "'1 hour'::interval", "interval", EQUAL),
        ("'10.0.0.1'", "'10.0.0.1'::inet", "inet", EQUAL),
        # The literal a function's only signature types (nextval's regclass, the
        # regconfig of a two-argument to_tsvector).
        ("nextval('shared_seq')", "nextval('shared_seq'::regclass)", "bigint", EQUAL),
        ("nextval('other_seq')", "nextval('shared_seq'::regclass)", "bigint", DIFFERENT),
        ("to_tsvector('english', name)", "to_tsvector('english'::regconfig, name)", None, EQUAL),
        ("to_tsvector('simple', name)", "to_tsvector('english'::regconfig, name)", None, DIFFERENT),
        ("pg_catalog.lower(email)", "lower((email)::text)", None, EQUAL),
        # LIKE, ILIKE and SIMILAR TO are stored as their operators.
        ("email LIKE 'a%'", "((email)::text ~~ 'a%'::text)", None, EQUAL),
        ("email NOT ILIKE 'a%'", "((email)::text !~~* 'a%'::text)", None, EQUAL),
        ("email LIKE 'a%'", "((email)::text ~~* 'a%'::text)", None, DIFFERENT),
        ("email SIMILAR TO 'a%'", "((email)::text ~ similar_to_escape('a%'::text))", None, EQUAL),
        # A number default is the value the column stores: numeric(10,2) keeps two
        # digits, a double is one binary number; an unconstrained numeric keeps the scale.
        ("0", "0.00", "numeric(10,2)", EQUAL),
        ("0.125", "0.13", "numeric(10,2)", EQUAL),
        ("0.124", "0.13", "numeric(10,2)", DIFFERENT),
        ("0", "0.00", "numeric", DIFFERENT),
        ("0.5", "0.50", "double precision", EQUAL),
        ("0.1", "0.10000000149", "real", EQUAL),
        ("0.1", "0.10000000149", "double precision", DIFFERENT),
        # COALESCE of a varchar column is a varchar: its cast to text is PostgreSQL's.
        (
            "to_tsvector('english', coalesce(title, ''))",
            "to_tsvector('english'::regconfig, (COALESCE(title, ''::character varying))::text)",
            None,
            EQUAL,
        ),
    ],
)
def test_expressions_equal_different_or_unsure(model, stored, column_type, verdict):
    enum = column_type in ENUM_TYPES
    found = same_expression(model, stored, column_types=COLUMNS, column_type=column_type, enum=enum)
    assert found == verdict


# --------------------------------------------------------------------------- names cut by PostgreSQL

_LONG_MODELS = """
from typing import Optional

from sqlalchemy import CheckConstraint, Column, Enum, Index, UniqueConstraint
from sqlmodel import Field, SQLModel


class Ereignis(SQLModel, table=True):
    __tablename__ = "ereignisse_über_längere_zeiträume_gespeichert_äöüäöüäöüäöü"
    __table_args__ = (
        Index("ix_größe_über_alle_ereignisse_äöüäöüäöüäöüäöüäöüäöü", "größe_der_datei_in_bytes_nach_der_komprimierung_äöüäöüäöü"),
        UniqueConstraint("id", "größe_der_datei_in_bytes_nach_der_komprimierung_äöüäöüäöü", name="uq_größe_über_alle_ereignisse_äöüäöüäöüäöüäöüäöüäöü"),
        CheckConstraint("größe_der_datei_in_bytes_nach_der_komprimierung_äöüäöüäöü >= 0", name="ck_größe_über_alle_ereignisse_äöüäöüäöüäöüäöüäöüäöü"),
    )

    id: Optional[int] = Field(default=None, primary_key=True)
    größe_der_datei_in_bytes_nach_der_komprimierung_äöüäöüäöü: Optional[int] = None
    stimmung: Optional[str] = Field(default=None, sa_column=Column("stimmung", Enum("gut", "schlecht", name="stimmung_über_längere_zeiträume_gespeichert_äöüäöüäöüäöü")))


class Anhang(SQLModel, table=True):
    __tablename__ = "anhänge"

    id: Optional[int] = Field(default=None, primary_key=True)
    ereignis_id: Optional[int] = Field(default=None, foreign_key="ereignisse_über_längere_zeiträume_gespeichert_äöüäöüäöüäöü.id")
"""


def _cut_catalog(schema):
    """The catalog create_all makes of ``_LONG_MODELS``, every name as PostgreSQL stores it."""
    from modelsync.live.catalog import (
        LiveCatalog,
        LiveCheck,
        LiveColumn,
        LiveEnum,
        LiveForeignKey,
        LiveIndex,
        LiveSequence,
        LiveTable,
        LiveUnique,
    )
    from modelsync.migrate.names import primary_key_name, sequence_name, stored

    events, attachments = (t.name for t in schema.tables if t.class_name == "Ereignis"), "anhänge"
    events = next(events)
    size = stored("größe_der_datei_in_bytes_nach_der_komprimierung_äöüäöüäöü")
    mood = stored("stimmung_über_längere_zeiträume_gespeichert_äöüäöüäöüäöü")

    def key(table):
        sequence = LiveSequence(sequence_name(table, "id"), "integer", 1, 1, 1, 2**31 - 1, 1, False)
        default = f"nextval('{sequence.name}'::regclass)"
        return LiveColumn("id", "integer", True, default, sequence=sequence, sequence_owned=True)

    table = stored(events)
    ereignis = LiveTable(
        table,
        (
            key(table),
            LiveColumn(size, "integer", False),
            LiveColumn("stimmung", mood, False, type_kind="e", type_name=mood),
        ),
        ("id",),
        primary_key_name(table),
        indexes=(
            LiveIndex(
                stored("ix_größe_über_alle_ereignisse_äöüäöüäöüäöüäöüäöüäöü"),
                f'CREATE INDEX "{stored("ix_größe_über_alle_ereignisse_äöüäöüäöüäöüäöüäöüäöü")}" '
                f'ON public."{table}" USING btree ("{size}")',
            ),
        ),
        uniques=(
            LiveUnique(stored("uq_größe_über_alle_ereignisse_äöüäöüäöüäöüäöüäöüäöü"), ("id", size)),
        ),
        checks=(
            LiveCheck(
                stored("ck_größe_über_alle_ereignisse_äöüäöüäöüäöüäöüäöüäöü"), f'("{size}" >= 0)'
            ),
        ),
    )
    anhang = LiveTable(
        attachments,
        (key(attachments), LiveColumn("ereignis_id", "integer", False)),
        ("id",),
        primary_key_name(attachments),
        foreign_keys=(
            LiveForeignKey(
                "anhänge_ereignis_id_fkey",
                ("ereignis_id",),
                "public",
                table,
                ("id",),
                "NO ACTION",
                "NO ACTION",
            ),
        ),
    )
    return LiveCatalog("public", (anhang, ereignis), (LiveEnum(mood, ("gut", "schlecht")),))


def test_names_postgresql_cut_are_the_models_names():
    from modelsync.drift.compare import compare
    from modelsync.live.to_ir import live_schema
    from tests.conftest import schema_of

    models = schema_of(_LONG_MODELS)
    catalog = _cut_catalog(models)
    assert all(len(t.name.encode()) <= 63 for t in catalog.tables)
    for keep_names in (False, True):
        live = live_schema(catalog, models, keep_names=keep_names)
        assert compare(models, live.schema) == ()
        assert live.notes == () and live.renamed == ()


def test_an_expression_names_a_long_column_as_postgresql_stored_it():
    from modelsync.migrate.names import stored

    name = "größe_der_datei_in_bytes_nach_der_komprimierung_äöüäöüäöü"
    model = f"lower({name}) = 'x'"
    database = f"lower(({stored(name)})::text) = 'x'::text"
    assert same_expression(model, database, column_types={name: "character varying"}) == EQUAL


def test_a_cut_name_takes_the_one_model_name_it_can_be():
    from modelsync.live.names import Spelling
    from modelsync.migrate.names import stored

    long = "ä" * 40  # 80 bytes
    other = "ä" * 31 + "ab" + "ä" * 5  # cut to "ä" * 31 + "a", not to what `long` is
    spelling = Spelling([long, "users", stored(long)])
    # The model that is spelled exactly as the database wins over the one cut to it.
    assert spelling(stored(long)) == stored(long)
    assert Spelling([long])(stored(long)) == long
    assert Spelling([long, other])(stored(other)) == other
    # Two model names PostgreSQL would store as one: neither is guessed.
    twin = long + "b"
    assert Spelling([long, twin])(stored(long)) == stored(long)
    assert spelling("users") == "users" and spelling("legacy") == "legacy"
