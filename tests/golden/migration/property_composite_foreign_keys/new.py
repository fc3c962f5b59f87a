"""After: a named composite key added to the table, a new table with an unnamed one (found by tests/test_migration_property.py)."""

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
    id: int = Field(primary_key=True)
    part: int = Field(primary_key=True)

class T1(SQLModel, table=True):
    __tablename__ = "t1"
    __table_args__ = (ForeignKeyConstraint(['c0', 'c1'], ['t0.id', 't0.part'], name='fk_t1_0', ondelete='CASCADE'),)
    id: Optional[int] = Field(default=None, primary_key=True)
    c0: Optional[int] = Field(default=None)
    c1: Optional[int] = Field(default=None)

class T2(SQLModel, table=True):
    __tablename__ = "t2"
    __table_args__ = (ForeignKeyConstraint(['c0', 'c1'], ['t0.id', 't0.part']),)
    id: Optional[int] = Field(default=None, primary_key=True)
    c0: Optional[int] = Field(default=None)
    c1: Optional[int] = Field(default=None)
