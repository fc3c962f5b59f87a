"""Database access for the AI worker (Celery).

The engine follows DB_CONNECTION_STANDARD 2.2; every task opens its own session with
`get_task_session()` (2.3). The table classes below mirror `backend-core/models.py`, the
source of truth (3.1): relationships and API schemas are left out, the columns must match.
`modelsync check` fails CI when the two drift apart.
"""

import logging
import os
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime, timezone
from decimal import Decimal
from enum import Enum
from typing import Any, Optional

from pgvector.sqlalchemy import Vector
from sqlalchemy import Column, DateTime, Index, Text, UniqueConstraint, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field, Session, SQLModel, create_engine, select

logger = logging.getLogger(__name__)

# --------------------------------------------------------------------------- engine

DATABASE_URL = os.getenv("DATABASE_URL", "postgresql+psycopg://admin:1234@db:5432/interview_db")
DB_POOL_SIZE = int(os.getenv("DB_POOL_SIZE", "20"))
DB_MAX_OVERFLOW = int(os.getenv("DB_MAX_OVERFLOW", "10"))
DB_POOL_RECYCLE = int(os.getenv("DB_POOL_RECYCLE", "3600"))

engine = create_engine(
    DATABASE_URL,
    pool_size=DB_POOL_SIZE,
    max_overflow=DB_MAX_OVERFLOW,
    pool_recycle=DB_POOL_RECYCLE,
    pool_pre_ping=True,
)


@contextmanager
def get_task_session() -> Iterator[Session]:
    """One session per Celery task; it is always closed when the task ends."""
    with Session(engine) as session:
        try:
            yield session
        except Exception:
            logger.exception("task session rolled back")
            session.rollback()
            raise


# --------------------------------------------------------------------------- mirrored models
# Keep in sync with backend-core/models.py.

EMBEDDING_DIM = 768


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


class UserRole(str, Enum):
    CANDIDATE = "candidate"
    RECRUITER = "recruiter"
    ADMIN = "admin"


class InterviewStatus(str, Enum):
    SCHEDULED = "scheduled"
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"
    CANCELLED = "cancelled"


class QuestionCategory(str, Enum):
    TECHNICAL = "technical"
    BEHAVIORAL = "behavioral"
    CULTURE_FIT = "culture_fit"
    SITUATIONAL = "situational"


class Speaker(str, Enum):
    INTERVIEWER = "interviewer"
    CANDIDATE = "candidate"


class TimestampMixin(SQLModel):
    created_at: datetime = Field(
        default_factory=utcnow, sa_column_kwargs={"server_default": text("now()")}
    )
    updated_at: datetime | None = Field(default=None, sa_column_kwargs={"onupdate": utcnow})


class User(TimestampMixin, table=True):
    __tablename__ = "users"

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=255, unique=True, index=True)
    hashed_password: str = Field(max_length=255)
    full_name: str = Field(max_length=100)
    role: UserRole = Field(default=UserRole.CANDIDATE)
    phone_number: str | None = Field(default=None, max_length=20)
    is_active: bool = Field(default=True, sa_column_kwargs={"server_default": text("true")})
    last_login_at: datetime | None = None


class Company(SQLModel, table=True):
    __tablename__ = "companies"

    # The timestamp columns are spelled out here instead of inheriting TimestampMixin.
    created_at: datetime = Field(
        default_factory=utcnow, sa_column_kwargs={"server_default": text("now()")}
    )
    updated_at: Optional[datetime] = None
    id: str = Field(primary_key=True, max_length=20)
    name: str = Field(max_length=100, unique=True)
    industry: str | None = Field(default=None, max_length=50, index=True)
    website_url: str | None = Field(default=None, max_length=255)
    talent_profile: str | None = Field(default=None, sa_column=Column(Text))
    culture_keywords: list[str] = Field(
        default_factory=list,
        sa_column=Column(JSONB, nullable=False, server_default=text("'[]'::jsonb")),
    )


