"""database-url (1.1, 2.1) and pool-settings (2.2): how ``create_engine`` is called.

Read statically from the engine modules: a setting counts when it is written so that the
environment variable the standard names decides it, with the standard's default.
"""

from __future__ import annotations

import ast

from modelsync.findings.model import Finding, Location
from modelsync.lint.astutil import (
    CallIndex,
    env_read,
    followed,
    keyword,
    literal,
    module_assignments,
)
from modelsync.lint.registry import finding
from modelsync.records import record
from modelsync.schema.load import ParsedFile

DRIVER = "postgresql+psycopg"
DEFAULT_URL = "postgresql+psycopg://admin:1234@db:5432/interview_db"
ENGINE_FACTORIES = ("create_engine", "create_async_engine")


@record
class PoolSetting:
    keyword: str
    variable: str
    default: int


POOL_SETTINGS = (
    PoolSetting("pool_size", "DB_POOL_SIZE", 20),
    PoolSetting("max_overflow", "DB_MAX_OVERFLOW", 10),
    PoolSetting("pool_recycle", "DB_POOL_RECYCLE", 3600),
)


def engine_findings(file: ParsedFile, index: CallIndex) -> tuple[Finding, ...]:
    # Through aliases: ``create_engine as ce``, ``make = create_engine``, ``getattr``.
    engine_calls = [c for c in index.calls if index.callee(c) in ENGINE_FACTORIES]
    if not engine_calls:
        return ()
    names = module_assignments(file.module)
    found: list[Finding] = []
    for call in engine_calls:
        where = Location("engine", file.path, call.lineno, call.col_offset + 1)
        url = database_url_problem(call, names)
        if url:
            found.append(
                finding(
                    "database-url",
                    f"{index.callee(call)}: {url}",
                    where,
                    fix=f'DATABASE_URL = os.getenv("DATABASE_URL", "{DEFAULT_URL}")',
                )
            )
        pool = pool_problems(call, names)
        if pool:
            found.append(
                finding(
                    "pool-settings",
                    f"{index.callee(call)}: " + "; ".join(pool),
                    where,
                    fix=", ".join(
                        f'{s.keyword}=int(os.getenv("{s.variable}", "{s.default}"))'
                        for s in POOL_SETTINGS
                    )
                    + ", pool_pre_ping=True",
                )
            )
    return tuple(found)


def database_url_problem(call: ast.Call, names: dict[str, ast.expr]) -> str | None:
    """What is wrong with the URL argument, or None when it follows 1.1 and 2.1."""
    argument = call.args[0] if call.args else keyword(call, "url")
    if argument is None:
        return "no URL is given"
    read = env_read(argument, names)
    if read is None:
        value = literal(argument, names)
        if isinstance(value, str):
            return f"the URL is written in the code ({_redacted(value)}); read DATABASE_URL"
        if isinstance(followed(argument, names), ast.JoinedStr):
            return "the URL is assembled in the code; read it whole from DATABASE_URL"
        return None  # a settings object or similar: nothing to say statically
    if read.key != "DATABASE_URL":
        return f"the URL comes from {read.key or 'a computed variable'!s}, not DATABASE_URL"
    if not read.has_default:
        return "DATABASE_URL has no default (the standard's is the local compose database)"
    default = literal(read.default, names)
    if not isinstance(default, str):
        return None
    scheme = default.split("://", 1)[0] if "://" in default else default
    if scheme != DRIVER:
        return (
            f"the default URL uses the {scheme!r} driver; the standard's is {DRIVER}:// "
            "(psycopg 3, not psycopg2)"
        )
    return None


def pool_problems(call: ast.Call, names: dict[str, ast.expr]) -> list[str]:
    problems = []
    for setting in POOL_SETTINGS:
        problem = _pool_problem(setting, keyword(call, setting.keyword), names)
        if problem:
            problems.append(problem)
    ping = keyword(call, "pool_pre_ping")
    if ping is None:
        problems.append("pool_pre_ping is not set (it must be True)")
    elif literal(ping, names) is not True:
        problems.append("pool_pre_ping is not True")
    return problems


def _pool_problem(setting: PoolSetting, value: ast.expr | None, names) -> str | None:
    name, variable = setting.keyword, setting.variable
    if value is None:
        return f"{name} is not set (from {variable}, default {setting.default})"
    read = env_read(value, names)
    if read is None:
        constant = literal(value, names)
        if constant is ...:
            return None  # computed some other way: nothing to say statically
        return f"{name} is fixed at {constant!r}; read {variable} (default {setting.default})"
    if read.key != variable:
        return f"{name} comes from {read.key or 'a computed variable'}, not {variable}"
    default = literal(read.default, names)
    if not read.has_default:
        return f"{variable} has no default (the standard's is {setting.default})"
    if default is not ... and str(default) != str(setting.default):
        return f"{variable} defaults to {default!r}, not {setting.default}"
    return None


def _redacted(url: str) -> str:
    """Never repeat a password into CI logs."""
    if "://" in url and "@" in url:
        scheme, rest = url.split("://", 1)
        credentials, host = rest.rsplit("@", 1)
        user = credentials.split(":", 1)[0]
        return f"{scheme}://{user}:***@{host}"
    return url
