"""A tiny static evaluator: turns expressions of a models file into inert values.

Literals become Python values, names become ``Ref``s to canonical qualified names, calls
become ``Call``s of evaluated arguments. Anything else becomes ``Unknown`` with the line
where it stands: the resolver reports it instead of guessing.
"""

from __future__ import annotations

import ast
from typing import Any

from modelsync.errors import InputError
from modelsync.records import field, record
from modelsync.schema.names import NameTable, name_chain


@record
class Ref:
    """A reference to a named object (class, function, constant) by canonical name."""

    name: str
    line: int = field(default=0, compare=False)


@record
class Call:
    func: str
    args: tuple[Any, ...]
    kwargs: tuple[tuple[str, Any], ...]
    line: int = field(default=0, compare=False)

    def kwarg(self, name: str, default: Any = None) -> Any:
        for key, value in self.kwargs:
            if key == name:
                return value
        return default

    def has(self, name: str) -> bool:
        # A plain loop, not any(): this runs for every keyword of every field.
        for key, _ in self.kwargs:  # noqa: SIM110
            if key == name:
                return True
        return False


@record
class Subscript:
    """``X[...]`` in an annotation: ``Optional[int]``, ``Annotated[str, ...]``."""

    base: Any
    items: tuple[Any, ...]
    line: int = field(default=0, compare=False)
    # ``X[a,]``/``X[(a,)]``: a tuple of one, which ``Optional`` refuses and ``Union`` takes.
    tuple_slice: bool = field(default=False, compare=False)


@record
class DictValue:
    items: tuple[tuple[Any, Any], ...]

    def get(self, key: str, default: Any = None) -> Any:
        return next((v for k, v in self.items if k == key), default)


@record
class Unknown:
    source: str
    line: int


# What a linker answers for a name that is not the project's (read it as before), and for
# one the project defines in a way no value can be read from (read it as written).
NOT_LINKED = object()
AS_WRITTEN = object()


def class_label(name: str) -> str:
    """A class's name as people read it: ``local.m3:Status.ACTIVE`` -> ``Status.ACTIVE``."""
    name = name.removeprefix("local.")
    module_key, colon, rest = name.partition(":")
    return rest if colon and "." not in module_key else name


# Integer arithmetic on constants stops being read past this size: no column length or
# vector dimension is larger, and ``A1 = A0 * A0`` repeated would otherwise build numbers
# of millions of digits (and Python refuses to print those past 4300 digits).
_LARGEST_INT = 2**128

_ARITHMETIC = {
    ast.Add: lambda a, b: a + b,
    ast.Sub: lambda a, b: a - b,
    ast.Mult: lambda a, b: a * b,
    ast.FloorDiv: lambda a, b: a // b if b else None,
}


