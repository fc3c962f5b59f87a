"""Column comments: Column(comment=...) in sa_column, and comment in sa_column_kwargs."""
from typing import Optional

from pgvector.sqlalchemy import Vector
from sqlalchemy import Column, String
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field, SQLModel


class Resume(SQLModel, table=True):
    __tablename__ = "resumes"

    id: Optional[int] = Field(default=None, primary_key=True, sa_column_kwargs={"comment": "surrogate key"})
    title: str = Field(max_length=200, sa_column_kwargs={"comment": "shown in the list; keep it short"})
    body: dict = Field(sa_column=Column(JSONB, nullable=False, comment="parsed sections"))
    embedding: Optional[list[float]] = Field(
        default=None, sa_column=Column(Vector(768), comment="jhgan/ko-sroberta-multitask, cosine")
    )
    owner: Optional[str] = Field(default=None, sa_column=Column("owner_name", String(80), comment="it's the owner"))
    plain: Optional[str] = Field(default=None, sa_column_kwargs={"comment": None})