class Resume(TimestampMixin, table=True):
    __tablename__ = "resumes"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="users.id", ondelete="CASCADE", index=True)
    title: str = Field(max_length=200)
    file_path: str | None = Field(default=None, max_length=500)
    content_text: str | None = Field(default=None, sa_column=Column(Text))
    parsed_sections: dict = Field(default_factory=dict, sa_column=Column(JSONB))
    embedding: list[float] | None = Field(default=None, sa_column=Column(Vector(EMBEDDING_DIM)))
    is_primary: bool = False


class Interview(TimestampMixin, table=True):
    __tablename__ = "interviews"

    id: int | None = Field(default=None, primary_key=True)
    candidate_id: int = Field(foreign_key="users.id", ondelete="CASCADE", index=True)
    company_id: str | None = Field(
        default=None, max_length=20, foreign_key="companies.id", ondelete="SET NULL", index=True
    )
    resume_id: int | None = Field(default=None, foreign_key="resumes.id", ondelete="SET NULL")
    position: str = Field(max_length=100)
    status: InterviewStatus = Field(default=InterviewStatus.SCHEDULED, index=True)
    scheduled_at: datetime | None = None
    started_at: datetime | None = None
    ended_at: datetime | None = None
    total_score: float | None = None


class Question(TimestampMixin, table=True):
    __tablename__ = "questions"
    __table_args__ = (
        Index(
            "ix_questions_embedding_hnsw",
            "embedding",
            postgresql_using="hnsw",
            postgresql_with={"m": 16, "ef_construction": 64},
            postgresql_ops={"embedding": "vector_cosine_ops"},
        ),
        UniqueConstraint("company_id", "content_hash", name="uq_questions_company_content"),
    )

    id: int | None = Field(default=None, primary_key=True)
    company_id: str | None = Field(
        default=None, foreign_key="companies.id", max_length=20, index=True
    )
    category: QuestionCategory = Field(index=True)
    content: str = Field(sa_column=Column(Text, nullable=False))
    content_hash: str = Field(max_length=64)
    difficulty: int = Field(default=3, ge=1, le=5)
    expected_answer: str | None = Field(default=None, sa_column=Column(Text))
    rubric: dict = Field(default_factory=dict, sa_column=Column(JSONB))
    embedding: list[float] | None = Field(default=None, sa_column=Column(Vector(EMBEDDING_DIM)))
    usage_count: int = Field(default=0, sa_column_kwargs={"server_default": text("0")})


class Transcript(SQLModel, table=True):
    __tablename__ = "transcripts"
    __table_args__ = (
        UniqueConstraint("interview_id", "sequence", name="uq_transcripts_interview_sequence"),
    )

    id: int | None = Field(default=None, primary_key=True)
    # The backend declares this through sa_column=Column(Integer, ForeignKey(...)); same DDL.
    interview_id: int = Field(foreign_key="interviews.id", ondelete="CASCADE", index=True)
    question_id: int | None = Field(default=None, foreign_key="questions.id", ondelete="SET NULL")
    sequence: int
    speaker: Speaker
    content: str = Field(sa_column=Column(Text, nullable=False))
    audio_url: str | None = Field(default=None, max_length=500)
    duration_ms: int | None = None
    sentiment: dict | None = Field(default=None, sa_column=Column(JSONB))
    spoken_at: datetime = Field(
        default_factory=utcnow,
        sa_column=Column(DateTime(timezone=True), nullable=False, server_default=text("now()")),
    )


class EvaluationReport(TimestampMixin, table=True):
    __tablename__ = "evaluation_reports"

    id: int | None = Field(default=None, primary_key=True)
    interview_id: int = Field(foreign_key="interviews.id", ondelete="CASCADE", unique=True)
    evaluator_model: str = Field(default="gpt-4o", max_length=100)
    overall_score: Decimal = Field(max_digits=5, decimal_places=2)
    technical_score: Decimal | None = Field(default=None, max_digits=5, decimal_places=2)
    communication_score: Decimal | None = Field(default=None, max_digits=5, decimal_places=2)
    summary: str | None = Field(default=None, sa_column=Column(Text))
    details: dict = Field(default_factory=dict, sa_column=Column(JSONB, nullable=False))
    strengths: list[str] = Field(default_factory=list, sa_column=Column(JSONB))
    recommendation: str | None = Field(default=None, max_length=20)


