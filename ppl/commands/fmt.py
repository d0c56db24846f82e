"""`ppl fmt`: rewrite program files in the one canonical layout (`policy_lang.fmt`)."""

from __future__ import annotations

import argparse
import difflib
import os
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from compiler.pipeline import program_files
from policy_lang import diagnostics as dg
from policy_lang import limits
from policy_lang.fmt import Formatted, format_file, format_text
from policy_lang.source import SourceFile
from policy_lang.yaml_loader import decode
from ppl.common import EXIT_ERRORS, EXIT_OK, CommandError, add_color_option, read_stdin, use_color, write_text

NAME = "fmt"

STDIN = "-"


def add_parser(sub: Any) -> None:
    """Register `fmt` on the subcommand parser of `ppl`."""
    p = sub.add_parser(NAME, help="rewrite program files in the canonical layout",
                       description="Rewrite program files (and every program under directories, as `ppl check` "
                       "finds them) in the canonical layout: keys in the reference's order, block style, two spaces "
                       "a level, values and comments kept. A file is written only when it changes. Exit status: "
                       "0 done (or, with --check, nothing to change), 1 a file would change (--check) or cannot be "
                       "formatted, 2 usage or I/O error.")
    p.add_argument("paths", nargs="+", metavar="PATH", help="program files or directories; `-` formats standard "
                   "input to standard output")
    p.add_argument("--check", action="store_true",
                   help="write nothing; name the files that would change and exit 1 if there are any")
    p.add_argument("--diff", action="store_true", help="write nothing; print a unified diff of each change")
    add_color_option(p)


@dataclass(frozen=True, slots=True)
class _File:
    """One file formatted: how it is shown, its text now, and the result."""

    name: str
    before: str | None  # None when it could not be read as text
    result: Formatted


def _files(paths: list[str]) -> Iterator[_File]:
    files, missing = program_files(p for p in paths if p != STDIN)
    if missing:
        raise CommandError(*(d.message for d in missing))
    if STDIN in paths:
        files.insert(paths.index(STDIN), STDIN)
    if not files:
        raise CommandError("no program files found")
    for path in files:
        if path == STDIN:
            yield _stdin()
            continue
        name = os.path.relpath(path) if not os.path.isabs(path) else path
        try:
            with open(path, encoding="utf-8", newline="") as stream:
                before: str | None = stream.read()
        except (OSError, UnicodeDecodeError):
            before = None  # the loader says why
        yield _File(name, before, format_file(path, name))


def _stdin() -> _File:
    data = read_stdin(limits.MAX_PROGRAM_BYTES.value())
    source, problem = decode("<stdin>", data)
    if problem is not None or source is None:
        return _File("<stdin>", None, Formatted(None, (problem,) if problem else ()))
    return _File("<stdin>", data.decode("utf-8-sig"), format_text("<stdin>", source.text))


def _diff(file: _File, after: str) -> str:
    return "".join(difflib.unified_diff((file.before or "").splitlines(keepends=True), after.splitlines(keepends=True),
                                        fromfile=file.name, tofile=f"{file.name} (formatted)"))


def run(args: argparse.Namespace) -> int:
    """Format the paths; the status says whether anything would change (with --check) or could not be formatted."""
    problems: list[dg.Diagnostic] = []
    sources: dict[str, SourceFile] = {}
    changed = unchanged = 0
    for file in _files(list(args.paths)):
        after = file.result.text
        if after is None:
            problems.extend(file.result.diagnostics)
            sources[file.name] = SourceFile(file.name, (file.before or "").replace("\r\n", "\n"))
            continue
        if file.name == "<stdin>" and not (args.check or args.diff):
            sys.stdout.write(after)
        if after == file.before:
            unchanged += 1
            continue
        changed += 1
        if args.diff:
            sys.stdout.write(_diff(file, after))
        if args.check:
            print(f"would reformat {file.name}")
        elif not args.diff and file.name != "<stdin>":
            write_text(file.name, after, follow_symlinks=True)
            print(f"reformatted {file.name}", file=sys.stderr)
    sys.stderr.write(dg.render_text(problems, sources, color=use_color(sys.stderr, args.color)))
    print(_summary(changed, unchanged, len(problems) > 0, args.check or args.diff), file=sys.stderr)
    return EXIT_ERRORS if problems or (args.check and changed) else EXIT_OK


def _summary(changed: int, unchanged: int, failed: bool, dry: bool) -> str:
    verb = "would be reformatted" if dry else "reformatted"
    line = f"{changed} file{'s' if changed != 1 else ''} {verb}, {unchanged} left unchanged"
    return line + ("; some files could not be formatted" if failed else "")
