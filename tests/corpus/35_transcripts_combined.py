"""Future annotations + sa_column + enums + table args + server defaults, all in one table."""
from __future__ import annotations

import datetime as dt
import enum
from typing import Any, ClassVar, Optional

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlmodel import Field, SQLModel


class Speaker(enum.Enum):
    INTERVIEWER = "interviewer"
    CANDIDATE = "candidate"
    SYSTEM = "system"


class Transcript(SQLModel, table=True):
    __tablename__ = "transcripts"
    __table_args__ = (
        sa.Index("ix_transcripts_interview_seq", "interview_id", "seq", unique=True),
        sa.CheckConstraint("seq >= 0", name="ck_transcripts_seq"),
        {"comment": "Speech-to-text output per utterance"},
    )

    PAGE_SIZE: ClassVar[int] = 200

    id: Optional[int] = Field(default=None, primary_key=True)
    interview_id: int = Field(foreign_key="interviews.id", ondelete="CASCADE")
    seq: int
    speaker: Speaker = Speaker.CANDIDATE
    text: str = Field(sa_column=sa.Column(sa.Text, nullable=False))
    words: Optional[list[dict[str, Any]]] = Field(default=None, sa_column=sa.Column(postgresql.JSONB))
    spoken_at: dt.datetime = Field(
        sa_column=sa.Column(postgresql.TIMESTAMP(timezone=True), server_default=sa.func.now(), nullable=False)
    )
    is_final: bool = Field(default=False, sa_column_kwargs={"server_default": sa.false()})


class Interview(SQLModel, table=True):
    __tablename__ = "interviews"

    id: Optional[int] = Field(default=None, primary_key=True)
    host_speaker: Speaker | None = None
