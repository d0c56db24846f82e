"""Rule set bundles: the compiled artifacts a service serves, verified, swapped in atomically on reload.

A bundle is a directory of `*.ruleset.json` artifacts (or one artifact). Each is verified as `runtime.load`
verifies it (size, format version, hash, IR check, and with trusted keys its signature) and served with
its partners: `<stem>.partners.csv` (or `.partners.jsonl`) beside the artifact, or a file given per program.

`reload()` builds everything first and then replaces one reference, so a request in flight keeps the
`Catalog` it started with. An artifact that fails to load is refused (logged, counted, reported) and the
program's previous artifact keeps serving. Every artifact ever loaded stays available by its hash; the
default for a program is the one its artifact file in the bundle holds now.
"""

from __future__ import annotations

import datetime
import logging
import os
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from runtime.service.context import ServedProgram

ARTIFACT_SUFFIX = ".ruleset.json"
PARTNER_SUFFIXES = (".partners.csv", ".partners.jsonl", ".partners.ndjson")
HASH_PREFIX = "sha256:"

_log = logging.getLogger("ppl.service")


class BundleError(Exception):
    """A bundle that cannot be served at all: no such path, or no artifact in it."""


@dataclass(frozen=True, slots=True)
class Refusal:
    """An artifact a reload refused, and why (the message of its error, in the words of `runtime.load`)."""

    path: str
    reason: str


@dataclass(frozen=True, slots=True)
class Catalog:
    """Every artifact loaded so far, by hash, and the one each program serves by default (immutable)."""

    by_hash: Mapping[str, ServedProgram] = field(default_factory=dict)
    default: Mapping[str, ServedProgram] = field(default_factory=dict)  # by program id
    history: Mapping[str, tuple[ServedProgram, ...]] = field(default_factory=dict)  # by program, oldest first

    def find(self, program: str, ruleset: str | None = None) -> ServedProgram | None:
        """The served artifact of `program`: the default, or the one whose hash is `ruleset` (with or without
        its `sha256:` prefix); None when there is none."""
        if ruleset is None:
            return self.default.get(program)
        found = self.by_hash.get(ruleset if ruleset.startswith(HASH_PREFIX) else HASH_PREFIX + ruleset)
        return found if found is not None and found.program == program else None


@dataclass(frozen=True, slots=True)
class ReloadResult:
    """What one reload did: the artifacts newly loaded (their hashes), those refused, and the defaults after it."""

    loaded: tuple[str, ...]
    refused: tuple[Refusal, ...]
    default: Mapping[str, str]  # program id → hash

    @property
    def ok(self) -> bool:
        """No artifact was refused."""
        return not self.refused


def artifact_files(path: Path) -> list[Path]:
    """The artifacts of a bundle path: the file itself, or a directory's `*.ruleset.json` (not hidden ones, such
    as a file being written under a temporary name), sorted by name.

    Raises:
        BundleError: the path does not exist, or a directory holds no artifact.
    """
    if path.is_file():
        return [path]
    if not path.is_dir():
        raise BundleError(f"{path}: no such file or directory")
    found = sorted(p for p in path.iterdir()
                   if p.name.endswith(ARTIFACT_SUFFIX) and not p.name.startswith(".") and p.is_file())
    if not found:
        raise BundleError(f"{path}: no rule set artifact (*{ARTIFACT_SUFFIX}) in the directory")
    return found


def _stem(path: Path) -> str:
    name = path.name
    return name[: -len(ARTIFACT_SUFFIX)] if name.endswith(ARTIFACT_SUFFIX) else path.stem


def _partners_file(artifact: Path, program: str, given: Mapping[str, Path]) -> Path | None:
    if program in given:
        return given[program]
    for suffix in PARTNER_SUFFIXES:
        beside = artifact.with_name(_stem(artifact) + suffix)
        if beside.is_file():
            return beside
    return None


def _signature(path: Path | None) -> tuple[str, int, int] | None:
    """What identifies a file's version cheaply: its path, modification time and size."""
    if path is None:
        return None
    st = path.stat()
    return (str(path), st.st_mtime_ns, st.st_size)


