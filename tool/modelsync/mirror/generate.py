"""``modelsync generate``: the target file as it should be, and how it differs from now."""

from __future__ import annotations

import ast
import difflib
import os
import stat
import tempfile
from pathlib import Path

from modelsync.errors import InputError, ModelsyncError
from modelsync.mirror.markers import find_region
from modelsync.mirror.members import CarriedComment
from modelsync.mirror.render import import_block, render_new_file, render_region
from modelsync.mirror.splice import splice_adopting, splice_marked
from modelsync.mirror.state import MirrorState, bindings_outside, class_collisions
from modelsync.modules.source import newline_of, parse_python, source_lines
from modelsync.records import record
from modelsync.schema.ir import Diagnostic
from modelsync.schema.load import ParsedFile


@record
class Generated:
    current: str | None  # None: the target does not exist yet
    text: str
    # Lines of the current region that differ from what generate writes, when the region
    # was edited by hand (empty otherwise).
    hand_edited_lines: tuple[int, ...]
    warnings: tuple[Diagnostic, ...]
    # Adopting: the lines of the new text that hold the comments carried out of the
    # replaced classes (just above the region).
    carried_lines: tuple[int, ...] = ()

    @property
    def changed(self) -> bool:
        return self.current != self.text


def generate_text(
    state: MirrorState,
    target: ParsedFile | None,
    target_shown: str,
    force: bool = False,
    command: str = "modelsync generate",
) -> Generated:
    """``force``: replace mirrored classes even when that drops hand-written members.
    ``command``: how the user runs generate on this target, for a refusal to name."""
    region_text = render_region(state.region_input, state.sources, state.origins)
    if target is None:
        text = render_new_file(state.region_input, region_text, state.sources, state.origins)
        module = _must_be_python(text, target_shown, lambda: _blame(state, new_file=True))
        _refuse_shadowing(module, text, state.mirrored_classes, target_shown)
        return Generated(None, text, (), state.warnings)
    for conflict in state.conflicts:
        raise InputError(conflict.message, target_shown, conflict.line)
    newline = newline_of(target.text)
    if newline != "\n":
        region_text = region_text.replace("\n", newline)  # keep a CRLF (or CR) file so
    carried: tuple[CarriedComment, ...] = ()
    if state.region is not None:
        text = splice_marked(target.text, state.region, region_text)
    else:
        text, carried = splice_adopting(
            target, state.mirrored_classes, region_text, state.region_input.items, force, command
        )
    if state.missing_imports or state.missing_future_import:
        text = _with_imports(text, target_shown, state, len(carried), newline)
    module = _must_be_python(text, target_shown, lambda: _blame(state, new_file=False))
    edited = _hand_edited_lines(state, region_text) if state.region else ()
    carried_lines = _carried_lines(text, target_shown, module, carried)
    return Generated(target.text, text, edited, state.warnings, carried_lines)


def _with_imports(text: str, shown: str, state: MirrorState, carried: int, newline: str) -> str:
    """The target with the imports the region needs. libcst adds them below the module's
    own imports or, in a module with none, below its leading comments; when the region is
    the module's first statement (after its docstring), its begin marker is one of those
    comments, and the imports would land inside the region (which check then calls edited
    by hand). There they go just above the region and the comments carried out of it."""
    module = parse_python(text, shown)
    region = find_region(text, shown, module)
    first = _first_statement_line(module)
    if region is None or (first is not None and first < region.begin_line):
        # libcst takes a while to load; only pay for it when there is an import to add.
        from modelsync.mirror.cst_imports import add_imports

        return add_imports(text, state.missing_imports, state.missing_future_import)
    block = "\n".join(import_block(state.missing_imports, state.missing_future_import)) + "\n"
    lines = source_lines(text, keepends=True)
    at = region.begin_line - 1 - carried
    return "".join(lines[:at]) + block.replace("\n", newline) + "".join(lines[at:])


def _first_statement_line(module: ast.Module) -> int | None:
    """Where the module's first statement after its docstring starts (a decorated one at
    its decorator)."""
    body = module.body[1:] if module.body and _is_docstring(module.body[0]) else module.body
    if not body:
        return None
    first = body[0]
    return min([first.lineno, *(d.lineno for d in getattr(first, "decorator_list", ()))])


def _is_docstring(statement: ast.stmt) -> bool:
    return (
        isinstance(statement, ast.Expr)
        and isinstance(statement.value, ast.Constant)
        and isinstance(statement.value.value, str)
    )


def _carried_lines(
    text: str, shown: str, module, carried: tuple[CarriedComment, ...]
) -> tuple[int, ...]:
    """Where the carried comments stand: the lines just above the begin marker."""
    if not carried:
        return ()
    region = find_region(text, shown, module)
    begin = region.begin_line if region is not None else 1
    return tuple(range(begin - len(carried), begin))


def _refuse_shadowing(module, text: str, classes: frozenset[str], shown: str) -> None:
    """A new file's own names (its template's imports and engine) must not collide with
    the classes of the region, e.g. a table model called ``Session``."""
    region = find_region(text, shown, module)
    for conflict in class_collisions(bindings_outside(module, region, frozenset()), classes):
        raise InputError(conflict.message, shown, conflict.line)


def _blame(state: MirrorState, new_file: bool) -> None:
    """Render again, parsing each template's output, to name the template at fault."""
    region = render_region(state.region_input, state.sources, state.origins, blame=True)
    if new_file:
        render_new_file(state.region_input, region, state.sources, state.origins, blame=True)


