"""SQLModel models of the AI interview service.

This file is the single source of truth for every table (DB_CONNECTION_STANDARD 3.1).
`ai-worker/db.py` mirrors the table classes; every change here also needs a numbered SQL
migration in `infra/postgres/migrations/` because `init_db()` only runs `create_all()`.
"""

from datetime import datetime, timezone
from decimal import Decimal
from enum import Enum
from typing import Optional

from pgvector.sqlalchemy import Vector
from sqlalchemy import Column, DateTime, ForeignKey, Index, Integer, Text, UniqueConstraint, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field, Relationship, SQLModel

# jhgan/ko-sroberta-multitask produces 768-dimensional sentence embeddings.
EMBEDDING_DIM = 768


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


# --------------------------------------------------------------------------- enums


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


# --------------------------------------------------------------------------- base


class TimestampMixin(SQLModel):
    """Audit columns shared by most tables (not a table itself)."""

    created_at: datetime = Field(
        default_factory=utcnow,
        sa_column_kwargs={"server_default": text("now()")},
    )
    updated_at: Optional[datetime] = Field(default=None, sa_column_kwargs={"onupdate": utcnow})


# --------------------------------------------------------------------------- tables


class User(TimestampMixin, table=True):
    __tablename__ = "users"

    id: Optional[int] = Field(default=None, primary_key=True)
    email: str = Field(max_length=255, unique=True, index=True)
    hashed_password: str = Field(max_length=255)
    full_name: str = Field(max_length=100)
    role: UserRole = Field(default=UserRole.CANDIDATE)
    phone_number: Optional[str] = Field(default=None, max_length=20)
    is_active: bool = Field(default=True, sa_column_kwargs={"server_default": text("true")})
    last_login_at: Optional[datetime] = None

    resumes: list["Resume"] = Relationship(back_populates="user", cascade_delete=True)
    interviews: list["Interview"] = Relationship(back_populates="candidate")


class Company(TimestampMixin, table=True):
    """Companies are keyed by a short code such as 'KAKAO' or 'NAVER'."""

    __tablename__ = "companies"

    id: str = Field(primary_key=True, max_length=20)
    name: str = Field(max_length=100, unique=True)
    industry: Optional[str] = Field(default=None, max_length=50, index=True)
    website_url: Optional[str] = Field(default=None, max_length=255)
    talent_profile: Optional[str] = Field(default=None, sa_column=Column(Text))
    culture_keywords: list[str] = Field(
        default_factory=list,
        sa_column=Column(JSONB, nullable=False, server_default=text("'[]'::jsonb")),
    )

    interviews: list["Interview"] = Relationship(back_populates="company")
    questions: list["Question"] = Relationship(back_populates="company")


class Resume(TimestampMixin, table=True):
    __tablename__ = "resumes"

    id: Optional[int] = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="users.id", ondelete="CASCADE", index=True)
    title: str = Field(max_length=200)
    file_path: Optional[str] = Field(default=None, max_length=500)
    content_text: Optional[str] = Field(default=None, sa_column=Column(Text))
    parsed_sections: dict = Field(default_factory=dict, sa_column=Column(JSONB))
    embedding: Optional[list[float]] = Field(default=None, sa_column=Column(Vector(EMBEDDING_DIM)))
    is_primary: bool = False

    user: Optional[User] = Relationship(back_populates="resumes")


class Interview(TimestampMixin, table=True):
    __tablename__ = "interviews"

    id: Optional[int] = Field(default=None, primary_key=True)
    candidate_id: int = Field(foreign_key="users.id", ondelete="CASCADE", index=True)
    company_id: Optional[str] = Field(
        default=None, foreign_key="companies.id", ondelete="SET NULL", max_length=20, index=True
    )
    resume_id: Optional[int] = Field(default=None, foreign_key="resumes.id", ondelete="SET NULL")
    position: str = Field(max_length=100)
    status: InterviewStatus = Field(default=InterviewStatus.SCHEDULED, index=True)
    scheduled_at: Optional[datetime] = None
    started_at: Optional[datetime] = None
    ended_at: Optional[datetime] = None
    total_score: Optional[float] = None

    candidate: Optional[User] = Relationship(back_populates="interviews")
    company: Optional[Company] = Relationship(back_populates="interviews")
    transcripts: list["Transcript"] = Relationship(back_populates="interview")
    report: Optional["EvaluationReport"] = Relationship(
        back_populates="interview", sa_relationship_kwargs={"uselist": False}
    )


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

    id: Optional[int] = Field(default=None, primary_key=True)
    company_id: Optional[str] = Field(
        default=None, foreign_key="companies.id", max_length=20, index=True
    )
    category: QuestionCategory = Field(index=True)
    content: str = Field(sa_column=Column(Text, nullable=False))
    content_hash: str = Field(max_length=64)
    difficulty: int = Field(default=3, ge=1, le=5)
    expected_answer: Optional[str] = Field(default=None, sa_column=Column(Text))
    rubric: dict = Field(default_factory=dict, sa_column=Column(JSONB))
    embedding: Optional[list[float]] = Field(default=None, sa_column=Column(Vector(EMBEDDING_DIM)))
    usage_count: int = Field(default=0, sa_column_kwargs={"server_default": text("0")})

    company: Optional[Company] = Relationship(back_populates="questions")


