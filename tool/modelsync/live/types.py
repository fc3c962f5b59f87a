"""Column types: SQLAlchemy's spelling (the IR's) against PostgreSQL's ``format_type``.

``catalog_spelling`` says what ``format_type`` prints for a column the models declare
(``VARCHAR(50)`` -> ``character varying(50)``, ``FLOAT`` -> ``double precision``), or None
when it cannot be known without the server; ``ir_spelling`` goes the other way for a type
the models do not have. Equal spellings mean equal types: that is the whole comparison.
"""

from __future__ import annotations

import re

# SQLAlchemy's compiled name -> PostgreSQL's canonical name.
_SAME = {
    "INTEGER": "integer",
    "BIGINT": "bigint",
    "SMALLINT": "smallint",
    "TEXT": "text",
    "BOOLEAN": "boolean",
    "DATE": "date",
    "BYTEA": "bytea",
    "JSON": "json",
    "JSONB": "jsonb",
    "UUID": "uuid",
    "DOUBLE PRECISION": "double precision",
    "REAL": "real",
    "FLOAT": "double precision",
}
_LOWER_NAMED = (
    "INET CIDR MACADDR MACADDR8 MONEY OID REGCLASS REGCONFIG TSVECTOR TSQUERY CITEXT HSTORE "
    "JSONPATH INT4RANGE INT8RANGE NUMRANGE DATERANGE TSRANGE TSTZRANGE INT4MULTIRANGE "
    "INT8MULTIRANGE NUMMULTIRANGE DATEMULTIRANGE TSMULTIRANGE TSTZMULTIRANGE INTERVAL"
).split()
_SIZED = {
    "VARCHAR": "character varying",
    "CHAR": "character",
    "BIT": "bit",
    "BIT VARYING": "bit varying",
    "VECTOR": "vector",
    "HALFVEC": "halfvec",
    "SPARSEVEC": "sparsevec",
}
_TYPE = re.compile(
    r"^(?P<name>[A-Z][A-Z0-9 ]*?)\s*(?:\((?P<args>[0-9, ]*)\))?"
    r"(?P<zone> WITH(?:OUT)? TIME ZONE)?(?P<array>(?:\[\])*)"
    r"(?: COLLATE \"(?P<collation>[^\"]+)\")?$"
)
_CATALOG = re.compile(
    r"^(?P<name>[a-z][a-z0-9 _]*?)(?:\((?P<args>[0-9,]*)\))?"
    r"(?P<zone> with(?:out)? time zone)?(?P<array>(?:\[\])*)$"
)


def catalog_spelling(ir_type: str, enum: str | None = None) -> str | None:
    """What ``format_type`` prints for a column of this IR type (a COLLATE clause kept
    apart as `` COLLATE name``, as ``inspect`` reports it), or None when unsure."""
    if enum is not None:
        array = "[]" if ir_type.endswith("[]") else ""
        return _quoted(enum) + array
    match = _TYPE.match(ir_type)
    if not match:
        return None
    name, args = match.group("name").strip(), _args(match.group("args"))
    base = _base(name, args, match.group("zone"))
    if base is None:
        return None
    # PostgreSQL keeps no array dimensions: INTEGER[][] is integer[].
    array = "[]" if match.group("array") else ""
    collation = match.group("collation")
    return base + array + (f" COLLATE {collation}" if collation else "")


# ``timestamp(6)`` is ``timestamp``: six fractional digits are all PostgreSQL keeps
# (microseconds), so the default precision and the largest one are one type, and a cast
# between them is binary-coercible (Hibernate and Prisma spell the precision out).
_FULL_PRECISION = re.compile(r"^(timestamp|time)\(6\)(?= with)")


def same_type(model_catalog: str | None, database: str) -> bool:
    """Whether ``catalog_spelling`` of a model's type and a column's ``format_type`` (with
    its COLLATE) are one type."""
    if model_catalog is None:
        return False
    return _FULL_PRECISION.sub(r"\1", model_catalog) == _FULL_PRECISION.sub(r"\1", database)


def _base(name: str, args: tuple[int, ...] | None, zone: str | None) -> str | None:
    if args is None:
        return None
    if name in ("TIMESTAMP", "TIME"):
        size = f"({args[0]})" if args else ""
        return f"{name.lower()}{size}{(zone or ' WITHOUT TIME ZONE').lower()}"
    if zone:
        return None
    if name in _SAME and not args:
        return _SAME[name]
    if name == "FLOAT" and len(args) == 1:
        # FLOAT(p): single precision up to 24 binary digits, double above (up to 53).
        return "real" if 1 <= args[0] <= 24 else "double precision" if args[0] <= 53 else None
    if name in ("NUMERIC", "DECIMAL"):
        if not args:
            return "numeric"
        return f"numeric({args[0]},{args[1] if len(args) > 1 else 0})"
    if name in _SIZED:
        if name == "CHAR" and not args:
            return "character(1)"
        if name == "BIT" and not args:
            return "bit(1)"
        return _SIZED[name] + (f"({','.join(map(str, args))})" if args else "")
    if name in _LOWER_NAMED and not args:
        return name.lower()
    return None


def _args(text: str | None) -> tuple[int, ...] | None:
    if text is None:
        return ()
    parts = [p.strip() for p in text.split(",")]
    if not all(p.isdigit() for p in parts):
        return None
    return tuple(int(p) for p in parts)


def _quoted(name: str) -> str:
    """``quote_ident``: PostgreSQL quotes a type name unless it is a plain lower-case word
    (reserved words aside, which an enum is rarely called)."""
    return quote_ident(name)


def quote_ident(name: str) -> str:
    """A name as PostgreSQL's ``quote_ident`` prints it (in ``format_type``, ``regclass``):
    bare when it is a plain lower-case word that is not reserved."""
    from modelsync.schema.pgtypes import RESERVED_WORDS

    plain = re.fullmatch(r"[a-z_][a-z0-9_$]*", name) and name not in RESERVED_WORDS
    return name if plain else '"' + name.replace('"', '""') + '"'


_IR_NAMES = {pg: sa for sa, pg in _SAME.items() if sa != "FLOAT"} | {
    pg: sa for sa, pg in _SIZED.items()
}


def ir_spelling(catalog_type: str, collation: str | None = None) -> str:
    """A ``format_type`` text in SQLAlchemy's spelling, for a type the models do not have
    (``character varying(80)`` -> ``VARCHAR(80)``); unknown names keep PostgreSQL's text."""
    match = _CATALOG.match(catalog_type)
    if not match:
        text = catalog_type
    else:
        name, args = match.group("name"), match.group("args")
        zone, array = match.group("zone") or "", "[]" if match.group("array") else ""
        sized = f"({args.replace(',', ', ')})" if args else ""
        if name in ("timestamp", "time"):
            text = f"{name.upper()}{sized}{zone.upper() or ' WITHOUT TIME ZONE'}{array}"
        elif name == "numeric":
            text = f"NUMERIC{sized}{array}"
        elif name in _IR_NAMES:
            text = f"{_IR_NAMES[name]}{sized}{array}"
        elif name.upper() in _LOWER_NAMED:
            text = f"{name.upper()}{sized}{array}"
        else:
            text = catalog_type
    return text + (f' COLLATE "{collation}"' if collation else "")
