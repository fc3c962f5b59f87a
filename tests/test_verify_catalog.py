"""verify's catalog snapshot and comparison, and the SQLModel build, on the session's server."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from modelsync.errors import ModelError
from modelsync.verify.build import BuildJob, create_all, create_all_many
from modelsync.verify.catalog import CatalogDifference, catalog_differences, snapshot

MODELS = """
import enum
from typing import Optional

from pgvector.sqlalchemy import Vector
from sqlalchemy import CheckConstraint, Column, UniqueConstraint
from sqlmodel import Field, SQLModel


class Role(str, enum.Enum):
    ADMIN = "ADMIN"
    USER = "USER"


class Company(SQLModel, table=True):
    __tablename__ = "companies"
    id: str = Field(primary_key=True, max_length=20)
    name: str = Field(unique=True, max_length=100)


class User(SQLModel, table=True):
    __tablename__ = "users"
    __table_args__ = (
        UniqueConstraint("email", "company_id", name="uq_users_email_company"),
        CheckConstraint("age >= 0", name="ck_users_age"),
    )
    id: Optional[int] = Field(default=None, primary_key=True)
    email: str = Field(index=True, max_length=255)
    age: int = 0
    role: Role
    company_id: Optional[str] = Field(default=None, foreign_key="companies.id", ondelete="CASCADE")
    embedding: list[float] = Field(sa_column=Column(Vector(8)))
