"""int/float/bool/bytes and Decimal with max_digits and decimal_places in every combination."""
from decimal import Decimal
from typing import Optional

from sqlmodel import Field, SQLModel


class EvaluationScore(SQLModel, table=True):
    __tablename__ = "evaluation_scores"

    id: Optional[int] = Field(default=None, primary_key=True)
    attempt: int
    weight: float
    passed: bool
    audio_hash: bytes
    raw_audio: Optional[bytes] = None
    score: Decimal = Field(max_digits=5, decimal_places=2)
    precise: Decimal = Field(ge=0, max_digits=12, decimal_places=6)
    whole: Decimal = Field(max_digits=8)
    fraction_only: Decimal = Field(decimal_places=3)
    unbounded: Decimal
    optional_score: Optional[Decimal] = Field(default=None, max_digits=4, decimal_places=1)
    percentile: float = Field(default=0.0, ge=0, le=100)
