"""After: the key is a string, and the column that points at it too (found by tests/test_migration_property.py)."""

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
    id: str = Field(primary_key=True, max_length=20)

class T1(SQLModel, table=True):
    __tablename__ = "t1"
    id: Optional[int] = Field(default=None, primary_key=True)
    c0: str = Field(foreign_key='t0.id', index=True)
