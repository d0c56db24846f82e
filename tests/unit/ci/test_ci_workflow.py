"""The GitHub Actions workflow of docs/examples/ppl-review.yml, run: each `run:` step's shell in a repository of
programs with a pull request on it, as the runner would run it.

What a runner provides is stood in for: `${{ … }}` expressions come from a small table (an expression not in it
fails the test), `actions/checkout` is the repository the test makes (a clone, so `origin/main` is there),
`actions/setup-python` is this Python, the install step is replaced by a `ppl` that runs this tree, and `gh` is a
stub that records its arguments and the comment it was given.
"""

from __future__ import annotations

import os
import re
import shlex
import stat
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from ppl import commands
from tests.unit.ci._ci_repos import ROOT, clean_env, commit_all, git, out_of_layout, programs_repo

WORKFLOW_FILE = ROOT / "docs" / "examples" / "ppl-review.yml"
WORKFLOW: dict[Any, Any] = yaml.safe_load(WORKFLOW_FILE.read_text(encoding="utf-8"))
EXPRESSIONS = {"github.base_ref": "main", "github.event.pull_request.number": "7",
               "github.token": "token-of-the-run"}
NO_DIFF = "diff" not in commands.BY_NAME
DIFF_STEP = "Post what changed as a comment"
CHECK, TEST, LAYOUT = "Check the programs", "Test the programs", "Check the layout"
BROKEN = ROOT / "examples" / "broken_reseller.yaml"


@dataclass(frozen=True, slots=True)
class StepRun:
    """One `run:` step as run: its name, exit status and output (standard output and error together)."""

    name: str
    status: int
    output: str


def _job() -> dict[str, Any]:
    [job] = WORKFLOW["jobs"].values()
    assert isinstance(job, dict)
    return job


def _substitute(text: str) -> str:
    """`${{ expression }}` replaced as the runner would, from the table."""
    def value(match: re.Match[str]) -> str:
        expression = match.group(1).strip()
        assert expression in EXPRESSIONS, f"no value for the expression `{expression}` in the test's table"
        return EXPRESSIONS[expression]

    return re.sub(r"\$\{\{(.*?)\}\}", value, text)


def _tools(bin_dir: Path, record: Path) -> None:
    """`ppl` running this tree, and a `gh` that records its arguments and the body file it was given."""
    bin_dir.mkdir()
    ppl = bin_dir / "ppl"
    ppl.write_text(f"#!/bin/sh\nPYTHONPATH={shlex.quote(str(ROOT))} exec {shlex.quote(sys.executable)} "
                   f"-m ppl.cli \"$@\"\n", encoding="utf-8")
    gh = bin_dir / "gh"
    gh.write_text(f"""#!/bin/bash
record={shlex.quote(str(record))}
printf '%s\\n' "gh $*" >> "$record.args"
while [ $# -gt 0 ]; do
  if [ "$1" = --body-file ]; then cat "$2" >> "$record.body"; shift; fi
  shift
done
""", encoding="utf-8")
    for tool in (ppl, gh):
        tool.chmod(tool.stat().st_mode | stat.S_IXUSR)


def run_workflow(project: Path, tools: Path, skip: frozenset[str] = frozenset()) -> list[StepRun]:
    """Run the job's `run:` steps in order, in the project, until one fails (as the runner does)."""
    job = _job()
    shell = job["defaults"]["run"]["shell"]
    assert shell == "bash"  # the runner runs it as `bash --noprofile --norc -eo pipefail {0}`
    env = clean_env(PATH=f"{tools}{os.pathsep}{os.environ['PATH']}", GITHUB_ACTIONS="true", CI="true",
                    GITHUB_BASE_REF="main", GITHUB_EVENT_NAME="pull_request")
    env.update({k: _substitute(str(v)) for k, v in job["env"].items()})
    done: list[StepRun] = []
    for step in job["steps"]:
        if "run" not in step or step.get("id") == "install" or step.get("name") in skip:
            continue
        assert "if" not in step, "the runner stand-in does not evaluate `if:`"
        script = project.parent / "step.sh"
        script.write_text(_substitute(step["run"]), encoding="utf-8")
        step_env = {**env, **{k: _substitute(str(v)) for k, v in step.get("env", {}).items()}}
        result = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script)], cwd=project,
                                env=step_env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                                timeout=300, check=False)
        done.append(StepRun(step["name"], result.returncode, result.stdout))
        if result.returncode != 0:
            break
    return done


@pytest.fixture
def pull_request(tmp_path: Path) -> Path:
    """A clone of a repository of programs (its `main` is `origin/main`), on a branch with one commit that
    changes the program's title, checked out as a pull request is."""
    origin = programs_repo(tmp_path / "origin")
    project = tmp_path / "project"
    git(tmp_path, "clone", "-q", str(origin), str(project))
    git(project, "checkout", "-q", "-b", "retitle")
    program = project / "programs" / "saas_reseller.yaml"
    program.write_text(program.read_text(encoding="utf-8").replace(
        "en: CloudNote Partner Program", "en: CloudNote Partner Program 2027"), encoding="utf-8")
    commit_all(project, "retitle the program")
    return project


