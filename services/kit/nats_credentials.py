"""Passwords for the NATS users, generated once into a folder (the demo's data directory, a
test session's, or an operator's secrets) and read back on every start."""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Mapping
from pathlib import Path

import bcrypt


def password_file(folder: Path, user: str) -> Path:
    """Where `user`'s password is kept."""
    return folder / f"nats-{user}.password"


def ensure_passwords(folder: Path, users: Iterable[str]) -> dict[str, str]:
    """Each user's password, made (random, readable by the owner only) where missing."""
    folder.mkdir(parents=True, exist_ok=True)
    passwords = {}
    for user in users:
        path = password_file(folder, user)
        if not path.exists():
            path.write_text(secrets.token_urlsafe(24) + "\n", encoding="utf-8")
            path.chmod(0o600)
        passwords[user] = path.read_text(encoding="utf-8").strip()
    return passwords


def hashed(passwords: Mapping[str, str]) -> dict[str, str]:
    """The passwords as bcrypt hashes, which nats-server checks a client's password against:
    an accounts file that holds no password a reader could use (as the NATS documentation
    recommends over plain text). Cost 11, as `nats server passwd` makes them."""
    return {
        user: bcrypt.hashpw(password.encode(), bcrypt.gensalt(rounds=11, prefix=b"2a")).decode()
        for user, password in passwords.items()
    }
