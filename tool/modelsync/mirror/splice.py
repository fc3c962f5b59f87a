"""Put a rendered region into the target file, touching nothing it does not own.

With markers, only the lines from the begin marker to the end marker are replaced. Without
markers (a team adopting modelsync), the target's mirrored classes are removed and the
region takes the place of the first of them; every other statement, comment and blank line
stays as it was, and the comments written inside the removed classes are kept just above
the region (``members``). (Imports are added by ``cst_imports``, the only libcst user.)
"""

from __future__ import annotations

import ast

from modelsync.errors import InputError
from modelsync.mirror.markers import Region
from modelsync.mirror.members import CarriedComment, LostLine, adopt_members, describe_lost
from modelsync.mirror.region import CopiedItem
from modelsync.modules.source import newline_of, source_lines
from modelsync.schema.load import ParsedFile


def splice_marked(text: str, region: Region, region_text: str) -> str:
    lines = source_lines(text, keepends=True)
    return "".join(lines[: region.begin_line - 1]) + region_text + "".join(lines[region.end_line :])


def splice_adopting(
    target: ParsedFile,
    mirrored: frozenset[str],
    region_text: str,
    items: tuple[CopiedItem, ...] = (),
    force: bool = False,
    command: str = "modelsync generate",
) -> tuple[str, tuple[CarriedComment, ...]]:
    """Replace the target's mirrored classes with the region, where the first of them
    stood (at the end of the file when there is none), and say which comments of theirs
    were carried above it. ``items``: what the region copies, to tell the target's
    hand-written class members from the mirrored ones. ``force``: drop hand-written code
    instead of refusing it. ``command``: the command that writes the target, as the user
    typed it, for a refusal to name."""
    text = target.text
    nl = newline_of(text)
    lines = source_lines(text, keepends=True)
    plain = source_lines(text)
    classes = [
        node
        for node in target.module.body
        if isinstance(node, ast.ClassDef) and node.name in mirrored
    ]
    sources = _source_classes(items)
    carried: list[CarriedComment] = []
    lost: list[tuple[str, tuple[LostLine, ...]]] = []
    for node in classes:
        if node.decorator_list:
            raise InputError(
                f"class {node.name} has decorators, which replacing it would lose; remove "
                f"them or the class, then run `{command}` again (--force does not drop them)",
                target.path,
                node.decorator_list[0].lineno,
            )
        source_class, source_text = sources.get(node.name, (None, ""))
        adoption = adopt_members(node, plain, source_class, source_text)
        if adoption.lost:
            lost.append((node.name, adoption.lost))
        carried.extend(adoption.carried)
    if lost and not force:
        raise InputError(_refusal(lost, command), target.path, lost[0][1][0].line)
    if not classes:
        return text.rstrip("\r\n") + nl + nl + nl + region_text, ()
    removed: set[int] = set()
    for node in classes:
        removed.update(range(node.lineno, (node.end_lineno or node.lineno) + 1))
        _absorb_blank_lines(node.end_lineno or node.lineno, plain, removed)
    first = classes[0].lineno
    rest_follows = any(n not in removed for n in range(first + 1, len(lines) + 1))
    # The carried comments stand directly above the begin marker, outside the region
    # (which generate rewrites), so they survive every later run.
    above = "".join(comment.rendered() + nl for comment in carried)
    if above and first <= 2:
        # Python reads line 1 or 2 as an encoding declaration when it is a comment
        # saying ``coding: ...``; a carried comment must never become one.
        above = nl * (3 - first) + above
    out: list[str] = []
    for number, line in enumerate(lines, start=1):
        if number == first:
            out.append(above + region_text + (nl + nl if rest_follows else ""))
        if number not in removed:
            out.append(line)
    if rest_follows:  # the file still ends with its own last line, ending as it did
        return "".join(out), tuple(carried)
    return "".join(out).rstrip("\r\n") + nl, tuple(carried)  # the region ends it


def _refusal(lost: list[tuple[str, tuple[LostLine, ...]]], command: str) -> str:
    """Every line adoption would lose, what to do, and what --force drops."""
    places = "; ".join(f"class {name} line(s) {describe_lost(lines)}" for name, lines in lost)
    count = sum(len(lines) for _, lines in lost)
    return (
        "hand-written code inside mirrored classes would be lost by replacing them with the "
        f"source's classes: {places}; move it out of the class (or into the source) and run "
        f"`{command}` again, or run `{command} --force`, which adopts the file and drops "
        f"exactly those {count} line(s) (comments inside the classes are kept above the "
        "region either way)"
    )


def _absorb_blank_lines(end: int, plain: list[str], removed: set[int]) -> None:
    """The blank lines after a removed class go with it, so none pile up."""
    following = end + 1
    while following <= len(plain) and not plain[following - 1].strip():
        removed.add(following)
        following += 1


def _source_classes(items: tuple[CopiedItem, ...]) -> dict[str, tuple[ast.ClassDef, str]]:
    """Class name -> (its node, its text) for the classes the region copies."""
    found = {}
    for item in items:
        try:
            module = ast.parse(item.text)
        except (SyntaxError, ValueError):
            continue
        for node in module.body:
            if isinstance(node, ast.ClassDef):
                found[node.name] = (node, item.text)
    return found
