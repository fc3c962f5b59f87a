"""Future annotations with mixins, sa_column_kwargs shared through a base, and vector columns."""
from __future__ import annotations

import uuid
from datetime import datetime
from typing import Optional, Union

from pgvector.sqlalchemy import Vector
from sqlalchemy import Column, Index, text
from sqlmodel import Field, SQLModel

EMBEDDING_DIM = 384


class TimestampMixin(SQLModel):
    created_at: Optional[datetime] = Field(default=None, sa_column_kwargs={"server_default": text("now()")})
    updated_at: Union[datetime, None] = Field(default=None, sa_column_kwargs={"onupdate": text("now()")})


class EmbeddingBase(TimestampMixin):
    model_name: str = Field(default="jhgan/ko-sroberta-multitask", max_length=100)


class QuestionEmbedding(EmbeddingBase, table=True):
    __tablename__ = "question_embeddings"
    __table_args__ = (
        Index("ix_question_embeddings_vec", "vector", postgresql_using="hnsw",
              postgresql_ops={"vector": "vector_cosine_ops"}),
    )

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    question_id: int = Field(foreign_key="questions.id", ondelete="CASCADE", unique=True)
    vector: list[float] = Field(sa_column=Column(Vector(EMBEDDING_DIM), nullable=False))


class Question(TimestampMixin, table=True):
    __tablename__ = "questions"

    id: Optional[int] = Field(default=None, primary_key=True)
    text: str
