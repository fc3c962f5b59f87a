from datetime import datetime
from typing import Any, Optional

from sqlalchemy import Column, DateTime, func
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field, SQLModel


class Timestamped(SQLModel):
    # sa_type and sa_column_kwargs, not sa_column: two tables inherit this field, and
    # one Column object cannot belong to two tables.
    created_at: Optional[datetime] = Field(
        default=None,
        sa_type=DateTime(timezone=True),
        sa_column_kwargs={"server_default": func.now()},
        nullable=False,
    )


class WithMeta(Timestamped):
    """Only users inherit it: its sa_column is made once."""

    meta: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSONB))
