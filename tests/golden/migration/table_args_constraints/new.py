"""After: __table_args__: a named unique and two checks added (one unnamed), an index with a predicate."""

from datetime import datetime
from enum import Enum
from typing import Optional

from pgvector.sqlalchemy import Vector
from sqlalchemy import BigInteger, CheckConstraint, Column, Index, Integer, Text, UniqueConstraint, text
from sqlalchemy.dialects.postgresql import JSON, JSONB
from sqlmodel import Field, SQLModel


class User(SQLModel, table=True):
    __tablename__ = "users"
    __table_args__ = (
        UniqueConstraint("email", "name", name="uq_users_email_name"),
        CheckConstraint("char_length(email) > 3", name="ck_users_email_length"),
        CheckConstraint("char_length(name) > 0"),
        Index("ix_users_named", "name", postgresql_where=text("name IS NOT NULL")),
    )

    id: Optional[int] = Field(default=None, primary_key=True)
    email: str = Field(max_length=255)
    name: Optional[str] = None