class Transcript(SQLModel, table=True):
    """One utterance of an interview, in speaking order."""

    __tablename__ = "transcripts"
    __table_args__ = (
        UniqueConstraint("interview_id", "sequence", name="uq_transcripts_interview_sequence"),
    )

    id: Optional[int] = Field(default=None, primary_key=True)
    interview_id: int = Field(
        sa_column=Column(
            Integer,
            ForeignKey("interviews.id", ondelete="CASCADE"),
            nullable=False,
            index=True,
        )
    )
    question_id: Optional[int] = Field(
        default=None, foreign_key="questions.id", ondelete="SET NULL"
    )
    sequence: int
    speaker: Speaker
    content: str = Field(sa_column=Column(Text, nullable=False))
    audio_url: Optional[str] = Field(default=None, max_length=500)
    duration_ms: Optional[int] = None
    sentiment: Optional[dict] = Field(default=None, sa_column=Column(JSONB))
    spoken_at: datetime = Field(
        default_factory=utcnow,
        sa_column=Column(DateTime(timezone=True), nullable=False, server_default=text("now()")),
    )

    interview: Optional[Interview] = Relationship(back_populates="transcripts")


class EvaluationReport(TimestampMixin, table=True):
    __tablename__ = "evaluation_reports"

    id: Optional[int] = Field(default=None, primary_key=True)
    interview_id: int = Field(foreign_key="interviews.id", ondelete="CASCADE", unique=True)
    evaluator_model: str = Field(default="gpt-4o", max_length=100)
    overall_score: Decimal = Field(max_digits=5, decimal_places=2)
    technical_score: Optional[Decimal] = Field(default=None, max_digits=5, decimal_places=2)
    communication_score: Optional[Decimal] = Field(default=None, max_digits=5, decimal_places=2)
    summary: Optional[str] = Field(default=None, sa_column=Column(Text))
    details: dict = Field(default_factory=dict, sa_column=Column(JSONB, nullable=False))
    strengths: list[str] = Field(default_factory=list, sa_column=Column(JSONB))
    recommendation: Optional[str] = Field(default=None, max_length=20)

    interview: Optional[Interview] = Relationship(back_populates="report")


# --------------------------------------------------------------------------- API schemas
# Request/response models for FastAPI; not tables, so the worker does not mirror them.


class UserCreate(SQLModel):
    email: str = Field(max_length=255)
    password: str = Field(min_length=8)
    full_name: str = Field(max_length=100)
    role: UserRole = UserRole.CANDIDATE
    phone_number: Optional[str] = None


class UserRead(SQLModel):
    id: int
    email: str
    full_name: str
    role: UserRole
    is_active: bool
    created_at: datetime


class InterviewCreate(SQLModel):
    company_id: Optional[str] = None
    resume_id: Optional[int] = None
    position: str = Field(max_length=100)
    scheduled_at: Optional[datetime] = None


class TranscriptRead(SQLModel):
    sequence: int
    speaker: Speaker
    content: str
    spoken_at: datetime


class InterviewRead(SQLModel):
    id: int
    candidate_id: int
    company_id: Optional[str]
    position: str
    status: InterviewStatus
    scheduled_at: Optional[datetime]
    total_score: Optional[float]
    transcripts: list[TranscriptRead] = []


class QuestionRead(SQLModel):
    id: int
    company_id: Optional[str]
    category: QuestionCategory
    content: str
    difficulty: int


class EvaluationReportRead(SQLModel):
    interview_id: int
    overall_score: Decimal
    technical_score: Optional[Decimal]
    communication_score: Optional[Decimal]
    summary: Optional[str]
    details: dict
    strengths: list[str]
    recommendation: Optional[str]
