"""ai-worker database access (hand-maintained copy of the backend models)."""

import logging
import os
from contextlib import contextmanager
from datetime import datetime, timezone
from enum import Enum
from typing import Optional

from pgvector.sqlalchemy import Vector
from sqlalchemy import Column
from sqlmodel import Field, Session, SQLModel, create_engine, select

logger = logging.getLogger(__name__)

DATABASE_URL = os.getenv("DATABASE_URL", "postgresql+psycopg://admin:1234@db:5432/interview_db")
engine = create_engine(
    DATABASE_URL,
    pool_size=int(os.getenv("DB_POOL_SIZE", "20")),
    max_overflow=int(os.getenv("DB_MAX_OVERFLOW", "10")),
    pool_recycle=int(os.getenv("DB_POOL_RECYCLE", "3600")),
    pool_pre_ping=True,
)


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


# Mirrored from backend-core/models.py -- last synced by hand, long ago.
class QuestionCategory(str, Enum):
    TECHNICAL = "technical"
    BEHAVIORAL = "behavioral"


class Company(SQLModel, table=True):
    __tablename__ = "companies"

    id: str = Field(primary_key=True, max_length=20)
    name: str = Field(max_length=100)


@contextmanager
def task_session():
    """One session per Celery task."""
    with Session(engine) as session:
        yield session


class Question(SQLModel, table=True):
    __tablename__ = "questions"

    id: Optional[int] = Field(default=None, primary_key=True)
    company_id: Optional[str] = Field(default=None, foreign_key="companies.id", max_length=20)
    category: QuestionCategory
    content: str
    embedding: Optional[list[float]] = Field(default=None, sa_column=Column(Vector(384)))


def get_company_by_id(company_id: str) -> Optional[Company]:
    # Helper functions like this one must survive every regeneration.
    with task_session() as session:
        return session.get(Company, company_id)


def find_similar_questions(embedding: list[float], limit: int = 5) -> list[Question]:
    with task_session() as session:
        statement = select(Question).order_by(Question.embedding.cosine_distance(embedding))
        return list(session.exec(statement.limit(limit)))
