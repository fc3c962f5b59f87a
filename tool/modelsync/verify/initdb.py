"""The init scripts a fresh volume runs before the app starts, for verify's states.

From the compose file: the files its PostgreSQL service mounts into
``/docker-entrypoint-initdb.d`` (``compose.initdir``), in the image's order; state (c) then
runs exactly those (``Plan.from_compose``). Without a compose file: ``init_scripts`` in
``[tool.modelsync]``, sorted by name as the image would sort them, before every migration.

The image runs ``*.sql`` and, decompressed, ``*.sql.gz``, ``*.sql.xz`` and ``*.sql.zst``;
verify runs the same SQL (``*.sql.zst`` only where this Python has zstd). A ``*.sh`` script
is not run (it is shell, not SQL) and is named in a note, and so is every file verify did
not run. A script PostgreSQL's parser refuses fails where the container would stop.
"""

from __future__ import annotations

from pathlib import Path

from modelsync.compose.initdir import real_path
from modelsync.errors import InputError
from modelsync.findings.model import Diagnostic, Finding, Location
from modelsync.migrate.folder import SqlSyntaxError, split_statements
from modelsync.records import record
from modelsync.verify.apply import ApplyFailure
from modelsync.verify.report import finding
from modelsync.verify.states import InitScript, Migration

# An init script verify reads (decompressed): larger ones are refused.
MAX_SCRIPT_BYTES = 64 << 20


@record
class InitSource:
    """A file of the init folder: its name there, the host file, where it is named."""

    name: str
    path: Path
    shown: str
    # The compose file and the mount's line (None: from init_scripts in the config).
    mount_shown: str | None = None
    mount_line: int | None = None


@record
class FreshVolume:
    files: tuple[InitSource, ...]  # in the order the image runs them
    from_compose: bool
    warnings: tuple[Diagnostic, ...] = ()
    # The compose service (None: from the config).
    service: str | None = None


def fresh_volume(root: Path, compose_file: str | None, init_scripts) -> FreshVolume | None:
    """What a fresh volume runs first; None when the project says nothing about it. A
    compose file that cannot be read raises its located ComposeError (exit 2)."""
    if init_scripts is not None:
        files = [InitSource(Path(p).name, root / p, Path(p).as_posix()) for p in init_scripts]
        return FreshVolume(tuple(sorted(files, key=lambda f: f.name.encode())), False)
    from modelsync.compose.initdir import init_dir
    from modelsync.compose.services import read_project

    project = read_project(root, compose_file)
    if project is None:
        return None
    warnings = list(project.notes)
    if not project.services:
        warnings.append(
            Diagnostic(project.shown, 1, "no PostgreSQL service: verify runs no init script")
        )
        return FreshVolume((), False, tuple(warnings))
    service, *others = project.services
    if others:
        names = ", ".join(s.name for s in others)
        warnings.append(
            Diagnostic(
                service.shown,
                service.line or 1,
                f"several PostgreSQL services: verify builds {service.name}'s fresh volume, "
                f"not {names}'s",
            )
        )
    listing = init_dir(service)
    warnings += listing.notes
    files = tuple(
        InitSource(f.name, f.path, _shown(root, f.path), f.mount.shown, f.mount.line)
        for f in listing.files
    )
    return FreshVolume(files, True, tuple(warnings), service.name)


def init_scripts(
    root: Path, fresh: FreshVolume, migrations: tuple[Migration, ...]
) -> tuple[tuple[InitScript, ...], tuple[Finding, ...]]:
    """The scripts verify runs, and a note for each file it does not run."""
    by_path = {real_path(m.file.path): index for index, m in enumerate(migrations)}
    scripts: list[InitScript] = []
    notes: list[Finding] = []
    for source in fresh.files:
        index = by_path.get(real_path(source.path)) if fresh.from_compose else None
        if index is not None:
            scripts.append(InitScript(source.shown, source.name, migration=index))
            continue
        reason = _not_run(source)
        if reason is not None:
            if reason:
                notes.append(_not_run_note(source, reason))
            continue
        scripts.append(_script(root, source))
    return tuple(scripts), tuple(notes)


