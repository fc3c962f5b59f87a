"""Level 3 of the mixins, with a field sized by a constant of app.core.config."""

from typing import Optional

from sqlmodel import Field

from app.core.config import NAME_MAX as MAX_NAME

from .base import TableBase


class AuditedBase(TableBase):
    created_by: Optional[str] = Field(default=None, max_length=MAX_NAME)
