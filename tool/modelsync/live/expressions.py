"""SQL expressions: the models' text against what PostgreSQL stored (``pg_get_expr``).

Both are parsed with pglast (PostgreSQL's own parser), so parentheses, spacing and type
aliases (``int4``/``integer``, ``character varying``/``varchar``) never matter. PostgreSQL
also rewrites what it stores; these rewrites are undone, each because it never changes a
value:

- a string literal typed ``text`` or ``varchar`` (``'T-'::text``), a number converted for an
  operator (``(0)::double precision``), and a column cast along one of PostgreSQL's
  implicit, value-keeping casts (``lower((email)::text)`` for a varchar, ``(n)::numeric``
  for an integer): PostgreSQL adds these casts itself;
- ``x IN (a, b)`` is stored as ``x = ANY (ARRAY[a, b])``, ``x BETWEEN a AND b`` as
  ``x >= a AND x <= b``;
- ``now()``, ``CURRENT_TIMESTAMP`` and ``transaction_timestamp()`` are one function;
- a default's literal is stored converted to the column's type (``'draft'`` as
  ``'draft'::character varying``, ``'1'`` as ``1``, ``'{}'`` as ``'{}'::jsonb``).

``same_expression`` answers EQUAL, DIFFERENT, or UNSURE when the two differ only where the
server's type resolution would decide (a cast this module does not undo, a literal of a
type whose input it does not reproduce): the caller writes a note, never a guess.
"""

from __future__ import annotations

import functools
import json
import re
import struct
from collections.abc import Mapping
from decimal import ROUND_HALF_UP, Context, Decimal, InvalidOperation
from typing import Any

from modelsync.migrate.names import stored as cut

EQUAL, DIFFERENT, UNSURE = "equal", "different", "unsure"

_DROPPED_KEYS = frozenset(
    {"location", "rexpr_list_start", "rexpr_list_end", "list_start", "list_end"}
)
# Type names as the parser leaves them -> one spelling (pg_catalog's internal names).
_ALIASES = {
    "int": "int4",
    "integer": "int4",
    "smallint": "int2",
    "bigint": "int8",
    "boolean": "bool",
    "real": "float4",
    "double precision": "float8",
    "float": "float8",
    "character varying": "varchar",
    "character": "bpchar",
    "char": "bpchar",
    "decimal": "numeric",
    "timestamp with time zone": "timestamptz",
    "timestamp without time zone": "timestamp",
    "timestamp": "timestamp",
    "time with time zone": "timetz",
    "time without time zone": "time",
}
_STRING_TYPES = frozenset({"text", "varchar"})
_INTEGER_TYPES = frozenset({"int2", "int4", "int8"})
_DECIMAL_TYPES = frozenset({"numeric", "float4", "float8"})
# Types whose literal text PostgreSQL keeps as written (an enum's label, a string).
_NUMBER_TYPES = _INTEGER_TYPES | _DECIMAL_TYPES
_VERBATIM_TYPES = frozenset({"text", "varchar", "bpchar", "json"})
_NOW = {"@": "FuncCall", "funcname": ("now",)}
# PostgreSQL's implicit casts that keep every value (pg_cast, castcontext 'i'): a column of
# the key's type cast to one of these is the column itself.
_IMPLICIT = {
    "int2": ("int4", "int8", "numeric", "float4", "float8"),
    "int4": ("int8", "numeric", "float8"),
    "int8": ("numeric",),
    "float4": ("float8",),
    "varchar": ("text",),
    "text": ("varchar",),
}
_OPERATOR_SYNTAX = frozenset({"AEXPR_LIKE", "AEXPR_ILIKE", "AEXPR_SIMILAR"})
_TRUE = frozenset({"t", "true", "y", "yes", "on", "1"})
_FALSE = frozenset({"f", "false", "n", "no", "off", "0"})


