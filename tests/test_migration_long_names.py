"""Long and non-ASCII names, as PostgreSQL 18 and SQLAlchemy treat them.

- The names modelsync computes for what ``create_all`` leaves unnamed (keys, uniques,
  foreign keys, checks, sequences) are the ones the real server gives, for names cut at 63
  bytes and for non-ASCII names (cut by bytes, at a character boundary).
- ``index=True`` on a long table is named as SQLAlchemy names it (a hash at the end).
- What PostgreSQL or SQLAlchemy cannot take, or would name by the order things happen to
  be made (``_key1``), is refused at its line with exit 2, never an internal error; the
  server's own behaviour that makes it so is shown next to each refusal.

The golden pair ``long_names`` round-trips such a schema on the server in every state.
"""

from __future__ import annotations

import textwrap

import pytest

from modelsync.errors import UnsupportedConstruct
from modelsync.migrate.names import (
    check_name,
    foreign_key_name,
    object_name,
    primary_key_name,
    sequence_name,
    stored,
    unique_name,
)
from modelsync.migrate.plan import plan
from modelsync.schema.ir import Schema
from modelsync.schema.table_args import index_name
from tests.conftest import run_cli, schema_of

LONG = "a" * 60
UMLAUTS = "größe_" + "äöü" * 12  # 42 characters, 78 bytes

TABLES = [
    ("t", ("c",)),
    ("t" * 61, ("c" * 40,)),
    ("users", (LONG + "1", LONG + "2")),
    (UMLAUTS, (UMLAUTS + "_x", "ö" * 40)),
    ("é" * 40, ("ü" * 31 + "x",)),
]


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def test_generated_names_are_the_servers(postgres_server, fresh_database):
    for table, columns in TABLES:
        assert _server_names(postgres_server, fresh_database, table, columns) == _names(
            table, columns
        ), table


def _server_names(server, database: str, table: str, columns: tuple[str, ...]) -> set[str]:
    cols = ", ".join(
        f"{_quoted(c)} INTEGER UNIQUE REFERENCES {_quoted(table)} (id)" for c in columns
    )
    check = f"CHECK ({_quoted(columns[0])} > 0)"
    server.psql(
        database, "-c", f"CREATE TABLE {_quoted(table)} (id SERIAL PRIMARY KEY, {cols}, {check})"
    )
    done = server.psql(
        database,
        "-At",
        "-c",
        "SELECT conname FROM pg_constraint WHERE contype IN ('p', 'u', 'f', 'c') "
        "AND connamespace = 'public'::regnamespace UNION ALL SELECT relname FROM pg_class "
        "WHERE relkind IN ('S', 'r') AND relnamespace = 'public'::regnamespace",
    )
    server.psql(database, "-c", f"DROP TABLE {_quoted(table)}")
    return set(done.stdout.splitlines())


def _names(table: str, columns: tuple[str, ...]) -> set[str]:
    expected = {
        stored(table),
        primary_key_name(table),
        sequence_name(table, "id"),
        check_name(table, f"{_quoted(columns[0])} > 0"),
        *(unique_name(table, (c,)) for c in columns),
        *(foreign_key_name(table, c) for c in columns),
    }
    # Two long columns sharing 57 bytes: PostgreSQL numbers the second (refused below).
    if table == "users":
        assert unique_name(table, (columns[0],)) == unique_name(table, (columns[1],))
        expected |= {object_name(table, columns[1], "key1")}
        expected |= {object_name(table, columns[1], "fkey1")}
    return expected


def test_an_index_on_a_long_table_is_named_as_sqlalchemy_names_it():
    import sqlalchemy as sa
    from sqlalchemy.dialects import postgresql
    from sqlalchemy.schema import CreateIndex

    for table, column in (("t" * 60, "email"), ("é" * 30, "ö" * 30), ("short", "c")):
        built = sa.Table(table, sa.MetaData(), sa.Column("id", sa.Integer, primary_key=True),
                         sa.Column(column, sa.Integer, index=True))  # fmt: skip
        compiled = str(CreateIndex(next(iter(built.indexes))).compile(dialect=postgresql.dialect()))
        name = index_name(table, column)
        assert compiled.startswith(f"CREATE INDEX {name} ON") or compiled.startswith(
            f'CREATE INDEX "{name}" ON'
        )


def test_index_true_on_a_60_character_table_writes_a_migration(tmp_path):
    """Was an internal error: the migration names the index as create_all does."""
    models = tmp_path / "models.py"
    models.write_text(
        textwrap.dedent(
            f"""
            from typing import Optional
            from sqlmodel import Field, SQLModel

            class Event(SQLModel, table=True):
                __tablename__ = "{"e" * 60}"
                id: Optional[int] = Field(default=None, primary_key=True)
                kind: str = Field(index=True)
            """
        )
    )
    done = run_cli("migration", "--root", tmp_path, "--source", "models.py", "--stdout")
    assert done.returncode == 0, done.stderr
    assert index_name("e" * 60, "kind") in done.stdout


