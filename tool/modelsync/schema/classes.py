"""The classes of the models as Python sees them: found by name, their bases in C3 order,
their pydantic field sets, and which of them are enums.

``resolve`` asks this about every class it builds a table from; the answers are memoised,
because a deep or diamond-shaped hierarchy would otherwise be walked once per path.
"""

from __future__ import annotations

from typing import Any

from modelsync.errors import ModelError
from modelsync.records import field, record
from modelsync.schema.ir import EnumType
from modelsync.schema.parse import ClassDecl, FieldDecl, ModelFile
from modelsync.schema.values import Ref

_ENUM_BASES = frozenset({"enum.Enum", "enum.IntEnum", "enum.StrEnum", "enum.Flag", "enum.IntFlag"})
_BUILTIN_BASES = frozenset(
    {"builtins.str", "builtins.int", "builtins.float", "builtins.bytes", "builtins.bool"}
)


class FileSpace:
    """The classes of one models file read on its own: a class is found by its name."""

    def __init__(self, model_file: ModelFile):
        self.model_file = model_file

    def find(self, key: str, referrer: ClassDecl | None = None) -> ClassDecl | None:
        return self.model_file.find(key, referrer.line if referrer is not None else None)


@record
class ClassIndex:
    """Lookups over the classes of a models file or of a project's modules (``space``)."""

    space: Any
    # (question, id(decl) or key) -> answer: a 600-class inheritance chain (which SQLModel
    # imports) is walked once, not once per class and level.
    memo: dict[tuple[str, Any], Any] = field(default_factory=dict, compare=False)

    def warm(self, classes: tuple[ClassDecl, ...]) -> ClassIndex:
        """Answer for every class in file order: a class's bases come before it, so each
        answer reuses its bases' and the recursion never goes deeper than one level."""
        for decl in classes:
            self._mro(decl)
            self.fields(decl)
        return self

    def local_bases(self, decl: ClassDecl) -> list[ClassDecl]:
        known = self.memo.get(("bases", id(decl)))
        if known is not None:
            return known
        bases = []
        for base in decl.bases:
            if isinstance(base, Ref) and base.name.startswith("local."):
                found = self.space.find(base.name.removeprefix("local."), decl)
                if found is not None:
                    bases.append(found)
        self.memo[("bases", id(decl))] = bases
        return bases

    def ancestry(self, decl: ClassDecl) -> list[ClassDecl]:
        """The class and its local ancestors in reverse method resolution order (most
        basic first), as Python's C3 linearization orders them."""
        return list(reversed(self._mro(decl)))

    def _mro(self, decl: ClassDecl) -> list[ClassDecl]:
        known = self.memo.get(("mro", id(decl)))
        if known is None:
            known = self.memo[("mro", id(decl))] = self._linearize(decl)
        return known

    def _linearize(self, decl: ClassDecl) -> list[ClassDecl]:
        # Bases are defined before the class (in its module, or in a module it imports),
        # so the recursion always ends.
        bases = self.local_bases(decl)
        if len(bases) == 1:  # C3 of a single base is the class, then the base's order
            return [decl, *self._mro(bases[0])]
        return [decl, *_c3_merge([*(self._mro(base) for base in bases), bases], decl)]

    def fields(self, decl: ClassDecl) -> dict[str, FieldDecl]:
        """Pydantic's field set: each base's whole field set, the first-listed base
        winning, then the class's own annotations."""
        known = self.memo.get(("fields", id(decl)))
        if known is not None:
            return dict(known)
        merged: dict[str, FieldDecl] = {}
        for base in reversed(self.local_bases(decl)):
            merged.update(self.fields(base))
        for own in decl.fields:
            merged[own.name] = own
        self.memo[("fields", id(decl))] = dict(merged)
        return merged

    def builtin_base(self, key: str) -> str | None:
        """``str``/``int``/... when a local class derives from one (``class Code(str)``)."""
        decl = self.space.find(key)
        return self._builtin_base(decl) if decl else None

    def enum(self, key: str) -> EnumType | None:
        """The enum type of the class named ``key``, or None when it is no Enum."""
        if ("enum", key) in self.memo:
            return self.memo[("enum", key)]
        decl = self.space.find(key)
        found = None
        if decl is not None and self._is_enum(decl):
            found = EnumType(
                decl.name.lower(), _enum_labels(decl), decl.name, decl.line, path=decl.path
            )
        self.memo[("enum", key)] = found
        return found

    def _is_enum(self, decl: ClassDecl) -> bool:
        # Memoised like the MRO: a diamond 28 levels deep has 2**28 paths to its root.
        key = ("is_enum", id(decl))
        if key not in self.memo:
            direct = any(isinstance(b, Ref) and b.name in _ENUM_BASES for b in decl.bases)
            # A base is defined before the class: the recursion ends.
            self.memo[key] = direct or any(self._is_enum(b) for b in self.local_bases(decl))
        return self.memo[key]

    def _builtin_base(self, decl: ClassDecl) -> str | None:
        # Memoised like the MRO: a diamond 28 levels deep has 2**28 paths to its root.
        key = ("builtin", id(decl))
        if key not in self.memo:
            found = next(
                (b.name for b in decl.bases if isinstance(b, Ref) and b.name in _BUILTIN_BASES),
                None,
            )
            inherited = (self._builtin_base(base) for base in self.local_bases(decl))
            self.memo[key] = found or next((b for b in inherited if b), None)
        return self.memo[key]


def _c3_merge(sequences: list[list[ClassDecl]], decl: ClassDecl) -> list[ClassDecl]:
    """C3's merge: repeatedly take the first head that is in no sequence's tail.

    How many tails hold each class is counted once and kept up to date as heads are
    taken, so a step costs the number of sequences, not their length (a diamond of 300
    levels has sequences of 900 classes)."""
    starts = [0] * len(sequences)
    in_tails: dict[int, int] = {}
    for sequence in sequences:
        for item in sequence[1:]:
            in_tails[id(item)] = in_tails.get(id(item), 0) + 1
    order: list[ClassDecl] = []
    while any(start < len(s) for start, s in zip(starts, sequences, strict=True)):
        head = next(
            (
                s[start]
                for start, s in zip(starts, sequences, strict=True)
                if start < len(s) and not in_tails.get(id(s[start]))
            ),
            None,
        )
        if head is None:
            raise ModelError(
                "Cannot create a consistent method resolution order (MRO) for bases "
                + ", ".join(b.name for b in sequences[-1]),
                decl.path or None,
                decl.line,
            )
        order.append(head)
        for number, sequence in enumerate(sequences):
            start = starts[number]
            if start < len(sequence) and sequence[start] is head:
                starts[number] = start = start + 1
                if start < len(sequence):  # the next head leaves its tail
                    in_tails[id(sequence[start])] -= 1
    return order


def _enum_labels(decl: ClassDecl) -> tuple[str, ...]:
    """Member names in definition order; an alias (a repeated value) is not a member."""
    labels: list[str] = []
    values: list[Any] = []
    for attribute in decl.attributes:
        if attribute.name.startswith("_"):
            continue
        value = attribute.value
        hashable_literal = isinstance(value, str | int | float | bytes | tuple)
        if hashable_literal and value in values:
            continue
        labels.append(attribute.name)
        values.append(value)
    return tuple(labels)
