"""__table_args__ with composite Index, unique Index and an HNSW pgvector index."""
from typing import Optional

from pgvector.sqlalchemy import Vector
from sqlalchemy import Column, Index
from sqlmodel import Field, SQLModel


class Question(SQLModel, table=True):
    __tablename__ = "questions"
    __table_args__ = (
        Index("ix_questions_category_difficulty", "category", "difficulty"),
        Index("uq_questions_company_slug", "company_id", "slug", unique=True),
        Index(
            "ix_questions_embedding_hnsw",
            "embedding",
            postgresql_using="hnsw",
            postgresql_with={"m": 16, "ef_construction": 64},
            postgresql_ops={"embedding": "vector_cosine_ops"},
        ),
    )

    id: Optional[int] = Field(default=None, primary_key=True)
    company_id: str = Field(max_length=20, index=True)
    slug: str = Field(max_length=80)
    category: str = Field(max_length=40)
    difficulty: int = 1
    embedding: list[float] = Field(sa_column=Column(Vector(768)))
