"""After: The embedding model changes: VECTOR(768) -> VECTOR(1024), HNSW index rebuilt."""

from datetime import datetime
from enum import Enum
from typing import Optional

from pgvector.sqlalchemy import Vector
from sqlalchemy import BigInteger, CheckConstraint, Column, Index, Integer, Text, UniqueConstraint, text
from sqlalchemy.dialects.postgresql import JSON, JSONB
from sqlmodel import Field, SQLModel


class User(SQLModel, table=True):
    __tablename__ = "users"

    id: Optional[int] = Field(default=None, primary_key=True)
    email: str = Field(max_length=255)
    name: Optional[str] = None


class Document(SQLModel, table=True):
    __tablename__ = "documents"
    __table_args__ = (
        Index(
            "ix_documents_embedding_hnsw",
            "embedding",
            postgresql_using="hnsw",
            postgresql_with={"m": 16, "ef_construction": 64},
            postgresql_ops={"embedding": "vector_cosine_ops"},
        ),
    )

    id: Optional[int] = Field(default=None, primary_key=True)
    body: str = Field(sa_column=Column(Text, nullable=False))
    embedding: Optional[list[float]] = Field(default=None, sa_column=Column(Vector(1024)))
