"""After: a stored generated column gets another expression."""

from datetime import datetime
from enum import Enum
from typing import Optional

from pgvector.sqlalchemy import Vector
from sqlalchemy import BigInteger, CheckConstraint, Column, Computed, Index, Integer, Text, UniqueConstraint, text
from sqlalchemy.dialects.postgresql import JSON, JSONB
from sqlmodel import Field, SQLModel


class Invoice(SQLModel, table=True):
    __tablename__ = "invoices"

    id: Optional[int] = Field(default=None, primary_key=True)
    net: int
    gross: Optional[int] = Field(
        default=None, sa_column=Column(Integer, Computed("net * 107 / 100", persisted=True))
    )
