"""Git repositories for the CI tests: a snapshot of this repository as it stands, and a repository of programs."""

from __future__ import annotations

import contextlib
import io
import os
import shutil
import subprocess
from collections.abc import Mapping
from pathlib import Path

from ppl.cli import main

ROOT = Path(__file__).resolve().parents[3]
GIT_IDENTITY = {"GIT_AUTHOR_NAME": "Program Designer", "GIT_AUTHOR_EMAIL": "designer@example.com",
                "GIT_COMMITTER_NAME": "Program Designer", "GIT_COMMITTER_EMAIL": "designer@example.com",
                "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"}


def clean_env(**extra: str) -> dict[str, str]:
    """The environment of a child process: no PYTHONPATH or virtualenv of the test run, a fixed git identity."""
    env = {k: v for k, v in os.environ.items()
           if k not in ("PYTHONPATH", "VIRTUAL_ENV", "PRE_COMMIT_HOME", "SKIP") and not k.startswith("GIT_")}
    return {**env, **GIT_IDENTITY, **extra}


def git(repo: Path, *args: str, env: Mapping[str, str] | None = None) -> str:
    """Run git in a repository and return what it printed (a failure raises, with git's message)."""
    done = subprocess.run(["git", *args], cwd=repo, env=dict(env or clean_env()), capture_output=True, text=True,
                          check=False)
    assert done.returncode == 0, f"git {' '.join(args)}: {done.stderr}"
    return done.stdout


def commit_all(repo: Path, message: str) -> str:
    """Stage every file of the repository, commit, and return the commit's id."""
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "--no-verify", "-m", message)
    return git(repo, "rev-parse", "HEAD").strip()


def new_repo(path: Path) -> Path:
    """An empty git repository on branch `main`."""
    path.mkdir(parents=True, exist_ok=True)
    git(path, "init", "-q", "-b", "main")
    return path


def snapshot_of_this_repo(path: Path) -> tuple[Path, str]:
    """This repository's working tree as it stands (committed or not, less what git ignores) committed in a new
    repository: a fixed revision for `pre-commit try-repo`, whose hook environment is then built once."""
    listed = git(ROOT, "ls-files", "-z", "--cached", "--others", "--exclude-standard").split("\0")
    repo = new_repo(path)
    for name in filter(None, listed):
        source = ROOT / name
        if source.is_file():
            (repo / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, repo / name)
    return repo, commit_all(repo, "snapshot")


def programs_repo(path: Path) -> Path:
    """A repository of programs: the CloudNote program (in the layout of `ppl fmt`) and its tests under programs/,
    committed on `main`."""
    repo = new_repo(path)
    (repo / "programs" / "tests").mkdir(parents=True)
    program = repo / "programs" / "saas_reseller.yaml"
    shutil.copy(ROOT / "programs" / "saas_reseller.yaml", program)
    shutil.copy(ROOT / "programs" / "tests" / "saas_reseller.tests.yaml",
                repo / "programs" / "tests" / "saas_reseller.tests.yaml")
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        assert main(["fmt", str(program)]) == 0
    commit_all(repo, "the CloudNote program and its tests")
    return repo


def out_of_layout(program: Path) -> None:
    """Put two keys of the CloudNote program's solution-partner contract out of the canonical order."""
    text = program.read_text(encoding="utf-8")
    canonical = "    ladder: annual-volume\n    services: transaction.services_amount\n"
    assert canonical in text
    swapped = "    services: transaction.services_amount\n    ladder: annual-volume\n"
    program.write_text(text.replace(canonical, swapped), encoding="utf-8")
