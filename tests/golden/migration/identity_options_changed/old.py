"""Before: identity columns with their sequence options."""

from typing import Optional

from sqlalchemy import BigInteger, Column, Identity, Integer
from sqlmodel import Field, SQLModel


class Ticket(SQLModel, table=True):
    __tablename__ = "tickets"

    id: Optional[int] = Field(
        default=None, sa_column=Column(BigInteger, Identity(start=100, increment=10), primary_key=True)
    )
    number: Optional[int] = Field(
        default=None, sa_column=Column(Integer, Identity(always=True, start=5, cycle=True, maxvalue=1000))
    )