def same_expression(
    model: str,
    stored: str,
    *,
    column_types: Mapping[str, str] | None = None,
    column_type: str | None = None,
    enum: bool = False,
) -> str:
    """EQUAL, DIFFERENT or UNSURE. ``column_types`` are the table's columns' types
    (``format_type``: an implicit cast of one changes nothing); ``column_type`` is the
    type of the column whose default this is, ``enum`` whether that type is an enum (a
    label is kept as written; what other types keep is their input function's business).
    A column longer than 63 bytes is looked up as the parsed text names it: cut, as
    PostgreSQL's scanner (and pglast's) cuts it."""
    if model.strip() == stored.strip():
        return EQUAL
    a, b = _tree(model), _tree(stored)
    if a is None or b is None:
        return UNSURE
    target = _type_key(column_type) if column_type else None
    types = {cut(name): _type_key(t) for name, t in (column_types or {}).items()}
    rules = _Rules(types, target)
    left, right = rules.top(a), rules.top(b)
    if left == right:
        return EQUAL
    if target is not None and _literal_pair(left, right):
        return _literals(left, right, _Target(target, column_type or "", enum))
    loose = _Rules(types, target, loose=True)
    return UNSURE if loose.top(a) == loose.top(b) else DIFFERENT


def normalised(text: str) -> Any:
    """The expression's tree after the rewrites (for keys that match by definition), or
    the text itself when pglast cannot read it."""
    tree = _tree(text)
    return text if tree is None else repr(_Rules({}, None).top(tree))


def _tree(text: str) -> Any:
    from pglast import parse_sql
    from pglast.parser import ParseError

    try:
        statements = parse_sql(f"SELECT {text}")
    except (ParseError, ValueError):
        return None
    select = statements[0].stmt if len(statements) == 1 else None
    targets = getattr(select, "targetList", None)
    if not targets or len(targets) != 1 or getattr(select, "fromClause", None):
        return None
    return _plain(targets[0].val(skip_none=True))


def _plain(node: Any) -> Any:
    """pglast's dict form, frozen into tuples, without source positions."""
    if isinstance(node, dict):
        return {k: _plain(v) for k, v in node.items() if k not in _DROPPED_KEYS}
    if isinstance(node, list | tuple):
        return tuple(_plain(v) for v in node)
    return node


@functools.lru_cache(maxsize=4096)
def _type_key(type_text: str) -> str:
    """``character varying(20)`` -> ``varchar``; ``integer[]`` -> ``int4[]``; ``"Status"``
    -> ``Status``: the name a cast to the type has in a parsed expression (read by the
    same parser, so a quoted or schema-qualified enum type is named alike on both sides)."""
    from pglast import parse_sql
    from pglast.parser import ParseError

    try:
        select = parse_sql(f"SELECT NULL::{type_text}")[0].stmt
        cast = select.targetList[0].val(skip_none=True)
    except (ParseError, ValueError, IndexError, AttributeError):
        base = type_text.split("(")[0].strip().lower()
        array = "[]" if type_text.rstrip().endswith("[]") else ""
        base = base.removesuffix("[]").strip()
        return _ALIASES.get(base, base) + array
    return _type_name(_plain(cast["typeName"]))["name"]


class _Rules:
    def __init__(self, types: dict[str, str], target: str | None, loose: bool = False):
        self.types, self.target, self.loose = types, target, loose

    def top(self, node: Any) -> Any:
        """The whole expression; a default's outer cast to its own column type goes."""
        node = self.walk(node)
        if self.target and _is(node, "TypeCast") and _cast_name(node) == self.target:
            return node["arg"]
        return node

    def walk(self, node: Any) -> Any:
        if isinstance(node, tuple):
            return tuple(self.walk(n) for n in node)
        if not isinstance(node, dict):
            return node
        node = {k: self.walk(v) for k, v in node.items()}
        kind = node.get("@")
        if kind == "TypeName":
            return _type_name(node)
        if kind == "TypeCast":
            return self._cast(node)
        if kind == "A_Expr":
            node["kind"] = node.get("kind", {}).get("name")
            if node["kind"] in _OPERATOR_SYNTAX:
                # LIKE is stored as its operator ~~ (ILIKE ~~*, SIMILAR TO ~ with
                # similar_to_escape), which the parser has already named.
                node["kind"] = "AEXPR_OP"
            return _between(_in_list(node))
        if kind == "BoolExpr":
            node["boolop"] = node.get("boolop", {}).get("name")
            return node
        if kind == "SQLValueFunction" and node.get("op", {}).get("name") == (
            "SVFOP_CURRENT_TIMESTAMP"
        ):
            return _NOW
        if kind == "FuncCall":
            return _function(node)
        return node

    def _cast(self, node: dict) -> Any:
        arg, name = node["arg"], _cast_name(node)
        if self.loose:
            # Only what PostgreSQL could have added itself: a cast without a length or
            # precision, of a literal, a column or an array.
            implicit = _is(arg, "A_Const") or _is(arg, "ColumnRef") or _is(arg, "A_ArrayExpr")
            return arg if implicit and not node["typeName"].get("mods") else node
        if _is(arg, "A_Const") and "sval" in arg.get("val", {}):
            if name in _STRING_TYPES or name in (f"{t}[]" for t in _STRING_TYPES):
                return arg
            number = _number(arg["val"]["sval"], name)
            if number is not None:
                return number
        if _is(arg, "A_Const") and name in _NUMBER_TYPES and _is_number(arg):
            # A number the server converted for an operator (``(0)::double precision``
            # for ``score >= 0`` on a float column): the same number.
            return arg
        if _is(arg, "A_ArrayExpr") and name in ("text[]", "varchar[]"):
            elements = arg.get("elements", ())
            if all(_is(e, "A_Const") for e in elements):
                return arg
        if name in _IMPLICIT.get(self._type_of(arg), ()):
            return arg
        return node

    def _type_of(self, node: Any) -> str | None:
        """The type of a column, or of a COALESCE whose first typed argument is one (its
        literals take that type): what an implicit cast of it starts from."""
        if _is(node, "ColumnRef"):
            return self.types.get(_column_name(node))
        if _is(node, "CoalesceExpr"):
            typed = (self._type_of(a) for a in node.get("args", ()) if not _is(a, "A_Const"))
            return next((t for t in typed if t is not None), None)
        return None


