"""Generic sqlalchemy types inside sa_column: Text, BigInteger, SmallInteger, String, Numeric, DateTime..."""
import uuid
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any, Optional

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    Float,
    Interval,
    LargeBinary,
    Numeric,
    SmallInteger,
    String,
    Text,
    Uuid,
)
from sqlmodel import Field, SQLModel


class EvaluationReport(SQLModel, table=True):
    __tablename__ = "evaluation_reports"

    id: Optional[int] = Field(default=None, sa_column=Column(BigInteger, primary_key=True))
    summary: str = Field(sa_column=Column(Text, nullable=False))
    rank: int = Field(sa_column=Column(SmallInteger))
    title: str = Field(sa_column=Column(String(255)))
    score: Decimal = Field(sa_column=Column(Numeric(10, 2)))
    created_at: datetime = Field(sa_column=Column(DateTime(timezone=True)))
    local_created_at: datetime = Field(sa_column=Column(DateTime()))
    passed: bool = Field(sa_column=Column(Boolean, nullable=False))
    details: dict[str, Any] = Field(sa_column=Column(JSON))
    pdf: bytes = Field(sa_column=Column(LargeBinary))
    confidence: float = Field(sa_column=Column(Float))
    review_date: date = Field(sa_column=Column(Date))
    time_spent: timedelta = Field(sa_column=Column(Interval))
    share_id: uuid.UUID = Field(sa_column=Column(Uuid, unique=True))
