from typing import Optional

from sqlalchemy import Index
from sqlmodel import Field

from columns import Embedding
from mixins import Timestamped as Stamped


class Resume(Stamped, table=True):
    __tablename__ = "resumes"
    __table_args__ = (
        Index(
            "ix_resumes_embedding",
            "embedding",
            postgresql_using="hnsw",
            postgresql_ops={"embedding": "vector_cosine_ops"},
        ),
    )

    id: Optional[int] = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="users.id", index=True)
    embedding: Embedding
