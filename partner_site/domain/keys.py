"""Signing keys, kept in a file outside the database (mode 0600), never in the database.

The active key signs new codes; every key not yet retired keeps verifying, so a rotation
never invalidates tickets already printed. The file also holds the secret behind the
check codes printed for manual entry.
"""
import base64
import json
import os
import secrets
import tempfile
from datetime import datetime, timezone

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey


def _raw_public(key: Ed25519PublicKey) -> bytes:
    return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


class Keyring:
    """The signing keys read from one file, reloaded when the file changes."""

    def __init__(self, path: str):
        self.path = path
        self._mtime = None
        self._data = None
        self._private: dict[int, Ed25519PrivateKey] = {}
        self._public: dict[int, Ed25519PublicKey] = {}

    # -- loading ---------------------------------------------------------------------
    def _load(self):
        try:
            mtime = os.stat(self.path).st_mtime_ns
        except FileNotFoundError:
            self._create()
            mtime = os.stat(self.path).st_mtime_ns
        if mtime == self._mtime:
            return
        with open(self.path, encoding="utf-8") as fh:
            data = json.load(fh)
        private, public = {}, {}
        for entry in data["keys"]:
            key = Ed25519PrivateKey.from_private_bytes(base64.b64decode(entry["private"]))
            if entry.get("retired_at") is None:
                public[entry["kid"]] = key.public_key()
            private[entry["kid"]] = key
        self._data, self._private, self._public, self._mtime = data, private, public, mtime

    def _create(self):
        """Write a first key, once: concurrent workers race on an exclusive link, one wins."""
        data = {"check_code_secret": secrets.token_hex(32), "active_kid": 1,
                "keys": [self._new_entry(1)]}
        self._write(data, exclusive=True)

    @staticmethod
    def _new_entry(kid: int) -> dict:
        raw = Ed25519PrivateKey.generate().private_bytes(
            serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption()
        )
        return {"kid": kid, "private": base64.b64encode(raw).decode(),
                "created_at": datetime.now(timezone.utc).isoformat(timespec="seconds"), "retired_at": None}

    def _write(self, data: dict, exclusive: bool = False):
        directory = os.path.dirname(os.path.abspath(self.path))
        os.makedirs(directory, mode=0o700, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=directory, prefix=".keys-")
        try:
            os.fchmod(fd, 0o600)
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                json.dump(data, fh, indent=2)
            if exclusive:
                try:
                    os.link(tmp, self.path)
                except FileExistsError:
                    pass
            else:
                os.replace(tmp, self.path)
                tmp = None
        finally:
            if tmp and os.path.exists(tmp):
                os.unlink(tmp)
        self._mtime = None

    # -- use ---------------------------------------------------------------------------
    @property
    def active_kid(self) -> int:
        self._load()
        return self._data["active_kid"]

    def signing_key(self) -> tuple[int, Ed25519PrivateKey]:
        self._load()
        kid = self._data["active_kid"]
        return kid, self._private[kid]

    def public_keys(self) -> dict[int, Ed25519PublicKey]:
        """Return the keys that verify codes: every key not retired."""
        self._load()
        return self._public

    def check_code_secret(self) -> bytes:
        self._load()
        return bytes.fromhex(self._data["check_code_secret"])

    def describe(self) -> list[dict]:
        """Return the public part of every key, for `GET /api/v1/keys` and the CLI."""
        self._load()
        out = []
        for entry in self._data["keys"]:
            pub = self._private[entry["kid"]].public_key()
            out.append({
                "kid": entry["kid"],
                "algorithm": "Ed25519",
                "public_key": base64.urlsafe_b64encode(_raw_public(pub)).decode().rstrip("="),
                "created_at": entry["created_at"],
                "retired_at": entry.get("retired_at"),
                "active": entry["kid"] == self._data["active_kid"],
            })
        return out

    # -- administration ---------------------------------------------------------------------
    def rotate(self) -> int:
        """Add a new key that signs from now on; older keys keep verifying."""
        self._load()
        data = json.loads(json.dumps(self._data))
        kid = max(e["kid"] for e in data["keys"]) + 1
        if kid > 255:
            raise ValueError("key ids are one byte: retire and prune old keys first")
        data["keys"].append(self._new_entry(kid))
        data["active_kid"] = kid
        self._write(data)
        return kid

    def retire(self, kid: int) -> None:
        """Stop accepting codes signed by `kid` (after its tickets have expired)."""
        self._load()
        data = json.loads(json.dumps(self._data))
        if kid == data["active_kid"]:
            raise ValueError("the active key cannot be retired: rotate first")
        for entry in data["keys"]:
            if entry["kid"] == kid:
                entry["retired_at"] = datetime.now(timezone.utc).isoformat(timespec="seconds")
                break
        else:
            raise KeyError(kid)
        self._write(data)
