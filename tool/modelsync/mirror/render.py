"""RegionInput + templates -> the region's text, or a whole new ``db.py``.

Python decides every string (imports, the copied classes); templates only lay them out.
"""

from __future__ import annotations

import ast
import sys

from modelsync import __version__
from modelsync.mirror.markers import begin_marker, end_marker
from modelsync.mirror.region import ImportLine, RegionInput
from modelsync.mirror.templates import TemplateError, environment, render_template

# The standard's section 2.2: connection and pool defaults.
ENGINE_DEFAULTS = {
    "database_url": "postgresql+psycopg://admin:1234@db:5432/interview_db",
    "pool_size": 20,
    "max_overflow": 10,
    "pool_recycle": 3600,
}
ENGINE_IMPORTS = (
    ImportLine(None, "os"),
    ImportLine("collections.abc", "Iterator"),
    ImportLine("contextlib", "contextmanager"),
    ImportLine("sqlmodel", "Session"),
    ImportLine("sqlmodel", "create_engine"),
)
_LINE_LENGTH = 88


def inputs_digest(region_input: RegionInput, sources: tuple[tuple[str, str], ...]) -> str:
    return region_input.digest(sources, __version__)


def render_region(
    region_input: RegionInput,
    sources: tuple[tuple[str, str], ...],
    origins: tuple[tuple[str, str], ...] = (),
    blame: bool = False,
) -> str:
    """The region with its markers, ending in a newline. The end marker fingerprints the
    inputs and the exact lines between the markers.

    ``blame``: parse each template's output on its own and raise a ``TemplateError`` naming
    the template whose output is not Python (done only once the whole file failed to
    parse, so that a good run parses its output once)."""
    env = environment(sources, origins)
    context = {"source_path": region_input.source_path}
    items = []
    for item in region_input.items:
        name = f"{item.kind}.py.j2"
        text = render_template(env, name, item=item, **context).strip("\n")
        if blame:
            what = f"{item.kind} {item.name}"
            _must_parse(text, dict(origins).get(name, name), what, dict(sources).get(name, ""))
        items.append(text)
    body = render_template(env, "region.py.j2", items=items, **context)
    if blame:
        region_shown = dict(origins).get("region.py.j2", "region.py.j2")
        _must_parse(body, region_shown, "the region", dict(sources).get("region.py.j2", ""))
    if not body.endswith("\n"):
        body += "\n"
    between = body[:-1]  # the lines between the markers, as find_region reads them
    digest = inputs_digest(region_input, sources)
    return f"{begin_marker(region_input.source_path)}\n{body}{end_marker(digest, between)}\n"


def render_new_file(
    region_input: RegionInput,
    region: str,
    sources: tuple[tuple[str, str], ...],
    origins: tuple[tuple[str, str], ...] = (),
    blame: bool = False,
) -> str:
    imports = import_block(
        (*ENGINE_IMPORTS, *region_input.imports), region_input.future_annotations
    )
    env = environment(sources, origins)
    text = render_template(
        env,
        "db.py.j2",
        source_path=region_input.source_path,
        imports=imports,
        region=region,
        **ENGINE_DEFAULTS,
    )
    if blame:
        shown = dict(origins).get("db.py.j2", "db.py.j2")
        _must_parse(text, shown, "a new target", dict(sources).get("db.py.j2", ""))
    return text.rstrip("\n") + "\n"


def _must_parse(text: str, template: str, what: str, template_text: str = "") -> None:
    try:
        ast.parse(text)
    except SyntaxError as error:
        raise TemplateError(
            f"the template's output for {what} is not valid Python "
            f"(line {error.lineno} of the output: {error.msg})",
            template,
            _writing_line(template_text, text, error.lineno),
        ) from None
    except ValueError as error:  # a NUL byte in the output
        raise TemplateError(
            f"the template's output for {what} is not Python: {error}", template
        ) from None


def _writing_line(template_text: str, output: str, line: int | None) -> int | None:
    """The template line that wrote the broken output line, when that text stands in the
    template literally (output copied from the source has no template line)."""
    lines = output.split("\n")
    if line is None or not 1 <= line <= len(lines) or not lines[line - 1].strip():
        return None
    wanted = lines[line - 1].strip()
    found = [n for n, text in enumerate(template_text.split("\n"), 1) if wanted in text]
    return found[0] if len(found) == 1 else None


def import_block(lines: tuple[ImportLine, ...], future_annotations: bool) -> list[str]:
    """Import statements as isort lays them out: ``__future__``, standard library, third
    party (a blank line between sections); merged per module, wrapped like a formatter."""
    sections: list[list[str]] = [
        ["from __future__ import annotations"] if future_annotations else []
    ]
    for stdlib in (True, False):
        chosen = [line for line in lines if _is_stdlib(line) == stdlib]
        sections.append(import_lines_text(chosen))
    return ["\n".join(section) + "\n" for section in sections if section]


def import_lines_text(lines: list[ImportLine]) -> list[str]:
    """The statements for these imports: ``import x`` ones, then one per module."""
    statements = sorted({line.statement() for line in lines if line.module is None})
    grouped: dict[str, set[str]] = {}
    for line in lines:
        if line.module is not None:
            alias = f" as {line.asname}" if line.asname else ""
            grouped.setdefault(line.module, set()).add(line.name + alias)
    for module in sorted(grouped):
        names = sorted(grouped[module], key=_isort_key)
        one_line = f"from {module} import {', '.join(names)}"
        if len(one_line) <= _LINE_LENGTH:
            statements.append(one_line)
        else:
            body = "".join(f"    {name},\n" for name in names)
            statements.append(f"from {module} import (\n{body})")
    return statements


def _isort_key(name: str) -> tuple[int, str]:
    # isort's order-by-type: CONSTANTS, then Classes, then functions and variables.
    kind = 0 if name.isupper() else 1 if name[:1].isupper() else 2
    return kind, name


def _is_stdlib(line: ImportLine) -> bool:
    top = (line.module or line.name).split(".", 1)[0]
    return top in sys.stdlib_module_names
