"""mkdocs hook: generate the partner guide of every program in `programs/`, in English and Japanese.

The pages are never written by hand nor committed. At build time each program is checked and
compiled, and `runtime.guides` renders its guide as Markdown from the rule set, exactly as
`ppl guide PROGRAM --format md` does:

    guides/<program file stem>/en.md
    guides/<program file stem>/ja.md

They are listed under the "Program guides" section of the navigation, after the pages that
`mkdocs.yml` already puts there. A program that does not compile is reported as a warning, which
fails `mkdocs build --strict`.
"""

from __future__ import annotations

import dataclasses
import functools
import sys
from pathlib import Path
from typing import Any

from mkdocs.plugins import get_plugin_logger
from mkdocs.structure.files import File, Files

ROOT = Path(__file__).resolve().parents[2]
PROGRAMS = ROOT / "programs"
SECTION = "Program guides"
LANGUAGES = (("en", "English"), ("ja", "日本語"))
log = get_plugin_logger("guides_pages")


def _import_path() -> None:
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))


@functools.cache
def _rulesets() -> tuple[tuple[str, Any], ...]:
    """(file stem, rule set) for every program that compiles, in file name order."""
    _import_path()
    from compiler.lower import compile_program
    from compiler.pipeline import check
    from policy_lang import diagnostics as dg

    found = []
    for path in sorted(PROGRAMS.glob("*.yaml")):
        relative = path.relative_to(ROOT).as_posix()
        result = check([str(path)])
        if dg.has_errors(result.diagnostics) or len(result.programs) != 1:
            log.warning("%s has errors; its guide is left out", relative)
            continue
        ruleset = dataclasses.replace(compile_program(result.programs[0]), source=relative)
        found.append((path.stem, ruleset))
    return tuple(found)


def _title(ruleset: Any) -> str:
    title: dict[str, str] = ruleset.title
    return title.get("en") or title.get("") or title.get("ja") or ruleset.program_id


def on_config(config: Any) -> Any:
    """List the generated guides under the "Program guides" section of the navigation."""
    _rulesets.cache_clear()
    nav = config["nav"]
    section = next((item for item in nav if isinstance(item, dict) and SECTION in item), None)
    if section is None:
        section = {SECTION: []}
        nav.append(section)
    entries = section[SECTION]
    if not isinstance(entries, list):
        entries = section[SECTION] = [entries]
    for stem, ruleset in _rulesets():
        entries.append({_title(ruleset): [{name: f"guides/{stem}/{lang}.md"} for lang, name in LANGUAGES]})
    return config


def on_files(files: Files, config: Any) -> Files:
    """Add the generated guide pages to the site."""
    _import_path()
    from runtime.guides import render_guide
    from runtime.loaded import Runtime

    for stem, ruleset in _rulesets():
        runtime = Runtime(ruleset)
        for lang, _ in LANGUAGES:
            path = f"guides/{stem}/{lang}.md"
            existing = files.get_file_from_path(path)
            if existing is not None:
                files.remove(existing)
            files.append(File.generated(config, path, content=render_guide(ruleset, lang, "md", runtime=runtime)))
    return files
