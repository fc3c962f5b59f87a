from enum import Enum


class StockKind(str, Enum):
    RAW = "raw"
    FINISHED = "finished"


class Unit(Enum):
    PIECE = "piece"
    KILOGRAM = "kilogram"
