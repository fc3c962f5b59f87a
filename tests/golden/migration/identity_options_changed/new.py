"""After: only the identities' options change (the same BY DEFAULT and ALWAYS): a start and
an increment changed, options removed (back to PostgreSQL's defaults) and one added."""

from typing import Optional

from sqlalchemy import BigInteger, Column, Identity, Integer
from sqlmodel import Field, SQLModel


class Ticket(SQLModel, table=True):
    __tablename__ = "tickets"

    id: Optional[int] = Field(
        default=None, sa_column=Column(BigInteger, Identity(start=200, increment=5), primary_key=True)
    )
    number: Optional[int] = Field(
        default=None, sa_column=Column(Integer, Identity(always=True, minvalue=5, cache=20))
    )
