"""The state of the mirror: what the region must hold and how the target stands.

Shared by ``generate`` (which renders and writes) and ``check`` (which only compares
fingerprints), so that the two can never disagree about whether the region is current.
"""

from __future__ import annotations

import ast
from pathlib import Path

from modelsync.drift.kinds import drift, source_side, target_side
from modelsync.findings.model import Finding, Location
from modelsync.mirror.definitions import defined_names, needed_definitions
from modelsync.mirror.markers import Region, find_region
from modelsync.mirror.region import (
    ImportLine,
    RegionInput,
    eager_relationship,
    region_input,
    statement_start,
)
from modelsync.mirror.render import inputs_digest
from modelsync.mirror.templates import template_origins, template_sources
from modelsync.modules.source import source_lines
from modelsync.records import record
from modelsync.schema.ir import Diagnostic, Schema
from modelsync.schema.load import ParsedFile
from modelsync.schema.names import canonical, gather_imports
from modelsync.schema.parse import refuse_star_imports


@record
class Conflict:
    """The target binds a name the region needs, or defines, to something else."""

    line: int
    message: str


@record
class MirrorState:
    region_input: RegionInput
    sources: tuple[tuple[str, str], ...]
    digest: str
    region: Region | None
    # Classes of the target that the region replaces (adoption of an unmarked file).
    mirrored_classes: frozenset[str]
    missing_imports: tuple[ImportLine, ...]
    missing_future_import: bool
    conflicts: tuple[Conflict, ...]
    warnings: tuple[Diagnostic, ...]
    # Template name -> how messages show its file (``tpl/table.py.j2``).
    origins: tuple[tuple[str, str], ...] = ()


def mirror_state(
    source,
    schema: Schema,
    target: ParsedFile | None,
    templates_dir: Path | None,
    relationships: bool,
    templates_shown: str | None = None,
    target_has: dict[tuple[str, str], int] | None = None,
) -> MirrorState:
    """``source``: the source read as a project (``schema.load.Side``); ``schema``: the
    tables the target mirrors (those it imports from the source left out); ``target_has``:
    the source's definitions the target imports under their own names, with the lines of
    the imports (``schema.load.TargetImports.definitions``), not copied."""
    target_has = target_has or {}
    wanted = needed_definitions(source, schema, frozenset(target_has))
    class_names = frozenset(node.name for _, node in wanted.nodes if isinstance(node, ast.ClassDef))
    region = find_region(target.text, target.path, target.module) if target else None
    late: tuple[Conflict, ...] = ()
    if target:
        refuse_star_imports(target.module, target.path)
        position = _region_position(target.module, region, class_names)
        late = _imported_too_late(target_has, wanted.from_target, position)
        outside = bindings_outside(target.module, region, class_names)
        # Only what the target binds above the region exists when its classes are made.
        available = frozenset(name for name, line in outside.items() if line < position)
    else:
        outside, available = {}, frozenset()
    needed, warnings = region_input(source, schema, wanted, available, relationships)
    sources = template_sources(templates_dir)
    missing = (
        tuple(i for i in needed.imports if not _present(i, available, target)) if target else ()
    )
    conflicts = ()
    if target:
        conflicts = (
            late
            + _lazy_annotations(source, wanted, target, relationships)
            + _import_conflicts(target, needed.imports)
            + class_collisions(outside, class_names)
            + nested_mirrored_classes(target.module, class_names)
        )
        copied: dict[str, set[str]] = {}
        for path, node in wanted.nodes:
            copied.setdefault(path, set()).update(defined_names(node))
        target_texts = None
        for parsed in source.files:
            # Only a module whose copied names the target defines too is compared (and
            # the target's definitions are read once, not once per module).
            names = frozenset(copied.get(parsed.path, set()) - class_names) & outside.keys()
            if names:
                target_texts = target_texts or _definition_texts(target)
                warnings += _differing_definitions(parsed, target, target_texts, names)
    return MirrorState(
        region_input=needed,
        sources=sources,
        digest=inputs_digest(needed, sources),
        region=region,
        mirrored_classes=class_names,
        missing_imports=missing,
        missing_future_import=bool(
            target and needed.future_annotations and not _has_future_annotations(target.module)
        ),
        conflicts=conflicts,
        warnings=warnings,
        origins=template_origins(templates_dir, templates_shown),
    )


