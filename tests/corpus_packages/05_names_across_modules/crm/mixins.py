"""Mixins whose fields use names of this module: DIM here is 16, whatever the table's
module calls DIM."""

import enum
from typing import Optional

from pgvector.sqlalchemy import Vector
from sqlalchemy import Column
from sqlmodel import Field, SQLModel

from crm.names import DEFAULT_PARTY

DIM = 16


class PartyKind(str, enum.Enum):
    PERSON = "person"
    COMPANY = "company"


class PartyMixin(SQLModel):
    party_kind: PartyKind = Field(
        default=PartyKind.PERSON,
        sa_column_kwargs={"server_default": DEFAULT_PARTY},
    )


class EmbeddedMixin(SQLModel):
    embedding: Optional[list[float]] = Field(default=None, sa_column=Column(Vector(DIM)))
