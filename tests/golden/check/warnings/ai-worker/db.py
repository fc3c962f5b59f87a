import os
from typing import Optional

from pgvector.sqlalchemy import Vector
from sqlalchemy import Column
from sqlmodel import Field, SQLModel

from app.types import Money


class Item(SQLModel, table=True):
    __tablename__ = "items"

    id: Optional[int] = Field(default=None, primary_key=True)
    price: Money
    embedding: list[float] = Field(sa_column=Column(Vector(int(os.getenv("DIM", "768")))))
    name: str = Field(max_length=80)
