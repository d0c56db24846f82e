"""`ppl compile`: check a program and write its rule set, the JSON artifact the runtime evaluates."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from compiler.lower import compile_program
from compiler.pipeline import CheckResult, check
from policy_lang import diagnostics as dg
from ppl.common import (
    EXIT_ERRORS,
    EXIT_OK,
    CommandError,
    add_color_option,
    add_follow_symlinks_option,
    use_color,
    write_text,
)
from runtime import ir_json

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

NAME = "compile"


def add_parser(sub: Any) -> None:
    """Register `compile` on the subcommand parser of `ppl`."""
    p = sub.add_parser(NAME, help="compile a program into a rule set (JSON)",
                       description="Check a program and write its rule set: the JSON artifact that the "
                       "runtime evaluates. Exit status: 0 written, 1 the program has errors, 2 usage or I/O.")
    p.add_argument("program", metavar="PROGRAM", help="the program file")
    p.add_argument("-o", "--output", metavar="FILE", help="where to write the rule set (default: stdout)")
    add_follow_symlinks_option(p, "the -o file")
    p.add_argument("--sign", metavar="PRIVATE_KEY", help="also write FILE.sig, a detached Ed25519 signature of the "
                   "rule set's bytes, with this private key (PEM, from `ppl keygen`); needs --output")
    add_color_option(p)


def _report(result: CheckResult, color: str) -> None:
    sys.stderr.write(dg.render_text(result.diagnostics, result.sources, color=use_color(sys.stderr, color)))


def _signer(path: str | None, output: str | None) -> Ed25519PrivateKey | None:
    """The private key of `--sign`, read before anything is compiled (None without `--sign`)."""
    if path is None:
        return None
    if output in (None, "-"):
        raise CommandError("--sign writes a signature next to the rule set: give --output FILE")
    from runtime import signing

    try:
        return signing.load_private_key(Path(path).read_bytes())
    except OSError as exc:
        raise CommandError(f"cannot read {path}: {exc.strerror or exc}") from None
    except signing.KeyFileError as exc:
        raise CommandError(f"{path}: {exc}") from None


def run(args: argparse.Namespace) -> int:
    """Compile the program and write its rule set (and its signature with `--sign`)."""
    key = _signer(args.sign, args.output)
    result = check([args.program])
    if not result.files or all(d.code == "E107" for d in result.diagnostics if d.severity is dg.Severity.ERROR) \
            and dg.has_errors(result.diagnostics):
        _report(result, args.color)
        raise CommandError()
    if dg.has_errors(result.diagnostics) or len(result.programs) != 1:
        _report(result, args.color)
        if len(result.programs) > 1:
            raise CommandError("give one program file")
        return EXIT_ERRORS
    if result.diagnostics:
        _report(result, args.color)
    text = ir_json.dumps(compile_program(result.programs[0]))
    if args.output in (None, "-"):
        sys.stdout.write(text)
    else:
        write_text(args.output, text, args.follow_symlinks)
    if key is not None:
        from runtime import signing

        try:
            written = Path(args.output).read_bytes()  # the bytes as they are on disk are the ones signed
        except OSError as exc:
            raise CommandError(f"cannot read {args.output} back: {exc.strerror or exc}") from None
        write_text(str(signing.signature_path(args.output)), signing.sign(written, key), args.follow_symlinks)
    return EXIT_OK
