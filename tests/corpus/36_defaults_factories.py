"""Python-side default= and default_factory= never change the DDL (no server_default)."""
import uuid
from datetime import datetime, timezone
from typing import Any, Optional

from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field, SQLModel


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


class InterviewInvite(SQLModel, table=True):
    __tablename__ = "interview_invites"

    id: Optional[int] = Field(default=None, primary_key=True)
    token: uuid.UUID = Field(default_factory=uuid.uuid4, unique=True, index=True)
    created_at: datetime = Field(default_factory=utcnow)
    expires_at: Optional[datetime] = Field(default_factory=lambda: None)
    channel: str = Field(default="email", max_length=10)
    attempts: int = Field(default=0)
    settings: dict[str, Any] = Field(default_factory=dict, sa_type=JSONB)
    cc_emails: Optional[str] = Field(default=None)
    accepted: Optional[bool] = Field(default=False)