def _refused(text: str) -> UnsupportedConstruct:
    with pytest.raises(UnsupportedConstruct) as raised:
        plan(Schema("old.py", ()), schema_of(text))
    assert raised.value.path == "models.py" and raised.value.line is not None
    return raised.value


def test_two_tables_alike_in_their_first_63_bytes_are_refused(postgres_server, fresh_database):
    first, second = "x" * 63 + "_one", "x" * 63 + "_two"
    error = _refused(
        f"""
        from typing import Optional
        from sqlmodel import Field, SQLModel

        class One(SQLModel, table=True):
            __tablename__ = "{first}"
            id: Optional[int] = Field(default=None, primary_key=True)

        class Two(SQLModel, table=True):
            __tablename__ = "{second}"
            id: Optional[int] = Field(default=None, primary_key=True)
        """
    )
    assert error.line == 9 and "63 bytes" in error.message and "create_all fails" in error.message
    # What the server does with them: the second is the first.
    postgres_server.psql(fresh_database, "-c", f'CREATE TABLE "{first}" (id int)')
    done = postgres_server.psql(
        fresh_database, "-c", f'CREATE TABLE "{second}" (id int)', check=False
    )
    assert "already exists" in done.stderr


def test_unnamed_uniques_that_the_server_would_number_are_refused():
    error = _refused(
        f"""
        from typing import Optional
        from sqlmodel import Field, SQLModel

        class User(SQLModel, table=True):
            __tablename__ = "users"
            id: Optional[int] = Field(default=None, primary_key=True)
            {LONG}1: int = Field(unique=True)
            {LONG}2: int = Field(unique=True)
        """
    )
    assert error.line == 9 and "_key1" in error.message and "explicitly" in error.message


def test_a_unique_named_like_another_tables_key_is_refused():
    error = _refused(
        """
        from typing import Optional
        from sqlalchemy import UniqueConstraint
        from sqlmodel import Field, SQLModel

        class User(SQLModel, table=True):
            __tablename__ = "users"
            id: Optional[int] = Field(default=None, primary_key=True)
            email: str = Field(unique=True)

        class Other(SQLModel, table=True):
            __table_args__ = (UniqueConstraint("code", name="users_email_key"),)
            id: Optional[int] = Field(default=None, primary_key=True)
            code: str
        """
    )
    assert "users_email_key" in error.message


def test_an_index_named_with_more_than_63_characters_is_refused_as_sqlalchemy_refuses():
    import sqlalchemy as sa
    from sqlalchemy.dialects import postgresql
    from sqlalchemy.schema import CreateIndex

    name = "ix_" + "n" * 61
    error = _refused(
        f"""
        from typing import Optional
        from sqlalchemy import Index
        from sqlmodel import Field, SQLModel

        class User(SQLModel, table=True):
            __table_args__ = (Index("{name}", "code"),)
            id: Optional[int] = Field(default=None, primary_key=True)
            code: str
        """
    )
    assert error.line == 7 and "SQLAlchemy refuses" in error.message
    built = sa.Table("u", sa.MetaData(), sa.Column("code", sa.Integer), sa.Index(name, "code"))
    with pytest.raises(sa.exc.IdentifierError):
        str(CreateIndex(next(iter(built.indexes))).compile(dialect=postgresql.dialect()))


def test_an_enum_label_over_63_bytes_is_refused_as_the_server_refuses(
    postgres_server, fresh_database
):
    label = "ä" * 32
    error = _refused(
        f"""
        from typing import Optional
        from sqlalchemy import Column, Enum
        from sqlmodel import Field, SQLModel

        class User(SQLModel, table=True):
            id: Optional[int] = Field(default=None, primary_key=True)
            mood: str = Field(sa_column=Column(Enum("ok", "{label}", name="mood")))
        """
    )
    assert "63 bytes" in error.message
    done = postgres_server.psql(
        fresh_database, "-c", f"CREATE TYPE mood AS ENUM ('{label}')", check=False
    )
    assert "invalid enum label" in done.stderr


def test_a_refusal_is_one_located_line_with_exit_2(tmp_path):
    (tmp_path / "models.py").write_text(
        textwrap.dedent(
            f"""
            from typing import Optional
            from sqlmodel import Field, SQLModel

            class User(SQLModel, table=True):
                id: Optional[int] = Field(default=None, primary_key=True)
                {LONG}1: int = Field(unique=True)
                {LONG}2: int = Field(unique=True)
            """
        )
    )
    done = run_cli("migration", "--root", tmp_path, "--source", "models.py", "--stdout")
    assert done.returncode == 2
    assert done.stderr.startswith("modelsync: error: models.py:8: ")
    assert len(done.stderr.splitlines()) == 1
    assert "internal error" not in done.stderr
