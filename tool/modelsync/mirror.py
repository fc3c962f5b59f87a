"""The state of the mirror: what the region must hold and how the target stands.

Shared by ``generate`` (which renders and writes) and ``check`` (which only compares
fingerprints), so that the two can never disagree about whether the region is current.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

from modelsync.compare import Drift, Side
from modelsync.ir import Diagnostic, Schema
from modelsync.load import ParsedFile
from modelsync.markers import Region, find_region
from modelsync.region import ImportLine, RegionInput, needed_class_names, region_input
from modelsync.render import inputs_digest
from modelsync.templates import template_sources


@dataclass(frozen=True, slots=True)
class MirrorState:
    region_input: RegionInput
    sources: tuple[tuple[str, str], ...]
    digest: str
    region: Region | None
    # Classes of the target that the region replaces (adoption of an unmarked file).
    mirrored_classes: frozenset[str]
    missing_imports: tuple[ImportLine, ...]
    missing_future_import: bool
    warnings: tuple[Diagnostic, ...]


def mirror_state(
    source: ParsedFile,
    schema: Schema,
    target: ParsedFile | None,
    templates_dir: Path | None,
    relationships: bool,
) -> MirrorState:
    class_names = needed_class_names(source, schema)
    region = find_region(target.text, target.path) if target else None
    bindings = target_bindings(target.module, region, class_names) if target else frozenset()
    wanted, warnings = region_input(source, schema, class_names, bindings, relationships)
    sources = template_sources(templates_dir)
    missing = tuple(i for i in wanted.imports if i.bound not in bindings)
    return MirrorState(
        region_input=wanted,
        sources=sources,
        digest=inputs_digest(wanted, sources),
        region=region,
        mirrored_classes=class_names,
        missing_imports=missing if target else (),
        missing_future_import=bool(
            target and wanted.future_annotations and not _has_future_annotations(target.module)
        ),
        warnings=warnings,
    )


def target_bindings(
    module: ast.Module, region: Region | None, mirrored: frozenset[str]
) -> frozenset[str]:
    """Top-level names the target binds outside the region and outside the classes the
    region will replace."""
    names: set[str] = set()
    for node in module.body:
        if region and region.begin_line <= node.lineno <= region.end_line:
            continue
        if isinstance(node, ast.ClassDef) and node.name in mirrored:
            continue
        names.update(_bound_names(node))
    return frozenset(names)


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
    if isinstance(node, ast.If | ast.Try | ast.With):
        nested = [*node.body, *getattr(node, "orelse", [])]
        nested += [s for h in getattr(node, "handlers", []) for s in h.body]
        return {name for child in nested for name in _bound_names(child)}
    return set()


def _has_future_annotations(module: ast.Module) -> bool:
    return any(
        isinstance(n, ast.ImportFrom)
        and n.module == "__future__"
        and any(a.name == "annotations" for a in n.names)
        for n in module.body
    )


def stale_region_drifts(state: MirrorState, source_path: str, target_path: str) -> list[Drift]:
    """``check``'s view of the region: edited by hand, behind the source, or missing an
    import it needs. Nothing when the target has no markers."""
    region = state.region
    if region is None:
        return []
    where = Side(target_path, region.begin_line, None)
    source = Side(source_path, None, None)
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
    for line in (*state.missing_imports,):
        drifts.append(_stale(
            f"the generated region needs `{line.statement()}`; run `modelsync generate`",
            source, where,
        ))  # fmt: skip
    if state.missing_future_import:
        drifts.append(_stale(
            "the generated region needs `from __future__ import annotations` like its "
            "source; run `modelsync generate`",
            source, where,
        ))  # fmt: skip
    return drifts


def _stale(message: str, source: Side, target: Side) -> Drift:
    return Drift("stale_region", None, None, message, source, target)
