"""Types and Column reached through module aliases and renamed imports."""
from typing import Any, Optional

import pgvector.sqlalchemy
import sqlalchemy as sa
from sqlalchemy import Column as C
from sqlalchemy.dialects import postgresql
from sqlalchemy.dialects.postgresql import JSONB as PGJSONB
from sqlmodel import Column, Field, SQLModel

EMBEDDING_DIM = 768


class Question(SQLModel, table=True):
    __tablename__ = "questions"

    id: Optional[int] = Field(default=None, sa_column=sa.Column(sa.BigInteger, primary_key=True))
    body: str = Field(sa_column=sa.Column(sa.Text, nullable=False))
    rubric: dict[str, Any] = Field(sa_column=Column(postgresql.JSONB))
    hints: dict[str, Any] = Field(sa_column=C(PGJSONB, nullable=False))
    tags: list[str] = Field(sa_column=C(postgresql.ARRAY(sa.String(30))))
    embedding: list[float] = Field(sa_column=Column(pgvector.sqlalchemy.Vector(EMBEDDING_DIM)))
    created_at: Any = Field(
        default=None, sa_column=sa.Column(postgresql.TIMESTAMP(timezone=True), server_default=sa.text("now()"))
    )
    weight: float = Field(default=1.0, sa_type=sa.Float)
    owner_id: Optional[int] = Field(default=None, sa_column_args=[sa.ForeignKey("users.id", ondelete="SET NULL")])


class User(SQLModel, table=True):
    __tablename__ = "users"

    id: Optional[int] = Field(default=None, primary_key=True)
