"""A `ProgramDiff` as text for a terminal, as JSON (`FORMAT`), and as Markdown for a pull-request comment."""

from __future__ import annotations

from typing import Any

from runtime.diff.changes import ACTIONS, CONSTRUCT_KINDS, KIND_LABELS, Change, ProgramDiff

FORMAT = "ppl-diff/1"
"""The `format` of the JSON rendering; a change to its keys or their meaning is a new format."""

ARROW = "→"
NONE = "—"


def _counts(diff: ProgramDiff) -> str:
    total = len(diff.changes)
    parts = ", ".join(f"{diff.count(action):,} {action}" for action in ACTIONS)
    return f"{total:,} change{'s' if total != 1 else ''} ({parts})"


def _versions_note(diff: ProgramDiff, change: Change) -> str:
    """The versions a change is seen in, when the program has several and the change is not in all of them."""
    shown = change.versions
    every = set(diff.new.versions) | set(diff.old.versions)
    if not shown or len(every) < 2 or set(shown) >= every:
        return ""
    return f"version{'s' if len(shown) > 1 else ''} {', '.join(shown)}"


def _where(change: Change) -> str:
    return f"{change.old_loc or NONE} {ARROW} {change.new_loc or NONE}"


# --- text --------------------------------------------------------------------------------------------


def render_text(diff: ProgramDiff) -> str:
    """The diff for a terminal: a heading line, then each change with its places on both sides."""
    head = f"{diff.new.program_id}: {diff.old.source} {ARROW} {diff.new.source}"
    if diff.empty:
        return f"{head}: no semantic change\n"
    lines = [f"{head}: {_counts(diff)}", ""]
    for change in diff.changes:
        lines.extend(_text_change(diff, change))
    return "\n".join(lines) + "\n"


def _text_change(diff: ProgramDiff, change: Change) -> list[str]:
    match change.action:
        case "changed":
            what = f"{change.construct}: {change.attribute} {change.old or NONE} {ARROW} {change.new or NONE}"
        case "added":
            what = f"{change.construct} added: {change.new}"
        case "removed":
            what = f"{change.construct} removed: {change.old}"
    note = _versions_note(diff, change)
    return [f"{change.action:<8} {what}", f"{'':<8} at {_where(change)}" + (f" ({note})" if note else "")]


# --- JSON --------------------------------------------------------------------------------------------


def to_json(diff: ProgramDiff) -> dict[str, Any]:
    """The diff as JSON data, with the keys that docs/reviewing.md documents (in that order)."""
    return {
        "format": FORMAT,
        "program": diff.new.program_id,
        "old": _side_json(diff, old=True),
        "new": _side_json(diff, old=False),
        "semantic_change": not diff.empty,
        "summary": {action: diff.count(action) for action in ACTIONS},
        "changes": [_change_json(change) for change in diff.changes],
    }


def _side_json(diff: ProgramDiff, *, old: bool) -> dict[str, Any]:
    side = diff.old if old else diff.new
    return {"source": side.source, "program": side.program_id, "versions": list(side.versions)}


def _change_json(change: Change) -> dict[str, Any]:
    return {
        "kind": change.kind,
        "construct": change.construct,
        "id": change.id,
        "step": change.step,
        "attribute": change.attribute,
        "action": change.action,
        "old": change.old,
        "new": change.new,
        "old_at": None if change.old_loc is None else str(change.old_loc),
        "new_at": None if change.new_loc is None else str(change.new_loc),
        "versions": list(change.versions),
    }


# --- Markdown ----------------------------------------------------------------------------------------


def render_markdown(diff: ProgramDiff, heading: str = "###") -> str:
    """The diff for a pull-request comment: a summary line, then a table per kind of construct."""
    head = f"{heading} Semantic changes to `{_code(diff.new.program_id)}`"
    sources = f"`{_code(diff.old.source)}` {ARROW} `{_code(diff.new.source)}`"
    if diff.empty:
        return f"{head}\n\n{sources}: no semantic change.\n"
    out = [head, "", f"{sources}: {_counts(diff)}."]
    for kind in CONSTRUCT_KINDS:
        rows = [change for change in diff.changes if change.kind == kind]
        if not rows:
            continue
        out += ["", f"{heading}# {KIND_LABELS[kind].capitalize()}", "",
                "| construct | before | after | where |", "|---|---|---|---|"]
        out += [_markdown_row(diff, change) for change in rows]
    return "\n".join(out) + "\n"


def _markdown_row(diff: ProgramDiff, change: Change) -> str:
    name = f"`{_code(change.id)}`" if change.id else ""
    if change.step is not None:
        name = f"{name} {change.step}".strip()
    what = change.attribute if change.action == "changed" else change.action
    construct = f"{name}: {what}" if name else what
    note = _versions_note(diff, change)
    if note:
        construct += f" ({note})"
    cells = (construct, _value(change.old), _value(change.new), _escape(_where(change)))
    return "| " + " | ".join(cells) + " |"


def _value(text: str | None) -> str:
    """A value in a table cell: in a code span, or a dash when not stated."""
    return NONE if text is None else f"`{_code(text)}`"


def _code(text: str) -> str:
    """Text for a code span in a table cell: no backtick, no pipe, no line break."""
    return _escape(text.replace("`", "'"))


def _escape(text: str) -> str:
    return text.replace("|", "\\|").replace("\r", " ").replace("\n", " ")
