"""String primary keys ('KAKAO') referenced by foreign keys; index=True on an FK column."""
from typing import Optional

from sqlmodel import Field, SQLModel


class Company(SQLModel, table=True):
    __tablename__ = "companies"

    id: str = Field(primary_key=True, max_length=20)  # e.g. 'KAKAO', 'NAVER'
    display_name: str = Field(max_length=100)
    homepage: Optional[str] = Field(default=None, max_length=500)


class JobPosting(SQLModel, table=True):
    __tablename__ = "job_postings"

    id: Optional[int] = Field(default=None, primary_key=True)
    company_id: str = Field(foreign_key="companies.id", index=True, max_length=20)
    title: str = Field(max_length=200)
    description: str


class Department(SQLModel, table=True):
    __tablename__ = "departments"

    code: Optional[str] = Field(default=None, primary_key=True)
    company_id: Optional[str] = Field(default=None, foreign_key="companies.id")
    name: str
