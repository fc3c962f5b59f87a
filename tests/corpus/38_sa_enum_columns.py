"""Enums spelled in sa_column/sa_type with explicit names, plus a strings-only sa.Enum."""
import enum
from typing import Optional

import sqlalchemy as sa
from sqlalchemy import Column
from sqlalchemy import Enum as SAEnum
from sqlmodel import Field, SQLModel


class ReportState(str, enum.Enum):
    DRAFT = "draft"
    PUBLISHED = "published"
    ARCHIVED = "archived"


class Verdict(enum.Enum):
    HIRE = "hire"
    NO_HIRE = "no_hire"
    STRONG_HIRE = "strong_hire"


class EvaluationReport(SQLModel, table=True):
    __tablename__ = "evaluation_reports"

    id: Optional[int] = Field(default=None, primary_key=True)
    state: ReportState = Field(sa_column=Column(SAEnum(ReportState, name="report_state"), nullable=False))
    verdict: Optional[Verdict] = Field(default=None, sa_type=sa.Enum(Verdict, name="hiring_verdict"))
    tone: str = Field(sa_column=Column(sa.Enum("formal", "casual", "neutral", name="report_tone")))
    default_named: Verdict = Verdict.HIRE