def _not_run(source: InitSource) -> str | None:
    """Why verify does not run the file ("" when the image ignores it too), or None."""
    name = source.name
    if name.endswith(".sh"):
        return "a shell script: verify runs SQL only, so what it does is not in the states"
    if name.endswith(".sql.zst"):
        try:
            from compression import zstd  # noqa: F401  (Python 3.14)
        except ImportError:
            return "zstd-compressed, and this Python cannot read zstd"
        return None
    if name.endswith((".sql", ".sql.gz", ".sql.xz")):
        return None
    return ""


def _not_run_note(source: InitSource, reason: str) -> Finding:
    where = Location(
        "init", source.mount_shown or source.shown, source.mount_line, value=source.name
    )
    return finding(
        "init_script_not_run",
        f"{source.name} runs on the team's fresh volume but not in verify's states: {reason}",
        where,
        severity="note",
    )


def _script(root: Path, source: InitSource) -> InitScript:
    try:
        sql = _read_sql(root, source)
        statements = split_statements(sql, source.shown)
    except SqlSyntaxError as error:
        failure = ApplyFailure(source.shown, error.line or 0, error.message)
        return InitScript(source.shown, source.name, failure=failure)
    except InputError as error:
        failure = ApplyFailure(source.shown, error.line or 0, error.message)
        return InitScript(source.shown, source.name, failure=failure)
    return InitScript(source.shown, source.name, statements)


def _read_sql(root: Path, source: InitSource) -> str:
    """The script's SQL: a regular file inside the root, decompressed if need be, at most
    ``MAX_SCRIPT_BYTES``."""
    import errno

    from modelsync.files import read_bytes

    if not real_path(source.path).is_relative_to(real_path(root)):
        raise InputError("leads outside the project root: not read", source.shown)
    try:
        data = read_bytes(source.path, MAX_SCRIPT_BYTES)
    except OSError as exc:
        if exc.errno == errno.EFBIG:
            raise InputError(
                f"larger than {MAX_SCRIPT_BYTES >> 20} MiB: not read", source.shown
            ) from None
        raise InputError(f"cannot read: {exc.strerror or exc}", source.shown) from None
    except ValueError as exc:  # a NUL byte in the path
        raise InputError(f"cannot read: {exc}", source.shown) from None
    data = _decompressed(data, source)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise InputError(f"not UTF-8 (byte 0x{data[exc.start]:02x})", source.shown, line) from None


def _decompressed(data: bytes, source: InitSource) -> bytes:
    if len(data) > MAX_SCRIPT_BYTES:
        raise InputError(f"larger than {MAX_SCRIPT_BYTES >> 20} MiB: not read", source.shown)
    name = source.name
    if name.endswith(".sql"):
        return data
    try:
        out = _all_members(data, _decoder_for(name))
    except Exception as exc:  # each library's own error for a damaged archive
        raise InputError(f"cannot be decompressed: {exc}", source.shown) from None
    if len(out) > MAX_SCRIPT_BYTES:
        raise InputError(f"decompresses past {MAX_SCRIPT_BYTES >> 20} MiB: not read", source.shown)
    return out


def _decoder_for(name: str):
    """A maker of one member's decompressor for the file's suffix."""
    if name.endswith(".gz"):
        import zlib

        return lambda: zlib.decompressobj(16 + zlib.MAX_WBITS)
    if name.endswith(".xz"):
        import lzma

        return lzma.LZMADecompressor
    from compression import zstd  # Python 3.14

    return zstd.ZstdDecompressor


def _all_members(data: bytes, decoder) -> bytes:
    """Every member of a concatenated archive (``cat a.gz b.gz``), as ``gunzip -c``, ``xz
    -dc`` and ``zstd -dc`` give them to the entrypoint's psql; one decompressor reads only
    the first, which would leave SQL the container runs unread and unrun. Stops past
    ``MAX_SCRIPT_BYTES`` of output."""
    out = b""
    while data:
        one = decoder()
        out += one.decompress(data, MAX_SCRIPT_BYTES + 1 - len(out))
        if len(out) > MAX_SCRIPT_BYTES:
            break
        if not getattr(one, "eof", True):
            raise ValueError("the archive ends before its last member does")
        data = one.unused_data
    return out


def _shown(root: Path, path: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return path.as_posix()
