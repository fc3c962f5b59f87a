"""Before: the key is SERIAL (a sequence and its nextval default)."""

from typing import Optional

from sqlmodel import Field, SQLModel


class Ticket(SQLModel, table=True):
    __tablename__ = "tickets"

    id: Optional[int] = Field(default=None, primary_key=True)
    title: str
