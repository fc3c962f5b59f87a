"""Quoted annotations ("Optional[int]", "datetime") resolve like unquoted ones."""
from datetime import datetime
from typing import Optional

from sqlmodel import Field, SQLModel


class Transcript(SQLModel, table=True):
    __tablename__ = "transcripts"

    id: "Optional[int]" = Field(default=None, primary_key=True)
    interview_id: "int" = Field(foreign_key="interviews.id")
    text: "str"
    speaker: "Optional[str]" = Field(default=None, max_length=20)
    started_at: "datetime"
    confidence: "float | None" = None


class Interview(SQLModel, table=True):
    __tablename__ = "interviews"

    id: "Optional[int]" = Field(default=None, primary_key=True)
    title: "str" = Field(max_length=100)
