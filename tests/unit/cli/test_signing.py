"""Signed rule sets: `ppl keygen`, `ppl compile --sign`, and `--trusted-key` wherever a rule set is loaded."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

import runtime
from ppl.cli import main
from runtime import signing

ROOT = Path(__file__).resolve().parents[3]
PROGRAM = str(ROOT / "programs" / "ad_agency.yaml")


@pytest.fixture
def keys(tmp_path: Path) -> Path:
    keydir = tmp_path / "keys"
    assert main(["keygen", "--out", str(keydir)]) == 0
    assert main(["keygen", "--out", str(keydir), "--name", "other"]) == 0
    return keydir


@pytest.fixture
def signed(tmp_path: Path, keys: Path) -> Path:
    artifact = tmp_path / "rs.json"
    assert main(["compile", PROGRAM, "-o", str(artifact), "--sign", str(keys / "ppl-signing.key")]) == 0
    return artifact


def _guide(artifact: Path, *keys: Path) -> int:
    return main(["guide", str(artifact), "-o", os.devnull, *(a for k in keys for a in ("--trusted-key", str(k)))])


def test_keygen_writes_a_private_key_only_its_owner_reads_and_never_overwrites(
        keys: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert stat.S_IMODE((keys / "ppl-signing.key").stat().st_mode) == 0o600
    assert (keys / "ppl-signing.pub").read_bytes().startswith(b"-----BEGIN PUBLIC KEY-----")
    capsys.readouterr()
    assert main(["keygen", "--out", str(keys)]) == 2
    assert "keys are never overwritten" in capsys.readouterr().err


def test_a_signed_rule_set_is_accepted_by_its_key(signed: Path, keys: Path) -> None:
    assert signed.with_name("rs.json.sig").is_file()
    assert _guide(signed, keys / "ppl-signing.pub") == 0
    assert _guide(signed, keys / "other.pub", keys / "ppl-signing.pub") == 0
    assert runtime.load(signed, trusted_keys=[keys / "ppl-signing.pub"]).ruleset.program_id


def test_a_rule_set_changed_by_one_byte_after_signing_is_refused(
        signed: Path, keys: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = signed.read_bytes()
    signed.write_bytes(data[:-1] + b" \n")  # one space more: the hash still matches, the signature does not
    capsys.readouterr()
    assert _guide(signed, keys / "ppl-signing.pub") == 1
    err = capsys.readouterr().err
    assert "error[E571]" in err and "altered after signing" in err and "Traceback" not in err
    assert _guide(signed) == 0  # without a trusted key, the hash alone is checked, as before


def test_a_rule_set_signed_by_another_key_is_refused(
        signed: Path, keys: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert _guide(signed, keys / "other.pub") == 1
    assert "error[E572]" in capsys.readouterr().err
    with pytest.raises(signing.SignatureError) as exc:
        runtime.load(signed, trusted_keys=[keys / "other.pub"])
    assert exc.value.code == "E572"


def test_an_unsigned_rule_set_or_a_program_is_refused_when_a_key_is_trusted(
        tmp_path: Path, keys: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    artifact = tmp_path / "plain.json"
    assert main(["compile", PROGRAM, "-o", str(artifact)]) == 0
    assert _guide(artifact) == 0
    capsys.readouterr()
    assert _guide(artifact, keys / "ppl-signing.pub") == 1
    assert "error[E570]" in capsys.readouterr().err
    monkeypatch.setenv("PPL_TRUSTED_KEYS", str(keys / "ppl-signing.pub"))
    assert _guide(artifact) == 1
    assert main(["guide", PROGRAM, "-o", os.devnull]) == 1
    assert "error[E570]" in capsys.readouterr().err


@pytest.mark.parametrize("signature", [b"", b"{}", b"[" * 10_000, b'{"format": "ppl-signature/1", '
                                       b'"algorithm": "ed25519", "key_id": "x", "signature": "!!"}', b"x" * 10**6])
def test_a_garbled_signature_file_is_refused(signed: Path, keys: Path, signature: bytes,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    signed.with_name("rs.json.sig").write_bytes(signature)
    assert _guide(signed, keys / "ppl-signing.pub") == 1
    assert "error[E571]" in capsys.readouterr().err


def test_a_key_that_is_not_one_is_a_usage_error(signed: Path, keys: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert _guide(signed, keys / "ppl-signing.key") == 2
    assert _guide(signed, keys / "missing.pub") == 2
    assert main(["compile", PROGRAM, "-o", str(signed), "--sign", str(keys / "ppl-signing.pub")]) == 2
    assert main(["compile", PROGRAM, "--sign", str(keys / "ppl-signing.key")]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err and "give --output FILE" in err


def test_keys_made_by_openssl_are_read(tmp_path: Path) -> None:
    pair = signing.generate_key()
    private = signing.load_private_key(pair.private_pem)
    signature = signing.sign(b"rule set", private)
    key = signing.load_public_key(pair.public_pem)
    assert signing.verify(b"rule set", signature.encode(), [key]) == signing.key_id(key)
    with pytest.raises(signing.SignatureError):
        signing.verify(b"rule sets", signature.encode(), [key])
