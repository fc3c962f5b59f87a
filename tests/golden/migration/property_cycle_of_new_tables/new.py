"""After: two new tables point at each other, one of them at the old table (found by tests/test_migration_property.py)."""

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
    c0: Optional[str] = Field(default=None)

class T1(SQLModel, table=True):
    __tablename__ = "t1"
    id: Optional[int] = Field(default=None, primary_key=True)
    c0: Optional[int] = Field(default=None, foreign_key='t2.id')

class T2(SQLModel, table=True):
    __tablename__ = "t2"
    id: Optional[int] = Field(default=None, primary_key=True)
    c0: Optional[int] = Field(default=None, foreign_key='t1.id')
    c1: Optional[int] = Field(default=None, foreign_key='t0.id')
