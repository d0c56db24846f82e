"""mkdocs hook: keep the YAML snippets in the docs identical to the programs they quote.

A fenced block whose title names a file under `programs/` is a quotation:

    ```yaml title="programs/ad_agency.yaml"
    hierarchy:
      model: nested
    ```

Its lines must appear in that file, in order and contiguously, possibly indented as a whole
(a snippet may quote a nested part). A line that holds only `# …` marks an elision: the parts
between elisions must each appear, in order. A quotation that no longer matches its program is
reported as a warning, which fails `mkdocs build --strict`.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from mkdocs.plugins import get_plugin_logger

ROOT = Path(__file__).resolve().parents[2]
log = get_plugin_logger("program_snippets")

_OPEN = re.compile(r"^(?P<indent> *)(?P<fence>`{3,}|~{3,})(?P<info>.*)$")
_TITLE = re.compile(r'title="(?P<title>[^"]+)"')
_ELISION = re.compile(r"^\s*# …\s*$")


def _blocks(markdown: str) -> list[tuple[int, str, list[str]]]:
    """Fenced blocks with a `programs/…` title: (line number, title, lines)."""
    found: list[tuple[int, str, list[str]]] = []
    lines = markdown.splitlines()
    i = 0
    while i < len(lines):
        m = _OPEN.match(lines[i])
        if not m:
            i += 1
            continue
        indent, fence = m["indent"], m["fence"]
        title = _TITLE.search(m["info"])
        body: list[str] = []
        j = i + 1
        while j < len(lines) and not lines[j].strip().startswith(fence[0] * len(fence)):
            body.append(lines[j][len(indent):] if lines[j].startswith(indent) else lines[j].lstrip())
            j += 1
        if title and title["title"].startswith("programs/"):
            found.append((i + 1, title["title"], body))
        i = j + 1
    return found


def _find(chunk: list[str], text: list[str], start: int) -> int | None:
    """Index just past the first place at or after `start` where `chunk` occurs, uniformly indented."""
    first = chunk[0]
    for k in range(start, len(text) - len(chunk) + 1):
        line = text[k]
        if not line.endswith(first):
            continue
        prefix = line[: len(line) - len(first)]
        if prefix.strip():
            continue
        if all((text[k + n] == "" if not want else text[k + n] == prefix + want) for n, want in enumerate(chunk)):
            return k + len(chunk)
    return None


def _chunks(body: list[str]) -> list[list[str]]:
    chunks: list[list[str]] = [[]]
    for line in body:
        if _ELISION.match(line):
            chunks.append([])
        else:
            chunks[-1].append(line)
    return [c for c in (_trim(c) for c in chunks) if c]


def _trim(lines: list[str]) -> list[str]:
    while lines and not lines[0].strip():
        lines = lines[1:]
    while lines and not lines[-1].strip():
        lines = lines[:-1]
    return lines


def check_quotation(title: str, body: list[str]) -> str | None:
    """Why a quotation does not match its program, or None when it does."""
    path = ROOT / title
    if not path.is_file():
        return f"`{title}` does not exist"
    text = path.read_text(encoding="utf-8").splitlines()
    position = 0
    for chunk in _chunks(body):
        found = _find(chunk, text, position)
        if found is None:
            return f"these lines are not in `{title}` (in this order): {chunk[0].strip()!r} …"
        position = found
    return None


def on_page_markdown(markdown: str, page: Any, config: Any, files: Any) -> str:
    """Warn about every quotation on the page that has drifted from its program."""
    for line, title, body in _blocks(markdown):
        problem = check_quotation(title, body)
        if problem:
            log.warning("%s:%d: quoted program snippet is out of date: %s", page.file.src_uri, line, problem)
    return markdown
