"""The two sides of `ppl diff`: program files, compiled rule sets, or a program file at a git revision.

A side that cannot be read is a usage error (2) with a code where one applies (E582, E584, E585); a
program that does not check is reported with its diagnostics (1); two different programs are refused (E583).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

from compiler.lower import compile_program
from compiler.pipeline import check, check_program
from policy_lang import ast
from policy_lang import diagnostics as dg
from policy_lang.loader import load_program_bytes
from policy_lang.source import SourceFile, Span
from ppl.common import EXIT_ERRORS, CommandError, use_color
from runtime import ir, ir_json, limits
from runtime.diff import Places

PROGRAM_SUFFIXES = (".yaml", ".yml")
RULESET_SUFFIX = ".json"
GIT_TIMEOUT = 60.0
"""Seconds a `git` call may take before the diff gives up on it."""


@dataclass(frozen=True, slots=True)
class Loaded:
    """One side of a diff: its rule set and the name it is shown by (`main:programs/x.yaml` at a revision)."""

    ruleset: ir.RuleSet
    name: str
    places: Places = field(default_factory=dict)  # a program's: where it writes its settings, inputs, enumerations


def load_sides(args: argparse.Namespace) -> tuple[Loaded, Loaded]:
    """The old and new sides named by `OLD NEW`, or by `FILE --rev A[..B]`; refused when they are two programs.

    Raises:
        CommandError: a side cannot be read (2), does not check (1), or the sides are different programs (1).
    """
    old_spec, new_spec = _specs(args.old, args.new, args.rev)
    old, new = (load_side(path, rev, args.color) for rev, path in (old_spec, new_spec))
    if old.ruleset.program_id != new.ruleset.program_id:
        raise CommandError(f"error[E583]: `{old.name}` is program `{old.ruleset.program_id}` and `{new.name}` is "
                           f"program `{new.ruleset.program_id}`; a diff compares two versions of one program",
                           status=EXIT_ERRORS)
    return old, new


def _specs(old: str, new: str | None, rev: str | None) -> tuple[tuple[str | None, str], tuple[str | None, str]]:
    """(revision or None for the working file, path) of each side."""
    if rev is None:
        if new is None:
            raise CommandError("give two files to compare (OLD NEW), or one program file and --rev REV")
        return (None, old), (None, new)
    if new is not None:
        raise CommandError("--rev compares one file at a revision: give one file with it (FILE --rev REV)")
    first, sep, second = rev.partition("..")
    if not first or sep and not second:
        raise CommandError(f"--rev `{rev}`: give a revision (`main`) or two (`main..HEAD`)")
    return (first, old), (second or None, old)


def _suffix(path: str) -> str:
    suffix = Path(path).suffix.lower()
    if suffix not in (*PROGRAM_SUFFIXES, RULESET_SUFFIX):
        raise CommandError(f"{path}: error[E584]: neither a program (.yaml) nor a compiled rule set (.json)")
    return suffix


def load_side(path: str, rev: str | None = None, color: str = "auto") -> Loaded:
    """One side: a program file or rule set, at a git revision when `rev` is given (else the working file).

    Raises:
        CommandError: as `load_sides` says.
    """
    suffix = _suffix(path)
    if rev is None:
        if suffix == RULESET_SUFFIX:
            return Loaded(_artifact(path, _read_artifact(path)), path)
        return _working_program(path, color)
    name = f"{rev}:{os.path.relpath(path) if not os.path.isabs(path) else path}"
    data = git_show(rev, path)
    if suffix == RULESET_SUFFIX:
        return Loaded(_artifact(name, data), name)
    loaded = load_program_bytes(name, data)
    found = list(loaded.diagnostics)
    if loaded.program is not None:
        found.extend(check_program(loaded.program))
    sources = {name: loaded.source, **{s.name: s for s in loaded.includes}}
    return _compiled(name, loaded.program, dg.sort_diagnostics(found), sources, color)


def _read_artifact(path: str) -> bytes:
    try:
        return ir_json.read_limited(path)
    except OSError as exc:
        raise CommandError(f"cannot read {path}: {exc.strerror or exc}") from None
    except ir_json.ArtifactError as exc:
        raise CommandError(f"{path}: {exc}") from None


def _artifact(name: str, data: bytes) -> ir.RuleSet:
    try:
        return ir_json.loads(data.decode("utf-8"))
    except UnicodeDecodeError:
        raise CommandError(f"{name}: error[E584]: not UTF-8 text, so neither a program nor a rule set") from None
    except ir_json.ArtifactError as exc:
        raise CommandError(f"{name}: error[E584]: not a compiled rule set: {exc}") from None


def _working_program(path: str, color: str) -> Loaded:
    """A program file, checked as `ppl check` checks it (a missing file is E107, exit 2)."""
    if os.path.isdir(path):
        raise CommandError(f"{path} is a folder: give a program file")
    result = check([path])
    name = result.files[0] if result.files else path
    name = os.path.relpath(name) if not os.path.isabs(name) else name
    if not result.files:
        sys.stderr.write(dg.render_text(result.diagnostics, result.sources, color=use_color(sys.stderr, color)))
        raise CommandError()
    return _compiled(name, result.programs[0] if result.programs else None, result.diagnostics, result.sources,
                     color)


def _compiled(name: str, program: ast.Program | None, found: tuple[dg.Diagnostic, ...],
              sources: dict[str, SourceFile], color: str) -> Loaded:
    """A checked program compiled, its diagnostics shown on standard error; one with errors stops the diff."""
    if found:
        sys.stderr.write(dg.render_text(found, sources, color=use_color(sys.stderr, color)))
    if program is None or dg.has_errors(found):
        raise CommandError(f"{name} has errors; nothing was compared", status=EXIT_ERRORS)
    return Loaded(compile_program(program), name, places(program))


def _loc(span: Span | None) -> ir.Loc | None:
    return None if span is None else ir.Loc(span.file, span.line, span.col)


def places(program: ast.Program) -> dict[tuple[str, str, str], ir.Loc]:
    """Where a program writes what its rule set keeps no place for: settings, inputs, enumerations."""
    spans: list[tuple[tuple[str, str, str], Span | None]] = [
        (("program", "", ""), program.span), (("program", "", "title"), program.title.span),
        (("program", "", "description"), program.description.span if program.description else None),
        (("program", "", "currency"), program.currency.span), (("program", "", "rounding"), program.rounding.span),
        (("program", "", "time_zone"), program.time_zone.span if program.time_zone else None),
        *((("input", f"{i.scope}.{i.name.name}", ""), i.span) for i in program.inputs),
        *((("enum", e.name.name, ""), e.span) for e in program.enums),
    ]
    return {key: loc for key, span in spans if (loc := _loc(span)) is not None}


def git_show(rev: str, path: str) -> bytes:
    """A file's bytes at a git revision (`git show REV:./FILE`, run in the file's folder).

    Raises:
        CommandError: git cannot be run or the file is not in a work tree (E585); the revision is unknown or the
            file does not exist at it (E582); its text is larger than an artifact may be.
    """
    folder, base = os.path.split(os.path.abspath(path))
    if rev.startswith("-"):
        raise CommandError(f"error[E582]: `{rev}` is not a revision")
    inside = _git(folder, "rev-parse", "--is-inside-work-tree")
    if inside.returncode != 0 or inside.stdout.strip() != b"true":
        raise CommandError(f"{path}: error[E585]: not in a git work tree, so `--rev` cannot read it")
    if _git(folder, "rev-parse", "--verify", "--quiet", "--end-of-options", f"{rev}^{{commit}}").returncode != 0:
        raise CommandError(f"error[E582]: unknown revision `{rev}`", "hint: name a branch, a tag or a commit")
    shown = _git(folder, "show", f"{rev}:./{base}")
    if shown.returncode != 0:
        raise CommandError(f"{path}: error[E582]: the file does not exist at revision `{rev}`")
    if len(shown.stdout) > limits.MAX_ARTIFACT_BYTES.value():
        raise CommandError(f"{rev}:{path}: larger than {limits.MAX_ARTIFACT_BYTES.value():,} bytes")
    return shown.stdout


def _git(folder: str, *args: str) -> subprocess.CompletedProcess[bytes]:
    try:
        return subprocess.run(["git", "-C", folder, *args], capture_output=True, check=False, timeout=GIT_TIMEOUT)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise CommandError(f"error[E585]: git cannot be run: {exc}") from None
