"""Subclasses of a table model without table=True add no table and no columns."""
from typing import Optional

from sqlmodel import Field, SQLModel


class Interview(SQLModel, table=True):
    __tablename__ = "interviews"

    id: Optional[int] = Field(default=None, primary_key=True)
    title: str = Field(max_length=100)
    company_id: str = Field(max_length=20, index=True)


class InterviewDetail(Interview):
    question_count: int = 0
    transcript_preview: Optional[str] = None


class InterviewSummary(SQLModel):
    id: int
    title: str
