"""Put a rendered region into the target file, touching nothing it does not own.

With markers, only the lines from the begin marker to the end marker are replaced. Without
markers (a team adopting modelsync), the target's mirrored classes are removed and the
region takes the place of the first of them; every other statement, comment and blank line
stays as it was. (Imports are added by ``cst_imports``, the only libcst user.)
"""

from __future__ import annotations

import ast

from modelsync.markers import Region
from modelsync.region import statement_start
from modelsync.source import source_lines


def splice_marked(text: str, region: Region, region_text: str) -> str:
    lines = source_lines(text, keepends=True)
    return "".join(lines[: region.begin_line - 1]) + region_text + "".join(lines[region.end_line :])


def splice_adopting(
    text: str, module: ast.Module, mirrored: frozenset[str], region_text: str
) -> str:
    lines = source_lines(text, keepends=True)
    plain = source_lines(text)
    spans = [
        # Comments above a replaced class are the user's: they stay.
        (statement_start(node, plain, with_comments=False), node.end_lineno or node.lineno)
        for node in module.body
        if isinstance(node, ast.ClassDef) and node.name in mirrored
    ]
    if not spans:
        return text.rstrip("\n") + "\n\n\n" + region_text
    removed: set[int] = set()
    for start, end in spans:
        removed.update(range(start, end + 1))
        # The blank lines after a removed class go with it, so none pile up.
        following = end + 1
        while following <= len(plain) and not plain[following - 1].strip():
            removed.add(following)
            following += 1
    first = spans[0][0]
    out: list[str] = []
    for number, line in enumerate(lines, start=1):
        if number == first:
            rest_follows = any(n > first and n not in removed for n in range(first, len(lines) + 1))
            out.append(region_text + ("\n\n" if rest_follows else ""))
        if number not in removed:
            out.append(line)
    return "".join(out).rstrip("\n") + "\n"
