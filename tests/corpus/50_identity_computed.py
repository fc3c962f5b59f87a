"""Identity() and Computed() in sa_column (and sa_column_args): identity keys, generated columns."""
from typing import Optional

from sqlalchemy import BigInteger, Column, Computed, Identity, Integer, Numeric, String
from sqlmodel import Field, SQLModel


class Ticket(SQLModel, table=True):
    __tablename__ = "tickets"

    id: Optional[int] = Field(
        default=None,
        sa_column=Column(BigInteger, Identity(always=True, start=1000, increment=5, cycle=False), primary_key=True),
    )
    seq: Optional[int] = Field(default=None, sa_column=Column(Integer, Identity()))
    seq_nullable: Optional[int] = Field(default=None, sa_column=Column(Integer, Identity(minvalue=1, maxvalue=999, cache=10), nullable=True))
    price: float = Field(sa_column=Column(Numeric(10, 2), nullable=False))
    quantity: int = 1
    total: Optional[float] = Field(default=None, sa_column=Column(Numeric(12, 2), Computed("price * quantity", persisted=True)))
    label: Optional[str] = Field(default=None, sa_column=Column(String(40), Computed("'T-' || id::text")))


class Counter(SQLModel, table=True):
    __tablename__ = "counters"

    id: Optional[int] = Field(default=None, primary_key=True, sa_column_args=[Identity(start=10)])
    doubled: Optional[int] = Field(default=None, sa_column_args=[Computed("id * 2")])
