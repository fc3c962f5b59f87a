"""Bases through a module attribute, a table name from a constant of another module, and
a DIM of its own that the mixin's field does not see."""

from typing import Optional

from sqlmodel import Field, SQLModel

from crm import mixins, names

DIM = 99


class Contact(mixins.PartyMixin, mixins.EmbeddedMixin, table=True):
    __tablename__ = names.CONTACTS

    id: Optional[int] = Field(default=None, primary_key=True)
    email: str = Field(max_length=DIM)


class Note(SQLModel, table=True):
    """Another module defines a class Note too."""

    __tablename__ = "contact_notes"

    id: Optional[int] = Field(default=None, primary_key=True)
    contact_id: int = Field(foreign_key="contacts.id")