@record
class Evaluator:
    names: NameTable
    constants: dict[str, ast.expr]
    # Constants being evaluated right now: a cycle (A = B, B = A) stays unresolved.
    resolving: set[str] = field(default_factory=set, compare=False)
    # Each constant's value, evaluated once: ``A1 = A0 + A0`` twenty times over would
    # otherwise take 2**20 evaluations.
    cache: dict[str, Any] = field(default_factory=dict, compare=False)
    # How often a cycle was cut short; a value read while it grew is not cached.
    cycle_cuts: list[int] = field(default_factory=lambda: [0], compare=False)
    path: str = ""
    # Follows names imported from the project's other modules (``schema.project``); None
    # for a file read on its own.
    linker: Any = field(default=None, compare=False)

    def value(self, node: ast.expr | None) -> Any:
        if node is None:
            return None
        method = getattr(self, "_" + type(node).__name__, None)
        if method is None:
            return self._unknown(node)
        return method(node)

    def _unknown(self, node: ast.expr) -> Unknown:
        return Unknown(ast.unparse(node), node.lineno)

    def _Constant(self, node: ast.Constant) -> Any:
        return node.value

    def _Tuple(self, node: ast.Tuple) -> tuple:
        return tuple(self.value(item) for item in node.elts)

    def _List(self, node: ast.List) -> tuple:
        return tuple(self.value(item) for item in node.elts)

    def _Set(self, node: ast.Set) -> tuple:
        return tuple(self.value(item) for item in node.elts)

    def _Dict(self, node: ast.Dict) -> Any:
        if any(key is None for key in node.keys):
            return self._unknown(node)
        pairs = zip(node.keys, node.values, strict=True)
        return DictValue(tuple((self.value(k), self.value(v)) for k, v in pairs))

    def _UnaryOp(self, node: ast.UnaryOp) -> Any:
        operand = self.value(node.operand)
        if isinstance(node.op, ast.USub) and isinstance(operand, int | float):
            return -operand
        return self._unknown(node)

    def _BinOp(self, node: ast.BinOp) -> Any:
        # ``X | None`` in annotations, and integer arithmetic (``BASE * 2``) on constants.
        if isinstance(node.op, ast.BitOr):
            return Subscript(Ref("typing.Union"), (self.value(node.left), self.value(node.right)))
        left, right = self.value(node.left), self.value(node.right)
        operation = _ARITHMETIC.get(type(node.op))
        numbers = all(isinstance(v, int) and not isinstance(v, bool) for v in (left, right))
        result = operation(left, right) if operation and numbers else None
        if result is None or abs(result) > _LARGEST_INT:
            return self._unknown(node)
        return result

    def _Name(self, node: ast.Name) -> Any:
        if node.id in self.cache:
            return self.cache[node.id]
        if node.id in self.constants and node.id not in self.resolving:
            cuts = self.cycle_cuts[0]
            self.resolving.add(node.id)
            try:
                value = self.value(self.constants[node.id])
            finally:
                self.resolving.discard(node.id)
            if self.cycle_cuts[0] == cuts:
                # A value that met no cycle is the constant's for good.
                self.cache[node.id] = value
            return value
        if node.id in self.constants:
            self.cycle_cuts[0] += 1
        return self._reference(node)

    def _Attribute(self, node: ast.Attribute) -> Any:
        chain = name_chain(node)
        if chain is not None and chain[0] in self.constants:
            # A constant that names a class (``S = Status``): ``S.ACTIVE`` is the class's.
            head = ast.Name(id=chain[0], ctx=ast.Load(), lineno=node.lineno, col_offset=0)
            value = self._Name(head)
            if isinstance(value, Ref):
                return Ref(".".join((value.name, *chain[1:])), node.lineno)
        return self._reference(node)

    def _reference(self, node: ast.Name | ast.Attribute) -> Any:
        linked = self.linker.link(node) if self.linker is not None else NOT_LINKED
        if linked is AS_WRITTEN:
            return self._unknown(node)
        if linked is not NOT_LINKED:
            return linked
        qualified = self.names.qualify(node)
        return Ref(qualified, node.lineno) if qualified else self._unknown(node)

    def _Call(self, node: ast.Call) -> Any:
        linked = self.linker.link(node.func) if self.linker is not None else NOT_LINKED
        if linked is NOT_LINKED:
            func = self.names.qualify(node.func)
        else:
            # A class of another module is called by its name there; anything else that
            # module defines (a function, a constant) gives a value not known statically.
            func = linked.name if isinstance(linked, Ref) else None
        if func is None:
            return self._unknown(node)
        args = []
        for arg in node.args:
            if isinstance(arg, ast.Starred):  # *args cannot be resolved
                return self._unknown(node)
            args.append(self.value(arg))
        kwargs = []
        seen: set[str] = set()
        for keyword in node.keywords:
            if keyword.arg is None:  # **kwargs cannot be resolved
                return self._unknown(node)
            if keyword.arg in seen:
                # ast.parse accepts it; Python's compiler (and so the import) does not.
                raise InputError(
                    f"syntax error: keyword argument repeated: {keyword.arg}",
                    self.path or None,
                    keyword.lineno,
                )
            seen.add(keyword.arg)
            kwargs.append((keyword.arg, self.value(keyword.value)))
        return Call(func, tuple(args), tuple(kwargs), node.lineno)

    def _Subscript(self, node: ast.Subscript) -> Any:
        items = node.slice.elts if isinstance(node.slice, ast.Tuple) else [node.slice]
        if not items:  # ``Optional[()]``: typing itself refuses it
            return self._unknown(node)
        return Subscript(self.value(node.value), tuple(self.value(i) for i in items), node.lineno)

    def annotation(self, node: ast.expr) -> Any:
        """Evaluate an annotation; string annotations (forward refs) are parsed first."""
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            try:
                inner = ast.parse(node.value.strip(), mode="eval").body
            except SyntaxError:
                return Unknown(node.value, node.lineno)
            ast.increment_lineno(inner, node.lineno - 1)
            return self.annotation(inner)
        if isinstance(node, ast.Subscript):
            as_tuple = isinstance(node.slice, ast.Tuple)
            items = node.slice.elts if as_tuple else [node.slice]
            base = self.value(node.value)
            # Annotated's metadata are values; every other subscript holds annotations.
            # (``Optional[()]``, ``Annotated[int]``: typing's arity rules are checked where
            # a table's fields are read, ``pytypes.refuse_invalid_forms``.)
            if isinstance(base, Ref) and base.name == "typing.Annotated" and items:
                first, *meta = items
                evaluated = (self.annotation(first), *(self.value(m) for m in meta))
                return Subscript(base, evaluated, node.lineno, as_tuple)
            evaluated = tuple(self.annotation(i) for i in items)
            return Subscript(base, evaluated, node.lineno, as_tuple)
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):
            union = (self.annotation(node.left), self.annotation(node.right))
            return Subscript(Ref("typing.Union"), union, node.lineno)
        return self.value(node)


def is_call(value: Any, *funcs: str) -> bool:
    return isinstance(value, Call) and value.func in funcs


def canonical_text(value: Any) -> str:
    """A formatting-independent spelling of an evaluated value (for defaults)."""
    if isinstance(value, Ref):
        return class_label(value.name).removeprefix("builtins.")
    if isinstance(value, Call):
        args = [canonical_text(a) for a in value.args]
        args += [f"{k}={canonical_text(v)}" for k, v in value.kwargs]
        return f"{canonical_text(Ref(value.func))}({', '.join(args)})"
    if isinstance(value, Unknown):
        return value.source
    if isinstance(value, tuple):
        return "(" + ", ".join(canonical_text(v) for v in value) + ")"
    return repr(value)
