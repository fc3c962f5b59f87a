"""Items: absolute imports of the enums and the settings, a vector sized by a constant of
another module, JSONB, foreign keys, and the owner under TYPE_CHECKING (a cycle with
user.py)."""

from typing import TYPE_CHECKING, Any, Optional

from pgvector.sqlalchemy import Vector
from sqlalchemy import Column, Index
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field, Relationship, SQLModel

from app.core.config import EMBEDDING_DIM
from app.enums import Status
from app.models.base import TableBase

if TYPE_CHECKING:
    from app.models.user import User


class Item(TableBase, table=True):
    __tablename__ = "items"
    __table_args__ = (Index("ix_items_owner_status", "owner_id", "status"),)

    title: str = Field(max_length=200)
    status: Status = Field(default=Status.DRAFT, index=True)
    owner_id: int = Field(foreign_key="users.id", ondelete="CASCADE")
    embedding: Optional[list[float]] = Field(default=None, sa_column=Column(Vector(EMBEDDING_DIM)))
    payload: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSONB, nullable=False))

    owner: Optional["User"] = Relationship(back_populates="items")


class ItemTag(SQLModel, table=True):
    __tablename__ = "item_tags"

    item_id: int = Field(foreign_key="items.id", primary_key=True)
    tag: str = Field(max_length=40, primary_key=True)
