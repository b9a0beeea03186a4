"""`impactoost demo` / `impactoost up`: run the platform in the foreground until Ctrl-C."""

from __future__ import annotations

import signal
import time
from pathlib import Path
from types import FrameType

from services.demo.director import Director
from services.demo.platform import Platform
from services.demo.world import World

REGISTRY_NAMES = {
    "pso": "PSO register",
    "codeso": "Code register",
    "senl": "SENL members",
    "cedris": "Cedris members",
}


EDITOR_SIGN_IN_PATH = "redactie/{hotspot}/inloggen"
"""Where the gateway signs a hotspot's editor in (its editors' pages under /redactie)."""


class _Stop(Exception):
    pass


def _raise_stop(signum: int, frame: FrameType | None) -> None:
    raise _Stop


def run_platform(data_dir: Path, gateway_port: int, demo_sites: bool) -> int:
    """Start everything, print where to look, and stop everything on Ctrl-C or SIGTERM.

    Returns the exit code: 0 after Ctrl-C or SIGTERM, 1 when a service died on its own.
    """
    # Set both explicitly: a shell that starts us in the background ignores SIGINT otherwise.
    signal.signal(signal.SIGTERM, _raise_stop)
    signal.signal(signal.SIGINT, _raise_stop)
    platform = Platform(
        data_dir=data_dir.resolve(),
        gateway_port=gateway_port,
        demo_sites=demo_sites,
        world=World() if demo_sites else None,
    )
    print("impactoost: starting nats-server, mail sink, label sites and services ...", flush=True)
    try:
        platform.start()
        _announce(platform)
        while not (dead := platform.dead_services()):
            time.sleep(0.5)
        print(
            f"impactoost: service(s) stopped unexpectedly: {', '.join(dead)}; "
            f"see {platform.data_dir / 'logs'}",
            flush=True,
        )
        return 1
    except _Stop:
        print("\nimpactoost: stopping ...", flush=True)
        return 0
    finally:
        platform.stop()
        print("impactoost: everything stopped.", flush=True)


def _announce(platform: Platform) -> None:
    lines = [
        "",
        f"  Buyers' page (Dutch):   {platform.gateway_url}",
        f"  JSON API:               {platform.gateway_url}api/v1/enterprises",
        f"  API docs:               {platform.gateway_url}docs",
    ]
    if platform.nats is not None:
        lines.append(f"  NATS (JetStream):       {platform.nats.url}")
        lines.append(
            f"  NATS passwords:         {platform.secrets_dir} (a user per service; admin)"
        )
    if platform.smtp is not None:
        lines.append(f"  E-mails (Maildir):      {platform.maildir / 'new'}")
    for label, site in platform.sites.items():
        lines.append(f"  {'Demo ' + REGISTRY_NAMES[label] + ':':<24}{site.base_url}")
    for slug, hotspot in platform.hotspot_sites.items():
        lines.append(f"  {'Demo hotspot ' + slug + ':':<24}{hotspot.news_feed} (news),")
        lines.append(f"  {'':<24}{hotspot.agenda_feed} (agenda)")
    lines.append(f"  Logs:                   {platform.data_dir / 'logs'}")
    if platform.smtp is not None and platform.world is not None:
        lines += ["", *_sign_in_lines(platform), *_editor_lines(platform)]
    if platform.director is not None:
        lines += ["", *_timeline_lines(platform.director)]
    lines += ["", "  Press Ctrl-C to stop everything.", ""]
    print("\n".join(lines), flush=True)


def _sign_in_lines(platform: Platform) -> list[str]:
    """How a visitor tries the self-service with a demo address (from the contacts file)."""
    return [
        "  Complete a listing yourself: search for Kringloop Twente, open its page, choose",
        "  „Vul uw vermelding aan” and enter inkoop@kringlooptwente.example (a demo address",
        f"  the registry trusts); the sign-in link arrives in {platform.maildir / 'new'}.",
        "  Another address becomes a claim: impactoost registry claims "
        f"(with IMPACTOOST_DATA_DIR={platform.data_dir}).",
    ]


def _editor_lines(platform: Platform) -> list[str]:
    """How a visitor tries the editor sign-in of the hotspot without a feed."""
    if platform.newsroom is None:
        return []
    found = [h for h in platform.newsroom.hotspots if h.editors and not h.has_feeds]
    lines = []
    for hotspot in found:
        lines += [
            f"  Enter news as a hotspot's editor: {hotspot.name} has no feed; sign in at",
            f"  {platform.gateway_url}{EDITOR_SIGN_IN_PATH.format(hotspot=hotspot.slug)} with",
            f"  {hotspot.editors[0]} (its editor in {platform.hotspots_file});",
            f"  the link arrives in {platform.maildir / 'new'}.",
        ]
    return lines


def _timeline_lines(director: Director) -> list[str]:
    world, seconds = director.timeline.world, director.step_seconds
    when = f"one every {seconds:g} s" if seconds > 0 else "only by hand"
    return [
        f"  Timeline: {world.last_step} steps after the start, {when} "
        "(IMPACTOOST_DEMO_STEP_SECONDS); after each the registries are scraped again",
        "  and the hotspots' feeds read again (their news changes at steps 1 to 4).",
        f"  Next step by hand:      impactoost demo advance --data-dir {director.data_dir}",
        *_step_lines(director),
    ]


def _step_lines(director: Director) -> list[str]:
    """Each step's title, with what it changes in the hotspots' news and agenda."""
    newsroom = director.timeline.newsroom
    lines = []
    for step in director.timeline.world.steps[1:]:
        lines.append(f"    {step.number}. {step.title}")
        if newsroom is not None:
            lines += [f"       news: {line}" for line in newsroom.expectations(step.number)]
    return lines
