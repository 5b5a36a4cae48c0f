"""Signing keys of the fleet repository, one folder per role so the root key can live offline."""

from __future__ import annotations

import os
from pathlib import Path

from cryptography.hazmat.primitives.serialization import load_pem_private_key
from securesystemslib.signer import CryptoSigner

ROLES = ("root", "targets", "snapshot", "timestamp")


class KeyMissing(LookupError):
    """A signing key is not in the key folder (the root key is kept offline, for example)."""


def key_path(keys_dir: Path, role: str) -> Path:
    """Where the private key of `role` lives: <keys>/<role>/<role>.pem."""
    return keys_dir / role / f"{role}.pem"


def generate(keys_dir: Path, role: str) -> CryptoSigner:
    """Create a new ed25519 key for `role`, written owner-readable only."""
    signer = CryptoSigner.generate_ed25519()
    path = key_path(keys_dir, role)
    path.parent.mkdir(parents=True, exist_ok=True)
    os.chmod(path.parent, 0o700)
    partial = path.with_suffix(".part")
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(signer.private_bytes)
    partial.replace(path)
    return signer


def load(keys_dir: Path, role: str) -> CryptoSigner:
    """The signer of `role`, or KeyMissing naming the file to bring back."""
    path = key_path(keys_dir, role)
    if not path.is_file():
        raise KeyMissing(f"the {role} key is not at {path} (bring it back from offline storage)")
    private = load_pem_private_key(path.read_bytes(), password=None)
    return CryptoSigner(private)
