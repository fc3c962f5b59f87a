"""Hand-written DDL (constraints_and_names.sql) for these models: nothing to report."""

import enum
from datetime import datetime
from typing import Optional

from pgvector.sqlalchemy import Vector
from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Column,
    DateTime,
    Enum,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    Text,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlmodel import Field, SQLModel


class Role(str, enum.Enum):
    CANDIDATE = "candidate"
    ADMIN = "admin"


class Status(str, enum.Enum):
    active = "active"
    blocked = "blocked"


class JobKind(str, enum.Enum):
    FULL_TIME = "full-time"
    PART_TIME = "part-time"


class Company(SQLModel, table=True):
    __tablename__ = "companies"
    id: str = Field(primary_key=True)
    name: str = Field(max_length=100)
    kind: str = Field(default="basic", max_length=20, sa_column_kwargs={"server_default": "basic"})


class User(SQLModel, table=True):
    __tablename__ = "Users"
    __table_args__ = (
        UniqueConstraint("EmailAddress", name="UQ_Users_Email"),
        Index("IX_Users_Select", "select"),
        Index("ix_users_handle", "handle", postgresql_ops={"handle": "varchar_pattern_ops"}),
    )
    Id: Optional[int] = Field(default=None, primary_key=True)
    EmailAddress: str = Field(max_length=255)
    select: Optional[int] = None
    role: Role = Field(default=Role.CANDIDATE, index=True, sa_column_kwargs={"server_default": "CANDIDATE"})
    status: Status = Field(sa_column=Column(Enum(Status, name="Status"), nullable=False, server_default=text("'active'")))
    kinds: Optional[list[JobKind]] = Field(default=None, sa_column=Column(ARRAY(Enum(JobKind))))
    handle: Optional[str] = Field(default=None, max_length=40)
    company_id: Optional[str] = Field(default=None, foreign_key="companies.id")


class Job(SQLModel, table=True):
    __tablename__ = "jobs"
    __table_args__ = (
        CheckConstraint("salary_min <= salary_max", name="ck_salary"),
        CheckConstraint("salary_min >= 0"),
        CheckConstraint("status IN ('new', 'open', 'closed')", name="ck_jobs_status"),
        CheckConstraint("char_length(note) <= 500"),
        CheckConstraint("NOT (a AND b)", name="ck_jobs_ab"),
        CheckConstraint("title NOT LIKE '% ' AND length(trim(title)) > 0", name="ck_jobs_title"),
        Index("ix_jobs_embedding", "embedding", postgresql_using="hnsw",
              postgresql_with={"m": 16, "ef_construction": 64},
              postgresql_ops={"embedding": "vector_cosine_ops"}),
        Index("ix_jobs_company", "company_id", text("title DESC")),
        Index("ix_jobs_lower", func.lower(text("title"))),
        Index("ix_jobs_partial", "salary_min", postgresql_where=text("salary_max IS NOT NULL")),
    )
    id: Optional[int] = Field(default=None, sa_column=Column(BigInteger, primary_key=True))
    company_id: str = Field(foreign_key="companies.id", ondelete="CASCADE")
    title: str = Field(unique=True, index=True)
    embedding: Optional[list[float]] = Field(default=None, sa_column=Column(Vector(768)))
    salary_min: Optional[int] = None
    salary_max: Optional[int] = None
    status: str = Field(default="new", max_length=16, sa_column_kwargs={"server_default": "new"})
    a: Optional[bool] = None
    b: Optional[bool] = None
    note: Optional[str] = Field(default=None, sa_column=Column(Text))
    reviewer_id: Optional[int] = Field(default=None, sa_column=Column(Integer, ForeignKey("Users.Id", name="fk_jobs_reviewer", deferrable=True, initially="DEFERRED")))


class Event(SQLModel, table=True):
    __tablename__ = "events"
    __table_args__ = {"postgresql_partition_by": "RANGE (happened_at)"}
    id: int = Field(sa_column=Column(BigInteger, primary_key=True, autoincrement=False))
    happened_at: datetime = Field(sa_column=Column(DateTime(timezone=True), primary_key=True))
    job_id: int = Field(sa_column=Column(BigInteger, ForeignKey("jobs.id"), nullable=False, index=True))


class EventMark(SQLModel, table=True):
    __tablename__ = "event_marks"
    __table_args__ = (
        ForeignKeyConstraint(["event_id", "event_at"], ["events.id", "events.happened_at"], ondelete="CASCADE"),
    )
    id: Optional[int] = Field(default=None, primary_key=True)
    event_id: int = Field(sa_column=Column(BigInteger, nullable=False))
    event_at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))
