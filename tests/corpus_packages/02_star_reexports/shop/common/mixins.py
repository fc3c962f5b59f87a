"""No __all__: ``from .mixins import *`` exports every public name, imported ones too."""

from datetime import datetime
from typing import Optional

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from .types import Sku


class TimestampMixin(SQLModel):
    created_at: Optional[datetime] = Field(default=None, index=True)


class SoftDeleteMixin(TimestampMixin):
    deleted_at: Optional[datetime] = None
    is_deleted: bool = Field(default=False, sa_column_kwargs={"server_default": "false"})


class SkuMixin(SQLModel):
    """A mixin that brings a column and the table's __table_args__ from this module."""

    __table_args__ = (UniqueConstraint("sku", "region", name="uq_sku_region"),)

    sku: Sku
    region: str = Field(default="eu", max_length=8)


class _HiddenMixin(SQLModel):
    # Private: a star import without __all__ leaves it out.
    hidden: int = 0
