"""`ppl serve keys add|list|revoke --keys FILE`: the service's API keys, only their hashes at rest."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import cast

from ppl.common import EXIT_OK, CommandError
from runtime.service.auth import KeyRecord, KeysError, new_key, read_keys, write_keys
from runtime.service.context import Role


def _records(path: Path, missing_ok: bool) -> dict[str, KeyRecord]:
    if missing_ok and not path.exists():
        return {}
    try:
        return read_keys(path)
    except KeysError as exc:
        raise CommandError(str(exc)) from None


def _add(args: argparse.Namespace, path: Path) -> int:
    if args.role is None:
        raise CommandError("keys add: give --role admin, vendor or partner")
    if (args.role == "partner") != (args.partner is not None):
        raise CommandError("keys add: a partner key names its --partner, and only a partner key does")
    records = _records(path, missing_ok=True)
    if args.key_id is not None and args.key_id in records:
        raise CommandError(f"keys add: id `{args.key_id}` is already used")
    try:
        key, record = new_key(cast(Role, args.role), args.partner, args.key_id)
        while record.id in records:  # a random id that happens to be taken
            key, record = new_key(cast(Role, args.role), args.partner)
        write_keys(path, [*records.values(), record])
    except KeysError as exc:
        raise CommandError(f"keys add: {exc}") from None
    except OSError as exc:
        raise CommandError(f"{path}: {exc.strerror or exc}") from None
    print(key)
    print(f"key `{record.id}` ({record.role}{', partner ' + record.partner if record.partner else ''})"
          f" added to {path}; the key is shown only this once", file=sys.stderr)
    return EXIT_OK


def _list(path: Path, fmt_json: bool) -> int:
    records = _records(path, missing_ok=False)
    if fmt_json:
        rows = [{k: v for k, v in r.as_json().items() if k != "hash"} for r in records.values()]
        sys.stdout.write(json.dumps(rows, ensure_ascii=False, indent=1) + "\n")
        return EXIT_OK
    for r in records.values():
        print(f"{r.id}\t{r.role}\t{r.partner or '-'}\t{r.created or '-'}")
    return EXIT_OK


def _revoke(path: Path, ids: list[str]) -> int:
    if not ids:
        raise CommandError("keys revoke: name the id of the key to revoke")
    records = _records(path, missing_ok=False)
    unknown = [i for i in ids if i not in records]
    if unknown:
        raise CommandError(f"keys revoke: no key `{unknown[0]}` in {path}")
    try:
        write_keys(path, [r for r in records.values() if r.id not in ids])
    except OSError as exc:
        raise CommandError(f"{path}: {exc.strerror or exc}") from None
    print(f"revoked {', '.join(f'`{i}`' for i in ids)}; a running service stops accepting "
          "them on its next reload (SIGHUP)", file=sys.stderr)
    return EXIT_OK


def run(args: argparse.Namespace) -> int:
    """Carry out `ppl serve keys ACTION`."""
    action, *rest = args.words or [""]
    path = Path(args.keys)
    match action:
        case "add":
            if rest:
                raise CommandError(f"keys add: unexpected argument `{rest[0]}`")
            return _add(args, path)
        case "list":
            return _list(path, fmt_json=rest == ["--json"] or rest == ["json"])
        case "revoke":
            return _revoke(path, rest)
    raise CommandError("keys: give an action: add, list, or revoke ID")
