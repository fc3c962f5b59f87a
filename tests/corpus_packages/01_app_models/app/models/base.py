"""Mixins every table inherits: two levels here, a third in audit.py.

Its annotations are lazy (the ``__future__`` import) while those of the modules with
relationships are not: SQLModel builds no Relationship from a string annotation."""

from __future__ import annotations

from datetime import datetime
from typing import Optional

from sqlalchemy import text
from sqlmodel import Field, SQLModel


class IdMixin(SQLModel):
    id: Optional[int] = Field(default=None, primary_key=True)


class TimestampMixin(SQLModel):
    created_at: datetime = Field(
        default_factory=datetime.utcnow,
        sa_column_kwargs={"server_default": text("now()")},
    )
    updated_at: Optional[datetime] = None


class TableBase(IdMixin, TimestampMixin):
    """Level 2: the two mixins together."""
