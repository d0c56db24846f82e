"""mkdocs hook: generate `diagnostics.md` from the diagnostic code registry.

The page is never written by hand. At build time it is produced from `policy_lang.codes.CODES`
(code, title, explanation) and, for each code, from the golden examples that exist:

    tests/golden/diagnostics/<CODE>*.yaml          the failing program
    tests/golden/diagnostics/<CODE>*.expected.txt  what `ppl check` prints for it
    tests/golden/diagnostics/<CODE>*.fix.md        how to fix it (Markdown)

Missing example files are skipped.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from mkdocs.structure.files import File, Files

ROOT = Path(__file__).resolve().parents[2]
GOLDEN = ROOT / "tests" / "golden" / "diagnostics"
PAGE = "diagnostics.md"

# Headings for the code ranges, in the order they appear on the page (see STYLE.md §5).
GROUPS: tuple[tuple[str, str, str], ...] = (
    ("E1", "E1xx: files, YAML and expression syntax", "The file could not be read as YAML, or an expression "
     "could not be parsed."),
    ("E2", "E2xx: program structure", "The YAML is well formed but does not have the structure of a program; "
     "these are the JSON Schema checks. A mistake leaves out only the construct that has it (an unknown key only "
     "the key), and the rest of the program is still checked in the same run."),
    ("E3", "E3xx: names, types and program semantics", "The structure is right, but a name, a type or the "
     "arithmetic of the program is wrong."),
    ("E4", "E4xx: dates and effective periods", "The versions of the program do not line up in time."),
    ("E5", "E5xx: runtime", "A transaction could not be evaluated."),
    ("W", "Warnings", "The program works, but probably not as intended. Warnings do not fail `ppl check` "
     "unless it runs with `--strict`."),
)

# A real rendering by `ppl check` (a misspelt field in programs/regional_trading.yaml).
_EXAMPLE_FIRST_LINE = ("programs/regional_trading.yaml:177:13: error[E302]: in conflict rule `exclusivity`: "
                       "condition: unknown field `partner.territroy`")

INTRO = """\
# Diagnostics

`ppl check` reports every problem it finds as a *diagnostic*: a location, a severity, a code, a
one-line message, the source line with the place marked, and often a hint.

```text
{example_first_line}
    |
177 |       when: partner.territroy == deal.region
    |             ^^^^^^^^^^^^^^^^^
   = hint: did you mean `partner.territory`?
```

Codes are stable: a code keeps its meaning and is never reused for something else, so scripts
and CI can match on it. Codes starting with `E` are errors; a program with an error is not
compiled. Codes starting with `W` are warnings. See [CLI](cli.md) for how errors and warnings
set the exit code.

This page is generated from the code registry, `policy_lang/codes.py`, each time the site is
built. Where a code has an example in `tests/golden/diagnostics/`, the example program, the
exact output of `ppl check` for it and the fix are shown below the explanation.
""".replace("{example_first_line}", _EXAMPLE_FIRST_LINE)


def _registry() -> Iterable[Any]:
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    from policy_lang.codes import CODES

    return CODES.values()


def _fence(text: str, lang: str) -> str:
    """A fenced code block that survives backticks inside the text."""
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    ticks = "`" * max(3, longest + 1)
    return f"{ticks}{lang}\n{text.rstrip()}\n{ticks}\n"


def _examples(code: str) -> dict[str, dict[str, Path]]:
    """Example files for one code, grouped by stem: {stem: {"yaml"|"expected"|"fix": path}}."""
    if not GOLDEN.is_dir():
        return {}
    starts = re.compile(rf"^{re.escape(code)}(?![0-9A-Za-z])")
    suffixes = ((".expected.txt", "expected"), (".fix.md", "fix"), (".yaml", "yaml"))
    found: dict[str, dict[str, Path]] = {}
    for path in sorted(GOLDEN.iterdir()):
        if not path.is_file() or not starts.match(path.name):
            continue
        for suffix, part in suffixes:
            if path.name.endswith(suffix):
                found.setdefault(path.name[: -len(suffix)], {})[part] = path
                break
    return found


def _read(path: Path) -> tuple[str, str | None]:
    """The text of an example file, and a note when it is not UTF-8 (the E100 examples are not, on purpose)."""
    data = path.read_bytes()
    try:
        return data.decode("utf-8-sig"), None
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp932"), "The file is saved in Shift_JIS, not UTF-8; it is shown here decoded."
    except UnicodeDecodeError:
        return data.decode("utf-8", errors="replace"), "The file is not valid UTF-8; undecodable bytes are shown as �."


def _render_examples(code: str) -> list[str]:
    out: list[str] = []
    examples = _examples(code)
    for stem in sorted(examples):
        parts = examples[stem]
        if "yaml" in parts:
            rel = parts["yaml"].relative_to(ROOT).as_posix()
            text, note = _read(parts["yaml"])
            out.append(f"**Example** (`{rel}`):\n")
            if note:
                out.append(f"{note}\n")
            out.append(_fence(text, "yaml"))
        if "expected" in parts:
            out.append("`ppl check` reports:\n")
            out.append(_fence(_read(parts["expected"])[0], "text"))
        if "fix" in parts:
            out.append("**How to fix it**\n")
            out.append(_read(parts["fix"])[0].rstrip() + "\n")
    return out


def render_page() -> str:
    """The Markdown text of the diagnostics page."""
    codes = sorted(_registry(), key=lambda c: (c.code[0] == "W", c.code))
    out = [INTRO]
    out.append("| Code | Severity | Title |\n|---|---|---|")
    for c in codes:
        severity = "warning" if c.code.startswith("W") else "error"
        out.append(f"| [{c.code}](#{c.code.lower()}) | {severity} | {c.title} |")
    out.append("")
    grouped = [(heading, blurb, [c for c in codes if c.code.startswith(prefix)])
               for prefix, heading, blurb in GROUPS]
    known = {c.code for _, _, members in grouped for c in members}
    grouped.append(("Other codes", "Codes outside the ranges above.", [c for c in codes if c.code not in known]))
    for heading, blurb, members in grouped:
        if not members:
            continue
        out.append(f"## {heading}\n\n{blurb}\n")
        for c in members:
            out.append(f"### {c.code}: {c.title} {{ #{c.code.lower()} }}\n")
            out.append(f"{c.explanation}\n")
            out.extend(_render_examples(c.code))
    return "\n".join(out)


def on_files(files: Files, config: Any) -> Files:
    """Add the generated diagnostics page to the site."""
    existing = files.get_file_from_path(PAGE)
    if existing is not None:
        files.remove(existing)
    files.append(File.generated(config, PAGE, content=render_page()))
    return files
