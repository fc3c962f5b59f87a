"""sa_column=Column(...): the Column is used as-is; nullability comes from Column, not the annotation."""
from typing import Any, Optional

from pgvector.sqlalchemy import Vector
from sqlalchemy import Column, Integer, String, Text
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field, SQLModel


class Question(SQLModel, table=True):
    __tablename__ = "questions"

    id: Optional[int] = Field(default=None, sa_column=Column(Integer, primary_key=True))
    # Annotation says required, but Column() defaults to nullable=True.
    rubric: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSONB))
    embedding: list[float] = Field(sa_column=Column(Vector(768)))
    body: Optional[str] = Field(default=None, sa_column=Column(Text, nullable=False))
    category: str = Field(sa_column=Column(String(40), index=True, nullable=False))
    slug: str = Field(sa_column=Column(String(80), unique=True))
    code: str = Field(sa_column=Column(String(12), unique=True, index=True, nullable=False))
