"""Find the templates: the user's ``templates_dir`` first, then the bundled ones.

Lookup reads plain files, so ``check`` can fingerprint the templates without importing
jinja2; rendering builds its environment from exactly the same texts.

A user's template folder is committed by whoever opens a pull request, and modelsync runs
in CI on it, so templates are untrusted input: every template, bundled or not, renders in
jinja2's immutable sandbox (no attribute of a Python object's internals, no mutation), the
loader only knows the six names below (``{% include "/etc/passwd" %}`` finds nothing), and a
template that is a symlink leading out of its folder is refused.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from modelsync.errors import ConfigError, ModelsyncError
from modelsync.files import TEXT_LIMIT, read_bytes

TEMPLATE_NAMES = (
    "db.py.j2",
    "region.py.j2",
    "table.py.j2",
    "enum.py.j2",
    "base.py.j2",
    "definition.py.j2",
)

# The ``modelsync`` package folder (this module sits in its ``mirror`` subpackage).
_PACKAGE = Path(__file__).resolve().parent.parent


class TemplateError(ModelsyncError):
    """A template that does not parse, names something undefined, reaches for what the
    sandbox forbids, or lays out output that is not Python: ``tpl/x.py.j2:LINE: ...``."""


def bundled_templates_dir() -> Path:
    """Inside the wheel the templates sit in the package; in a source checkout (editable
    install) they are the repository's top-level ``templates/``."""
    for candidate in (_PACKAGE / "templates", _PACKAGE.parent.parent / "templates"):
        if (candidate / "region.py.j2").is_file():
            return candidate
    raise ConfigError(f"modelsync's bundled templates are missing (looked in {_PACKAGE})")


def _chosen(user_dir: Path | None, name: str) -> tuple[Path, bool]:
    """The file a template name is read from, and whether it is the user's."""
    if user_dir is not None:
        candidate = user_dir / name
        if candidate.is_symlink() or candidate.exists():
            return candidate, True
    return bundled_templates_dir() / name, False


def template_sources(user_dir: Path | None) -> tuple[tuple[str, str], ...]:
    """(name, text) of every template, each from the user's folder when it has one."""
    if user_dir is not None and not user_dir.is_dir():
        raise ConfigError("templates_dir is not a directory", str(user_dir))
    sources = []
    for name in TEMPLATE_NAMES:
        chosen, users = _chosen(user_dir, name)
        if users:
            _refuse_escape(user_dir, chosen)
        try:
            if users and not chosen.is_file():
                raise ConfigError("template is not a regular file", str(chosen))
            # Regular and bounded (modelsync.files): a FIFO or /dev/zero in the user's
            # folder must not hang or exhaust the hook.
            sources.append((name, read_bytes(chosen, TEXT_LIMIT).decode("utf-8")))
        except (OSError, UnicodeDecodeError) as exc:
            raise ConfigError(f"cannot read template: {_reason(exc)}", str(chosen)) from None
    return tuple(sources)


def template_origins(user_dir: Path | None, shown_dir: str | None) -> tuple[tuple[str, str], ...]:
    """(name, how messages show its file): ``tpl/table.py.j2`` for the user's,
    ``<bundled>/table.py.j2`` for modelsync's own."""
    origins = []
    for name in TEMPLATE_NAMES:
        _, users = _chosen(user_dir, name)
        if users:
            folder = shown_dir if shown_dir is not None else str(user_dir)
            origins.append((name, f"{Path(folder).as_posix()}/{name}"))
        else:
            origins.append((name, f"<bundled templates>/{name}"))
    return tuple(origins)


def _refuse_escape(user_dir: Path, chosen: Path) -> None:
    """A template may be a symlink, but only to a file inside the template folder: a link
    to ``/etc/shadow`` or ``~/.ssh/id_rsa`` would otherwise be read and printed."""
    try:
        inside = chosen.resolve(strict=True).is_relative_to(user_dir.resolve(strict=True))
    except (OSError, RuntimeError) as exc:  # a dangling or looping link
        raise ConfigError(f"template cannot be followed: {_reason(exc)}", str(chosen)) from None
    if not inside:
        raise ConfigError(
            "template is a symlink leading out of the templates folder; refused", str(chosen)
        )


def _reason(exc: BaseException) -> str:
    return getattr(exc, "strerror", None) or _one_line(str(exc)) or type(exc).__name__


@lru_cache(maxsize=4)
def environment(sources: tuple[tuple[str, str], ...], origins: tuple[tuple[str, str], ...] = ()):
    """One sandboxed jinja2 environment per set of template texts."""
    import jinja2
    from jinja2.sandbox import ImmutableSandboxedEnvironment

    texts, shown = dict(sources), dict(origins)

    class Loader(jinja2.BaseLoader):
        # The file name given here is what jinja2 puts on its errors and traceback frames.
        def get_source(self, environment, template):
            if template not in texts:
                raise jinja2.TemplateNotFound(template)
            return texts[template], shown.get(template, template), lambda: True

    return ImmutableSandboxedEnvironment(
        loader=Loader(),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        autoescape=False,
    )


def render_template(env, name: str, **context) -> str:
    """Render one template; every way a template can fail becomes a ``TemplateError``
    naming the template's file and line."""
    import jinja2

    origins = {env.loader.get_source(env, n)[1] for n in TEMPLATE_NAMES}
    try:
        return env.get_template(name).render(**context)
    except jinja2.TemplateSyntaxError as error:
        raise TemplateError(
            f"template syntax error: {_one_line(error.message)}",
            error.filename or name,
            error.lineno,
        ) from None
    except jinja2.TemplateNotFound as error:
        where, line = _template_frame(error.__traceback__, origins, name, env)
        raise TemplateError(f"no such template: {_one_line(str(error))}", where, line) from None
    except RecursionError:
        where, line = _template_frame(None, origins, name, env)
        raise TemplateError("template recursion is too deep", where, line) from None
    except Exception as error:  # UndefinedError, SecurityError, TypeError in a filter...
        where, line = _template_frame(error.__traceback__, origins, name, env)
        kind = type(error).__name__
        raise TemplateError(
            f"template error ({kind}): {_one_line(str(error))}", where, line
        ) from None


def _template_frame(tb, origins: set[str], name: str, env) -> tuple[str, int | None]:
    """The innermost traceback frame that runs template code: its file and line."""
    where, line = env.loader.get_source(env, name)[1], None
    while tb is not None:
        filename = tb.tb_frame.f_code.co_filename
        if filename in origins:
            where, line = filename, tb.tb_lineno
        tb = tb.tb_next
    return where, line


def _one_line(text: str) -> str:
    return " ".join(text.split()) or "failed"
