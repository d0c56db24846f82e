"""Safe YAML loading that keeps the source position of every key, value and list item.

Files are composed (never constructed) with PyYAML's SafeLoader, then turned into located nodes.
Everything dangerous or surprising becomes a diagnostic: bad encodings, duplicate keys, keys that
are not text, custom tags, alias bombs, several documents.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Final

import yaml
from yaml.composer import Composer
from yaml.nodes import MappingNode, ScalarNode, SequenceNode

from policy_lang import diagnostics as dg
from policy_lang import limits
from policy_lang._file_limits import HINTS, TooLarge, bytes_message, check_size, read_bounded
from policy_lang.source import Locator, SourceFile, Span, locator_for

MAX_ALIASES: Final = limits.MAX_ALIASES.default
"""Aliases allowed per file: enough to share a block or two, too few to build an alias bomb."""

MAX_NESTING: Final = limits.MAX_NESTING.default
"""Deepest nesting of mappings and lists: a program needs about eight; the composer and every later
stage walk the tree recursively, so a deeper file would overflow the stack instead of being reported."""

_CORE = "tag:yaml.org,2002:"
_ALLOWED_TAGS = {f"{_CORE}{t}" for t in ("str", "int", "float", "bool", "null", "map", "seq", "timestamp")}
_YES_NO = re.compile(r"^(y|Y|yes|Yes|YES|n|N|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF)$")
_SEXAGESIMAL = re.compile(r"^[-+]?[0-9][0-9_]*(:[0-5]?[0-9])+(\.[0-9_]*)?$")


class YamlDate(str):
    """An unquoted date, kept as its text so that schema validation sees a string."""

    __slots__ = ()


@dataclass(slots=True, eq=False)
class YNode:
    """A located YAML node."""

    span: Span


@dataclass(slots=True, eq=False)
class YScalar(YNode):
    """A scalar with its resolved value, its YAML tag and how it was written."""

    value: Any
    tag: str
    style: str | None  # None for plain, "'", '"', "|", ">"
    raw: str  # the source text of the scalar
    source: SourceFile = field(repr=False)
    start: int = 0  # character offsets of the scalar in the source
    end: int = 0

    @property
    def plain(self) -> bool:
        return self.style is None

    def locator(self) -> Locator:
        """Maps offsets inside the scalar's text value to spans in the file."""
        return locator_for(self.source, self.start, self.end, str(self.value))


@dataclass(slots=True, eq=False)
class YMap(YNode):
    """A mapping: ordered (key, value) pairs; keys are text scalars."""

    items: list[tuple[YScalar, YNode]]

    def get(self, key: str) -> YNode | None:
        for k, v in self.items:
            if k.value == key:
                return v
        return None

    def key_node(self, key: str) -> YScalar | None:
        for k, _ in self.items:
            if k.value == key:
                return k
        return None


@dataclass(slots=True, eq=False)
class YSeq(YNode):
    """A sequence of located items."""

    items: list[YNode]


@dataclass(slots=True)
class Document:
    """A loaded program file: its source text and its located root (None when loading failed)."""

    source: SourceFile
    root: YNode | None
    diagnostics: tuple[dg.Diagnostic, ...]


class _CountingLoader(yaml.SafeLoader):
    """A SafeLoader that counts aliases and nodes, measures values and refuses recursive aliases while composing.

    PyYAML scans lazily, a token at a time as the composer asks, so stopping here stops the reading too.
    """

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self.alias_count = 0
        self.alias_marks: list[Any] = []
        self._open_anchors: list[str] = []  # anchors of the nodes being composed, outermost first
        self._depth = 0
        self._nodes = 0
        self._max_nodes = limits.MAX_YAML_NODES.value()
        self._max_scalar = limits.MAX_SCALAR_CHARS.value()

    def compose_node(self, parent: Any, index: Any) -> Any:
        event = self.peek_event()  # type: ignore[no-untyped-call]
        if isinstance(event, yaml.AliasEvent):
            self.alias_count += 1
            self.alias_marks.append(event.start_mark)
            if event.anchor in self._open_anchors:
                raise yaml.composer.ComposerError(None, None, "recursive alias", event.start_mark)  # type: ignore[arg-type]
            if self.alias_count > MAX_ALIASES:
                raise _TooManyAliases(event.start_mark)
            return Composer.compose_node(self, parent, index)
        if self._depth >= MAX_NESTING:
            raise _TooDeep(event.start_mark)
        self._nodes += 1
        if self._nodes > self._max_nodes:
            raise TooLarge(event.start_mark, f"more than {self._max_nodes:,} keys, values and list items in one "
                            "file", limits.MAX_YAML_NODES)
        if isinstance(event, yaml.ScalarEvent) and len(event.value) > self._max_scalar:
            raise TooLarge(event.start_mark, f"a value of {len(event.value):,} characters (more than "
                            f"{self._max_scalar:,})", limits.MAX_SCALAR_CHARS)
        anchor = getattr(event, "anchor", None)
        if anchor is not None:
            self._open_anchors.append(anchor)
        self._depth += 1
        try:
            return Composer.compose_node(self, parent, index)
        finally:
            self._depth -= 1
            if anchor is not None:
                self._open_anchors.pop()


