"""docs/architecture.md lists every module of the five packages, and only modules that exist."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PAGE = ROOT / "docs" / "architecture.md"
PACKAGES = ("policy_lang", "compiler", "runtime", "program_tests", "ppl")


def _owns_block() -> str:
    """The text block under "What each package owns"."""
    text = PAGE.read_text(encoding="utf-8")
    section = text.split("## What each package owns", 1)[1]
    found = re.search(r"```text\n(.*?)```", section, re.DOTALL)
    assert found is not None, "docs/architecture.md: no ```text block under `What each package owns`"
    return found.group(1)


def documented_modules(block: str) -> set[str]:
    """Module paths the block names: a `name/` line opens a package at its depth (two spaces a level), and
    the names before a line's description (`a.py, b.py  what they do`) are modules of the package above."""
    stack: list[str] = []
    found: set[str] = set()
    for line in block.splitlines():
        if not line.strip():
            continue
        depth = (len(line) - len(line.lstrip(" "))) // 2
        names = re.split(r" {2,}", line.strip(), maxsplit=1)[0]
        for name in names.split(", "):
            if name.endswith("/"):
                stack = [*stack[:depth], name.removesuffix("/")]
            elif name.endswith(".py"):
                assert depth >= 1 and len(stack) >= depth, f"module `{name}` outside a package: {line!r}"
                found.add("/".join([*stack[:depth], name]))
    return found


def actual_modules() -> set[str]:
    """Every module of the packages (in directories that are packages), but their `__init__.py`."""
    found: set[str] = set()
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            if path.name != "__init__.py" and (path.parent / "__init__.py").exists():
                found.add(path.relative_to(ROOT).as_posix())
    return found


def test_architecture_page_lists_every_module_and_no_other() -> None:
    documented, actual = documented_modules(_owns_block()), actual_modules()
    assert not actual - documented, f"modules missing from docs/architecture.md: {sorted(actual - documented)}"
    assert not documented - actual, f"docs/architecture.md names modules that do not exist: " \
                                    f"{sorted(documented - actual)}"


def test_the_parser_reads_packages_and_module_lists() -> None:
    block = "runtime/            core\n  ir.py               data\n  engine/             exprs\n" \
            "    a.py, _b.py  both\nppl/  cli\n  cli.py  main\n"
    assert documented_modules(block) == {"runtime/ir.py", "runtime/engine/a.py", "runtime/engine/_b.py",
                                         "ppl/cli.py"}
