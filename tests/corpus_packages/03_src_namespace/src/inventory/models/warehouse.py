"""Absolute imports through the namespace packages inventory and inventory.shared."""

from typing import Optional

from pgvector.sqlalchemy import Vector
from sqlalchemy import Column
from sqlmodel import Field, SQLModel

from inventory.shared.constants import EMBEDDING_DIM, SHORT


class Warehouse(SQLModel, table=True):
    id: Optional[int] = Field(default=None, primary_key=True)
    code: str = Field(max_length=SHORT, unique=True)
    location_embedding: Optional[list[float]] = Field(
        default=None, sa_column=Column(Vector(EMBEDDING_DIM))
    )
