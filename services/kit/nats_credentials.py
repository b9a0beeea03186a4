"""Passwords for the NATS users, generated once into a folder (the demo's data directory, a
test session's, or an operator's secrets) and read back on every start."""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from pathlib import Path


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
