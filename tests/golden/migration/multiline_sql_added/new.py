"""After: an ordinary multi-line CHECK added to the existing table, a multi-line server default."""

from typing import Optional

from sqlalchemy import CheckConstraint, Column, Text, text
from sqlmodel import Field, SQLModel


class Order(SQLModel, table=True):
    __tablename__ = "orders"
    __table_args__ = (
        CheckConstraint("""
            price > 0
            AND status IN ('new',
                           'paid')
        """),
        CheckConstraint("""status <> 'two
lines'""", name="ck_orders_status_text"),
    )

    id: Optional[int] = Field(default=None, primary_key=True)
    price: int
    status: str = Field(max_length=20)
    note: str = Field(sa_column=Column(Text, nullable=False, server_default=text("""'first line
    second line'""")))
