"""str lengths: Field(max_length), min+max, pattern, Annotated[str, Field(...)], StringConstraints."""
from typing import Annotated, Optional

from pydantic import StringConstraints
from sqlmodel import Field, SQLModel

ShortCode = Annotated[str, Field(max_length=20)]


class Transcript(SQLModel, table=True):
    __tablename__ = "transcripts"

    id: Optional[int] = Field(default=None, primary_key=True)
    speaker: str = Field(min_length=1, max_length=30)
    language: str = Field(max_length=8, schema_extra={"pattern": "^[a-z]{2}(-[A-Z]{2})?$"})
    code: ShortCode
    alt_code: Annotated[Optional[str], Field(max_length=12)] = None
    # StringConstraints carries max_length, but SQLModel only reads MaxLen metadata.
    segment_tag: Annotated[str, StringConstraints(max_length=40)]
    text: str
    note: Optional[str] = Field(default=None, max_length=500)
    no_limit: str = Field(min_length=3)
