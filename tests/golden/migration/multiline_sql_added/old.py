"""Before: an existing table without checks or defaults."""

from typing import Optional

from sqlmodel import Field, SQLModel


class Order(SQLModel, table=True):
    __tablename__ = "orders"

    id: Optional[int] = Field(default=None, primary_key=True)
    price: int
    status: str = Field(max_length=20)
