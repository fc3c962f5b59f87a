"""The marker comments around the generated region, and the checksums in the end marker.

The end marker records two fingerprints, as cog does: ``inputs`` (of everything the region
is rendered from) and ``content`` (of the region's text as written). A content mismatch
means someone edited the region by hand; an inputs mismatch means the source changed.
"""

from __future__ import annotations

import ast
import bisect
import hashlib
import re

from modelsync.errors import InputError
from modelsync.modules.source import source_lines
from modelsync.records import record

MARKER_STEM = "# --- modelsync: "  # cli._has_markers looks for it without importing this
BEGIN_PREFIX = MARKER_STEM + "begin generated"
END_PREFIX = MARKER_STEM + "end generated"
_END_SUMS = re.compile(r"inputs=(?P<inputs>[0-9a-f]{12}) content=(?P<content>[0-9a-f]{12})")


def begin_marker(source_path: str) -> str:
    return f"{BEGIN_PREFIX} from {source_path} (edit that file, not this region) ---"


def end_marker(inputs: str, body: str) -> str:
    return f"{END_PREFIX}; inputs={inputs} content={content_sum(body)} ---"


def content_sum(body: str) -> str:
    return hashlib.sha256(body.encode("utf-8")).hexdigest()[:12]


@record
class Region:
    """Where the region stands in a file (1-based marker lines) and what it holds."""

    begin_line: int
    end_line: int
    body: str
    inputs_sum: str | None
    content_sum: str | None
    # The marker lines as they stand, and whether the end marker ends with a newline.
    begin_text: str = ""
    end_text: str = ""
    end_terminated: bool = True

    def markers_as_written(self, source_path: str, inputs: str) -> bool:
        """Are the marker lines exactly what generate writes for these inputs?"""
        expected_end = end_marker(inputs, self.body)
        return (
            self.begin_text == begin_marker(source_path)
            and self.end_text == expected_end
            and self.end_terminated
        )

    @property
    def edited_by_hand(self) -> bool:
        if self.content_sum is None:
            # Markers typed by hand around nothing say where the region goes.
            return bool(self.body.strip())
        return self.content_sum != content_sum(self.body)


def find_region(text: str, path: str, module: ast.Module | None = None) -> Region | None:
    """The marked region of ``text``, None without markers; refuses broken markers.

    A marker is a comment line between top-level statements: the same text inside a
    docstring or any other string (``module``, the file's syntax tree, tells) is not one.
    """
    lines = source_lines(text)
    ended = source_lines(text, keepends=True)
    begins = [i for i, line in enumerate(lines, 1) if line.startswith(BEGIN_PREFIX)]
    ends = [i for i, line in enumerate(lines, 1) if line.startswith(END_PREFIX)]
    if begins or ends:
        inside = _lines_inside_statements(text, module, {*begins, *ends})
        begins = [i for i in begins if i not in inside]
        ends = [i for i in ends if i not in inside]
    if not begins and not ends:
        return None
    if len(begins) > 1 or len(ends) > 1:
        duplicate = begins[1] if len(begins) > 1 else ends[1]
        raise InputError("duplicated modelsync marker: one generated region only", path, duplicate)
    if not begins or not ends or ends[0] < begins[0]:
        where = (begins or ends)[0]
        raise InputError("unbalanced modelsync markers: need one begin before one end", path, where)
    begin, end = begins[0], ends[0]
    sums = _END_SUMS.search(lines[end - 1])
    return Region(
        begin_line=begin,
        end_line=end,
        body="\n".join(lines[begin : end - 1]),
        inputs_sum=sums.group("inputs") if sums else None,
        content_sum=sums.group("content") if sums else None,
        begin_text=lines[begin - 1],
        end_text=lines[end - 1],
        end_terminated=ended[end - 1].endswith(("\n", "\r")),
    )


def _lines_inside_statements(
    text: str, module: ast.Module | None, candidates: set[int]
) -> set[int]:
    """Which candidate lines are not real top-level comments: they fall inside a
    top-level statement's span and are no comment token there (a string's text)."""
    if module is None:
        try:
            module = ast.parse(text)
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            return set()
    body = module.body
    starts = [node.lineno for node in body]
    lines = source_lines(text, keepends=True)
    inside: set[int] = set()
    for number in candidates:
        at = bisect.bisect_right(starts, number) - 1
        if at < 0:
            continue
        node = body[at]
        first, last = node.lineno, node.end_lineno or node.lineno
        if not first <= number <= last:
            continue
        if not _is_comment_line(lines[first - 1 : last], number - first + 1):
            inside.add(number)
    return inside


def _is_comment_line(statement_lines: list[str], line: int) -> bool:
    """Does a comment token start line ``line`` (1-based) of this statement's text?"""
    # Loaded here: check reaches this only for marker text inside a statement.
    import io
    import tokenize

    try:
        tokens = tokenize.generate_tokens(io.StringIO("".join(statement_lines)).readline)
        return any(t.type == tokenize.COMMENT and t.start == (line, 0) for t in tokens)
    except (tokenize.TokenError, SyntaxError):
        return False
