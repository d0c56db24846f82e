"""The layering: `import runtime` loads the core alone, and no module reaches into another package's private names.

The package-level contracts (runtime never imports the language or the compiler, the core never imports a wing)
are stated in `.importlinter` and checked by `lint-imports` in `make test`; these tests hold what it cannot see.
"""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("policy_lang", "compiler", "runtime", "ppl", "bench")
WINGS = ("jinja2", "duckdb", "sqlglot", "runtime.guides", "runtime.sql", "runtime.store", "runtime.io")


def _modules_after(statement: str) -> set[str]:
    """The names in `sys.modules` after running a statement in a fresh interpreter on this tree."""
    code = f"{statement}; import sys; print('\\n'.join(sorted(sys.modules)))"
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True)
    return set(done.stdout.split())


def _wings_in(modules: set[str]) -> list[str]:
    return sorted(m for m in modules if any(m == w or m.startswith(w + ".") for w in WINGS))


def test_importing_runtime_loads_no_wing() -> None:
    assert _wings_in(_modules_after("import runtime")) == []


def test_loading_a_rule_set_loads_no_wing() -> None:
    """What a service that quotes imports: the package, the artifact codec and the loaded runtime."""
    assert _wings_in(_modules_after("import runtime, runtime.ir_json, runtime.loaded, runtime.decisions")) == []


def test_the_runtime_face_keeps_its_names() -> None:
    import runtime

    for name in ("load", "loads", "RuleSet", "Runtime", "ArtifactError", "render_guide"):
        assert name in dir(runtime)
        assert getattr(runtime, name) is not None
    with pytest.raises(AttributeError):
        _ = runtime.no_such_name


# --- private names ---------------------------------------------------------------------------------------------


def _is_private(name: str) -> bool:
    return name.startswith("_") and not name.startswith("__")


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _package_of(path: Path) -> str:
    """The package a file's code belongs to (`runtime.sql` for runtime/sql/_run.py and runtime/sql/__init__.py)."""
    return ".".join(path.parent.relative_to(ROOT).parts)


def _is_package(dotted: str) -> bool:
    return (ROOT.joinpath(*dotted.split(".")) / "__init__.py").is_file()


def _owner(dotted: str) -> str | None:
    """The package that owns the first private part of a dotted name, or None when no part is private.

    `runtime.io._parquet` and `runtime.io._parquet.read` belong to `runtime.io`;
    `runtime.decisions.quote._is_rate` belongs to `runtime.decisions` (the package of `quote`).
    """
    parts = dotted.split(".")
    for i, part in enumerate(parts):
        if _is_private(part):
            prefix = ".".join(parts[:i])
            return prefix if _is_package(prefix) else prefix.rpartition(".")[0]
    return None


def _imported(tree: ast.AST) -> Iterator[tuple[int, str]]:
    """Every dotted name a module imports, with its line (`from a.b import c` gives `a.b.c`)."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from ((node.lineno, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield from ((node.lineno, f"{node.module}.{alias.name}") for alias in node.names)


def _private_imports_across_packages() -> Iterator[str]:
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            importer = _package_of(path)
            for line, dotted in _imported(ast.parse(path.read_text(encoding="utf-8"))):
                if dotted.split(".")[0] not in PACKAGES:
                    continue
                owner = _owner(dotted)
                if owner is not None and importer != owner and not importer.startswith(owner + "."):
                    yield f"{path.relative_to(ROOT)}:{line}: {dotted} is private to {owner}"


def test_no_module_imports_a_private_name_of_another_package() -> None:
    assert list(_private_imports_across_packages()) == []


@pytest.mark.parametrize(("dotted", "owner"), [
    ("runtime.io._parquet", "runtime.io"),
    ("runtime.io._parquet.read", "runtime.io"),
    ("runtime.decisions.quote._is_rate", "runtime.decisions"),
    ("runtime.decisions._pricing.chain_of", "runtime.decisions"),
    ("runtime._frozen.dataclass", "runtime"),
    ("runtime.ir.RuleSet", None),
])
def test_a_private_name_belongs_to_the_package_that_defines_it(dotted: str, owner: str | None) -> None:
    assert _owner(dotted) == owner
