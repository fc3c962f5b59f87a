"""Composite primary key declared with PrimaryKeyConstraint in __table_args__."""
from typing import Optional

from sqlalchemy import PrimaryKeyConstraint
from sqlmodel import Field, SQLModel


class InterviewQuestionLink(SQLModel, table=True):
    __tablename__ = "interview_question_links"
    __table_args__ = (
        PrimaryKeyConstraint("interview_id", "question_id"),
        {"comment": "Questions asked in an interview, in order"},
    )

    interview_id: int = Field(foreign_key="interviews.id", ondelete="CASCADE")
    question_id: int = Field(foreign_key="questions.id", ondelete="RESTRICT")
    position: int
    asked_by: Optional[str] = None


class Interview(SQLModel, table=True):
    __tablename__ = "interviews"

    id: Optional[int] = Field(default=None, primary_key=True)


class Question(SQLModel, table=True):
    __tablename__ = "questions"

    id: Optional[int] = Field(default=None, primary_key=True)
    text: str
