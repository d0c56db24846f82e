"""`format_text`: a program file's text → the same program in the canonical layout.

The layout: keys in the order of `KEY_ORDER` (unknown keys after the known ones, in their own order),
block style with two spaces a level (a flow collection written on one line, such as
`{en: …, ja: …}` or `[a, b]`, stays on its line), scalars exactly as written, comments on the keys
they belong to, runs of blank lines as one, no trailing spaces and one final newline.

A file that does not load as YAML is left as it is, with the loader's diagnostics. So is a file whose top
level is not a mapping (not a program), with the checker's diagnostic. The formatted text
is loaded again by the checker's loader and compared with the source, value by value and
plain-or-quoted; if they differ (a layout the formatter cannot reproduce), the file is left as it is
with E588.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import yaml
from ruamel.yaml.error import YAMLError

from policy_lang import diagnostics as dg
from policy_lang.fmt import _trivia, _yaml
from policy_lang.fmt.key_order import order_keys
from policy_lang.schema import check_schema
from policy_lang.source import Span
from policy_lang.yaml_loader import Document, YMap, YNode, YScalar, YSeq, load_file, load_text


@dataclass(frozen=True, slots=True)
class Formatted:
    """The result of formatting one text: the new text (None when it cannot be formatted) and why not."""

    text: str | None
    diagnostics: tuple[dg.Diagnostic, ...] = ()

    @property
    def ok(self) -> bool:
        """The text was formatted (it may be unchanged)."""
        return self.text is not None


def format_text(name: str, text: str) -> Formatted:
    """Format a program file's text; `name` is how the file is shown in diagnostics."""
    return format_document(load_text(name, text.replace("\r\n", "\n")))


def format_file(path: str, name: str | None = None) -> Formatted:
    """Format a program file (read as `ppl check` reads it: UTF-8, size limits); `name` is how it is shown."""
    return format_document(load_file(path, name))


def format_document(document: Document) -> Formatted:
    """Format a document read by the checker's loader (its text is the source's)."""
    name, text = document.source.name, document.source.text
    if document.root is None or dg.has_errors(document.diagnostics):
        return Formatted(None, tuple(d for d in document.diagnostics if d.severity is dg.Severity.ERROR))
    if not isinstance(document.root, YMap):  # not a program: the checker's own diagnostic says so
        return Formatted(None, tuple(d for d in check_schema(document.root) if d.severity is dg.Severity.ERROR))
    try:
        result = _layout(text)
    except (YAMLError, yaml.YAMLError) as exc:
        return Formatted(None, (_refused(name, f"the YAML cannot be read back for formatting: {_first_line(exc)}"),))
    except _trivia.Unplaced:
        return Formatted(None, (_refused(name, "a comment would lose its key; it is left as it is"),))
    again = load_text(name, result)
    if again.root is None or _meaning(again.root) != _meaning(document.root):
        return Formatted(None, (_refused(name, "formatting would change what the file says; it is left as it is"),))
    return Formatted(result)


def _layout(text: str) -> str:
    data = _yaml.load(text)
    _yaml.unfold(data)
    trivia = _trivia.tie(text, list(_yaml.places(data)))
    order_keys(data)
    written = _yaml.dump(data)
    return _trivia.splice(written, _trivia.output_places(written), trivia)


def _first_line(exc: Exception) -> str:
    return str(exc).strip().split("\n")[0]


def _refused(name: str, message: str) -> dg.Diagnostic:
    return dg.error("E588", f"cannot format `{name}`: {message}", Span(name, 1, 1, 1, 1),
                    hint="format the file by hand, or report the file: `ppl check` still reads it")


def _meaning(node: YNode) -> Any:
    """What the checker reads from a located tree: values, tags and plain-or-quoted, not positions or order."""
    match node:
        case YScalar():
            return node.tag, node.value, node.plain
        case YMap():
            return {str(k.value): _meaning(v) for k, v in node.items}
        case YSeq():
            return [_meaning(item) for item in node.items]
    raise AssertionError(f"unexpected node {type(node).__name__}")