@pytest.fixture
def tools(tmp_path: Path) -> Path:
    _tools(tmp_path / "bin", tmp_path / "gh")
    return tmp_path / "bin"


def test_the_workflow_runs_on_pull_requests_that_touch_programs() -> None:
    triggers = WORKFLOW.get("on", WORKFLOW.get(True))  # YAML 1.1 reads the key `on` as true
    assert triggers == {"pull_request": {"paths": ["programs/**"]}}
    assert WORKFLOW["permissions"] == {"contents": "read", "pull-requests": "write"}
    steps = _job()["steps"]
    assert steps[0]["uses"].startswith("actions/checkout@") and steps[0]["with"]["fetch-depth"] == 0
    runs = [step["run"] for step in steps if "run" in step]
    assert 'ppl check --format github "$PROGRAMS"' in runs
    assert 'ppl test "$PROGRAMS" --threshold "$THRESHOLD"' in runs
    assert 'ppl fmt --check --diff "$PROGRAMS"' in runs
    assert any('ppl diff "$file" --rev "$BASE" --format markdown' in run and "gh pr comment" in run for run in runs)


@pytest.mark.skipif(NO_DIFF, reason="`ppl diff` is not a command of ppl yet; the comment step runs it")
def test_a_good_pull_request_passes_and_its_diff_is_posted(pull_request: Path, tools: Path) -> None:
    steps = run_workflow(pull_request, tools)
    assert [(s.name, s.status) for s in steps] == [(CHECK, 0), (DIFF_STEP, 0), (TEST, 0), (LAYOUT, 0)], steps
    args = (tools.parent / "gh.args").read_text(encoding="utf-8")
    assert args == "gh pr comment 7 --edit-last --create-if-none --body-file ppl-diff.md\n"
    body = (tools.parent / "gh.body").read_text(encoding="utf-8")
    assert body.startswith("## Program changes against `main`\n")
    assert "### Semantic changes to `cloudnote-partners`" in body
    assert "| title | `{en: CloudNote Partner Program, " in body and "`{en: CloudNote Partner Program 2027, " in body


def test_a_good_pull_request_passes_the_check_and_the_tests(pull_request: Path, tools: Path) -> None:
    steps = run_workflow(pull_request, tools, skip=frozenset({DIFF_STEP}))
    assert [(s.name, s.status) for s in steps] == [(CHECK, 0), (TEST, 0), (LAYOUT, 0)], steps
    check, test, _ = steps
    assert check.output == "" and test.output.rstrip().splitlines()[-1].endswith(" passed, 0 failed")


def test_a_broken_program_fails_the_check_with_an_annotation_on_its_line(pull_request: Path, tools: Path) -> None:
    (pull_request / "programs" / "broken.yaml").write_bytes(BROKEN.read_bytes())
    commit_all(pull_request, "a broken program")
    steps = run_workflow(pull_request, tools)
    assert [(s.name, s.status) for s in steps] == [(CHECK, 1)], steps
    assert ("::error file=programs/broken.yaml,line=43,col=49,endLine=43,endColumn=75,title=E302::in tier "
            "`gold`: qualification: unknown field `partner.certifed_engineers`%0Adid you mean "
            "`partner.certified_engineers`?") in steps[0].output.splitlines()
    assert not (tools.parent / "gh.args").exists()


def test_an_untested_program_fails_the_tests_at_the_threshold(pull_request: Path, tools: Path) -> None:
    (pull_request / "programs" / "agency.yaml").write_bytes((ROOT / "programs" / "ad_agency.yaml").read_bytes())
    commit_all(pull_request, "a program without tests")
    steps = run_workflow(pull_request, tools, skip=frozenset({DIFF_STEP}))
    assert [(s.name, s.status) for s in steps] == [(CHECK, 0), (TEST, 1)], steps
    assert "ppl test: coverage of `newswave-agencies` is 0%, below the threshold of 80% (no test file names " \
           "programs/agency.yaml)" in steps[-1].output


def test_a_program_out_of_layout_fails_the_last_step_with_the_diff(pull_request: Path, tools: Path) -> None:
    out_of_layout(pull_request / "programs" / "saas_reseller.yaml")
    commit_all(pull_request, "the program in its own layout")
    steps = run_workflow(pull_request, tools, skip=frozenset({DIFF_STEP}))
    assert [(s.name, s.status) for s in steps] == [(CHECK, 0), (TEST, 0), (LAYOUT, 1)], steps
    assert "--- programs/saas_reseller.yaml\n+++ programs/saas_reseller.yaml (formatted)" in steps[-1].output
