"""The standard's models file, now importing its neighbours by plain module names."""

from typing import Optional

from sqlmodel import Field, SQLModel

import enums
from columns import CompanyCode
from mixins import WithMeta


class Company(SQLModel, table=True):
    __tablename__ = "companies"

    id: CompanyCode = Field(primary_key=True)
    name: str


class User(WithMeta, table=True):
    __tablename__ = "users"

    id: Optional[int] = Field(default=None, primary_key=True)
    status: enums.Status = Field(default=enums.Status.ACTIVE)
    company_id: Optional[str] = Field(default=None, foreign_key="companies.id")