class Bundles:
    """The artifacts a service serves, reloaded on demand; `catalog` is the current immutable view.

    Args:
        path: a directory of `*.ruleset.json`, or one artifact.
        partners: a partners file per program id, overriding the one beside the artifact.
        trusted_keys: Ed25519 public keys (PEM paths); when given, only artifacts signed by one are served.
        engine: `compiled` (default) or `interpreted`.
    """

    def __init__(self, path: Path, partners: Mapping[str, Path] | None = None,
                 trusted_keys: Sequence[str | Path] = (), engine: str = "compiled") -> None:
        self.path = path
        self.partners = dict(partners or {})
        self.trusted_keys = tuple(trusted_keys)
        self.engine = engine
        self.catalog = Catalog()
        self.reloads_ok = 0
        self.reloads_refused = 0
        self.last: ReloadResult | None = None
        self._lock = threading.Lock()
        # (artifact signature, partners signature) → served artifact, so that an unchanged file is not re-read
        self._seen: dict[tuple[tuple[str, int, int] | None, tuple[str, int, int] | None], ServedProgram] = {}

    def reload(self) -> ReloadResult:
        """Load every artifact of the bundle that is new or changed, then swap the catalog in one assignment.

        Raises:
            BundleError: the bundle path is gone or holds no artifact (the catalog is left as it was).
        """
        with self._lock:
            files = artifact_files(self.path)
            by_hash = dict(self.catalog.by_hash)
            default = dict(self.catalog.default)
            history = {k: list(v) for k, v in self.catalog.history.items()}
            loaded: list[str] = []
            refused: list[Refusal] = []
            for path in files:
                try:
                    served, new = self._served(path)
                except Exception as exc:  # noqa: BLE001 - a bad artifact is refused, whatever its fault
                    refused.append(Refusal(str(path), _reason(exc)))
                    _log.warning("refused rule set artifact %s: %s", path, _reason(exc))
                    continue
                if new:
                    loaded.append(served.hash)
                    by_hash[served.hash] = served
                    history.setdefault(served.program, []).append(served)
                default[served.program] = by_hash.get(served.hash, served)
            # INVARIANT: one assignment publishes the new catalog; readers never see a half-built one
            self.catalog = Catalog(by_hash, default, {k: tuple(v) for k, v in history.items()})
            result = ReloadResult(tuple(loaded), tuple(refused), {k: v.hash for k, v in sorted(default.items())})
            self.last = result
            if refused:
                self.reloads_refused += 1
            else:
                self.reloads_ok += 1
            return result

    def _served(self, path: Path) -> tuple[ServedProgram, bool]:
        """The served artifact of one file: the one already loaded when neither it nor its partners changed."""
        signature = _signature(path)
        for (art, part), served in self._seen.items():
            if art == signature and part == _signature(_partners_file(path, served.program, self.partners)):
                return served, False
        served = self._load(path)
        key = (signature, _signature(_partners_file(path, served.program, self.partners)))
        self._seen[key] = served
        known = self.catalog.by_hash.get(served.hash)
        new = known is None or known.partners != served.partners
        return (served if new or known is None else known), new

    def _load(self, path: Path) -> ServedProgram:
        import runtime
        from runtime import io as rio
        from runtime import ir

        rt = runtime.load(path, self.engine, self.trusted_keys)
        program = rt.ruleset.program_id
        partners_path = _partners_file(path, program, self.partners)
        partners = rio.read_partners(partners_path, rt.ruleset) if partners_path is not None else {}
        return ServedProgram(program, HASH_PREFIX + rio.ruleset_sha256(rt.ruleset), path, rt, partners,
                             datetime.datetime.now(datetime.UTC), str(ir.FORMAT))


def _reason(exc: BaseException) -> str:
    """An error's message for a refusal: its own words, or its class for an error without any."""
    text = str(exc).strip().splitlines()
    if isinstance(exc, OSError) and exc.strerror:
        return f"{exc.filename or ''}: {exc.strerror}".strip(": ")
    return text[0] if text else type(exc).__name__


def mtimes(path: Path) -> tuple[tuple[str, int, int], ...]:
    """The modification times and sizes of a bundle's files (for `--watch`); empty when the path is gone."""
    try:
        if path.is_file():
            entries = [path]
        else:
            entries = sorted(p for p in path.iterdir() if p.is_file())
        return tuple((str(p), p.stat().st_mtime_ns, p.stat().st_size) for p in entries)
    except OSError:
        return ()


def parse_partner_options(items: Sequence[str]) -> dict[str, Path]:
    """`PROGRAM=FILE` options as a mapping.

    Raises:
        ValueError: an item without `=` or with an empty side.
    """
    found: dict[str, Path] = {}
    for item in items:
        program, sep, file = item.partition("=")
        if not sep or not program.strip() or not file.strip():
            raise ValueError(f"--partners `{item}`: write PROGRAM=FILE")
        found[program.strip()] = Path(os.path.expanduser(file.strip()))
    return found
