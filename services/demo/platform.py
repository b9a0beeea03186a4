"""Start the whole platform as local processes: nats-server, mail sink, demo sites, services.

Used by `impactoost demo` / `impactoost up` and by the end-to-end tests, so the tests run the
platform exactly as a person does.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import structlog
from aiosmtpd.controller import Controller
from aiosmtpd.handlers import Mailbox

from services.kit.natsserver import NatsServer
from services.kit.processes import (
    StartupError,
    free_port,
    port_open,
    stop_process,
    wait_until,
)

log = structlog.get_logger()

SERVICES = ("registry", "notifier", "gateway", "scraper")


@dataclass
class Platform:
    """Every process of one local platform, started in dependency order and stopped in reverse."""

    data_dir: Path
    gateway_port: int = 8000
    demo_sites: bool = True
    services: tuple[str, ...] = SERVICES
    env: dict[str, str] = field(default_factory=dict)
    nats: NatsServer | None = None
    nats_url: str = ""
    smtp: Controller | None = None
    smtp_port: int = 0
    sites: dict[str, Any] = field(default_factory=dict)
    processes: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)

    @property
    def maildir(self) -> Path:
        """Where the local mail sink stores every message (Maildir: new/ holds the files)."""
        return self.data_dir / "mail"

    @property
    def gateway_url(self) -> str:
        """The buyers' web page."""
        return f"http://127.0.0.1:{self.gateway_port}/"

    def start(self) -> Platform:
        """Start everything; on any failure, stop what was started and re-raise."""
        if "gateway" in self.services and port_open(self.gateway_port):
            raise StartupError(f"port {self.gateway_port} is already in use; choose another")
        self.data_dir.mkdir(parents=True, exist_ok=True)
        (self.data_dir / "logs").mkdir(exist_ok=True)
        try:
            self._start_nats()
            self._start_mail_sink()
            if self.demo_sites:
                self._start_demo_sites()
            for name in self.services:
                self.start_service(name)
            if "gateway" in self.services:
                self._wait_for_gateway()
        except StartupError as exc:
            self.stop()
            raise StartupError(f"{exc}; see {self.data_dir / 'logs'}") from None
        except BaseException:
            self.stop()
            raise
        return self

    def _start_nats(self) -> None:
        configured = self.env.get("IMPACTOOST_NATS_URL") or os.environ.get("IMPACTOOST_NATS_URL")
        if configured:
            self.nats_url = configured
            return
        self.nats = NatsServer(self.data_dir / "nats", log_file=self.data_dir / "logs/nats.log")
        self.nats_url = self.nats.start().url

    def _start_mail_sink(self) -> None:
        if "IMPACTOOST_SMTP_HOST" in self.env or "IMPACTOOST_SMTP_HOST" in os.environ:
            return
        self.smtp_port = free_port()
        self.smtp = Controller(Mailbox(self.maildir), hostname="127.0.0.1", port=self.smtp_port)
        self.smtp.start()

    def _start_demo_sites(self) -> None:
        from services.demo.sites.pso import start_pso_site

        self.sites["pso"] = start_pso_site()
        contacts = self.data_dir / "contacts.csv"
        from services.demo.contacts import write_contacts

        write_contacts(contacts)
        self.env.setdefault("IMPACTOOST_NOTIFIER_CONTACTS_FILE", str(contacts))

    def service_env(self) -> dict[str, str]:
        """The environment every service process gets."""
        env = {
            **os.environ,
            "IMPACTOOST_DATA_DIR": str(self.data_dir),
            "IMPACTOOST_NATS_URL": self.nats_url,
            "IMPACTOOST_LOG_FORMAT": "json",
            "IMPACTOOST_GATEWAY_PORT": str(self.gateway_port),
            "IMPACTOOST_PUBLIC_BASE_URL": self.gateway_url.rstrip("/"),
        }
        if self.smtp is not None:
            env |= {
                "IMPACTOOST_SMTP_HOST": "127.0.0.1",
                "IMPACTOOST_SMTP_PORT": str(self.smtp_port),
            }
        for label, site in self.sites.items():
            env[f"IMPACTOOST_{label.upper()}_BASE_URL"] = site.base_url
        return env | self.env

    def start_service(self, name: str, extra_env: dict[str, str] | None = None) -> None:
        """Start (or restart) one service as `impactoost serve <name>`."""
        log_file = (self.data_dir / "logs" / f"{name}.log").open("ab")
        self.processes[name] = subprocess.Popen(
            [sys.executable, "-m", "services.cli", "serve", name],
            env=self.service_env() | (extra_env or {}),
            stdout=log_file,
            stderr=subprocess.STDOUT,
        )
        log_file.close()

    def stop_service(self, name: str) -> None:
        """Stop one service gracefully (SIGTERM, then SIGKILL after a timeout)."""
        process = self.processes.pop(name, None)
        if process is not None:
            stop_process(process)

    def _wait_for_gateway(self) -> None:
        def healthy() -> bool:
            try:
                with urllib.request.urlopen(f"{self.gateway_url}healthz", timeout=1) as r:  # noqa: S310
                    return bool(r.status == 200)
            except OSError:
                return False

        wait_until(healthy, 60, "gateway", self.processes["gateway"])

    def dead_services(self) -> list[str]:
        """Services whose process has exited."""
        return [name for name, p in self.processes.items() if p.poll() is not None]

    def stop(self) -> None:
        """Stop every process this platform started, services first."""
        for name in reversed(list(self.processes)):
            self.stop_service(name)
        for site in self.sites.values():
            with contextlib.suppress(Exception):
                site.stop()
        self.sites.clear()
        if self.smtp is not None:
            self.smtp.stop()
            self.smtp = None
        if self.nats is not None:
            self.nats.stop()
            self.nats = None
