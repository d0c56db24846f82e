"""What the commands of `ppl` share: exit statuses, the one error they raise, colour, common options, loaders.

A command stops with `CommandError`; `ppl.cli.main` is the one place that prints it (``ppl COMMAND:
message``, after any located problems) and returns its status. Program diagnostics are rendered where
they are found, like a compiler's, and the error that follows them carries no message of its own.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, TextIO

from compiler.lower import compile_program
from compiler.pipeline import check
from policy_lang import diagnostics as dg
from policy_lang import limits as program_limits
from runtime import io as rio
from runtime import ir, ir_json, limits, strict_json
from runtime.decisions import QuoteError, quote
from runtime.engine import EvaluationError
from runtime.io import outdir
from runtime.io.facts import CODE as FACT_CODE
from runtime.io.facts import FactReport, read_partner_facts
from runtime.loaded import Runtime
from runtime.model import Partner, Period, Quote, Transaction, Volumes
from runtime.store import LedgerError

EXIT_OK = 0
"""Done: the command did what it was asked."""
EXIT_ERRORS = 1
"""The program has errors, a case failed, or a decision could not be made."""
EXIT_USAGE = 2
"""A usage or I/O error: bad arguments, a file that cannot be read or written, a malformed input file."""
EXIT_INTERNAL = 3
"""An internal error: something went wrong that no command can explain (a bug in ppl)."""
EXIT_INTERRUPTED = 130
"""Stopped by the user (Ctrl-C): 128 + SIGINT, as shells report it."""

COLORS = ("auto", "always", "never")
PERIODS = "FY2026 (a fiscal year), 2026-04 (a month), 2026-04..2027-03 (months) or 2026-04-01..2027-03-31 (days)"
"""How a period is written, for help texts."""
TRUSTED_KEYS_ENV = "PPL_TRUSTED_KEYS"
"""The environment variable that names trusted public keys, as `--trusted-key` does (joined by `os.pathsep`)."""
MAX_PROBLEMS = 20
"""How many problems of an input file are listed before the count of the rest."""


class CommandError(Exception):
    """Stop a command: `ppl.cli.main` prints the problems and messages and returns the status.

    Args:
        messages: each printed as ``ppl COMMAND: message``; none when the reason is already shown
            (program diagnostics, rendered where they were found).
        status: the exit status (`EXIT_USAGE` unless given).
        command: the command's name; `main` fills in the command that ran when it is not given.
        problems: lines printed before the messages, as they are (a file's located mistakes).
    """

    def __init__(self, *messages: str, status: int = EXIT_USAGE, command: str | None = None,
                 problems: Sequence[str] = ()) -> None:
        super().__init__(*messages)
        self.messages = messages
        self.status = status
        self.command = command
        self.problems = tuple(problems)

    def render(self, command: str) -> str:
        """The error as written to standard error: its problems, then each message after ``ppl COMMAND:``."""
        name = self.command or command
        lines = [*self.problems, *(f"ppl {name}: {message}" for message in self.messages)]
        return "".join(f"{line}\n" for line in lines)


def ledger_problem(what: str, exc: LedgerError) -> list[str]:
    """A ledger's refusal as the messages of a `CommandError`: `what: the problem [code]`, then its hint."""
    return [f"{what}: {exc}", *([f"hint: {exc.hint}"] if exc.hint else [])]


def check_limit_settings() -> None:
    """Refuse a run whose environment overrides a limit with something that is not a positive whole number.

    Raises:
        CommandError: naming each such variable (a usage error).
    """
    problems = [*program_limits.check_overrides(), *limits.check_overrides()]
    if problems:
        raise CommandError(*problems)


def use_color(stream: TextIO | Any, choice: str) -> bool:
    """Whether to colour a stream: `always`, `never`, or `auto` (a terminal, unless NO_COLOR is set)."""
    if choice == "always":
        return True
    if choice == "never" or os.environ.get("NO_COLOR"):
        return False
    return bool(getattr(stream, "isatty", lambda: False)())


def problems_error(path: str, problems: Sequence[str]) -> CommandError:
    """A usage error for a file with mistakes: the first `MAX_PROBLEMS` listed, and how many more there are."""
    more = len(problems) - MAX_PROBLEMS
    return CommandError(f"{path} has mistakes" + (f" (and {more} more)" if more > 0 else ""),
                        problems=[f"{path}: {problem}" for problem in problems[:MAX_PROBLEMS]])


# --- options ---------------------------------------------------------------------------------------


def add_color_option(p: argparse.ArgumentParser, what: str = "diagnostics") -> None:
    """`--color auto|always|never`."""
    p.add_argument("--color", choices=COLORS, default="auto", help=f"colour {what} (default: only on a terminal)")


def add_format_option(p: argparse.ArgumentParser, choices: Sequence[str] = ("text", "json")) -> None:
    """`--format`, text by default."""
    p.add_argument("--format", choices=tuple(choices), default="text", help="output format (default: text)")


def add_program_argument(p: argparse.ArgumentParser) -> None:
    """The positional `PROGRAM_OR_RULESET` that `load_ruleset` reads, and `--trusted-key`."""
    p.add_argument("program", metavar="PROGRAM_OR_RULESET",
                   help="a program (.yaml), checked and compiled on the fly, or a compiled rule set (.json)")
    p.add_argument("--trusted-key", action="append", default=[], metavar="PUBLIC_KEY",
                   help="accept only a rule set signed by this Ed25519 public key (PEM; repeatable; also "
                   f"{TRUSTED_KEYS_ENV}, paths separated by `{os.pathsep}`): an unsigned rule set, a program, a "
                   "signature that does not match or one by another key is refused (exit 1)")


def add_engine_option(p: argparse.ArgumentParser) -> None:
    """`--engine compiled|interpreted`."""
    p.add_argument("--engine", choices=("compiled", "interpreted"), default="compiled",
                   help="evaluate with generated code (default) or the reference interpreter")


def add_partners_option(p: argparse.ArgumentParser) -> None:
    """`--partners FILE`, which `load_partners` reads."""
    p.add_argument("--partners", required=True, metavar="FILE", help="the partners (.csv, .jsonl or .ndjson)")
    add_partner_facts_option(p)


def add_partner_facts_option(p: argparse.ArgumentParser) -> None:
    """`--partner-facts FILE`, which `load_partners` reads after the partners file."""
    p.add_argument("--partner-facts", metavar="FILE",
                   help="dated facts of the partners (.csv or .jsonl; columns partner, fact, from, until, name, "
                        "value): records of their `dated` and `{list: …}` inputs, keyed by partner id")


def add_runtime_arguments(p: argparse.ArgumentParser) -> None:
    """What a command that runs a program on data takes: the program, `--partners`, `--engine`, `--color`."""
    add_program_argument(p)
    add_partners_option(p)
    add_engine_option(p)
    add_color_option(p)


# --- loading ---------------------------------------------------------------------------------------


def read_stdin(limit: int, what: str = "standard input") -> bytes:
    """Standard input, read in bounded chunks: at most `limit` + 1 bytes, so that a caller can tell that there
    was more than `limit` without holding it all (the rest is left unread).

    Raises:
        CommandError: standard input cannot be read.
    """
    chunks: list[bytes] = []
    size = 0
    try:
        while size <= limit and (chunk := sys.stdin.buffer.read(min(1 << 16, limit + 1 - size))):
            chunks.append(chunk)
            size += len(chunk)
    except OSError as exc:
        raise CommandError(f"cannot read {what}: {exc.strerror or exc}") from None
    return b"".join(chunks)


def _json_text(text: str, option: str) -> str:
    """The JSON text of an option: as given, or standard input for `-` (up to `MAX_STDIN_BYTES`)."""
    if text != "-":
        return text
    limit = limits.MAX_STDIN_BYTES.value()
    data = read_stdin(limit)
    if len(data) > limit:
        raise CommandError(f"{option} -: standard input has more than {limit:,} bytes (raise the limit with the "
                           f"environment variable `{limits.MAX_STDIN_BYTES.variable}`)")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise CommandError(f"{option} -: standard input is not UTF-8 text") from None


def json_object_option(text: str, option: str, parse_float: Any = None) -> dict[str, Any]:
    """An option given as a JSON object (`--transaction`, `--lead`; `-` reads it from standard input), read
    strictly (`runtime.strict_json`).

    Raises:
        CommandError: not JSON, not an object, or an object that names a key twice; standard input over
            `runtime.limits.MAX_STDIN_BYTES`.
    """
    text = _json_text(text, option)
    try:
        data = strict_json.loads(text, parse_float=parse_float)
    except strict_json.DuplicateKey as exc:
        raise CommandError(f"{option} names `{exc.key}` twice; which value is meant cannot be told") from None
    except ValueError as exc:
        raise CommandError(f"{option} is not valid JSON: {exc}") from None
    except RecursionError:
        raise CommandError(f"{option} is not valid JSON: nested too deeply") from None
    if not isinstance(data, dict):
        raise CommandError(f"{option} must be a JSON object")
    return data


def trusted_key_paths(given: Sequence[str] | None) -> list[str]:
    """The trusted public keys: those given with `--trusted-key`, then those of `PPL_TRUSTED_KEYS`."""
    from_env = [p for p in os.environ.get(TRUSTED_KEYS_ENV, "").split(os.pathsep) if p]
    return [*(given or ()), *from_env]


def _read_artifact(path: str, trusted: Sequence[str]) -> str:
    """An artifact's text, its signature checked first when keys are trusted (`runtime.signing`, loaded then)."""
    if not trusted:
        return ir_json.read_limited(path).decode("utf-8")
    from runtime import signing

    try:
        keys = signing.read_public_keys(trusted)
    except OSError as exc:
        raise CommandError(f"cannot read trusted key {exc.filename}: {exc.strerror or exc}") from None
    except signing.KeyFileError as exc:
        raise CommandError(f"trusted key {exc}") from None
    try:
        return signing.read_verified(path, keys).decode("utf-8")
    except signing.SignatureError as exc:
        raise CommandError(f"{path}: {exc}", status=EXIT_ERRORS) from None


def load_ruleset(path: str, color: str = "auto", trusted_keys: Sequence[str] | None = None) -> ir.RuleSet:
    """A rule set from a program (`.yaml`, checked and compiled) or an artifact (`.json`).

    A program's diagnostics are rendered on standard error as they are found. With trusted keys (given, or
    in `PPL_TRUSTED_KEYS`) only an artifact signed by one of them is read (`runtime.signing`).

    Raises:
        CommandError: 1 when the program has errors or the artifact is not signed by a trusted key,
            2 for usage or I/O errors.
    """
    suffix = Path(path).suffix.lower()
    trusted = trusted_key_paths(trusted_keys)
    if trusted and suffix != ".json":
        raise CommandError(f"{path}: error[E570]: only a rule set signed by a trusted key is accepted, and a "
                           "program compiled on the fly carries no signature; give a signed rule set (.json)",
                           status=EXIT_ERRORS)
    if suffix in (".yaml", ".yml"):
        result = check([path])
        errors = [d for d in result.diagnostics if d.severity is dg.Severity.ERROR]
        if result.diagnostics:
            sys.stderr.write(dg.render_text(result.diagnostics, result.sources, color=use_color(sys.stderr, color)))
        if errors and all(d.code == "E107" for d in errors) or not result.files:
            raise CommandError()
        if errors or len(result.programs) != 1:
            raise CommandError(f"{path} has errors; nothing was computed", status=EXIT_ERRORS)
        return compile_program(result.programs[0])
    if suffix == ".json":
        try:
            return ir_json.loads(_read_artifact(path, trusted))
        except OSError as exc:
            raise CommandError(f"cannot read {path}: {exc.strerror or exc}") from None
        except UnicodeDecodeError:
            raise CommandError(f"{path} is not UTF-8 text") from None
        except ir_json.ArtifactError as exc:
            raise CommandError(f"{path}: {exc}") from None
    raise CommandError(f"{path}: give a program (.yaml) or a compiled rule set (.json)")


def load_partners(path: str, ruleset: ir.RuleSet, facts_path: str | None = None,
                  report: FactReport | None = None, strict: bool = False) -> dict[str, Partner]:
    """Every partner of a file, with the dated facts of `facts_path` (`--partner-facts`) added.

    A fact record that cannot be used is rejected (E529) and the rest go on: each rejection is listed on
    standard error (at most `MAX_PROBLEMS`), and `report` counts the records read, accepted and rejected.
    `strict` (`ppl check`): a rejected record is a mistake of its file instead.

    Raises:
        CommandError: a file cannot be read, or the partners file has mistakes (listed, at most `MAX_PROBLEMS`);
            with `strict`, a fact record is rejected.
    """
    report = report if report is not None else FactReport()
    try:
        partners = rio.read_partners(path, ruleset, report)
        if facts_path is not None:
            partners = read_partner_facts(facts_path, ruleset, partners, report)
    except rio.ReadError as exc:
        raise CommandError(str(exc)) from None
    except rio.PartnersError as exc:
        raise problems_error(exc.path, exc.problems) from None
    if strict and report.rejected:
        raise CommandError(f"{len(report.rejected):,} fact record(s) rejected",
                           problems=[str(r) for r in report.rejected[:MAX_PROBLEMS]])
    for rejected in report.rejected[:MAX_PROBLEMS]:
        print(f"warning: {rejected}", file=sys.stderr)
    if len(report.rejected) > MAX_PROBLEMS:
        print(f"warning: … and {len(report.rejected) - MAX_PROBLEMS:,} more fact records rejected", file=sys.stderr)
    return partners


def facts_summary(report: FactReport) -> str:
    """The summary's line on fact records (empty when none were read): read = accepted + rejected."""
    if not report.read:
        return ""
    code = f" [{FACT_CODE}]" if report.rejected else ""
    return (f"fact records: {report.read:,} read = {report.accepted:,} accepted + {len(report.rejected):,} "
            f"rejected{code}\n")


def parse_period(text: str, ruleset: ir.RuleSet) -> Period:
    """A period as written on the command line (see `PERIODS`), in the program's fiscal year."""
    try:
        return rio.parse_period(text, ruleset.fiscal_year_start)
    except ValueError as exc:
        raise CommandError(str(exc)) from None


def open_transactions(path: str, ruleset: ir.RuleSet) -> rio.TransactionReader:
    """A reader of a transactions file.

    Raises:
        CommandError: the file cannot be read.
    """
    try:
        return rio.read_transactions(path, ruleset)
    except rio.ReadError as exc:
        raise CommandError(str(exc)) from None


def add_follow_symlinks_option(p: argparse.ArgumentParser, what: str) -> None:
    """`--follow-symlinks`: allow the output to be a symbolic link (`runtime.io.outdir`)."""
    p.add_argument("--follow-symlinks", dest="follow_symlinks", action="store_true",
                   help=f"allow {what} to be a symbolic link (what it points to is replaced)")


def write_text(path: str, text: str, follow_symlinks: bool = False) -> None:
    """Write an output file whole (`runtime.io.outdir.write_file`): a temporary sibling renamed over it.

    Raises:
        CommandError: it cannot be written, or is a symbolic link and `follow_symlinks` is not set.
    """
    try:
        outdir.write_file(path, text, follow_symlinks)
    except outdir.OutputError as exc:
        raise CommandError(str(exc)) from None
    except OSError as exc:
        raise CommandError(f"cannot write {path}: {exc.strerror or exc}") from None


# --- deciding --------------------------------------------------------------------------------------


def decision_error(exc: QuoteError | EvaluationError) -> CommandError:
    """A decision the runtime refused (status 1), with the code and where the rule is written."""
    where = f"{exc.at}: " if exc.at else ""
    return CommandError(f"{where}error[{exc.code}]: {exc.message}", status=EXIT_ERRORS)


def quote_one(rt: Runtime, txn: Transaction, partners: Mapping[str, Partner],
              volumes: Mapping[str, Volumes]) -> Quote:
    """Quote one transaction with these period-to-date volumes.

    Raises:
        CommandError: 1 when the runtime cannot judge it.
    """
    try:
        return quote(rt, txn, partners, volumes)
    except (QuoteError, EvaluationError) as exc:
        raise decision_error(exc) from None
