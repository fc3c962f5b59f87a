"""Before: a unique column (found by tests/test_migration_property.py)."""

from datetime import datetime
from decimal import Decimal
from enum import Enum
from typing import Optional

from pgvector.sqlalchemy import Vector
from sqlalchemy import (BigInteger, CheckConstraint, Column, ForeignKeyConstraint, Index, Numeric,
                        Text, UniqueConstraint, text)
from sqlalchemy.dialects.postgresql import JSON, JSONB
from sqlmodel import Field, SQLModel


class T0(SQLModel, table=True):
    __tablename__ = "t0"
    id: Optional[int] = Field(default=None, primary_key=True)
    c0: int = Field()
    c1: int = Field(unique=True)
