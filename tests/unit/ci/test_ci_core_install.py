"""`ppl` runs where only its core dependencies are installed (as in a pre-commit hook environment or a CI job
that installs the package alone): the optional extras are needed only by the commands that use them."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

from ppl.commands import sql as sql_command
from runtime import sql

ROOT = Path(__file__).resolve().parents[3]
EXTRAS = ("sqlglot", "duckdb", "fastapi", "uvicorn", "starlette", "prometheus_client", "markdown", "psycopg",
          "psycopg_pool", "httpx")
WITHOUT_EXTRAS = textwrap.dedent(f"""\
    import importlib.abc, sys

    class NotInstalled(importlib.abc.MetaPathFinder):
        def find_spec(self, name, path, target=None):
            if name.split(".")[0] in {EXTRAS!r}:
                raise ModuleNotFoundError(f"No module named {{name!r}}", name=name)
            return None

    sys.meta_path.insert(0, NotInstalled())
    from ppl.cli import main
    sys.exit(main(sys.argv[1:]))
""")


def _ppl_without_extras(*argv: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", WITHOUT_EXTRAS, *argv], cwd=ROOT, capture_output=True, text=True,
                          check=False)


def test_check_and_test_run_without_the_optional_extras() -> None:
    done = _ppl_without_extras("check", "programs/")
    assert done.returncode == 0, done.stderr
    done = _ppl_without_extras("test", "programs/tests/saas_reseller.tests.yaml")
    assert done.returncode == 0, done.stderr


def test_sql_without_its_extra_says_what_to_install() -> None:
    done = _ppl_without_extras("sql", "programs/ad_agency.yaml")
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr == "ppl sql: `ppl sql` needs the `sql` extra (sqlglot is not installed): " \
                          "pip install 'ppl[sql]'\n"


def test_the_dialects_ppl_sql_offers_are_those_of_the_sql_back_end() -> None:
    assert sql_command.DIALECTS == sql.DIALECTS