class _TooDeep(Exception):
    def __init__(self, mark: Any) -> None:
        self.mark = mark


class _TooManyAliases(Exception):
    def __init__(self, mark: Any) -> None:
        self.mark = mark


def _mark_span(source: SourceFile, mark: Any, end_mark: Any = None) -> Span:
    """The one place where PyYAML's 0-based marks become 1-based spans."""
    start = source.offset(mark.line + 1, mark.column + 1)
    end = source.offset(end_mark.line + 1, end_mark.column + 1) if end_mark is not None else start + 1
    return source.span(start, max(end, start + 1))


def decode(name: str, data: bytes) -> tuple[SourceFile | None, dg.Diagnostic | None]:
    """Decode a file's bytes as UTF-8, or explain where it is not (or that there are too many of them)."""
    if len(data) > (limit := limits.MAX_PROGRAM_BYTES.value()):
        empty = SourceFile(name, "")
        # The bytes may be the first `limit + 1` of more (standard input is read no further), so no size is told.
        return None, _too_large(empty, TooLarge(None, bytes_message(None, limit), limits.MAX_PROGRAM_BYTES))
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        good = data[: exc.start].decode("utf-8", errors="replace")
        partial = SourceFile(name, good)
        line, col = partial.line_col(len(good))
        span = Span(name, line, col, line, col + 1)
        return None, dg.error("E100", f"file is not UTF-8: byte 0x{data[exc.start]:02x} cannot be decoded", span,
                              hint="save the file as UTF-8 (Shift_JIS and other encodings are not read)")
    return SourceFile(name, text.replace("\r\n", "\n")), None


def load_text(name: str, text: str) -> Document:
    """Load program text that is already decoded."""
    source = SourceFile(name, text)
    diags: list[dg.Diagnostic] = []
    loader: _CountingLoader | None = None
    try:
        check_size(text)
        loader = _CountingLoader(text)  # the reader rejects control characters here already
        node = loader.get_single_node()
    except TooLarge as exc:
        return Document(source, None, (_too_large(source, exc),))
    except _TooManyAliases as exc:
        return Document(source, None, (dg.error(
            "E105", f"too many aliases: more than {MAX_ALIASES} in one file", _mark_span(source, exc.mark),
            hint="write the values out instead of sharing them through anchors"),))
    except _TooDeep as exc:
        return Document(source, None, (_too_deep(source, exc.mark),))
    except yaml.MarkedYAMLError as exc:
        return Document(source, None, (_yaml_error(source, exc),))
    except yaml.YAMLError as exc:  # errors without a position (reader errors carry their own)
        return Document(source, None, (_reader_error(source, exc),))
    finally:
        if loader is not None:
            loader.dispose()
    if node is None:
        return Document(source, None, (dg.error("E200", "program file is empty", Span(name, 1, 1, 1, 1),
                                                hint="start with `ppl: 1` and a `program:` section"),))
    root = _convert(node, source, diags, set(), 0)
    return Document(source, root, tuple(diags))


def load_file(path: str, name: str | None = None) -> Document:
    """Read and load one program file; `name` is how the file is shown in diagnostics."""
    shown = name or path
    try:
        data = read_bounded(path)
    except OSError as exc:
        source = SourceFile(shown, "")
        return Document(source, None, (dg.error("E107", f"cannot read file: {exc.strerror or exc}", None),))
    except TooLarge as exc:
        return Document(SourceFile(shown, ""), None, (_too_large(SourceFile(shown, ""), exc),))
    decoded, problem = decode(shown, data)
    if problem is not None or decoded is None:
        # Only to show the offending line under the diagnostic; the text is never parsed.
        shown_text = data.decode("utf-8", errors="replace").replace("\r\n", "\n")
        return Document(SourceFile(shown, shown_text), None, (problem,) if problem else ())
    return load_text(shown, decoded.text)


