"""Frozen, slotted records: what the IR, the operations and the findings are made of.

``@record`` behaves like ``@dataclass(frozen=True, slots=True)`` in everything modelsync
relies on: fields with defaults and default factories, ``field(compare=False)`` for source
positions (moving a class is not drift), ``field(init=False)`` filled in by
``__post_init__``, value equality and hashing, ``order=True``, ``replace()`` and
``fields()``, ``__match_args__``, copying and pickling. Instances have no ``__dict__``;
assigning to one raises ``FrozenRecordError`` (an ``AttributeError``, as dataclasses'
``FrozenInstanceError`` is).

Why not ``dataclasses``: building a dataclass compiles half a dozen generated functions,
about 1.5 ms a class on CPython 3.11, and ``check`` and ``lint`` import some forty records
before reading a line. On a small project that was a third of a whole ``lint`` run
(``bench/bench_lint.py``). A record compiles nothing when its class is built: equality,
hashing, ``repr`` and freezing are shared functions that read the class's field table.
A class's first instances are made by a shared ``__init__`` that reads the same table;
only a class instantiated more than ``COMPILE_AFTER`` times gets an ``__init__`` of its
own, compiled as dataclasses would write it, because large models files make records by
the hundred thousand and the shared one is several times slower for each.
"""

from __future__ import annotations

from operator import attrgetter
from typing import Any

__all__ = ["MISSING", "Field", "FrozenRecordError", "field", "fields", "record", "replace"]


class _Missing:
    __slots__ = ()

    def __repr__(self) -> str:
        return "MISSING"

    def __reduce__(self) -> str:
        return "MISSING"  # pickled and copied as the one module-level object


# No default given (``None`` is a default like any other).
MISSING: Any = _Missing()


class FrozenRecordError(AttributeError):
    """An attempt to assign to, or delete, a field of a record."""


class Field:
    """One field of a record class, as ``fields()`` lists them."""

    __slots__ = ("name", "type", "default", "default_factory", "init", "compare", "repr")

    def __init__(
        self,
        default: Any = MISSING,
        default_factory: Any = MISSING,
        init: bool = True,
        compare: bool = True,
        repr: bool = True,  # noqa: A002 - the name dataclasses.field uses
    ) -> None:
        if default is not MISSING and default_factory is not MISSING:
            raise ValueError("a field cannot have both a default and a default_factory")
        self.name = ""
        self.type: Any = None
        self.default = default
        self.default_factory = default_factory
        self.init = init
        self.compare = compare
        self.repr = repr

    def __repr__(self) -> str:
        return f"Field(name={self.name!r}, type={self.type!r}, default={self.default!r})"


def field(
    *,
    default: Any = MISSING,
    default_factory: Any = MISSING,
    init: bool = True,
    compare: bool = True,
    repr: bool = True,  # noqa: A002
) -> Any:
    """A field with options, as ``dataclasses.field``: ``name: int = field(compare=False)``."""
    return Field(default, default_factory, init, compare, repr)


def record(cls: type | None = None, /, *, order: bool = False) -> Any:
    """The class decorator: ``@record`` or ``@record(order=True)``."""

    def build(cls: type) -> type:
        return _build(cls, order)

    return build if cls is None else build(cls)


def fields(record_or_class: Any) -> tuple[Field, ...]:
    """The fields of a record class or instance, in declaration order (bases' first)."""
    try:
        return record_or_class.__record_fields__
    except AttributeError:
        raise TypeError(f"{record_or_class!r} is not a record or record class") from None


def replace(obj: Any, /, **changes: Any) -> Any:
    """A copy of the record with some fields changed (``dataclasses.replace``)."""
    cls = obj.__class__
    plan = _REPLACE_PLANS.get(cls)
    if plan is None:
        plan = _REPLACE_PLANS[cls] = _replace_plan(fields(obj))
    given, computed = plan
    if computed and not computed.isdisjoint(changes):
        name = next(n for n in fields(obj) if n.name in changes and not n.init).name
        raise ValueError(f"field {name!r} is not set by __init__ and cannot be replaced")
    for name in given:
        if name not in changes:
            changes[name] = getattr(obj, name)
    return cls(**changes)


# Record class -> (the fields __init__ sets, those it does not): replace() is called on
# every column several times while a schema is built, so its plan is made once a class.
_REPLACE_PLANS: dict[type, tuple[tuple[str, ...], frozenset[str]]] = {}


def _replace_plan(table: tuple[Field, ...]) -> tuple[tuple[str, ...], frozenset[str]]:
    return (
        tuple(f.name for f in table if f.init),
        frozenset(f.name for f in table if not f.init),
    )


