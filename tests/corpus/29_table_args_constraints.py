"""__table_args__ with named/unnamed UniqueConstraint, CheckConstraint and a trailing options dict."""
from typing import Optional

from sqlalchemy import CheckConstraint, Index, UniqueConstraint
from sqlmodel import Field, SQLModel


class EvaluationReport(SQLModel, table=True):
    __tablename__ = "evaluation_reports"
    __table_args__ = (
        UniqueConstraint("interview_id", "version", name="uq_report_interview_version"),
        UniqueConstraint("public_slug", "language"),
        CheckConstraint("score >= 0", name="ck_score"),
        CheckConstraint("score <= 100"),
        Index("ix_reports_interview_created", "interview_id", "created_by"),
        {"comment": "One AI evaluation per interview version"},
    )

    id: Optional[int] = Field(default=None, primary_key=True)
    interview_id: int = Field(foreign_key="interviews.id", ondelete="CASCADE")
    version: int = 1
    public_slug: str = Field(max_length=64)
    language: str = Field(default="ko", max_length=8)
    score: float = 0.0
    created_by: Optional[str] = None


class Interview(SQLModel, table=True):
    __tablename__ = "interviews"
    __table_args__ = (UniqueConstraint("user_id", "scheduled_slot", name="uq_interview_slot"),)

    id: Optional[int] = Field(default=None, primary_key=True)
    user_id: int
    scheduled_slot: str = Field(max_length=32)
