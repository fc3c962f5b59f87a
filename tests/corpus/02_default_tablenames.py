"""Default table names are ClassName.lower() (no snake_case): EvaluationReport -> evaluationreport."""
from typing import Optional

from sqlmodel import Field, SQLModel


class EvaluationReport(SQLModel, table=True):
    id: Optional[int] = Field(default=None, primary_key=True)
    summary: str
    total_score: float


class InterviewQuestion(SQLModel, table=True):
    id: Optional[int] = Field(default=None, primary_key=True)
    text: str = Field(max_length=1000)
    report_id: Optional[int] = Field(default=None, foreign_key="evaluationreport.id")


class AIModelConfig(SQLModel, table=True):
    name: str = Field(primary_key=True, max_length=64)
    temperature: float = 0.7


class ReportSummaryRead(SQLModel):
    id: int
    summary: str
