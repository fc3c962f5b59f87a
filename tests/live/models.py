"""The models the live-database tests build with create_all and then drift by hand."""

from datetime import datetime
from enum import Enum
from typing import Optional

from pgvector.sqlalchemy import Vector
from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Column,
    Computed,
    DateTime,
    Identity,
    Index,
    Numeric,
    String,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field, SQLModel


class Role(str, Enum):
    CANDIDATE = "candidate"
    ADMIN = "admin"


class User(SQLModel, table=True):
    __tablename__ = "users"
    __table_args__ = (
        CheckConstraint("status IN ('active', 'blocked')", name="ck_users_status"),
        Index("ix_users_email_lower", func.lower(text("email")), unique=True),
    )

    id: Optional[int] = Field(default=None, primary_key=True)
    email: str = Field(max_length=255, unique=True)
    name: str = Field(max_length=50, sa_column_kwargs={"comment": "shown to others"})
    role: Role = Field(default=Role.CANDIDATE, index=True)
    status: str = Field(
        default="active", max_length=20, sa_column_kwargs={"server_default": "active"}
    )
    is_active: bool = Field(default=True, sa_column_kwargs={"server_default": text("true")})
    created_at: datetime = Field(
        sa_column=Column(DateTime(timezone=True), server_default=func.now(), nullable=False)
    )


class Question(SQLModel, table=True):
    __tablename__ = "questions"
    __table_args__ = (
        UniqueConstraint("author_id", "title", name="uq_questions_author_title"),
        CheckConstraint("difficulty BETWEEN 1 AND 5"),
        Index(
            "ix_questions_embedding",
            "embedding",
            postgresql_using="hnsw",
            postgresql_with={"m": 16, "ef_construction": 64},
            postgresql_ops={"embedding": "vector_cosine_ops"},
        ),
        Index("ix_questions_recent", "created_at", postgresql_where=text("archived = false")),
    )

    id: Optional[int] = Field(
        default=None,
        sa_column=Column(BigInteger, Identity(start=100, increment=10), primary_key=True),
    )
    author_id: int = Field(foreign_key="users.id", ondelete="CASCADE")
    title: str = Field(max_length=200)
    difficulty: int = Field(default=1, sa_column_kwargs={"server_default": "1"})
    archived: bool = Field(default=False, sa_column_kwargs={"server_default": text("false")})
    price: float = Field(sa_column=Column(Numeric(10, 2), nullable=False, server_default=text("0")))
    total: Optional[float] = Field(
        default=None,
        sa_column=Column(Numeric(12, 2), Computed("price * difficulty", persisted=True)),
    )
    label: Optional[str] = Field(
        default=None, sa_column=Column(String(40), Computed("'Q-' || id::text", persisted=True))
    )
    rubric: dict = Field(
        default_factory=dict, sa_column=Column(JSONB, server_default="{}", nullable=False)
    )
    embedding: Optional[list[float]] = Field(default=None, sa_column=Column(Vector(8)))
    created_at: datetime = Field(
        sa_column=Column(
            DateTime(timezone=True), server_default=text("CURRENT_TIMESTAMP"), nullable=False
        )
    )