def _too_large(source: SourceFile, exc: TooLarge) -> dg.Diagnostic:
    if exc.mark is not None:
        span = _mark_span(source, exc.mark)
    elif exc.offset is not None and source.text:
        span = source.span(exc.offset, exc.offset + 1)
    else:
        span = Span(source.name, 1, 1, 1, 1)
    hint = f"{HINTS[exc.limit.name]}, or raise the limit with the environment variable `{exc.limit.variable}`"
    return dg.error("E108", f"file too large: {exc.message}", span, hint=hint)


_TOKEN_WORDS = {
    "'<scalar>'": "a value", "'<block mapping start>'": "a key", "'<block sequence start>'": "a list",
    "'?'": "a key", "'-'": "a list item (`-`)", "']'": "`]`", "'}'": "`}`", "','": "`,`", "':'": "`:`",
    "'<block end>'": "the end of the block", "'<flow mapping start>'": "`{`", "'<flow sequence start>'": "`[`",
    "'<document start>'": "`---`", "'<anchor>'": "an anchor", "'<alias>'": "an alias", "'<tag>'": "a tag",
}
_UNEXPECTED = re.compile(r"expected .*, but (?:found|got) ('[^']*')")
_FLOW_CLOSERS = {"while parsing a flow sequence": ("[", "]", "list"),
                 "while parsing a flow mapping": ("{", "}", "mapping")}
_INDENT_HINT = "check the indentation: the keys of one mapping start in the same column"


def _yaml_error(source: SourceFile, exc: yaml.MarkedYAMLError) -> dg.Diagnostic:
    """A PyYAML error in the words of the language, with the caret where the mistake was made."""
    mark = exc.problem_mark or exc.context_mark
    span = _mark_span(source, mark) if mark is not None else None
    problem = (exc.problem or "malformed YAML").rstrip(".")
    context = (exc.context or "").rstrip(".")
    if "expected a single document" in context or "another document" in problem:
        return dg.error("E106", "more than one YAML document in a program file", span,
                        hint="a program file holds one document; remove the `---` separator")
    if "recursive alias" in problem:
        return dg.error("E105", "an alias refers to the node that contains it", span,
                        hint="anchors may not be used inside their own value")
    if match := re.match(r"found undefined alias '(.*)'", problem):
        return dg.error("E101", f"invalid YAML: alias `*{match[1]}` refers to no anchor", span,
                        hint=f"define the anchor (`&{match[1]}`) before using it")
    noticed = [dg.Label(span, "YAML noticed the problem here")] if span is not None else []
    if (quote := _unclosed_quote(source, mark.line if mark is not None else None)) is not None:
        return dg.error("E101", "invalid YAML: this quoted value is not closed on its line", quote,
                        labels=noticed, hint="add the closing quote at the end of the value")
    if context in _FLOW_CLOSERS and exc.context_mark is not None and "but got" in problem:
        opener, closer, noun = _FLOW_CLOSERS[context]
        return dg.error("E101", f"invalid YAML: the {noun} opened with `{opener}` is not closed",
                        _mark_span(source, exc.context_mark), labels=noticed,
                        hint=f"add the closing `{closer}`, or write one item per line starting with `- `"
                        if noun == "list" else f"add the closing `{closer}`")
    if "while scanning a quoted scalar" in context and exc.context_mark is not None:
        return dg.error("E101", "invalid YAML: this quoted value is never closed", _mark_span(source, exc.context_mark),
                        hint="add the closing quote at the end of the value")
    if "'\\t'" in problem or "\\t" in problem:
        return dg.error("E101", "invalid YAML: a tab where YAML expects spaces", span,
                        hint="indent with spaces; YAML does not allow tabs for indentation")
    if match := re.match(r"found character '(.)' that cannot start any token", problem):
        return dg.error("E101", f"invalid YAML: a plain value cannot start with `{match[1]}`", span,
                        hint=f"quote the value: `\"{match[1]}…\"`")
    if "mapping values are not allowed" in problem:
        return dg.error("E101", "invalid YAML: unexpected `:` in a value", span,
                        hint="quote a value that contains `: `, and start the keys of one mapping in the same column")
    if "sequence entries are not allowed here" in problem:
        return dg.error("E101", "invalid YAML: a list item (`- `) is not allowed here", span,
                        hint="write a negative number without a space (`-5%`), or start a list item on its own line")
    if match := re.match(r"found duplicate anchor '(.*)'", context):
        return dg.error("E101", f"invalid YAML: the anchor `&{match[1]}` is defined twice", span,
                        labels=[dg.Label(_mark_span(source, exc.context_mark), "first defined here")]
                        if exc.context_mark is not None else [], hint="give each anchor its own name")
    if match := re.match(r"found unknown escape character '(.*)'", problem):
        return dg.error("E101", f"invalid YAML: unknown escape `\\{match[1]}` in a double-quoted value", span,
                        hint="write a backslash as `\\\\`, or use single quotes, which have no escapes")
    if context in ("while scanning an anchor", "while scanning an alias") and exc.context_mark is not None:
        sign = "&" if "anchor" in context else "*"
        return dg.error("E101", f"invalid YAML: a plain value cannot start with `{sign}`",
                        _mark_span(source, exc.context_mark), hint=f"quote the value: `\"{sign} …\"`")
    if "could not find expected ':'" in problem:
        return dg.error("E101", "invalid YAML: a key without its `:`", span,
                        hint="a key must be followed by `:` and a space")
    if match := _UNEXPECTED.search(problem):
        word = _TOKEN_WORDS.get(match[1], f"`{match[1].strip(chr(39))}`")
        hint = _INDENT_HINT if "block mapping" in context or "block collection" in context else \
            "quote a value that starts with a bracket or another sign YAML reads as syntax"
        return dg.error("E101", f"invalid YAML: {word} is not expected here", span, hint=hint)
    return dg.error("E101", f"invalid YAML: {problem}", span, hint=_INDENT_HINT if "block" in context else None)


