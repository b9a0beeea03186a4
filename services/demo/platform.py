"""Start the whole platform as local processes: nats-server, mail sink, demo sites, services.

Used by `impactoost demo` / `impactoost up` and by the end-to-end tests, so the tests run the
platform exactly as a person does.
"""

from __future__ import annotations

import contextlib
import importlib
import json
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

from services.demo.config import DemoSettings
from services.demo.director import Director
from services.demo.hotspots_file import serve_hotspots
from services.demo.newsroom import Newsroom
from services.demo.sites.hotspot import HotspotSite
from services.demo.supplements import SupplementSeeder
from services.demo.timeline import Timeline
from services.demo.world import World
from services.kit.nats_config import ExtraUser, accounts_block, admin_permissions
from services.kit.nats_credentials import ensure_passwords, password_file
from services.kit.nats_users import ADMIN, DEMO, SERVICE_USERS
from services.kit.natsserver import NatsServer
from services.kit.processes import (
    StartupError,
    free_port,
    port_open,
    stop_process,
    wait_until,
)
from services.kit.settings import load_settings

log = structlog.get_logger()

SERVICES = ("registry", "notifier", "gateway", "scraper")
# Demo registries are local: read them faster than real ones, unless told otherwise.
DEMO_REQUEST_RATE = "5"
DEMO_TIME_CHECK_SECONDS = "30"
# The demo's registries are scraped within seconds of each other: a short quiet period still
# makes an enterprise's first scrapes one welcome, and the mails follow the timeline quickly.
DEMO_MAIL_QUIET_SECONDS = "15"
# The operator's digest of dead letters lands in the demo's Maildir, every five minutes at most.
DEMO_OPERATOR = "beheer@impactoost.example"
DEMO_DIGEST_MINUTES = "5"


def authenticated_nats(
    data_dir: Path, more_users: dict[str, dict[str, Any]] | None = None
) -> tuple[NatsServer, dict[str, str]]:
    """A nats-server (not yet started) authenticated as in production: a user per service,
    the demo's own tools' `demo` user, the operator's `admin` and `more_users` (name:
    permissions), passwords made once into `data_dir`/secrets; its store and log there too."""
    users = (*SERVICE_USERS, DEMO)
    extra = {ADMIN: admin_permissions(), **(more_users or {})}
    passwords = ensure_passwords(data_dir / "secrets", [user.name for user in users] + [*extra])
    server = NatsServer(
        data_dir / "nats",
        log_file=data_dir / "logs/nats.log",
        accounts=accounts_block(
            passwords, users, extra=[ExtraUser(n, passwords[n], p) for n, p in extra.items()]
        ),
    )
    return server, passwords


