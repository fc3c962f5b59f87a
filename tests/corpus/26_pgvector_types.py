"""pgvector types: Vector, VECTOR, HALFVEC, SPARSEVEC, BIT, plus a dimension from a module constant."""
from typing import Any, Optional

from pgvector.sqlalchemy import BIT, HALFVEC, SPARSEVEC, VECTOR, Vector
from sqlalchemy import Column
from sqlmodel import Field, SQLModel

EMBEDDING_DIM = 768


class Question(SQLModel, table=True):
    __tablename__ = "questions"

    id: Optional[int] = Field(default=None, primary_key=True)
    text: str
    embedding: list[float] = Field(sa_column=Column(Vector(EMBEDDING_DIM)))
    small_embedding: Optional[list[float]] = Field(default=None, sa_column=Column(VECTOR(384)))
    half_embedding: Any = Field(default=None, sa_column=Column(HALFVEC(256)))
    keyword_weights: Any = Field(default=None, sa_column=Column(SPARSEVEC(1000), nullable=False))
    fingerprint: Optional[str] = Field(default=None, sa_column=Column(BIT(64)))
    title_embedding: Optional[list[float]] = Field(default=None, sa_type=Vector(EMBEDDING_DIM))
    raw_embedding: list[float] = Field(sa_column=Column(Vector()))
