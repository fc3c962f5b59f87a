"""Diamond inheritance: Pydantic takes each base's whole field set, the first-listed base winning."""
from typing import Optional

from sqlmodel import Field, SQLModel


class Audited(SQLModel):
    code: int
    note: Optional[str] = None


class WideCode(Audited):
    code: str = Field(max_length=5)


class Plain(Audited):
    pass


class Ticket(Plain, WideCode, table=True):
    __tablename__ = "tickets"

    id: Optional[int] = Field(default=None, primary_key=True)


class Tag(WideCode, Plain, table=True):
    __tablename__ = "tags"

    id: Optional[int] = Field(default=None, primary_key=True)


class Stamp(SQLModel):
    stamped_by: str


class Stamp(Stamp):
    stamped_at: Optional[int] = None


class Receipt(Stamp, table=True):
    __tablename__ = "receipts"

    id: Optional[int] = Field(default=None, primary_key=True)