def _lazy_annotations(
    source, wanted, target: ParsedFile, relationships: bool
) -> tuple[Conflict, ...]:
    """The target's own ``from __future__ import annotations`` turns every annotation of
    the region into a string, the copied relationships' too."""
    line = _future_annotations_line(target.module)
    found = eager_relationship(source, wanted, relationships) if line else None
    if found is None:
        return ()
    return (
        Conflict(
            line,
            "`from __future__ import annotations` here makes the annotations of the "
            f"relationships the region copies (as at {found[0]}:{found[1]}) strings, which "
            "SQLModel cannot build a Relationship from; remove it, or set relationships = "
            "false",
        ),
    )


def _imported_too_late(
    target_has: dict[tuple[str, str], int], used: frozenset[tuple[str, str]], position: int
) -> tuple[Conflict, ...]:
    """A definition the region uses but does not copy, since the target imports it, must
    be imported above the region: the region's classes are made where they stand."""
    return tuple(
        Conflict(
            target_has[key],
            f"{key[1]} is imported here, below the generated region that uses it; move the "
            "import above the region",
        )
        for key in sorted(used, key=lambda k: target_has[k])
        if target_has[key] >= position
    )


def _region_position(module: ast.Module, region: Region | None, mirrored: frozenset[str]) -> int:
    """The line where the region stands (or will stand) in the target."""
    if region is not None:
        return region.begin_line
    lines = [n.lineno for n in module.body if isinstance(n, ast.ClassDef) and n.name in mirrored]
    return min(lines, default=10**9)


def bindings_outside(
    module: ast.Module, region: Region | None, mirrored: frozenset[str]
) -> dict[str, int]:
    """Top-level name -> line, for what the target binds outside the region and outside
    the classes the region replaces."""
    names: dict[str, int] = {}
    for node in module.body:
        if region and region.begin_line <= node.lineno <= region.end_line:
            continue
        if isinstance(node, ast.ClassDef) and node.name in mirrored:
            continue
        for name in _bound_names(node):
            names.setdefault(name, node.lineno)
    return names


def class_collisions(outside: dict[str, int], class_names: frozenset[str]) -> tuple[Conflict, ...]:
    """A copied class must not shadow, or be shadowed by, another binding of its name."""
    return tuple(
        Conflict(
            outside[name],
            f"{name} is bound here and is also a class the generated region defines; "
            "rename one of them",
        )
        for name in sorted(class_names & outside.keys())
    )


_BLOCKS = (ast.If, ast.For, ast.AsyncFor, ast.While, ast.With, ast.AsyncWith, ast.Try, ast.Match)


def nested_mirrored_classes(module: ast.Module, names: frozenset[str]) -> tuple[Conflict, ...]:
    """A class of a mirrored name under ``if``/``for``/``while``/``match``/``with``/``try``
    at the target's top level: generate can neither replace it (which branch runs?) nor
    add the region's own beside it without defining the class twice."""
    found = []
    stack = [node for node in module.body if isinstance(node, _BLOCKS)]
    while stack:
        node = stack.pop()
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.ClassDef) and child.name in names:
                found.append(Conflict(
                    child.lineno,
                    f"class {child.name} is defined in a block (`{_keyword(node)}`), and the "
                    "generated region defines it too; move it to the top level (generate "
                    "then replaces it) or remove it",
                ))  # fmt: skip
            elif isinstance(child, (*_BLOCKS, ast.match_case, ast.ExceptHandler)):
                stack.append(child)
    return tuple(sorted(found, key=lambda conflict: conflict.line))


def _keyword(node: ast.AST) -> str:
    names = {ast.AsyncFor: "async for", ast.AsyncWith: "async with", ast.match_case: "case"}
    return names.get(type(node), type(node).__name__.lower())


def _present(line: ImportLine, available: frozenset[str], target: ParsedFile) -> bool:
    """Is the import there? ``import a.b`` binds ``a`` but must itself be present, since
    ``import a`` alone need not load ``a.b``."""
    if line.module is None and not line.asname and "." in line.name:
        return any(
            isinstance(n, ast.Import) and any(a.name == line.name for a in n.names)
            for n in target.module.body
        )
    return line.bound in available


def _import_conflicts(target: ParsedFile, needed: tuple[ImportLine, ...]) -> tuple[Conflict, ...]:
    imported = gather_imports(target.module)
    conflicts = []
    for line in needed:
        if line.module is None:
            # ``import a.b`` binds ``a``, and so does the target's ``import a``.
            wanted = line.name if line.asname else line.name.split(".", 1)[0]
        else:
            wanted = f"{line.module}.{line.name}"
        have = imported.get(line.bound)
        if have is not None and canonical(have) != canonical(wanted):
            message = (
                f"{line.bound} here is {have}, but the generated region needs {wanted}; "
                "import it under its own name or rename this one"
            )
            conflicts.append(Conflict(_import_line_of(target.module, line.bound), message))
    return tuple(conflicts)