@dataclass
class Platform:
    """Every process of one local platform, started in dependency order and stopped in reverse.

    With a `world`, the demo sites are all four registries serving that world, moved through
    its timeline every IMPACTOOST_DEMO_STEP_SECONDS and on `impactoost demo advance`; without
    one, `demo_sites` is the PSO register alone, serving its own page sets ("A", "B", ...).
    """

    data_dir: Path
    gateway_port: int = 8000
    demo_sites: bool = True
    world: World | None = None
    services: tuple[str, ...] = SERVICES
    env: dict[str, str] = field(default_factory=dict)
    nats: NatsServer | None = None
    """Given, with its `passwords`: a server the caller started and stops (the benchmarks)."""
    nats_url: str = ""
    """The demo's own tools' URL (as the `demo` user when the demo runs its own server)."""
    passwords: dict[str, str] = field(default_factory=dict)
    smtp: Controller | None = None
    smtp_port: int = 0
    sites: dict[str, Any] = field(default_factory=dict)
    """The label registries' demo sites, by label."""
    hotspot_sites: dict[str, HotspotSite] = field(default_factory=dict)
    """The hotspots' demo websites with their feeds, by hotspot slug (with a world only)."""
    newsroom: Newsroom | None = None
    processes: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)
    timeline: Timeline | None = None
    director: Director | None = None
    seeder: SupplementSeeder | None = None
    _owns_nats: bool = field(default=False, init=False)

    @property
    def maildir(self) -> Path:
        """Where the local mail sink stores every message (Maildir: new/ holds the files)."""
        return self.data_dir / "mail"

    @property
    def hotspots_file(self) -> Path:
        """The demo's hotspots file (IMPACTOOST_HOTSPOTS_FILE), written at start-up."""
        return self.data_dir / "hotspots.json"

    @property
    def secrets_dir(self) -> Path:
        """Where the NATS users' passwords are generated."""
        return self.data_dir / "secrets"

    @property
    def gateway_url(self) -> str:
        """The buyers' web page."""
        return f"http://127.0.0.1:{self.gateway_port}/"

    def start(self) -> Platform:
        """Start everything; on any failure, stop what was started and re-raise."""
        if "gateway" in self.services and port_open(self.gateway_port):
            raise StartupError(f"port {self.gateway_port} is already in use; choose another")
        step_seconds = self._step_seconds() if self.demo_sites and self.world else 0.0
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
            if self.timeline is not None:
                self._start_director(self.timeline, step_seconds)
                self._start_seeder()
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
        if self.nats is None:
            self.nats, self.passwords = authenticated_nats(self.data_dir)
            self._owns_nats = True
            self.nats.start()
        self.nats_url = self.url_for(DEMO.name)

    def _start_mail_sink(self) -> None:
        if "IMPACTOOST_SMTP_HOST" in self.env or "IMPACTOOST_SMTP_HOST" in os.environ:
            return
        self.smtp_port = free_port()
        self.smtp = Controller(Mailbox(self.maildir), hostname="127.0.0.1", port=self.smtp_port)
        self.smtp.start()

    def _step_seconds(self) -> float:
        """IMPACTOOST_DEMO_STEP_SECONDS, from this platform's env or the process's."""
        name = "IMPACTOOST_DEMO_STEP_SECONDS"
        overrides = {"demo_step_seconds": self.env[name]} if name in self.env else {}
        return load_settings(DemoSettings, **overrides).demo_step_seconds

    def _start_demo_sites(self) -> None:
        from services.demo.contacts import write_contacts

        if self.world is None:
            from services.demo.sites.pso import start_pso_site

            self.sites["pso"] = start_pso_site()
        else:
            self._start_world_sites(self.world)
        # Only the registries served here: a demo never reads the real ones.
        self._default_env("IMPACTOOST_SCRAPE_LABELS", json.dumps(list(self.sites)))
        # The demo's places are all in the bundled reference data: it needs no PDOK lookups.
        self._default_env("IMPACTOOST_PDOK_BASE_URL", "")
        contacts = self.data_dir / "contacts.csv"
        write_contacts(contacts, self.world)
        self.env.setdefault("IMPACTOOST_NOTIFIER_CONTACTS_FILE", str(contacts))
        # The same addresses may sign in to complete their enterprise's listing.
        self.env.setdefault("IMPACTOOST_REGISTRY_CONTACTS_FILE", str(contacts))
        self._default_env("IMPACTOOST_MAIL_QUIET_SECONDS", DEMO_MAIL_QUIET_SECONDS)
        self._default_env("IMPACTOOST_OPERATOR_EMAIL", DEMO_OPERATOR)
        self._default_env("IMPACTOOST_OPERATOR_DIGEST_MINUTES", DEMO_DIGEST_MINUTES)

    def _start_world_sites(self, world: World) -> None:
        """All four registries, serving the world's step 0."""
        for label in world.labels:
            module = importlib.import_module(f"services.demo.sites.{label}")
            self.sites[label] = getattr(module, f"start_{label}_site")(today=world.today)
        self._start_hotspot_sites()
        self.timeline = Timeline(
            world,
            {label: self.sites[label] for label in world.labels},
            newsroom=self.newsroom,
            feeds=self.hotspot_sites,
        )
        self._default_env("IMPACTOOST_SCRAPE_REQUEST_RATE", DEMO_REQUEST_RATE)
        # Reminders of the world's labels that end soon, shortly after start rather than in an hour.
        self._default_env("IMPACTOOST_TIME_CHECK_SECONDS", DEMO_TIME_CHECK_SECONDS)

    def _start_hotspot_sites(self) -> None:
        """The hotspots' websites, and the file pointing the scraper and gateway at them."""
        self.newsroom = Newsroom()
        serve_hotspots(self.newsroom, self.hotspot_sites, self.hotspots_file)
        self._default_env("IMPACTOOST_HOTSPOTS_FILE", str(self.hotspots_file))

    def _default_env(self, name: str, value: str) -> None:
        """Set a service variable unless this platform or the process already sets it."""
        if name not in self.env and name not in os.environ:
            self.env[name] = value

    def _start_director(self, timeline: Timeline, step_seconds: float) -> None:
        self.director = Director(
            timeline,
            self.nats_url,
            labels=timeline.world.labels,
            step_seconds=step_seconds,
            data_dir=self.data_dir,
            say=lambda line: print(line, flush=True),
            hotspots=tuple(self.hotspot_sites),
        )
        self.director.start()

    def _start_seeder(self) -> None:
        """Some demo enterprises complete their listing once listed (see demo/supplements)."""
        if "gateway" in self.services and "registry" in self.services:
            say = lambda line: print(line, flush=True)  # noqa: E731
            self.seeder = SupplementSeeder(self.gateway_url, self.nats_url, say)
            self.seeder.start()

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
            env=self.service_env() | self._credentials(name) | (extra_env or {}),
            stdout=log_file,
            stderr=subprocess.STDOUT,
        )
        log_file.close()

    def url_for(self, user: str) -> str:
        """The demo's NATS server as `user` (a service, `demo` or the operator's `admin`)."""
        assert self.nats is not None, "the demo runs no NATS server of its own"
        return f"nats://{user}:{self.passwords[user]}@127.0.0.1:{self.nats.port}"

    def _credentials(self, service: str) -> dict[str, str]:
        """The service's own NATS user, when the demo runs its own server."""
        if self.nats is None:
            return {}
        return {
            "IMPACTOOST_NATS_URL": self.nats.url,
            "IMPACTOOST_NATS_USER": service,
            "IMPACTOOST_NATS_PASSWORD_FILE": str(password_file(self.secrets_dir, service)),
        }

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
        """Stop every process this platform started: the timeline and services first."""
        if self.director is not None:
            self.director.stop()
            self.director = None
        if self.seeder is not None:
            self.seeder.stop()
            self.seeder = None
        for name in reversed(list(self.processes)):
            self.stop_service(name)
        for site in [*self.sites.values(), *self.hotspot_sites.values()]:
            with contextlib.suppress(Exception):
                site.stop()
        self.sites.clear()
        self.hotspot_sites.clear()
        if self.smtp is not None:
            self.smtp.stop()
            self.smtp = None
        if self.nats is not None and self._owns_nats:
            self.nats.stop()
            self.nats = None