def _is(node: Any, kind: str) -> bool:
    return isinstance(node, dict) and node.get("@") == kind


def _type_name(node: dict) -> dict:
    names = [n.get("sval") if isinstance(n, dict) else n for n in node.get("names", ())]
    names = [n for n in names if n != "pg_catalog"]
    name = _ALIASES.get(" ".join(names), ".".join(names))
    bounds = "[]" if node.get("arrayBounds") else ""
    mods = node.get("typmods", ())
    return {"@": "TypeName", "name": name + bounds, "mods": mods}


def _cast_name(node: dict) -> str:
    type_name = node.get("typeName", {})
    return type_name.get("name", "") if isinstance(type_name, dict) else ""


def _column_name(node: dict) -> str | None:
    fields = node.get("fields", ())
    last = fields[-1] if fields else None
    return last.get("sval") if isinstance(last, dict) else None


def _in_list(node: dict) -> dict:
    """``x IN (a, b)`` -> ``x = ANY (ARRAY[a, b])``; ``NOT IN`` -> ``<> ALL``."""
    if node.get("kind") != "AEXPR_IN" or not isinstance(node.get("rexpr"), tuple):
        return node
    negated = node.get("name", ({},))[0].get("sval") == "<>"
    return {
        "@": "A_Expr",
        "kind": "AEXPR_OP_ALL" if negated else "AEXPR_OP_ANY",
        "name": node["name"],
        "lexpr": node["lexpr"],
        "rexpr": {"@": "A_ArrayExpr", "elements": node["rexpr"]},
    }


def _between(node: dict) -> dict:
    """``x BETWEEN a AND b`` -> ``x >= a AND x <= b``; NOT BETWEEN -> ``x < a OR x > b``."""
    kind = node.get("kind")
    if kind not in ("AEXPR_BETWEEN", "AEXPR_NOT_BETWEEN") or len(node.get("rexpr", ())) != 2:
        return node
    low, high = node["rexpr"]
    inside = kind == "AEXPR_BETWEEN"

    def compared(operator: str, bound: Any) -> dict:
        name = ({"@": "String", "sval": operator},)
        return {
            "@": "A_Expr",
            "kind": "AEXPR_OP",
            "name": name,
            "lexpr": node["lexpr"],
            "rexpr": bound,
        }

    args = (
        (compared(">=", low), compared("<=", high))
        if inside
        else (compared("<", low), compared(">", high))
    )
    return {"@": "BoolExpr", "boolop": "AND_EXPR" if inside else "OR_EXPR", "args": args}


# Functions whose first parameter has that type in every signature of theirs with that
# many arguments: a string literal there is stored cast to it (``nextval('s'::regclass)``,
# ``to_tsvector('english'::regconfig, body)``), the same constant the bare literal makes.
_TYPED_FIRST_ARGUMENT = {
    ("nextval", 1): "regclass",
    ("currval", 1): "regclass",
    ("setval", 2): "regclass",
    ("setval", 3): "regclass",
    ("to_tsvector", 2): "regconfig",
    ("to_tsquery", 2): "regconfig",
    ("plainto_tsquery", 2): "regconfig",
    ("phraseto_tsquery", 2): "regconfig",
    ("websearch_to_tsquery", 2): "regconfig",
}


