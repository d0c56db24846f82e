"""`ppl keygen`: a new Ed25519 key pair for signing rule sets (`ppl compile --sign`, `--trusted-key`)."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Any

from ppl.common import EXIT_OK, CommandError

NAME = "keygen"


def add_parser(sub: Any) -> None:
    """Register `keygen` on the subcommand parser of `ppl`."""
    p = sub.add_parser(NAME, help="make a key pair for signing rule sets",
                       description="Make a new Ed25519 key pair: KEYDIR/NAME.key, the private key (PEM, readable "
                       "by its owner only), for `ppl compile --sign`, and KEYDIR/NAME.pub, the public key, for "
                       "`--trusted-key` wherever a rule set is loaded. Existing files are never overwritten. "
                       "Exit status: 0 written, 2 usage or I/O.")
    p.add_argument("--out", required=True, metavar="KEYDIR", help="the directory to write the keys to "
                   "(made when missing)")
    p.add_argument("--name", default="ppl-signing", help="the keys' file name, without suffix (default: ppl-signing)")


def run(args: argparse.Namespace) -> int:
    """Write a new key pair."""
    from runtime import signing

    if not args.name or Path(args.name).name != args.name or args.name.startswith("."):
        raise CommandError(f"--name `{args.name}` must be a plain file name")
    keydir = Path(args.out)
    private, public = keydir / f"{args.name}.key", keydir / f"{args.name}.pub"
    pair = signing.generate_key()
    try:
        keydir.mkdir(parents=True, exist_ok=True)
        _write_new(private, pair.private_pem, 0o600)
        try:
            _write_new(public, pair.public_pem, 0o644)
        except OSError:
            private.unlink()
            raise
    except FileExistsError as exc:
        raise CommandError(f"{exc.filename} exists; keys are never overwritten") from None
    except OSError as exc:
        raise CommandError(f"cannot write {exc.filename or keydir}: {exc.strerror or exc}") from None
    key = signing.load_public_key(pair.public_pem)
    sys.stdout.write(f"wrote {private} (private: keep it secret) and {public} (public), key id "
                     f"{signing.key_id(key)}\n")
    return EXIT_OK


def _write_new(path: Path, data: bytes, mode: int) -> None:
    """Create a file that must not exist yet, with its mode set before anything is written."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