_OPENING_QUOTE = re.compile(r"""^\s*(?:-\s+)*(?:[^\s#'"{}\[\],][^#]*?:\s+)?(["'])""")


def _unclosed_quote(source: SourceFile, before_line: int | None) -> Span | None:
    """The opening quote of a block value that is not closed on its own line, above a YAML error.

    YAML lets a quoted value run over several lines, so a forgotten closing quote swallows the lines
    after it and the parser complains much later. Programs never need multi-line quoted values.
    """
    if before_line is None:
        return None
    for index in range(before_line):  # 0-based lines strictly above the one YAML complained about
        text = source.line_text(index + 1)
        match = _OPENING_QUOTE.match(text)
        if match is None:
            continue
        quote, rest = match[1], text[match.end():]
        closed = re.search(r'(?<!\\)"', rest) if quote == '"' else re.search(r"'(?!')", rest.replace("''", ""))
        if closed is None:
            start = source.offset(index + 1, match.start(1) + 1)
            return source.span(start, start + 1)
    return None


def _reader_error(source: SourceFile, exc: yaml.YAMLError) -> dg.Diagnostic:
    position = getattr(exc, "position", None)
    if isinstance(exc, yaml.reader.ReaderError) and position is not None:
        span = source.span(position, position + 1)
        char = exc.character
        point = char if isinstance(char, int) else ord(char[0]) if char else 0
        return dg.error("E101", f"invalid YAML: the control character U+{point:04X} is not allowed in a program file",
                        span, hint="remove control characters from the file")
    return dg.error("E101", "invalid YAML", None)


def _too_deep(source: SourceFile, mark: Any) -> dg.Diagnostic:
    return dg.error("E101", f"invalid YAML: nested more than {MAX_NESTING} levels deep", _mark_span(source, mark),
                    hint="a program never needs this much nesting; check the brackets and the indentation")


def _convert(node: Any, source: SourceFile, diags: list[dg.Diagnostic], active: set[int], depth: int) -> YNode:
    """PyYAML node → located node, reporting tags and keys that programs may not use."""
    span = _mark_span(source, node.start_mark, node.end_mark)
    if depth > MAX_NESTING:  # only reachable through aliases, which repeat a node at a deeper place
        if not any(d.message == _too_deep(source, node.start_mark).message for d in diags):
            diags.append(_too_deep(source, node.start_mark))  # once: every further alias says the same
        return YScalar(span, None, f"{_CORE}null", None, "", source)
    if node.tag not in _ALLOWED_TAGS and not (node.tag == f"{_CORE}merge"):
        shown = node.tag.replace(_CORE, "!!")
        diags.append(dg.error("E104", f"custom tag `{shown}` is not allowed", span,
                              hint="programs are plain data; remove the tag"))
    if id(node) in active:  # a recursive alias that slipped past the composer
        diags.append(dg.error("E105", "an alias refers to the node that contains it", span))
        return YScalar(span, None, f"{_CORE}null", None, "", source)
    if isinstance(node, ScalarNode):
        return _scalar(node, source, span)
    active = active | {id(node)}
    if isinstance(node, SequenceNode):
        return YSeq(span, [_convert(item, source, diags, active, depth + 1) for item in node.value])
    assert isinstance(node, MappingNode)
    items: list[tuple[YScalar, YNode]] = []
    seen: dict[object, YScalar] = {}
    for key_node, value_node in node.value:
        key_span = _mark_span(source, key_node.start_mark, key_node.end_mark)
        if key_node.tag == f"{_CORE}merge":
            diags.append(dg.error("E104", "merge key `<<` is not supported", key_span,
                                  hint="write the keys out; merge keys hide where a value came from"))
            continue
        if not isinstance(key_node, ScalarNode):
            diags.append(dg.error("E103", "a key must be text, not a list or mapping", key_span))
            continue
        key = _scalar(key_node, source, key_span)
        if key.tag != f"{_CORE}str":
            word = _kind_word(key.value)
            # No key of a program is ever a number or a date, so quoting would only make an unknown key.
            hint = f"keys are names such as `id` or `margin`; write {word} as a value, not as a key"
            if isinstance(key.value, bool) and _YES_NO.match(key.raw):
                hint = f"YAML reads `{key.raw}` as a boolean; quote it (`\"{key.raw}\"`)"
            diags.append(dg.error("E103", f"key `{key.raw}` is read as {word}, not text", key_span, hint=hint))
            continue
        if key.value in seen:
            first = seen[key.value]
            diags.append(dg.error("E102", f"duplicate key `{key.value}`", key_span,
                                  labels=[dg.Label(first.span, "first written here")],
                                  hint="remove one of them; YAML would silently keep only the last"))
            continue
        seen[key.value] = key
        items.append((key, _convert(value_node, source, diags, active, depth + 1)))
    return YMap(span, items)


