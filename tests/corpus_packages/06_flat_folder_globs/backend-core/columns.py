"""Annotated aliases other modules use as column types."""

from typing import Annotated, Optional

from pgvector.sqlalchemy import Vector
from sqlmodel import Field

from settings import EMBEDDING_DIM

Embedding = Annotated[Optional[list[float]], Field(default=None, sa_type=Vector(EMBEDDING_DIM))]
CompanyCode = Annotated[str, Field(max_length=20)]
