"""A module of a namespace package imported as a module: ``kinds.StockKind``; an enum in
sa_type and one in an annotation."""

from typing import Optional

from sqlalchemy import Enum as SAEnum
from sqlmodel import Field, SQLModel

from inventory.shared import constants as c
from inventory.shared import kinds


class Stock(SQLModel, table=True):
    id: Optional[int] = Field(default=None, primary_key=True)
    warehouse_id: int = Field(foreign_key="warehouse.id", index=True)
    kind: kinds.StockKind
    unit: kinds.Unit = Field(sa_type=SAEnum(kinds.Unit, name="stock_unit"))
    label: str = Field(default="", max_length=c.SHORT * 2)
