"""Dialect types from sqlalchemy.dialects.postgresql: JSONB, ARRAY, TIMESTAMP, UUID, INET, CITEXT, ..."""
import uuid
from datetime import datetime
from typing import Any, Optional

from sqlalchemy import Column, Integer
from sqlalchemy.dialects.postgresql import (
    ARRAY,
    BYTEA,
    CITEXT,
    DOUBLE_PRECISION,
    INET,
    JSONB,
    TEXT,
    TIMESTAMP,
    UUID,
    VARCHAR,
)
from sqlmodel import Field, SQLModel


class Transcript(SQLModel, table=True):
    __tablename__ = "transcripts"

    id: uuid.UUID = Field(default_factory=uuid.uuid4, sa_column=Column(UUID(as_uuid=True), primary_key=True))
    segments: list[dict[str, Any]] = Field(sa_column=Column(JSONB, nullable=False))
    speaker_turns: list[int] = Field(sa_column=Column(ARRAY(Integer)))
    recorded_at: datetime = Field(sa_column=Column(TIMESTAMP(timezone=True), nullable=False))
    local_recorded_at: Optional[datetime] = Field(default=None, sa_column=Column(TIMESTAMP()))
    client_ip: Optional[str] = Field(default=None, sa_column=Column(INET))
    speaker_email: str = Field(sa_column=Column(CITEXT, unique=True))
    full_text: str = Field(sa_column=Column(TEXT))
    language: str = Field(sa_column=Column(VARCHAR(30)))
    avg_confidence: float = Field(sa_column=Column(DOUBLE_PRECISION))
    audio: Optional[bytes] = Field(default=None, sa_column=Column(BYTEA))
    session_uuid: uuid.UUID = Field(sa_column=Column(UUID(), nullable=False))
