"""After: the key is SERIAL again (the identity dropped, the sequence and its default made)."""

from typing import Optional

from sqlmodel import Field, SQLModel


class Ticket(SQLModel, table=True):
    __tablename__ = "tickets"

    id: Optional[int] = Field(default=None, primary_key=True)
    title: str
