"""Mostly API schemas (no tables, incl. ones with sa_* options) next to a single table model."""
from datetime import datetime
from typing import Optional

from sqlalchemy import Text
from sqlmodel import Field, SQLModel


class InterviewCreate(SQLModel):
    user_id: int = Field(foreign_key="users.id")
    company_id: str = Field(max_length=20)
    title: str = Field(sa_type=Text)


class InterviewUpdate(SQLModel):
    title: Optional[str] = None
    scheduled_for: Optional[datetime] = None


class InterviewRead(InterviewCreate):
    id: int
    created_at: datetime


class Page(SQLModel):
    items: list[InterviewRead]
    total: int


class Interview(InterviewCreate, table=True):
    __tablename__ = "interviews"

    id: Optional[int] = Field(default=None, primary_key=True)
    created_at: datetime = Field(default_factory=datetime.now)


class InterviewWithScore(InterviewRead):
    score: Optional[float] = None


class User(SQLModel, table=True):
    __tablename__ = "users"

    id: Optional[int] = Field(default=None, primary_key=True)
