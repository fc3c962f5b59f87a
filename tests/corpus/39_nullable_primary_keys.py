"""Primary keys force NOT NULL unless nullable is explicit; nullable on FKs, uniques and indexes."""
from typing import Optional

from sqlmodel import Field, SQLModel


class Company(SQLModel, table=True):
    __tablename__ = "companies"

    id: Optional[str] = Field(default=None, primary_key=True, max_length=20)
    parent_id: Optional[str] = Field(default=None, foreign_key="companies.id", nullable=False)
    registry_no: str = Field(unique=True, nullable=True)
    name: Optional[str] = Field(default=None, index=True, nullable=False)


class Resume(SQLModel, table=True):
    __tablename__ = "resumes"

    id: int = Field(primary_key=True)
    company_id: str = Field(foreign_key="companies.id", nullable=True, ondelete="SET NULL")
    title: Optional[str] = Field(max_length=100, nullable=True)
    revision: Optional[int] = Field(default=1, nullable=False)
