"""The pre-commit hooks of .pre-commit-hooks.yaml, run the way a repository of programs runs them: through
`pre-commit try-repo`, which installs this repository into a hook environment with pip and runs `ppl` from it.

`try-repo` builds the hook environment afresh in a store of its own on every run (pip's cache makes the second
build quicker), so the test makes two runs: one on a good program, one after a bad program is added. Both use one
snapshot of this repository (a fixed revision) and one PRE_COMMIT_HOME per session, so nothing is written to the
user's pre-commit cache.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from tests.unit.ci._ci_repos import ROOT, clean_env, commit_all, out_of_layout, programs_repo, snapshot_of_this_repo

HOOKS = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def hook_repo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, str, Path]]:
    """This repository at one revision, and the session's PRE_COMMIT_HOME."""
    base = tmp_path_factory.mktemp("pre-commit")
    repo, rev = snapshot_of_this_repo(base / "ppl")
    yield repo, rev, base / "home"
    shutil.rmtree(base, ignore_errors=True)


def try_repo(hook_repo: tuple[Path, str, Path], project: Path) -> subprocess.CompletedProcess[str]:
    """`pre-commit try-repo` of this repository in a project: every hook, on every file."""
    repo, rev, home = hook_repo
    return subprocess.run([sys.executable, "-m", "pre_commit", "try-repo", str(repo), "--ref", rev, "--all-files",
                           "--color", "never"], cwd=project, env=clean_env(PRE_COMMIT_HOME=str(home)),
                          capture_output=True, text=True, timeout=900, check=False)


def test_the_hooks_are_check_fmt_and_test_on_programs() -> None:
    by_id = {hook["id"]: hook for hook in HOOKS}
    assert list(by_id) == ["ppl-check", "ppl-fmt", "ppl-test"]
    assert [by_id[h]["entry"] for h in by_id] == ["ppl check", "ppl fmt --check", "ppl test"]
    for hook in HOOKS:
        assert hook["language"] == "python" and hook["types"] == ["yaml"] and hook["files"] == "^programs/"
    assert by_id["ppl-test"]["pass_filenames"] is False
    assert by_id["ppl-test"]["args"] == ["--threshold=80", "programs/"]
    assert by_id["ppl-check"]["exclude"] == by_id["ppl-fmt"]["exclude"] == r"\.tests\.ya?ml$"


def test_the_hooks_pass_on_good_programs_and_fail_with_the_diagnostic_on_bad_ones(
        hook_repo: tuple[Path, str, Path], tmp_path: Path) -> None:
    project = programs_repo(tmp_path / "project")
    program = project / "programs" / "saas_reseller.yaml"
    good = try_repo(hook_repo, project)
    assert good.returncode == 0, good.stdout + good.stderr
    assert [_status(good.stdout, hook) for hook in ("ppl check", "ppl fmt --check", "ppl test")] == ["Passed"] * 3

    shutil.copy(ROOT / "examples" / "broken_reseller.yaml", project / "programs" / "broken.yaml")
    out_of_layout(program)
    commit_all(project, "a broken program, untested; the program out of layout")
    bad = try_repo(hook_repo, project)
    assert bad.returncode == 1, bad.stdout + bad.stderr
    assert [_status(bad.stdout, hook) for hook in ("ppl check", "ppl fmt --check", "ppl test")] == ["Failed"] * 3
    assert "programs/broken.yaml:43:49: error[E302]: in tier `gold`: qualification: unknown field " \
           "`partner.certifed_engineers`" in bad.stdout
    assert "would reformat programs/saas_reseller.yaml" in bad.stdout
    assert "ppl test: `programs/broken.yaml` has errors" in bad.stdout
    assert "1 untested program (0% covered): programs/broken.yaml" in bad.stdout


def _status(output: str, hook: str) -> str:
    """What pre-commit said of a hook: `Passed`, `Failed` or `Skipped`."""
    [line] = [line for line in output.splitlines() if line.startswith(hook + ".")]
    return line.rsplit(".", 1)[-1].strip()
