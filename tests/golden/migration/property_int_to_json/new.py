"""After: the column is JSON, which INTEGER has no cast to (found by tests/test_migration_property.py)."""

from datetime import datetime
from decimal import Decimal
from enum import Enum
from typing import Optional

from pgvector.sqlalchemy import Vector
from sqlalchemy import BigInteger, CheckConstraint, Column, Index, Numeric, Text, UniqueConstraint, text
from sqlalchemy.dialects.postgresql import JSON, JSONB
from sqlmodel import Field, SQLModel


class T0(SQLModel, table=True):
    __tablename__ = "t0"
    id: Optional[int] = Field(default=None, primary_key=True)
    c0: dict = Field(default=None, sa_column=Column(JSON, nullable=False))
