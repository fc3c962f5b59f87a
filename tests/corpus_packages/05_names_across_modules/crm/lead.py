"""Postponed annotations naming enums of other modules, reached through a star import of
a package whose __all__ grows with +=."""

from __future__ import annotations

from typing import Optional

from sqlmodel import Field, SQLModel

from crm.kinds import *  # noqa: F403
from crm.storage import NOTE_MAX


class Lead(SQLModel, table=True):
    id: Optional[int] = Field(default=None, primary_key=True)
    stage: Stage = Stage.NEW  # noqa: F405
    priority: Optional[Priority] = None  # noqa: F405


class Note(SQLModel, table=True):
    __tablename__ = "lead_notes"

    id: Optional[int] = Field(default=None, primary_key=True)
    lead_id: int = Field(foreign_key="lead.id", ondelete="CASCADE")
    body: str = Field(max_length=NOTE_MAX)
