"""The server secret that signs CSRF tokens: from a configured file, or generated once."""

from __future__ import annotations

import os
import secrets
import threading
from pathlib import Path

import structlog

from services.kit.settings import ConfigError

log = structlog.get_logger()
MIN_BYTES = 32


class ServerSecret:
    """Reads the secret on first use (the app's start-up reads it early, so a bad file
    stops the start rather than the first form); generates the default file when missing."""

    def __init__(self, path: Path, *, generate: bool) -> None:
        self.path = path
        self.generate = generate
        self._value: bytes | None = None
        self._lock = threading.Lock()

    def value(self) -> bytes:
        """The secret's bytes."""
        if self._value is None:
            with self._lock:
                if self._value is None:
                    self._value = self._load()
        return self._value

    def _load(self) -> bytes:
        if not self.path.exists() and self.generate:
            _generate(self.path)
        try:
            value = self.path.read_bytes().strip()
        except OSError as exc:
            raise ConfigError(f"cannot read the gateway secret {self.path}: {exc}") from None
        if len(value) < MIN_BYTES:
            raise ConfigError(
                f"the gateway secret {self.path} must hold at least {MIN_BYTES} characters"
            )
        return value


def _generate(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        # O_EXCL: two processes starting at once never overwrite each other's secret.
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return
    with os.fdopen(fd, "w", encoding="ascii") as file:
        file.write(secrets.token_urlsafe(48) + "\n")
    log.info("gateway_secret_generated", path=str(path))
