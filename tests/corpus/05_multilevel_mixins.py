"""Multi-level inheritance and multiple non-table mixin bases feeding one table."""
from datetime import datetime
from typing import Optional

from sqlmodel import Field, SQLModel


class IdMixin(SQLModel):
    id: Optional[int] = Field(default=None, primary_key=True)


class TimestampMixin(SQLModel):
    created_at: datetime = Field(default_factory=datetime.now)
    updated_at: Optional[datetime] = None


class SoftDeleteMixin(SQLModel):
    deleted_at: Optional[datetime] = Field(default=None, index=True)
    is_deleted: bool = False


class InterviewBase(TimestampMixin):
    title: str = Field(max_length=120)
    status: str = Field(default="scheduled", max_length=20)


class ScheduledInterviewBase(InterviewBase):
    scheduled_for: Optional[datetime] = None
    duration_minutes: int = 30


class Interview(IdMixin, ScheduledInterviewBase, SoftDeleteMixin, table=True):
    __tablename__ = "interviews"

    user_id: int = Field(foreign_key="users.id", ondelete="CASCADE")


class User(IdMixin, TimestampMixin, table=True):
    __tablename__ = "users"

    name: str


class InterviewRead(ScheduledInterviewBase):
    id: int
