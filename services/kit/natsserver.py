"""An embedded `nats-server` with JetStream, for the demo, the tests and the benchmarks."""

from __future__ import annotations

import subprocess
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from services.kit.nats_config import render, single_node
from services.kit.processes import find_executable, free_port, stop_process, wait_until


@dataclass
class NatsServer:
    """A `nats-server -js` child process with its own store directory."""

    store_dir: Path
    port: int = 0
    monitor_port: int = 0
    log_file: Path | None = None
    accounts: Mapping[str, Any] | None = None
    """Accounts and users (nats_config.accounts_block): without them the server is open to
    anyone, which only the benchmarks' bare baselines use."""
    domain: str | None = None
    leaf_port: int | None = None
    more: Mapping[str, Any] | None = None
    """Further top-level settings (a region's leaf node: `leafnodes.remotes`)."""
    process: subprocess.Popen[bytes] | None = field(default=None, init=False)

    @property
    def url(self) -> str:
        """Client URL."""
        return f"nats://127.0.0.1:{self.port}"

    def start(self, timeout: float = 20.0) -> NatsServer:
        """Start the server and wait until JetStream answers its health check."""
        self.port = self.port or free_port()
        self.monitor_port = self.monitor_port or free_port()
        self.store_dir.mkdir(parents=True, exist_ok=True)
        out = self.log_file.open("ab") if self.log_file else subprocess.DEVNULL
        self.process = subprocess.Popen(
            [find_executable("nats-server"), *self._arguments()],
            stdout=out,
            stderr=subprocess.STDOUT,
        )
        wait_until(self._healthy, timeout, "nats-server", self.process)
        return self

    @property
    def config_file(self) -> Path:
        """Where the server's configuration is written when it has accounts."""
        return self.store_dir.with_name(f"{self.store_dir.name}.conf")

    def _arguments(self) -> list[str]:
        if self.accounts is None:
            return [
                *("-js", "-a", "127.0.0.1", "-p", str(self.port), "-m", str(self.monitor_port)),
                *("-sd", str(self.store_dir)),
            ]
        config = single_node(
            self.port, self.monitor_port, self.store_dir, self.accounts, self.domain, self.leaf_port
        ) | dict(self.more or {})
        self.config_file.write_text(render(config), encoding="utf-8")
        self.config_file.chmod(0o600)  # it holds the users' passwords
        return ["-c", str(self.config_file)]

    def _healthy(self) -> bool:
        url = f"http://127.0.0.1:{self.monitor_port}/healthz?js-enabled-only=true"
        try:
            with urllib.request.urlopen(url, timeout=1) as response:
                return bool(response.status == 200)
        except OSError:
            return False

    def stop(self) -> None:
        """Stop the server; its store directory is kept."""
        if self.process is not None:
            stop_process(self.process)
            self.process = None
