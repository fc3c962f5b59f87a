"""Annotated type aliases: Field() inside Annotated, nested in Optional, and overridden by an assigned Field."""
from typing import Annotated, Optional

from sqlmodel import Field, SQLModel

CompanyCode = Annotated[str, Field(max_length=20)]
IndexedName = Annotated[str, Field(index=True, max_length=30)]
Percent = Annotated[int, Field(ge=0, le=100)]


class Candidate(SQLModel, table=True):
    __tablename__ = "candidates"

    id: Optional[int] = Field(default=None, primary_key=True)
    company_code: CompanyCode
    # Inside a Union the Annotated metadata is not field-level: plain VARCHAR.
    previous_company_code: CompanyCode | None = None
    origin_company_code: Optional[CompanyCode] = None
    full_name: IndexedName
    # An assigned Field keeps pydantic's max_length from the alias but drops its index=True.
    display_name: IndexedName = Field(default="", unique=True)
    match_percent: Percent = 0
    referral_score: Annotated[Optional[int], "filled in by the ranking job"] = None
    motto: Annotated[str, "free text"] = Field(default="", max_length=140)
