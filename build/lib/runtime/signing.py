"""Ed25519 signatures of rule set artifacts: who wrote a rule set, not only that it is intact.

An artifact's `sha256` guards against accidental change (a truncated copy, a hand edit that forgot
something): anyone who can edit the file can compute the hash again, so it proves nothing about who
wrote it. A signature does. `ppl compile --sign KEY` writes a detached signature next to the artifact,
`<artifact>.sig`, over the artifact's bytes exactly as written; a loader given trusted public keys
(`ppl … --trusted-key PUB`, `PPL_TRUSTED_KEYS`, `runtime.load(path, trusted_keys=…)`) checks it before
it reads a byte of the JSON, and refuses an unsigned artifact (E570), a signature that does not match
the bytes (E571) and a signature by a key it does not trust (E572).

Keys are PEM files, the formats `openssl genpkey -algorithm ed25519` writes: PKCS #8 for the private
key, SubjectPublicKeyInfo for the public one. The signature file is JSON::

    {"algorithm": "ed25519", "format": "ppl-signature/1", "key_id": "…", "signature": "<base64>"}

`key_id` is the first 16 hex digits of the SHA-256 of the raw public key; it only picks the key to
try, the signature itself decides. This module imports `cryptography`, so the runtime loads it only
when a signature is made or checked.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

SIGNATURE_FORMAT = "ppl-signature/1"
"""The `format` of a signature file."""
SIGNATURE_SUFFIX = ".sig"
"""A detached signature's file name: the artifact's name with this added."""
MAX_SIGNATURE_BYTES = 4096
"""A signature file is a few hundred bytes; a larger one is refused unread."""

UNSIGNED = "E570"
BAD_SIGNATURE = "E571"
UNTRUSTED_KEY = "E572"


class SignatureError(Exception):
    """The artifact is not signed by a trusted key (`code`: E570 unsigned, E571 no match, E572 untrusted key)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"error[{code}]: {message}")
        self.code = code
        self.message = message


class KeyFileError(ValueError):
    """A key file that is not an Ed25519 key of the expected kind (a usage mistake, not a verdict)."""


@dataclass(frozen=True, slots=True)
class KeyPair:
    """A new key pair as PEM text: the private key (keep it secret) and the public key (give it to loaders)."""

    private_pem: bytes
    public_pem: bytes


def generate_key() -> KeyPair:
    """A new Ed25519 key pair."""
    private = Ed25519PrivateKey.generate()
    return KeyPair(
        private.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                              serialization.NoEncryption()),
        private.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo))


def key_id(public: Ed25519PublicKey) -> str:
    """A short name of a public key: the first 16 hex digits of the SHA-256 of its raw bytes."""
    raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()[:16]


def load_private_key(pem: bytes) -> Ed25519PrivateKey:
    """An Ed25519 private key from PEM (PKCS #8, unencrypted).

    Raises:
        KeyFileError: not such a key.
    """
    try:
        key = serialization.load_pem_private_key(pem, password=None)
    except (ValueError, TypeError) as exc:
        raise KeyFileError(f"not an unencrypted PEM private key ({exc})") from None
    if not isinstance(key, Ed25519PrivateKey):
        raise KeyFileError("not an Ed25519 private key")
    return key


def load_public_key(pem: bytes) -> Ed25519PublicKey:
    """An Ed25519 public key from PEM (SubjectPublicKeyInfo).

    Raises:
        KeyFileError: not such a key.
    """
    try:
        key = serialization.load_pem_public_key(pem)
    except (ValueError, TypeError) as exc:
        raise KeyFileError(f"not a PEM public key ({exc})") from None
    if not isinstance(key, Ed25519PublicKey):
        raise KeyFileError("not an Ed25519 public key")
    return key


def sign(artifact: bytes, private: Ed25519PrivateKey) -> str:
    """The detached signature file's text for an artifact's bytes."""
    signature = private.sign(artifact)
    data = {"algorithm": "ed25519", "format": SIGNATURE_FORMAT, "key_id": key_id(private.public_key()),
            "signature": base64.b64encode(signature).decode("ascii")}
    return json.dumps(data, sort_keys=True) + "\n"


def verify(artifact: bytes, signature_text: bytes | None, trusted: Sequence[Ed25519PublicKey]) -> str:
    """Check an artifact's detached signature against trusted keys; the key id that signed it.

    Args:
        artifact: the artifact's bytes, as read.
        signature_text: the signature file's bytes, or None when there is none.
        trusted: the public keys to accept (at least one).

    Raises:
        SignatureError: unsigned (E570), a signature that does not match the bytes (E571), or one made by a key
            that is not trusted (E572).
    """
    if signature_text is None:
        raise SignatureError(UNSIGNED, "the rule set is not signed, and only rule sets signed by a trusted key "
                                       "are accepted")
    found = _parse(signature_text)
    by_id = {key_id(k): k for k in trusted}
    key = by_id.get(found[0])
    if key is None:
        raise SignatureError(UNTRUSTED_KEY, f"the rule set is signed by key {found[0]}, which is not trusted "
                                            f"(trusted: {', '.join(sorted(by_id)) or 'none'})")
    try:
        key.verify(found[1], artifact)
    except InvalidSignature:
        raise SignatureError(BAD_SIGNATURE, f"the signature by key {found[0]} does not match the rule set; "
                                            "it was altered after signing") from None
    return found[0]


def _parse(text: bytes) -> tuple[str, bytes]:
    """The key id and signature bytes of a signature file; E571 for anything else."""
    bad = SignatureError(BAD_SIGNATURE, f"the signature file is not a {SIGNATURE_FORMAT} Ed25519 signature")
    if len(text) > MAX_SIGNATURE_BYTES:
        raise bad
    try:
        data = json.loads(text)
    except (ValueError, RecursionError):
        raise bad from None
    if not isinstance(data, dict) or data.get("format") != SIGNATURE_FORMAT or data.get("algorithm") != "ed25519":
        raise bad
    kid, encoded = data.get("key_id"), data.get("signature")
    if not isinstance(kid, str) or not isinstance(encoded, str):
        raise bad
    try:
        signature = base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError):
        raise bad from None
    if len(signature) != 64:
        raise bad
    return kid, signature


def signature_path(artifact: str | Path) -> Path:
    """Where an artifact's detached signature is: `<artifact>.sig`."""
    return Path(f"{artifact}{SIGNATURE_SUFFIX}")


def read_public_keys(paths: Sequence[str | Path]) -> list[Ed25519PublicKey]:
    """The public keys in PEM files.

    Raises:
        OSError: a file cannot be read.
        KeyFileError: a file is not an Ed25519 public key (the message names it).
    """
    keys = []
    for path in paths:
        try:
            keys.append(load_public_key(Path(path).read_bytes()))
        except KeyFileError as exc:
            raise KeyFileError(f"{path}: {exc}") from None
    return keys


def read_verified(path: str | Path, trusted: Sequence[Ed25519PublicKey]) -> bytes:
    """An artifact's bytes, once its detached signature (`<artifact>.sig`) is checked against trusted keys.

    Raises:
        OSError: the artifact cannot be read.
        ArtifactError: the artifact is over `MAX_ARTIFACT_BYTES` (`runtime.ir_json.read_limited`).
        SignatureError: see `verify`.
    """
    from runtime.ir_json import read_limited

    artifact = read_limited(path)
    try:
        with signature_path(path).open("rb") as fh:
            signature: bytes | None = fh.read(MAX_SIGNATURE_BYTES + 1)
    except FileNotFoundError:
        signature = None
    verify(artifact, signature, trusted)
    return artifact
