"""The full AI interview service schema, the way backend-core/models.py writes it."""
from datetime import datetime
from enum import Enum
from typing import Any, List, Optional

from pgvector.sqlalchemy import Vector
from sqlalchemy import Column, DateTime, Index, Text, UniqueConstraint, func
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field, Relationship, SQLModel

EMBEDDING_DIM = 768


class InterviewStatus(str, Enum):
    SCHEDULED = "scheduled"
    LIVE = "live"
    DONE = "done"


class User(SQLModel, table=True):
    __tablename__ = "users"
    id: Optional[int] = Field(default=None, primary_key=True)
    email: str = Field(max_length=255, unique=True, index=True)
    name: str = Field(max_length=50)
    created_at: datetime = Field(sa_column=Column(DateTime(timezone=True), server_default=func.now(), nullable=False))
    interviews: List["Interview"] = Relationship(back_populates="user")


class Company(SQLModel, table=True):
    __tablename__ = "companies"
    id: str = Field(primary_key=True, max_length=20)
    name: str = Field(max_length=100)
    profile: Optional[dict[str, Any]] = Field(default=None, sa_column=Column(JSONB))


class Resume(SQLModel, table=True):
    __tablename__ = "resumes"
    id: Optional[int] = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="users.id", ondelete="CASCADE", index=True)
    content: str = Field(sa_type=Text)
    parsed: Optional[dict] = Field(default=None, sa_column=Column(JSONB))


class Interview(SQLModel, table=True):
    __tablename__ = "interviews"
    __table_args__ = (UniqueConstraint("user_id", "company_id", "round", name="uq_interview_round"),)
    id: Optional[int] = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="users.id", ondelete="CASCADE")
    company_id: str = Field(foreign_key="companies.id", ondelete="RESTRICT", max_length=20)
    resume_id: Optional[int] = Field(default=None, foreign_key="resumes.id", ondelete="SET NULL")
    round: int = 1
    status: InterviewStatus = Field(default=InterviewStatus.SCHEDULED, index=True)
    user: Optional[User] = Relationship(back_populates="interviews")


class Question(SQLModel, table=True):
    __tablename__ = "questions"
    __table_args__ = (
        Index("ix_questions_embedding_hnsw", "embedding", postgresql_using="hnsw",
              postgresql_with={"m": 16, "ef_construction": 64}, postgresql_ops={"embedding": "vector_cosine_ops"}),
    )
    id: Optional[int] = Field(default=None, primary_key=True)
    interview_id: int = Field(foreign_key="interviews.id", ondelete="CASCADE")
    text: str = Field(sa_type=Text)
    embedding: Optional[list[float]] = Field(default=None, sa_column=Column(Vector(EMBEDDING_DIM)))


class Transcript(SQLModel, table=True):
    __tablename__ = "transcripts"
    id: Optional[int] = Field(default=None, primary_key=True)
    question_id: int = Field(foreign_key="questions.id", ondelete="CASCADE", unique=True)
    answer_text: str = Field(sa_type=Text)
    segments: list[dict[str, Any]] = Field(default_factory=list, sa_column=Column(JSONB, nullable=False))


class EvaluationReport(SQLModel, table=True):
    id: Optional[int] = Field(default=None, primary_key=True)
    interview_id: int = Field(foreign_key="interviews.id", ondelete="CASCADE", unique=True, index=True)
    total_score: float = Field(ge=0, le=100)
    feedback: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSONB, server_default="{}", nullable=False))
