"""After: the key is an identity column (the SERIAL default and sequence dropped first)."""

from typing import Optional

from sqlalchemy import Column, Identity, Integer
from sqlmodel import Field, SQLModel


class Ticket(SQLModel, table=True):
    __tablename__ = "tickets"

    id: Optional[int] = Field(default=None, sa_column=Column(Integer, Identity(), primary_key=True))
    title: str
