"""Backend models (source of truth) for the adoption fixture."""

from datetime import datetime, timezone
from enum import Enum
from typing import Optional

from pgvector.sqlalchemy import Vector
from sqlalchemy import Column, Index
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field, Relationship, SQLModel

EMBEDDING_DIM = 768


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


class QuestionCategory(str, Enum):
    TECHNICAL = "technical"
    BEHAVIORAL = "behavioral"
    CULTURE_FIT = "culture_fit"


class Company(SQLModel, table=True):
    """Companies are keyed by a short code such as 'KAKAO'."""

    __tablename__ = "companies"

    id: str = Field(primary_key=True, max_length=20)
    name: str = Field(max_length=100, index=True)
    industry: Optional[str] = Field(default=None, max_length=50)
    created_at: datetime = Field(default_factory=utcnow)

    questions: list["Question"] = Relationship(back_populates="company")


class Question(SQLModel, table=True):
    __tablename__ = "questions"
    __table_args__ = (
        Index(
            "ix_questions_embedding_hnsw",
            "embedding",
            postgresql_using="hnsw",
            postgresql_ops={"embedding": "vector_cosine_ops"},
        ),
    )

    id: Optional[int] = Field(default=None, primary_key=True)
    company_id: Optional[str] = Field(
        default=None, foreign_key="companies.id", ondelete="SET NULL", max_length=20
    )
    category: QuestionCategory = Field(index=True)
    content: str
    difficulty: int = Field(default=3)  # 1 (easy) to 5 (hard)
    rubric: dict = Field(default_factory=dict, sa_column=Column(JSONB))
    embedding: Optional[list[float]] = Field(
        default=None, sa_column=Column(Vector(EMBEDDING_DIM))
    )

    company: Optional[Company] = Relationship(back_populates="questions")


class Transcript(SQLModel, table=True):
    __tablename__ = "transcripts"

    id: Optional[int] = Field(default=None, primary_key=True)
    question_id: int = Field(foreign_key="questions.id", ondelete="CASCADE")
    speaker: str = Field(max_length=20)
    text: str
    created_at: datetime = Field(default_factory=utcnow)


class QuestionRead(SQLModel):
    """An API schema: not a table, never mirrored."""

    id: int
    content: str