# ------------------------------------------------------------------ building a class


def _build(cls: type, order: bool) -> type:
    body = cls.__dict__
    inherited: dict[str, Field] = {}
    for base in reversed(cls.__mro__[1:]):
        for f in base.__dict__.get("__record_fields__", ()):
            inherited[f.name] = f
    own: dict[str, Field] = {}
    for name, annotation in body.get("__annotations__", {}).items():
        if _is_class_variable(annotation):
            continue
        value = body.get(name, MISSING)
        spec = value if isinstance(value, Field) else Field(default=value)
        # dataclasses' rule: an unhashable default (a list, dict, set, bytearray...) would
        # be one object shared by every instance.
        if spec.default is not MISSING and type(spec.default).__hash__ is None:
            raise ValueError(
                f"{cls.__qualname__}.{name}: a mutable default is shared by every "
                "instance; use default_factory"
            )
        spec.name, spec.type = name, annotation
        own[name] = spec
    every = {**inherited, **own}
    _refuse_required_after_default(cls, every.values())

    namespace = {k: v for k, v in body.items() if k not in own and k not in _NOT_COPIED}
    namespace["__slots__"] = tuple(name for name in own if name not in inherited)
    namespace["__qualname__"] = cls.__qualname__
    namespace["__record_fields__"] = tuple(every.values())
    compared = tuple(f.name for f in every.values() if f.compare)
    namespace["__record_key__"] = staticmethod(_key_getter(compared))
    namespace["__match_args__"] = tuple(f.name for f in every.values() if f.init)
    # What the shared __init__ reads, flattened so that it looks nothing up per field.
    namespace["__record_init_names__"] = namespace["__match_args__"]
    namespace["__record_plan__"] = tuple(
        (f.name, f.init, f.default, f.default_factory) for f in every.values()
    )
    methods = dict(_METHODS, **(_ORDER_METHODS if order else {}))
    for name, method in methods.items():
        # As with dataclasses, a method the class writes itself is kept.
        namespace.setdefault(name, method)
    if "__eq__" in body and body.get("__hash__") is None:
        # Python set __hash__ to None for the class's own __eq__; a frozen record is
        # still hashable by its fields, as a frozen dataclass is.
        namespace["__hash__"] = _hash
    return type(cls)(cls.__name__, cls.__bases__, namespace)


# Created anew for the slotted class, or holding the fields' defaults.
_NOT_COPIED = frozenset({"__dict__", "__weakref__", "__slots__"})


def _is_class_variable(annotation: Any) -> bool:
    text = annotation if isinstance(annotation, str) else getattr(annotation, "__name__", "")
    return text.startswith(("ClassVar", "typing.ClassVar"))


def _refuse_required_after_default(cls: type, every: Any) -> None:
    seen_default = False
    for f in every:
        if not f.init:
            continue
        has_default = f.default is not MISSING or f.default_factory is not MISSING
        if seen_default and not has_default:
            raise TypeError(f"{cls.__qualname__}: non-default field {f.name!r} follows a default")
        seen_default = seen_default or has_default


def _key_getter(names: tuple[str, ...]) -> Any:
    """The compared fields of an instance, as a tuple (attrgetter works in C)."""
    if not names:
        return lambda _obj: ()
    if len(names) == 1:
        single = attrgetter(names[0])
        return lambda obj: (single(obj),)
    return attrgetter(*names)


# ------------------------------------------------------------------ shared methods


# Instances a class makes with the shared __init__ before it gets its own. Compiling one
# costs about as much as a hundred shared-__init__ calls' extra time.
COMPILE_AFTER = 32


def _init_until_compiled(self: Any, *args: Any, **kwargs: Any) -> None:
    # The record class this __init__ belongs to: the instance's own, or the record base
    # that a plain subclass's own __init__ calls.
    cls = type(self)
    if cls.__dict__.get("__init__") is not _init_until_compiled:
        cls = next(c for c in cls.__mro__ if c.__dict__.get("__init__") is _init_until_compiled)
    made = cls.__dict__.get("__record_made__", 0) + 1
    if made <= COMPILE_AFTER and _init_shared(self, cls, args, kwargs):
        cls.__record_made__ = made  # type: ignore[attr-defined]
        return
    # Past the count, or arguments the shared __init__ does not take: the compiled one
    # takes over and raises Python's own TypeError for the latter.
    init = _compile_init(cls)
    cls.__init__ = init  # type: ignore[misc]
    init(self, *args, **kwargs)