def _function(node: dict) -> dict:
    names = [n.get("sval") for n in node.get("funcname", ()) if isinstance(n, dict)]
    names = [n for n in names if n != "pg_catalog"]
    args = node.get("args", ())
    if names in (["now"], ["transaction_timestamp"]) and not args:
        return _NOW
    # pg_catalog's functions are found first whether named with it or not.
    node = {**node, "funcname": tuple({"@": "String", "sval": n} for n in names)}
    typed = _TYPED_FIRST_ARGUMENT.get((names[-1], len(args))) if len(names) == 1 else None
    first = args[0] if args else None
    if typed and _is(first, "TypeCast") and _cast_name(first) == typed and _is_string(first):
        return {**node, "args": (first["arg"], *args[1:])}
    return node


def _is_string(cast: dict) -> bool:
    """A cast of a string literal."""
    return _is(cast["arg"], "A_Const") and "sval" in cast["arg"].get("val", {})


def _number(text: str, type_name: str) -> dict | None:
    """A string literal cast to a number type: the number it is."""
    try:
        if type_name in _INTEGER_TYPES:
            return {"@": "A_Const", "val": {"@": "Integer", "ival": int(text.strip())}}
        if type_name in _DECIMAL_TYPES:
            value = Decimal(text.strip())
            return {"@": "A_Const", "val": {"@": "Float", "fval": str(value)}}
    except (ValueError, InvalidOperation):
        return None
    return None


def _is_number(node: dict) -> bool:
    val = node.get("val", {})
    return "ival" in val or "fval" in val


def _literal_pair(a: Any, b: Any) -> bool:
    return _is(a, "A_Const") and _is(b, "A_Const")


class _Target:
    """The column a default is for: its type's key, its ``format_type`` (a numeric's
    scale), whether it is an enum."""

    def __init__(self, key: str, shown: str, enum: bool):
        self.key, self.enum = key, enum
        scale = re.fullmatch(r"numeric\(\d+,(\d+)\)", shown.strip())
        self.scale = int(scale.group(1)) if scale else None

    @property
    def verbatim(self) -> bool:
        return self.enum or self.key in _VERBATIM_TYPES


def _literals(a: dict, b: dict, target: _Target) -> str:
    """Two literal defaults of a column: equal when the column's type reads them as the
    same value. Only the types known here are read; any other type's input may rewrite
    its text (an ``interval`` ``'1 hour'`` is stored as ``'01:00:00'``), so two different
    texts of it are for the server to compare, not for a guess."""
    x, y = _value(a, target), _value(b, target)
    if x is None or y is None:
        return DIFFERENT if target.verbatim else UNSURE
    return EQUAL if x == y else DIFFERENT


def _value(node: dict, column: _Target) -> Any:
    val = node.get("val", {})
    raw = next((val[k] for k in ("sval", "ival", "fval", "boolval") if k in val), None)
    if raw is None:
        return None
    text = str(raw).lower() if isinstance(raw, bool) else str(raw)
    target = column.key
    try:
        if target in _INTEGER_TYPES:
            return int(text)
        if target in ("float4", "float8"):
            # The binary number both texts are read as (0.50 and 0.5 are one double).
            number = float(Decimal(text))
            if target == "float4":
                number = struct.unpack("f", struct.pack("f", number))[0]
            return number.hex()
        if target == "numeric":
            return str(_numeric(Decimal(text), column.scale))
        if target == "bool":
            lowered = text.strip().lower()
            return True if lowered in _TRUE else False if lowered in _FALSE else None
        if target == "jsonb":
            return json.loads(text, parse_float=Decimal)
    except (ValueError, InvalidOperation):
        return None
    if column.verbatim:
        return text if "sval" in val else None
    return None


def _numeric(value: Decimal, scale: int | None) -> Decimal:
    """The value a ``numeric(p, scale)`` column stores: rounded to its scale, half away
    from zero as PostgreSQL rounds (0 and 0.00 are one value there); an unconstrained
    numeric keeps the scale as written (0 and 0.00 differ)."""
    if scale is None or not value.is_finite():
        return value
    exponent = Decimal(1).scaleb(-scale)
    return value.quantize(exponent, rounding=ROUND_HALF_UP, context=Context(prec=2000))