def _import_line_of(module: ast.Module, bound: str) -> int:
    for node in module.body:
        if isinstance(node, ast.Import | ast.ImportFrom) and bound in _bound_names(node):
            return node.lineno
    return 1


def _differing_definitions(
    source: ParsedFile,
    target: ParsedFile,
    target_text: dict[str, tuple[int, str]],
    names: frozenset[str],
) -> tuple[Diagnostic, ...]:
    """A constant or function the region would copy but the target defines itself (the
    ``names``): say so when the two are written differently (the target's one is what the
    models use)."""
    source_text = _definition_texts(source)
    found = []
    for name in sorted(names):
        if name in source_text and name in target_text:
            (source_line, ours), (target_line, theirs) = source_text[name], target_text[name]
            if ast.dump(ast.parse(ours)) != ast.dump(ast.parse(theirs)):
                found.append(
                    Diagnostic(
                        target.path,
                        target_line,
                        f"{name} differs from {source.path}:{source_line}; the mirrored "
                        "models use the one defined first",
                    )
                )
    return tuple(found)


def _definition_texts(parsed: ParsedFile) -> dict[str, tuple[int, str]]:
    lines = source_lines(parsed.text)
    texts = {}
    for node in parsed.module.body:
        targets = node.targets if isinstance(node, ast.Assign) else []
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            targets = [ast.Name(node.name)]
        elif isinstance(node, ast.AnnAssign):
            targets = [node.target]
        for target in targets:
            if isinstance(target, ast.Name):
                start = statement_start(node, lines, with_comments=False)
                texts[target.id] = (node.lineno, "\n".join(lines[start - 1 : node.end_lineno]))
    return texts


def _bound_names(node: ast.stmt) -> set[str]:
    if isinstance(node, ast.Import | ast.ImportFrom):
        return {
            a.asname or (a.name if isinstance(node, ast.ImportFrom) else a.name.split(".")[0])
            for a in node.names
        }
    if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
        return {node.name}
    if isinstance(node, ast.Assign | ast.AnnAssign | ast.AugAssign):
        targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        return {n.id for t in targets for n in ast.walk(t) if isinstance(n, ast.Name)}
    if isinstance(node, ast.Try | ast.With):
        # (Not ``if``: ``if TYPE_CHECKING:`` imports do not exist at run time.)
        nested = [*node.body, *getattr(node, "orelse", [])]
        nested += [s for h in getattr(node, "handlers", []) for s in h.body]
        return {name for child in nested for name in _bound_names(child)}
    return set()


def _future_annotations_line(module: ast.Module) -> int | None:
    return next(
        (
            n.lineno
            for n in module.body
            if isinstance(n, ast.ImportFrom)
            and n.module == "__future__"
            and any(a.name == "annotations" for a in n.names)
        ),
        None,
    )


def _has_future_annotations(module: ast.Module) -> bool:
    return _future_annotations_line(module) is not None


def stale_region_drifts(state: MirrorState, source_path: str, target_path: str) -> list[Finding]:
    """``check``'s view of the region: edited by hand, behind the source, or missing an
    import it needs. Nothing when the target has no markers."""
    region = state.region
    if region is None:
        return []
    where = target_side(target_path, region.begin_line, None)
    source = source_side(source_path, None, None)
    drifts = []
    if region.edited_by_hand:
        drifts.append(_stale(
            f"the generated region (lines {region.begin_line}-{region.end_line}) was edited "
            "by hand; change the source instead and run `modelsync generate --force`",
            source, where,
        ))  # fmt: skip
    if region.inputs_sum != state.digest:
        drifts.append(_stale(
            f"the generated region is older than {source_path} (or the templates); "
            "run `modelsync generate`",
            source, where,
        ))  # fmt: skip
    current = not region.edited_by_hand and region.inputs_sum == state.digest
    if current and not region.markers_as_written(source_path, state.digest):
        drifts.append(_stale(
            "the marker lines of the generated region were changed; run `modelsync generate`",
            source, where,
        ))  # fmt: skip
    for line in (*state.missing_imports,):
        drifts.append(_stale(
            f"the generated region needs `{line.statement()}`; run `modelsync generate`",
            source, where,
        ))  # fmt: skip
    for conflict in state.conflicts:
        drifts.append(
            _stale(conflict.message, source, target_side(target_path, conflict.line, None))
        )
    if state.missing_future_import:
        drifts.append(_stale(
            "the generated region needs `from __future__ import annotations` like its "
            "source; run `modelsync generate`",
            source, where,
        ))  # fmt: skip
    return drifts


def _stale(message: str, source: Location, target: Location) -> Finding:
    return drift("stale_region", None, None, message, source, target)