def _must_be_python(text: str, shown: str, blame=None):
    """Refuse to write what would not even parse (a broken user template, say)."""
    try:
        return parse_python(text, shown)
    except InputError as error:
        if blame is not None:
            blame()  # raises a TemplateError naming the template, when one is at fault
        raise ModelsyncError(
            f"the generated file would not be valid Python ({error.message}); check the templates",
            shown,
            error.line,
        ) from None


def _hand_edited_lines(state: MirrorState, region_text: str) -> tuple[int, ...]:
    region = state.region
    if region is None or not region.edited_by_hand:
        return ()
    current = region.body.split("\n")
    fresh = source_lines(region_text)[1:-1]
    lines: list[int] = []
    matcher = difflib.SequenceMatcher(a=current, b=fresh, autojunk=False)
    for tag, i1, i2, _, _ in matcher.get_opcodes():
        if tag != "equal":
            first = region.begin_line + 1 + i1
            lines.extend(range(first, first + max(i2 - i1, 1)))
    return tuple(lines)


def unified_diff(current: str | None, text: str, shown: str) -> str:
    return "".join(
        difflib.unified_diff(
            source_lines(current or "", keepends=True),
            source_lines(text, keepends=True),
            fromfile=f"current {shown}",
            tofile=f"generated {shown}",
        )
    )


def write_atomically(path: Path, text: str, shown: str | None = None) -> None:
    """Write via a temporary file in the same folder and rename: never a half file.

    - A symlinked target is followed: the file it points to is rewritten, and the link
      stays a link (renaming over the link itself would silently replace it).
    - A read-only target is refused, not overwritten (renaming ignores the file's mode).
    - The temporary file has no name while it is written (``O_TMPFILE``), so even
      ``kill -9`` leaves nothing behind; it gets one just before the rename. Any error on
      the way removes it and becomes an ``InputError`` naming the target.
    """
    shown = shown or str(path)
    try:
        real = _writable_destination(path, shown)
        real.parent.mkdir(parents=True, exist_ok=True)
        mode = real.stat().st_mode & 0o7777 if real.exists() else 0o644
        data = text.encode("utf-8")
        if _has_bom(real) and not data.startswith(_BOM):
            data = _BOM + data  # the parser dropped it; the file keeps it
        _replace_with(real, data, mode)
    except OSError as exc:
        raise InputError(f"cannot write: {exc.strerror or exc}", shown) from None


_BOM = b"\xef\xbb\xbf"


def _has_bom(path: Path) -> bool:
    try:
        with open(path, "rb") as handle:
            return handle.read(3) == _BOM
    except OSError:
        return False


def _writable_destination(path: Path, shown: str) -> Path:
    if path.is_symlink():
        try:
            path = path.resolve(strict=True)
        except (OSError, RuntimeError):
            raise InputError(
                "is a symlink to a missing file (or a loop); refused: point it at a file "
                "or replace it with one",
                shown,
            ) from None
    if path.exists():
        info = path.stat()
        if not stat.S_ISREG(info.st_mode):
            raise InputError("is not a regular file; refused", shown)
        # By the mode bits, not os.access: root may write anything, but a file someone
        # made read-only says "do not rewrite me".
        if not info.st_mode & 0o222 or not os.access(path, os.W_OK):
            raise InputError("is read-only; refused (make it writable to regenerate it)", shown)
    return path


def _replace_with(path: Path, data: bytes, mode: int) -> None:
    folder = path.parent
    fd, temporary = _unnamed_file(folder, path.name, mode)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
            if temporary is None:
                temporary = _name_it(handle.fileno(), folder, path.name)
        os.chmod(temporary, mode)
        os.replace(temporary, path)
    except BaseException:
        if temporary is not None:
            Path(temporary).unlink(missing_ok=True)
        raise


def _unnamed_file(folder: Path, name: str, mode: int) -> tuple[int, str | None]:
    """An open file in ``folder``: without a name where the system can (Linux), else a
    named temporary file."""
    flag = getattr(os, "O_TMPFILE", 0)
    if flag and Path("/proc/self/fd").is_dir():
        try:
            return os.open(folder, flag | os.O_WRONLY | os.O_CLOEXEC, mode), None
        except OSError:
            pass  # a file system without O_TMPFILE support
    fd, name = tempfile.mkstemp(prefix=f".{name}.", dir=folder)
    return fd, name


def _name_it(fd: int, folder: Path, name: str) -> str:
    # linkat(AT_SYMLINK_FOLLOW) on /proc/self/fd/N names an O_TMPFILE file; os.link uses
    # linkat (rather than link, which does not follow) only when given a directory fd.
    root = os.open("/", os.O_RDONLY)
    try:
        for _ in range(100):
            candidate = folder / f".{name}.{os.urandom(4).hex()}.tmp"
            try:
                os.link(f"/proc/self/fd/{fd}", candidate, src_dir_fd=root, follow_symlinks=True)
            except FileExistsError:
                continue
            return str(candidate)
    finally:
        os.close(root)
    raise FileExistsError(17, "no free temporary file name", str(folder))


def line_ranges(lines: tuple[int, ...]) -> str:
    """``(3, 4, 5, 9)`` -> ``"3-5, 9"``."""
    ranges: list[str] = []
    for number in lines:
        if ranges and int(ranges[-1].split("-")[-1]) == number - 1:
            ranges[-1] = f"{ranges[-1].split('-')[0]}-{number}"
        else:
            ranges.append(str(number))
    return ", ".join(ranges)
