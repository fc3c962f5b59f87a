"""Before: a 60-character table name, a 62-character unique column."""

from typing import Optional

from sqlmodel import Field, SQLModel


class Event(SQLModel, table=True):
    __tablename__ = "event_log_entries_for_the_very_long_named_audit_subsystem_xx"

    id: Optional[int] = Field(default=None, primary_key=True)
    kind: str
    external_reference_identifier_from_the_upstream_billing_system: str = Field(unique=True)
