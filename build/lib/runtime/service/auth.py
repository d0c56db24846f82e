"""API keys: a keys file holds each key's id, role, partner and a hash of the key, never the key itself.

A key reads `ppl_<id>_<secret>`: the id finds the record, and the SHA-256 of the whole key is compared
with the stored hash in constant time (`hmac.compare_digest`). The secret is 32 random bytes, so a plain
SHA-256 is enough (no password stretching is needed for a high-entropy key). A caller sends its key as
`Authorization: Bearer <key>` or `X-API-Key: <key>`.

The keys file is JSON or YAML: `{"keys": [{"id", "role", "partner"?, "hash", "created"?}]}`.
"""

from __future__ import annotations

import datetime
import hashlib
import hmac
import json
import os
import re
import secrets
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

from runtime.service.context import ROLES, Caller, Role

KEY_PREFIX = "ppl_"
ID_PATTERN = re.compile(r"[A-Za-z0-9-]{1,64}")
"""A key id: letters, digits and hyphens (no underscore, which separates it from the secret)."""


class KeysError(Exception):
    """A keys file that cannot be read or holds a bad record."""


@dataclass(frozen=True, slots=True)
class KeyRecord:
    """One key as the keys file keeps it: its public id, role, partner (for a partner key) and hash."""

    id: str
    role: Role
    hash: str  # sha256:<hex> of the whole key
    partner: str | None = None
    created: str | None = None  # ISO timestamp, UTC

    def as_json(self) -> dict[str, Any]:
        """The record as the keys file writes it."""
        data: dict[str, Any] = {"id": self.id, "role": self.role}
        if self.partner is not None:
            data["partner"] = self.partner
        data["hash"] = self.hash
        if self.created is not None:
            data["created"] = self.created
        return data


def hash_key(key: str) -> str:
    """The stored form of a key: `sha256:` and the hex digest of its UTF-8 bytes."""
    return "sha256:" + hashlib.sha256(key.encode("utf-8")).hexdigest()


def key_id(key: str) -> str | None:
    """The id part of a key (`ppl_<id>_<secret>`), or None when the text is not shaped like a key.

    >>> key_id("ppl_k1_abc_def"), key_id("other")
    ('k1', None)
    """
    if not key.startswith(KEY_PREFIX):
        return None
    found, sep, secret = key[len(KEY_PREFIX):].partition("_")
    return found if sep and secret and ID_PATTERN.fullmatch(found) else None


def _record(item: Any, where: str) -> KeyRecord:
    if not isinstance(item, dict):
        raise KeysError(f"{where}: a key is an object with id, role, partner and hash")
    key_id_, role, partner, hashed = item.get("id"), item.get("role"), item.get("partner"), item.get("hash")
    if not isinstance(key_id_, str) or not ID_PATTERN.fullmatch(key_id_):
        raise KeysError(f"{where}: `id` is missing or not letters, digits and hyphens")
    if role not in ROLES:
        raise KeysError(f"{where}: `role` is one of {', '.join(ROLES)}")
    if (role == "partner") != isinstance(partner, str) or (partner is not None and not isinstance(partner, str)):
        raise KeysError(f"{where}: a partner key names its `partner`, and only a partner key does")
    if not isinstance(hashed, str) or not re.fullmatch(r"sha256:[0-9a-f]{64}", hashed):
        raise KeysError(f"{where}: `hash` is `sha256:` and 64 hex digits")
    created = item.get("created")
    return KeyRecord(key_id_, cast(Role, role), hashed, partner, created if isinstance(created, str) else None)


def _parse(text: str, path: Path) -> Any:
    if path.suffix.lower() in (".yaml", ".yml"):
        import yaml

        try:
            return yaml.safe_load(text)
        except yaml.YAMLError as exc:
            raise KeysError(f"{path}: not YAML: {str(exc).splitlines()[0]}") from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise KeysError(f"{path}: not JSON: line {exc.lineno}: {exc.msg}") from None


def read_keys(path: Path) -> dict[str, KeyRecord]:
    """The key records of a keys file, by id; a missing file has none only when `create` is set by the caller.

    Raises:
        KeysError: the file cannot be read, is not JSON or YAML, or a record is bad or repeated.
    """
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise KeysError(f"{path}: {exc.strerror or exc}") from None
    data = _parse(text, path)
    items = data.get("keys") if isinstance(data, dict) else None
    if not isinstance(items, list):
        raise KeysError(f"{path}: a keys file is an object with a `keys` list")
    records: dict[str, KeyRecord] = {}
    for n, item in enumerate(items, 1):
        record = _record(item, f"{path}: key {n}")
        if record.id in records:
            raise KeysError(f"{path}: key {n}: id `{record.id}` is already used")
        records[record.id] = record
    return records


def write_keys(path: Path, records: Sequence[KeyRecord]) -> None:
    """Write a keys file (JSON, or YAML for a `.yaml` name) atomically, readable by its owner only."""
    data = {"keys": [r.as_json() for r in records]}
    if path.suffix.lower() in (".yaml", ".yml"):
        import yaml

        text = yaml.safe_dump(data, sort_keys=False, allow_unicode=True)
    else:
        text = json.dumps(data, ensure_ascii=False, indent=1) + "\n"
    fd, tmp = tempfile.mkstemp(prefix=".keys-", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(text)
        os.chmod(tmp, 0o600)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def new_key(role: Role, partner: str | None = None, key_id_: str | None = None) -> tuple[str, KeyRecord]:
    """A new key and its record: the key is shown once; only the record is kept."""
    found = key_id_ or secrets.token_hex(6)
    if not ID_PATTERN.fullmatch(found):
        raise KeysError(f"key id `{found}`: letters, digits and hyphens only")
    key = f"{KEY_PREFIX}{found}_{secrets.token_urlsafe(32)}"
    created = datetime.datetime.now(datetime.UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")
    return key, KeyRecord(found, role, hash_key(key), partner, created)


class Keys:
    """The keys a service accepts, read from a keys file (and read again on `reload`)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.records: Mapping[str, KeyRecord] = read_keys(path)

    def reload(self) -> None:
        """Read the keys file again (a revoked key stops working); a bad file leaves the keys as they were.

        Raises:
            KeysError: the file cannot be read or is bad.
        """
        self.records = read_keys(self.path)

    def authenticate(self, key: str) -> Caller | None:
        """The caller a key belongs to, or None for a key that is unknown, revoked or wrong."""
        found = key_id(key)
        record = self.records.get(found) if found is not None else None
        if record is None:
            hmac.compare_digest(hash_key(key), hash_key(""))  # as much work for an unknown id as for a known one
            return None
        if not hmac.compare_digest(hash_key(key), record.hash):
            return None
        return Caller(record.id, record.role, record.partner)


def bearer(authorization: str | None, api_key: str | None) -> str | None:
    """The key a request carries: `Authorization: Bearer <key>`, else `X-API-Key`."""
    if authorization:
        scheme, _, value = authorization.strip().partition(" ")
        if scheme.lower() == "bearer" and value.strip():
            return value.strip()
    return api_key.strip() if api_key and api_key.strip() else None