# --------------------------------------------------------------------------- task helpers


def get_company_by_id(session: Session, company_id: str) -> Company | None:
    return session.get(Company, company_id)


def get_interview(session: Session, interview_id: int) -> Interview | None:
    return session.get(Interview, interview_id)


def set_interview_status(session: Session, interview_id: int, status: InterviewStatus) -> None:
    interview = session.get(Interview, interview_id)
    if interview is None:
        raise LookupError(f"interview {interview_id} does not exist")
    interview.status = status
    now = utcnow()
    if status is InterviewStatus.IN_PROGRESS and interview.started_at is None:
        interview.started_at = now
    if status in (InterviewStatus.COMPLETED, InterviewStatus.CANCELLED):
        interview.ended_at = now
    session.add(interview)
    session.commit()


def find_similar_questions(
    session: Session,
    embedding: Sequence[float],
    *,
    company_id: str | None = None,
    category: QuestionCategory | None = None,
    limit: int = 5,
) -> list[Question]:
    """Nearest questions by cosine distance (standard 4.1); uses the HNSW index."""
    if len(embedding) != EMBEDDING_DIM:
        raise ValueError(f"expected a {EMBEDDING_DIM}-dim embedding, got {len(embedding)}")
    statement = select(Question).where(Question.embedding.is_not(None))
    if company_id is not None:
        statement = statement.where(Question.company_id == company_id)
    if category is not None:
        statement = statement.where(Question.category == category)
    statement = statement.order_by(Question.embedding.cosine_distance(list(embedding)))
    return list(session.exec(statement.limit(limit)))


def update_question_embeddings(session: Session, embeddings: dict[int, Sequence[float]]) -> int:
    """Bulk update (standard 4.2): add everything, commit once."""
    updated = 0
    for question_id, embedding in embeddings.items():
        question = session.get(Question, question_id)
        if question is None:
            logger.warning("question %s vanished before its embedding was stored", question_id)
            continue
        question.embedding = list(embedding)
        session.add(question)
        updated += 1
    session.commit()
    return updated


def save_transcript_segments(
    session: Session, interview_id: int, segments: Sequence[dict[str, Any]]
) -> None:
    last = session.exec(
        select(Transcript.sequence)
        .where(Transcript.interview_id == interview_id)
        .order_by(Transcript.sequence.desc())
    ).first()
    next_sequence = (last or 0) + 1
    for offset, segment in enumerate(segments):
        session.add(
            Transcript(interview_id=interview_id, sequence=next_sequence + offset, **segment)
        )
    session.commit()


def save_evaluation_report(
    session: Session,
    interview_id: int,
    *,
    overall_score: Decimal,
    details: dict[str, Any],
    technical_score: Decimal | None = None,
    communication_score: Decimal | None = None,
    summary: str | None = None,
    strengths: list[str] | None = None,
    evaluator_model: str = "gpt-4o",
) -> EvaluationReport:
    """Create or replace the report of an interview and mark the interview completed."""
    report = session.exec(
        select(EvaluationReport).where(EvaluationReport.interview_id == interview_id)
    ).first()
    if report is None:
        report = EvaluationReport(interview_id=interview_id, overall_score=overall_score)
    report.overall_score = overall_score
    report.technical_score = technical_score
    report.communication_score = communication_score
    report.summary = summary
    report.details = details
    report.strengths = strengths or []
    report.evaluator_model = evaluator_model
    report.updated_at = utcnow()
    session.add(report)

    interview = session.get(Interview, interview_id)
    if interview is not None:
        interview.total_score = float(overall_score)
        interview.status = InterviewStatus.COMPLETED
        session.add(interview)
    session.commit()
    session.refresh(report)
    logger.info("saved evaluation report for interview %s", interview_id)
    return report
