"""sa_type= overrides the inferred type (JSONB, Text, BigInteger, String(50), ARRAY(String), Vector(768))."""
from typing import Any, Optional

from pgvector.sqlalchemy import Vector
from sqlalchemy import BigInteger, String, Text
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlmodel import Field, SQLModel


class Question(SQLModel, table=True):
    __tablename__ = "questions"

    id: Optional[int] = Field(default=None, primary_key=True, sa_type=BigInteger)
    body: str = Field(sa_type=Text)
    metadata_: Optional[dict] = Field(default=None, sa_type=JSONB)
    options: dict[str, Any] = Field(default_factory=dict, sa_type=JSONB, nullable=False)
    short_label: str = Field(sa_type=String(50), max_length=100)
    tags: list[str] = Field(default_factory=list, sa_type=ARRAY(String))
    embedding: Optional[list[float]] = Field(default=None, sa_type=Vector(768))
    view_count: int = Field(default=0, sa_type=BigInteger, index=True)
    explanation: Optional[str] = Field(default=None, sa_type=Text, unique=True)
