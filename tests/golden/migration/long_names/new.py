"""After: index=True on the long table (SQLAlchemy shortens the name with a hash), the unique
dropped (its name cut by PostgreSQL), non-ASCII names longer than 63 bytes (cut by bytes)."""

from typing import Optional

from sqlalchemy import CheckConstraint
from sqlmodel import Field, SQLModel


class Event(SQLModel, table=True):
    __tablename__ = "event_log_entries_for_the_very_long_named_audit_subsystem_xx"
    __table_args__ = (
        CheckConstraint("größe_der_datei_in_bytes_nach_der_komprimierung_äöüäöüäöüäöüäöü >= 0"),
    )

    id: Optional[int] = Field(default=None, primary_key=True)
    kind: str = Field(index=True)
    external_reference_identifier_from_the_upstream_billing_system: str
    größe_der_datei_in_bytes_nach_der_komprimierung_äöüäöüäöüäöüäöü: Optional[int] = Field(
        default=None, unique=True, sa_column_kwargs={"comment": "Größe"}
    )


class Anhang(SQLModel, table=True):
    __tablename__ = "anhänge_zu_ereignissen_über_längere_zeiträume_gespeichert_äöü"

    id: Optional[int] = Field(default=None, primary_key=True)
    ereignis_id: int = Field(foreign_key="event_log_entries_for_the_very_long_named_audit_subsystem_xx.id", index=True)
