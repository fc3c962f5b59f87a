"""Future annotations combined with base-class inheritance, enums and string PKs."""
from __future__ import annotations

import enum
import typing
from datetime import datetime

from pydantic import NaiveDatetime
from sqlmodel import Field, SQLModel


class Plan(enum.IntEnum):
    FREE = 0
    PRO = 1
    ENTERPRISE = 2


class CompanyBase(SQLModel):
    display_name: str = Field(max_length=100)
    plan: Plan = Plan.FREE
    contract_signed_at: NaiveDatetime | None = None


class Company(CompanyBase, table=True):
    __tablename__ = "companies"

    id: str = Field(primary_key=True, max_length=20)
    seats: int = 5
    notes: typing.Optional[str] = None
    created_at: datetime = Field(default_factory=datetime.now)


class CompanyCreate(CompanyBase):
    id: str