def _init_shared(self: Any, cls: type, args: tuple, kwargs: dict[str, Any]) -> bool:
    """Set every field as the compiled ``__init__`` would; False (and nothing meant to
    be kept) when the arguments do not fit the fields."""
    takes = cls.__record_init_names__  # type: ignore[attr-defined]
    if len(args) > len(takes):
        return False
    given = dict(zip(takes, args, strict=False))
    for name, value in kwargs.items():
        if name in given:
            return False
        given[name] = value
    known = 0
    set_field = object.__setattr__
    for name, init, default, factory in cls.__record_plan__:  # type: ignore[attr-defined]
        if init and name in given:
            value = given[name]
            known += 1
        elif default is not MISSING:
            value = default
        elif factory is not MISSING:
            value = factory()
        elif init:
            return False  # a required argument is missing
        else:
            continue
        set_field(self, name, value)
    if known != len(given):
        return False  # a keyword that names no field, or one not set by __init__
    post_init = getattr(self, "__post_init__", None)
    if post_init is not None:
        post_init()
    return True


def _compile_init(cls: type) -> Any:
    """The class's own ``__init__``, written out for its fields, as dataclasses does."""
    # A private "no argument" marker, so that passing MISSING itself stores MISSING, as
    # the shared __init__ (and dataclasses) do.
    names: dict[str, Any] = {"__set": object.__setattr__, "__MISSING": object()}
    parameters, lines = [], []
    for f in cls.__record_fields__:  # type: ignore[attr-defined]
        default, factory = f"__default_{f.name}", f"__factory_{f.name}"
        names[default], names[factory] = f.default, f.default_factory
        if f.init:
            if f.default is not MISSING:
                parameters.append(f"{f.name}={default}")
            elif f.default_factory is not MISSING:
                parameters.append(f"{f.name}=__MISSING")
                lines.append(f"if {f.name} is __MISSING: {f.name} = {factory}()")
            else:
                parameters.append(f.name)
            lines.append(f"__set(self, {f.name!r}, {f.name})")
        elif f.default is not MISSING:
            lines.append(f"__set(self, {f.name!r}, {default})")
        elif f.default_factory is not MISSING:
            lines.append(f"__set(self, {f.name!r}, {factory}())")
    if hasattr(cls, "__post_init__"):
        lines.append("self.__post_init__()")
    source = "def __init__(self, {}):\n    {}\n".format(
        ", ".join(parameters), "\n    ".join(lines or ["pass"])
    )
    scope: dict[str, Any] = {}
    exec(compile(source, f"<record {cls.__qualname__}>", "exec"), names, scope)
    init = scope["__init__"]
    init.__qualname__ = f"{cls.__qualname__}.__init__"
    return init


def _repr(self: Any) -> str:
    shown = (f"{f.name}={getattr(self, f.name)!r}" for f in self.__record_fields__ if f.repr)
    return f"{type(self).__qualname__}({', '.join(shown)})"


def _eq(self: Any, other: Any) -> Any:
    if other.__class__ is self.__class__:
        return self.__record_key__(self) == other.__record_key__(other)
    return NotImplemented


def _hash(self: Any) -> int:
    return hash(self.__record_key__(self))


def _setattr(self: Any, name: str, value: Any) -> None:
    raise FrozenRecordError(f"cannot assign to field {name!r} of a frozen record")


def _delattr(self: Any, name: str) -> None:
    raise FrozenRecordError(f"cannot delete field {name!r} of a frozen record")


def _getstate(self: Any) -> tuple[Any, ...]:
    return tuple(getattr(self, f.name, MISSING) for f in self.__record_fields__)


def _setstate(self: Any, state: tuple[Any, ...]) -> None:
    for f, value in zip(self.__record_fields__, state, strict=True):
        if value is not MISSING:
            object.__setattr__(self, f.name, value)


def _compared(operator: str) -> Any:
    def compare(self: Any, other: Any) -> Any:
        if other.__class__ is not self.__class__:
            return NotImplemented
        return getattr(self.__record_key__(self), operator)(other.__record_key__(other))

    compare.__name__ = operator
    return compare


_METHODS = {
    "__init__": _init_until_compiled,
    "__repr__": _repr,
    "__eq__": _eq,
    "__hash__": _hash,
    "__setattr__": _setattr,
    "__delattr__": _delattr,
    "__getstate__": _getstate,
    "__setstate__": _setstate,
}
_ORDER_METHODS = {name: _compared(name) for name in ("__lt__", "__le__", "__gt__", "__ge__")}
