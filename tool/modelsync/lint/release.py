"""sqlmodel-release: the backend and the worker must pin SQLModel releases whose DDL agrees.

SQLModel changed what it creates (0.0.19: ``max_length`` became ``VARCHAR(n)``; 0.0.45: a
plain ``datetime`` became ``TIMESTAMP WITH TIME ZONE``). Two services that pin releases on
either side of such a change create different tables from the very same models, which no
comparison of the two model files can show.
"""

from __future__ import annotations

from pathlib import Path

from modelsync.findings.model import Finding, Location
from modelsync.lint.registry import finding
from modelsync.schema.pins import Pin, project_pin
from modelsync.schema.release import SqlmodelRules

# (property of SqlmodelRules, what changes with it)
DDL_CHANGES = (
    ("honours_max_length", "0.0.19", "a str field with max_length is VARCHAR(n), not VARCHAR"),
    (
        "plain_datetime_is_aware",
        "0.0.45",
        "a plain datetime field is TIMESTAMP WITH TIME ZONE, not WITHOUT",
    ),
)


def release_findings(root: Path, source: str, target: str) -> tuple[Finding, ...]:
    backend = project_pin(root, (root / source).parent)
    worker = project_pin(root, (root / target).parent)
    if (
        backend is None
        or worker is None
        or (backend.path, backend.line)
        == (
            worker.path,
            worker.line,
        )
    ):
        return ()
    differences = ddl_differences(SqlmodelRules(backend.version), SqlmodelRules(worker.version))
    if not differences:
        return ()
    return (
        finding(
            "sqlmodel-release",
            f"the worker pins {_shown(worker)} and the backend {_shown(backend)}: "
            + "; ".join(differences),
            _at("pin", worker),
            related=(_at("backend_pin", backend),),
            fix=f"pin the same release in both services, e.g. sqlmodel{backend.spec}"
            if backend.spec
            else "pin the same SQLModel release in both services",
        ),
    )


def ddl_differences(backend: SqlmodelRules, worker: SqlmodelRules) -> list[str]:
    found = []
    for prop, since, meaning in DDL_CHANGES:
        if getattr(backend, prop) != getattr(worker, prop):
            newer = "the backend's" if getattr(backend, prop) else "the worker's"
            found.append(f"since {since} {meaning}, and only {newer} release has that")
    return found


def _shown(pin: Pin) -> str:
    label = ".".join(map(str, pin.version))
    return f"sqlmodel{pin.spec} ({label})" if pin.spec else f"sqlmodel (newest, {label})"


def _at(role: str, pin: Pin) -> Location:
    return Location(role, pin.path, pin.line, value=pin.spec or None)
