"""sa_column_kwargs merged last (overrides nullable/unique, renames via name) and sa_column_args=[ForeignKey]."""
from typing import Optional

from sqlalchemy import ForeignKey, text
from sqlmodel import Field, SQLModel


class User(SQLModel, table=True):
    __tablename__ = "users"

    id: Optional[int] = Field(default=None, primary_key=True)


class Interview(SQLModel, table=True):
    __tablename__ = "interviews"

    id: Optional[int] = Field(default=None, primary_key=True)
    user_id: int = Field(sa_column_args=[ForeignKey("users.id", ondelete="CASCADE")])
    coach_id: Optional[int] = Field(default=None, sa_column_args=[ForeignKey("users.id")], index=True)
    retry_count: int = Field(default=0, sa_column_kwargs={"server_default": text("0")})
    # Annotation says NOT NULL, the kwargs say NULL: kwargs win.
    note: str = Field(default="", sa_column_kwargs={"nullable": True})
    room: str = Field(max_length=30, unique=False, sa_column_kwargs={"unique": True})
    external_key: Optional[str] = Field(default=None, index=True, sa_column_kwargs={"name": "ext_key"})
    title: str = Field(
        max_length=120,
        sa_column_kwargs={"name": "interview_title", "server_default": "Untitled", "comment": "shown to users"},
    )