def _scalar(node: ScalarNode, source: SourceFile, span: Span) -> YScalar:
    start = source.offset(node.start_mark.line + 1, node.start_mark.column + 1)
    end = source.offset(node.end_mark.line + 1, node.end_mark.column + 1)
    raw = source.text[start:end]
    tag = node.tag
    value: Any = node.value
    if tag == f"{_CORE}str" or tag not in _ALLOWED_TAGS:
        value = str(node.value)
        tag = f"{_CORE}str" if tag not in _ALLOWED_TAGS else tag
    elif tag == f"{_CORE}timestamp":
        value = YamlDate(node.value)
    else:
        constructor = yaml.SafeLoader(node.value)
        try:
            value = constructor.construct_object(node, deep=True)
        except (yaml.YAMLError, ValueError, OverflowError):
            value = str(node.value)
            tag = f"{_CORE}str"
        finally:
            constructor.dispose()
        if isinstance(value, float) and value != value:  # .nan compares unequal to itself
            value = str(node.value)
            tag = f"{_CORE}str"
    # Block scalars' marks start at the indicator; keep the value's own lines in the span.
    return YScalar(span, value, tag, node.style, raw, source, start, end)


def _kind_word(value: object) -> str:
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, YamlDate | datetime.date):
        return "a date"
    if value is None:
        return "null"
    return "text"


def to_data(node: YNode) -> Any:
    """Located node → plain data (dict, list, str, int, float, bool, None) for schema validation."""
    if isinstance(node, YScalar):
        return node.value
    if isinstance(node, YSeq):
        return [to_data(item) for item in node.items]
    assert isinstance(node, YMap)
    return {k.value: to_data(v) for k, v in node.items}


def find(root: YNode, path: Sequence[object]) -> tuple[YNode, YScalar | None]:
    """The node at a schema error's path, and the key that led to it (None at the root or in a list)."""
    node, key = root, None
    for step in path:
        if isinstance(node, YMap) and isinstance(step, str):
            child = node.get(step)
            if child is None:
                break
            key, node = node.key_node(step), child
        elif isinstance(node, YSeq) and isinstance(step, int) and 0 <= step < len(node.items):
            node, key = node.items[step], None
        else:
            break
    return node, key


def yaml11_surprise(node: YNode) -> tuple[str, str, str] | None:
    """For a plain scalar that YAML 1.1 read as something other than text: (code, message, hint)."""
    if not isinstance(node, YScalar) or not node.plain:
        return None
    raw = node.raw.strip()
    if isinstance(node.value, bool) and _YES_NO.match(raw) and raw.lower() not in ("true", "false"):
        return ("E110", f"`{raw}` is read as the boolean {str(node.value).lower()}, not as text",
                f"quote it: `\"{raw}\"`")
    if isinstance(node.value, int | float) and not isinstance(node.value, bool) and _SEXAGESIMAL.match(raw):
        return ("E111", f"`{raw}` is read as the base-60 number {node.value}, not as text", f"quote it: `\"{raw}\"`")
    if isinstance(node.value, YamlDate):
        return ("E112", f"`{raw}` is read as a date, not as text", f"quote it: `\"{raw}\"`")
    return None
