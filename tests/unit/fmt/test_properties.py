"""Property tests: whatever the key order and wherever the comments, one layout, and every comment kept on its key."""

from __future__ import annotations

from dataclasses import dataclass

from hypothesis import given, settings
from hypothesis import strategies as st

from policy_lang.fmt import format_text
from policy_lang.loader import load_program_text

Entry = tuple[str, object]  # a key and its value: a scalar's text, or a list of entries (a mapping)

PROGRAM: list[Entry] = [
    ("ppl", "1"),
    ("program", [("id", "demo"), ("title", "Demo"), ("version", '"2026.04"'), ("effective_from", "2026-04-01"),
                 ("currency", "JPY"), ("rounding", [("mode", "down"), ("unit", "¥1")]),
                 ("payout_cap", "¥2億")]),
    ("contracts", [[("id", "reseller"), ("kind", "distributor"), ("title", "{en: Reseller, ja: 再販}"),
                    ("margin", "15%")],
                   [("id", "referral"), ("kind", "referral"), ("fee", "¥1,000,000")]]),
]


@dataclass(frozen=True, slots=True)
class Notes:
    """Comments to write: before a key (on its own line) and after it (at the end of its line), by key path."""

    before: dict[tuple[str, ...], str]
    after: dict[tuple[str, ...], str]


def _paths(entries: list[Entry], prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    found: list[tuple[str, ...]] = []
    for key, value in entries:
        path = (*prefix, key)
        found.append(path)
        if isinstance(value, list):
            if value and isinstance(value[0], list):
                for i, item in enumerate(value):
                    found.extend(_paths(item, (*path, str(i))))
            else:
                found.extend(_paths(value, path))
    return found


def _render(entries: list[Entry], notes: Notes, indent: str = "", prefix: tuple[str, ...] = (),
            dash: bool = False) -> list[str]:
    lines: list[str] = []
    for n, (key, value) in enumerate(entries):
        path = (*prefix, key)
        lead = indent[:-2] + "- " if dash and n == 0 else indent
        if path in notes.before:
            lines.append(f"{indent}{notes.before[path]}")
        eol = f"  {notes.after[path]}" if path in notes.after else ""
        if not isinstance(value, list):
            lines.append(f"{lead}{key}: {value}{eol}")
            continue
        lines.append(f"{lead}{key}:{eol}")
        if value and isinstance(value[0], list):
            for i, item in enumerate(value):
                lines.extend(_render(item, notes, indent + "    ", (*path, str(i)), dash=True))
        else:
            lines.extend(_render(value, notes, indent + "  ", path))
    return lines


@st.composite
def _shuffled(draw: st.DrawFn, entries: list[Entry]) -> list[Entry]:
    out: list[Entry] = []
    for key, value in draw(st.permutations(entries)):
        if isinstance(value, list) and value and isinstance(value[0], list):
            value = [draw(_shuffled(item)) for item in value]
        elif isinstance(value, list):
            value = draw(_shuffled(value))
        out.append((key, value))
    return out


@st.composite
def _notes(draw: st.DrawFn) -> Notes:
    paths = _paths(PROGRAM)
    # A comment above the line of a list item (`- kind: …`) is the item's, whichever key comes first in it:
    # comments on their own line are drawn for keys outside lists only.
    outside = [p for p in paths if not any(part.isdigit() for part in p)]
    before = draw(st.lists(st.sampled_from(outside), unique=True, max_size=5))
    after = draw(st.lists(st.sampled_from(paths), unique=True, max_size=5))
    return Notes({p: f"# before {'.'.join(p)}" for p in before}, {p: f"# after {'.'.join(p)}" for p in after})


def _text(entries: list[Entry], notes: Notes) -> str:
    return "\n".join(_render(entries, notes)) + "\n"


CANONICAL = format_text("p.yaml", _text(PROGRAM, Notes({}, {}))).text


@settings(max_examples=60, deadline=None)
@given(entries=_shuffled(PROGRAM))
def test_every_key_order_gives_the_one_canonical_layout(entries: list[Entry]) -> None:
    assert format_text("p.yaml", _text(entries, Notes({}, {}))).text == CANONICAL


@settings(max_examples=60, deadline=None)
@given(entries=_shuffled(PROGRAM), notes=_notes())
def test_comments_stay_on_their_keys_whatever_the_order_and_formatting_is_idempotent(
        entries: list[Entry], notes: Notes) -> None:
    written = _text(entries, notes)
    formatted = format_text("p.yaml", written).text
    assert formatted is not None
    assert formatted == format_text("p.yaml", _text(PROGRAM, notes)).text  # the same as from the canonical order
    assert format_text("p.yaml", formatted).text == formatted
    lines = formatted.splitlines()
    for path, comment in notes.after.items():
        [line] = [line for line in lines if line.endswith(comment)]
        assert line.lstrip("- ").startswith(f"{path[-1]}:")
    for path, comment in notes.before.items():
        [at] = [i for i, line in enumerate(lines) if line.strip() == comment]
        assert lines[at + 1].lstrip("- ").startswith(f"{path[-1]}:")
    assert load_program_text("p.yaml", formatted).program == load_program_text("p.yaml", written).program
