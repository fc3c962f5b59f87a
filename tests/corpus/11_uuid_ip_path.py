"""uuid.UUID primary key with default_factory, ipaddress types and pathlib.Path map to VARCHAR/UUID."""
import ipaddress
import uuid
from ipaddress import IPv4Address, IPv6Network
from pathlib import Path
from typing import Optional

from sqlmodel import Field, SQLModel


class RecordingFile(SQLModel, table=True):
    __tablename__ = "recording_files"

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    upload_token: Optional[uuid.UUID] = Field(default=None, unique=True)
    storage_path: Path
    thumbnail_path: Optional[Path] = Field(default=None, max_length=400)
    client_ip: IPv4Address
    client_ipv6: Optional[ipaddress.IPv6Address] = None
    allowed_net: Optional[ipaddress.IPv4Network] = None
    blocked_net: IPv6Network = Field(max_length=64)


class RecordingFileRead(SQLModel):
    id: uuid.UUID
    storage_path: Path
