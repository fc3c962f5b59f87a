"""Index keys that are expressions or carry an order: desc/asc, nulls_first/nulls_last,
func.lower(column(...)), text(...), mixed with plain columns and operator classes."""
from typing import Optional

import sqlalchemy as sa
from sqlalchemy import Index, asc, desc, func, nulls_first, nulls_last, text
from sqlmodel import Field, SQLModel


class Candidate(SQLModel, table=True):
    __tablename__ = "candidates"
    __table_args__ = (
        Index("ix_candidates_created_desc", desc("created_at")),
        Index("ix_candidates_score", nulls_last(desc("score")), asc("name")),
        Index("ix_candidates_rank_first", nulls_first("rank"), "name"),
        Index("ix_candidates_email_lower", func.lower(sa.column("email")), unique=True),
        Index("ix_candidates_name_text", text("lower(name)"), "rank"),
        Index("ix_candidates_coalesce", sa.func.coalesce(sa.literal_column("rank"), 0)),
        Index(
            "ix_candidates_name_trgm",
            "name",
            desc("rank"),
            postgresql_using="gin",
            postgresql_ops={"name": "gin_trgm_ops"},
        ),
    )

    id: Optional[int] = Field(default=None, primary_key=True)
    name: str = Field(max_length=120)
    email: str
    score: Optional[float] = None
    rank: Optional[int] = None
    created_at: Optional[str] = None
