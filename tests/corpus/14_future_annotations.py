"""`from __future__ import annotations`: every annotation is a string; types must resolve the same."""
from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal
from enum import Enum
from typing import Optional

from sqlmodel import Field, SQLModel


class ReportGrade(str, Enum):
    A = "a"
    B = "b"
    C = "c"


class EvaluationReport(SQLModel, table=True):
    __tablename__ = "evaluation_reports"

    id: int | None = Field(default=None, primary_key=True)
    public_id: uuid.UUID = Field(default_factory=uuid.uuid4, unique=True)
    interview_id: int = Field(foreign_key="interviews.id", ondelete="CASCADE", index=True)
    grade: ReportGrade
    overall_score: Decimal = Field(max_digits=5, decimal_places=2)
    summary: str | None = Field(default=None, max_length=4000)
    created_at: dt.datetime = Field(default_factory=lambda: dt.datetime.now(dt.timezone.utc))
    reviewed_on: Optional[dt.date] = None


class Interview(SQLModel, table=True):
    __tablename__ = "interviews"

    id: Optional[int] = Field(default=None, primary_key=True)
    title: str


class EvaluationReportRead(SQLModel):
    id: int
    grade: ReportGrade
