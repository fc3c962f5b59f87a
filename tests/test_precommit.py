"""A real pre-commit run: the hooks of this checkout, as the README tells users to add them.

pre-commit installs a hook repository from a git revision, so the session builds a
throwaway repository from the current working tree (not the last commit of this checkout)
and the README's snippet is pointed at it. The hook environment is created once per
session in a private PRE_COMMIT_HOME; pip resolves modelsync's dependencies as configured
on this machine.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.conftest import EXAMPLE, REPO, run_cli

pytestmark = pytest.mark.timeout(600)

# What a hook repository needs: the package, its templates, and what the build reads.
HOOK_REPO_FILES = ("tool", "templates", "pyproject.toml", "README.md", ".pre-commit-hooks.yaml")
SNIPPET_REPO = "https://github.com/OWNER/modelsync"


def readme_block(heading: str, language: str = "yaml") -> str:
    """The first fenced block of ``language`` under a README heading."""
    text = (REPO / "README.md").read_text(encoding="utf-8")
    section = text[text.index(f"## {heading}") :]
    match = re.search(rf"```{language}\n(.*?)```", section, re.DOTALL)
    assert match, f"no {language} block under {heading}"
    return match.group(1)


def git(cwd: Path, *args: str, env: dict[str, str], check: bool = True):
    return subprocess.run(
        ["git", *args], cwd=cwd, env=env, capture_output=True, text=True, check=check
    )


@pytest.fixture(scope="session")
def hook_env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    base = tmp_path_factory.mktemp("precommit")
    (base / "gitconfig").write_text("[init]\n\tdefaultBranch = main\n")
    env = {
        **os.environ,
        "PRE_COMMIT_HOME": str(base / "cache"),
        "GIT_CONFIG_GLOBAL": str(base / "gitconfig"),
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_AUTHOR_NAME": "test",
        "GIT_AUTHOR_EMAIL": "test@example.invalid",
        "GIT_COMMITTER_NAME": "test",
        "GIT_COMMITTER_EMAIL": "test@example.invalid",
        # pre-commit itself runs from this virtualenv; the hooks get their own.
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
    }
    env.pop("VIRTUAL_ENV", None)
    checkout = base / "modelsync"
    checkout.mkdir()
    for name in HOOK_REPO_FILES:
        source = REPO / name
        if source.is_dir():
            shutil.copytree(source, checkout / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(source, checkout / name)
    git(checkout, "init", "-q", env=env)
    git(checkout, "add", ".", env=env)
    git(checkout, "commit", "-q", "-m", "snapshot of the working tree", env=env)
    env["HOOK_REPO"] = str(checkout)
    env["HOOK_REV"] = git(checkout, "rev-parse", "HEAD", env=env).stdout.strip()
    return env


@pytest.fixture(scope="module")
def adopted(tmp_path_factory: pytest.TempPathFactory, hook_env: dict[str, str]) -> Path:
    """The example in a git repository whose hooks are the README's snippet, installed.

    One repository for the module (each commit runs three hooks, which takes a while);
    ``project`` hands each test a clean checkout of that first commit."""
    root = tmp_path_factory.mktemp("project") / "interview"
    shutil.copytree(EXAMPLE, root)
    snippet = readme_block("As a pre-commit hook")
    assert SNIPPET_REPO in snippet
    config = re.sub(r"rev: \S+", f"rev: {hook_env['HOOK_REV']}", snippet)
    (root / ".pre-commit-config.yaml").write_text(
        config.replace(SNIPPET_REPO, hook_env["HOOK_REPO"])
    )
    git(root, "init", "-q", env=hook_env)
    run_pre_commit(root, hook_env, "install")
    # The mirror is made by generate once, as a team adopting the hook would do (the
    # example's hand-written one is replaced by a fresh one with the standard's engine).
    (root / "ai-worker" / "db.py").unlink()
    subprocess.run(
        [sys.executable, "-m", "modelsync", "generate", "--root", str(root)],
        check=True, capture_output=True,
    )  # fmt: skip
    git(root, "add", ".", env=hook_env)
    first = git(root, "commit", "-m", "adopt modelsync", env=hook_env, check=False)
    assert first.returncode == 0, first.stdout + first.stderr
    return root


@pytest.fixture
def project(adopted: Path, hook_env: dict[str, str]) -> Path:
    # Back to the adopting commit: a test's own commits must not reach the next test.
    first = git(adopted, "rev-list", "--max-parents=0", "HEAD", env=hook_env).stdout.split()[0]
    git(adopted, "reset", "-q", "--hard", first, env=hook_env)
    git(adopted, "clean", "-q", "-fdx", env=hook_env)
    return adopted


def run_pre_commit(root: Path, env: dict[str, str], *args: str):
    result = subprocess.run(
        [sys.executable, "-m", "pre_commit", *args], cwd=root, env=env, capture_output=True,
        text=True,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    return result


def commit(root: Path, env: dict[str, str], message: str) -> subprocess.CompletedProcess[str]:
    git(root, "add", ".", env=env)
    return git(root, "commit", "-m", message, env=env, check=False)


def test_the_readme_snippet_names_the_hooks_this_checkout_defines() -> None:
    snippet = yaml.safe_load(readme_block("As a pre-commit hook"))
    ids = [hook["id"] for repo in snippet["repos"] for hook in repo["hooks"]]
    defined = [hook["id"] for hook in yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text())]
    assert ids == ["modelsync-check", "modelsync-generate", "modelsync-lint"]
    assert set(ids) <= set(defined)


def test_drift_is_rejected_then_generate_makes_the_commit_pass(
    project: Path, hook_env: dict[str, str]
) -> None:
    models = project / "backend-core" / "models.py"
    text = models.read_text(encoding="utf-8")
    anchor = "    last_login_at: Optional[datetime] = None\n"
    models.write_text(text.replace(anchor, anchor + "    nickname: Optional[str] = None\n"))

    rejected = commit(project, hook_env, "add users.nickname")
    output = rejected.stdout + rejected.stderr
    assert rejected.returncode != 0
    assert re.search(r"modelsync check\.+Failed", output), output
    assert "MS201 [column_missing] column users.nickname is missing from the target" in output
    assert "files were modified by this hook" in output  # generate refreshed the mirror
    assert "nickname: Optional[str] = None" in (project / "ai-worker" / "db.py").read_text()

    # The mirror is in step now, but the model change still has no migration.
    pending = commit(project, hook_env, "add users.nickname")
    output = pending.stdout + pending.stderr
    assert pending.returncode != 0
    assert "MS701 [migration_missing] table users changed since 001_init.sql" in output

    written = run_cli("migration", "add nickname", "--root", project)
    assert written.returncode == 0, written.stderr
    assert (project / "infra" / "postgres" / "migrations" / "002_add_nickname.sql").is_file()
    accepted = commit(project, hook_env, "add users.nickname")
    assert accepted.returncode == 0, accepted.stdout + accepted.stderr
    assert re.search(r"modelsync lint\.+Passed", accepted.stdout + accepted.stderr)


def test_a_second_migration_with_the_same_number_is_rejected_by_lint(
    project: Path, hook_env: dict[str, str]
) -> None:
    migrations = project / "infra" / "postgres" / "migrations"
    (migrations / "002_y.sql").write_text("ALTER TABLE users ADD COLUMN y text;\n")
    assert commit(project, hook_env, "002_y").returncode == 0

    (migrations / "002_x.sql").write_text("ALTER TABLE users ADD COLUMN x text;\n")
    rejected = commit(project, hook_env, "002_x")
    output = rejected.stdout + rejected.stderr
    assert rejected.returncode != 0
    assert re.search(r"modelsync lint\.+Failed", output)
    assert (
        "infra/postgres/migrations/002_y.sql: MS842 [migration-number] "
        "002_y.sql and 002_x.sql both have number 002"
    ) in output
    assert re.search(r"modelsync check\.+\(no files to check\)Skipped", output)


def test_the_repositorys_own_hooks_pass_on_the_example(
    tmp_path: Path, hook_env: dict[str, str]
) -> None:
    """The dogfood hooks of .pre-commit-config.yaml (the local ones: the others are fetched
    from the network) run on a copy of the example, as on a commit that touches it."""
    config = yaml.safe_load((REPO / ".pre-commit-config.yaml").read_text(encoding="utf-8"))
    local = [repo for repo in config["repos"] if repo["repo"] == "local"]
    ids = [hook["id"] for repo in local for hook in repo["hooks"]]
    assert ids == ["modelsync-check", "modelsync-lint", "modelsync-generate"]
    root = tmp_path / "repo"
    shutil.copytree(EXAMPLE, root / "examples" / "interview")
    (root / "local.yaml").write_text(yaml.safe_dump({"repos": local}))
    git(root, "init", "-q", env=hook_env)
    git(root, "add", ".", env=hook_env)
    result = subprocess.run(
        [sys.executable, "-m", "pre_commit", "run", "--config", "local.yaml", "--all-files"],
        cwd=root, env=hook_env, capture_output=True, text=True,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.count("Passed") == 3
    # nothing was written into the example
    assert git(root, "diff", "--stat", env=hook_env).stdout == ""


@pytest.mark.parametrize(
    ("path", "check", "lint"),
    [
        ("backend-core/models.py", True, True),
        ("ai-worker/db.py", True, True),
        ("backend-core/database.py", False, True),
        ("infra/postgres/migrations/002_x.sql", False, True),
        ("pyproject.toml", True, True),
        ("ai-worker/requirements-dev.txt", True, True),
        ("uv.lock", True, True),
        ("backend-core/poetry.lock", True, True),
        ("README.md", False, False),
        ("backend-core/api.py", False, False),
        ("docs/queries.sql", False, False),
    ],
)
def test_the_hooks_files_patterns_cover_the_standard_layout(path: str, check: bool, lint: bool):
    hooks = {h["id"]: h for h in yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text())}
    # pre-commit matches `files:` with re.search on the repository-relative path
    assert bool(re.search(hooks["modelsync-check"]["files"], path)) is check
    assert bool(re.search(hooks["modelsync-generate"]["files"], path)) is check
    assert bool(re.search(hooks["modelsync-lint"]["files"], path)) is lint