"""


def write(path: Path, text: str) -> Path:
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def test_snapshot_reads_every_part_of_the_schema(tmp_path, postgres_server, fresh_database):
    url = postgres_server.libpq_url(fresh_database)
    create_all(write(tmp_path / "models.py", MODELS), url)
    catalog = snapshot(url)
    assert [t.name for t in catalog.tables] == ["companies", "users"]
    users = catalog.table("users")
    assert [c.name for c in users.columns] == [
        "id",
        "email",
        "age",
        "role",
        "company_id",
        "embedding",
    ]
    assert users.column("email").type == "character varying(255)"
    assert users.column("embedding").type == "vector(8)"
    assert users.column("role").type == "role" and users.column("role").not_null
    assert users.column("id").default == "nextval('users_id_seq'::regclass)"
    assert not users.column("company_id").not_null
    assert users.primary_key == ("id",)
    (fk,) = users.foreign_keys
    assert (fk.columns, fk.ref_table, fk.ref_columns, fk.on_delete) == (
        ("company_id",),
        "companies",
        ("id",),
        "CASCADE",
    )
    assert [(i.name, i.definition) for i in users.indexes] == [
        ("ix_users_email", "CREATE INDEX ix_users_email ON public.users USING btree (email)")
    ]
    assert [(u.name, u.definition) for u in users.uniques] == [
        ("uq_users_email_company", "UNIQUE (email, company_id)")
    ]
    assert [(c.name, c.definition) for c in users.checks] == [
        ("ck_users_age", "CHECK ((age >= 0))")
    ]
    assert [(u.definition) for u in catalog.table("companies").uniques] == ["UNIQUE (name)"]
    assert [(e.name, e.labels) for e in catalog.enums] == [("role", ("ADMIN", "USER"))]
    assert snapshot(url) == catalog  # deterministic
    assert catalog_differences(catalog, catalog) == ()


def test_differences_name_table_column_and_both_values(tmp_path, postgres_server):
    expected_db, actual_db = postgres_server.create_database(), postgres_server.create_database()
    try:
        expected, actual = (
            postgres_server.libpq_url(expected_db),
            postgres_server.libpq_url(actual_db),
        )
        create_all(write(tmp_path / "models.py", MODELS), expected)
        postgres_server.psql(
            actual_db,
            "-c",
            """
            CREATE EXTENSION vector;
            CREATE TYPE role AS ENUM ('USER', 'ADMIN');
            CREATE TYPE mood AS ENUM ('OK');
            CREATE TABLE companies (id VARCHAR(20) PRIMARY KEY, name VARCHAR(100) NOT NULL,
                                    CONSTRAINT companies_name_key UNIQUE (name));
            CREATE TABLE users (
                id SERIAL PRIMARY KEY, email VARCHAR(100) NOT NULL, age INTEGER,
                role role NOT NULL, company_id VARCHAR(20) REFERENCES companies(id),
                extra TEXT,
                CONSTRAINT uq_users_email_company UNIQUE (email, company_id),
                CONSTRAINT age_positive CHECK (age >= 0));
            CREATE INDEX idx_email ON users (email);
            """,
        )
        found = catalog_differences(snapshot(expected), snapshot(actual))
    finally:
        postgres_server.drop_database(expected_db)
        postgres_server.drop_database(actual_db)
    assert found == (
        CatalogDifference(None, None, "enum", None, "(OK)", "mood"),
        CatalogDifference(None, None, "enum_labels", "(ADMIN, USER)", "(USER, ADMIN)", "role"),
        CatalogDifference(
            "users", None, "check_name", "ck_users_age", "age_positive", "ck_users_age"
        ),
        CatalogDifference(
            "users", None, "index_name", "ix_users_email", "idx_email", "ix_users_email"
        ),
        CatalogDifference("users", "age", "not_null", "NOT NULL", "NULL"),
        CatalogDifference(
            "users",
            "company_id",
            "foreign_key",
            "companies(id) ON DELETE CASCADE",
            "companies(id)",
            "users_company_id_fkey",
        ),
        CatalogDifference(
            "users", "company_id", "type", "character varying", "character varying(20)"
        ),
        CatalogDifference(
            "users", "email", "type", "character varying(255)", "character varying(100)"
        ),
        CatalogDifference("users", "embedding", "column", "vector(8)", None),
        CatalogDifference("users", "extra", "column", None, "text"),
    )


def test_many_model_versions_build_in_one_child(tmp_path, postgres_server):
    old = write(tmp_path / "old.py", MODELS)
    new = write(
        tmp_path / "new.py", MODELS.replace("age: int = 0", "age: int = 0\n    nickname: str")
    )
    first, second = postgres_server.create_database(), postgres_server.create_database()
    try:
        create_all_many(
            [(old, postgres_server.libpq_url(first)), (new, postgres_server.libpq_url(second))]
        )
        before = snapshot(postgres_server.libpq_url(first))
        after = snapshot(postgres_server.libpq_url(second))
    finally:
        postgres_server.drop_database(first)
        postgres_server.drop_database(second)
    assert catalog_differences(before, after) == (
        CatalogDifference("users", "nickname", "column", None, "character varying"),
    )


def test_a_failing_models_file_is_one_line_with_its_place(
    tmp_path, postgres_server, fresh_database
):
    models = write(tmp_path / "models.py", "import os\n\nraise RuntimeError('no settings')\n")
    with pytest.raises(ModelError) as caught:
        create_all_many(
            [BuildJob(models, postgres_server.libpq_url(fresh_database), "backend-core/models.py")]
        )
    assert str(caught.value) == (
        "backend-core/models.py:3: building the models with SQLModel failed: RuntimeError: no settings"
    )


def test_one_jobs_enum_types_do_not_leak_into_the_next(tmp_path, postgres_server):
    with_enum = write(tmp_path / "with_enum.py", MODELS)
    without = write(
        tmp_path / "without.py",
        """
        from typing import Optional

        from sqlmodel import Field, SQLModel


        class Team(SQLModel, table=True):
            __tablename__ = "teams"
            id: Optional[int] = Field(default=None, primary_key=True)
        """,
    )
    first, second = postgres_server.create_database(), postgres_server.create_database()
    try:
        create_all_many(
            [
                (with_enum, postgres_server.libpq_url(first)),
                (without, postgres_server.libpq_url(second)),
            ]
        )
        catalog = snapshot(postgres_server.libpq_url(second))
    finally:
        postgres_server.drop_database(first)
        postgres_server.drop_database(second)
    assert [t.name for t in catalog.tables] == ["teams"]
    assert catalog.enums == ()
