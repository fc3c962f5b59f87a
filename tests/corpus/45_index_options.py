"""Index options that change the DDL: partial indexes, storage parameters, NULLS NOT DISTINCT."""
from typing import Optional

from pgvector.sqlalchemy import Vector
from sqlalchemy import Column, Index, UniqueConstraint, text
from sqlmodel import Field, SQLModel


class Question(SQLModel, table=True):
    __tablename__ = "questions"
    __table_args__ = (
        Index(
            "ix_questions_embedding_hnsw",
            "embedding",
            postgresql_using="hnsw",
            postgresql_with={"m": 16, "ef_construction": 64},
            postgresql_ops={"embedding": "vector_cosine_ops"},
        ),
        Index("ix_questions_active_company", "company_id", postgresql_where=text("archived = false")),
        Index("ix_questions_body_trgm", "body", postgresql_using="gin", postgresql_ops={"body": "gin_trgm_ops"}),
        UniqueConstraint("company_id", "slug", name="uq_questions_company_slug", postgresql_nulls_not_distinct=True),
    )

    id: Optional[int] = Field(default=None, primary_key=True)
    company_id: Optional[str] = Field(default=None, max_length=20)
    slug: str = Field(max_length=80)
    body: str
    archived: bool = False
    embedding: Optional[list[float]] = Field(default=None, sa_column=Column(Vector(768)))
