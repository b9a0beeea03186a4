"""The editors' parts, wired once: the hotspots that have editors, the sign-in's secret,
limits and publisher (shared with enterprises), and the outbox relay."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

import structlog

from contracts.hotspots import Hotspot
from services.gateway.editors.access import purge_expired_editors
from services.gateway.editors.outbox import OutboxRelay, Publish
from services.gateway.signin.bootstrap import SignIn

log = structlog.get_logger()


@dataclass
class Editors:
    """Everything the editors' pages need; tests swap the relay's publish and the clocks
    (through `signin`)."""

    signin: SignIn
    hotspots: dict[str, Hotspot]
    relay: OutboxRelay

    def hotspot(self, slug: str) -> Hotspot | None:
        """The hotspot with editors of this slug, or None."""
        return self.hotspots.get(slug)

    def editor_address(self, slug: str, email: str) -> str | None:
        """The address as the operator's file names it among the hotspot's editors (compared
        without regard to case), or None when it is not one of them."""
        hotspot = self.hotspots.get(slug)
        editors = hotspot.editors if hotspot else ()
        return next((e for e in editors if e.casefold() == email.casefold()), None)


def bootstrap_editors(signin: SignIn, publish: Publish) -> Editors:
    """Wire the editors' area; opens no connection."""
    hotspots = {h.slug: h for h in signin.settings.hotspots if h.editors}
    relay = OutboxRelay(signin.engine, publish, signin.now)
    return Editors(signin, hotspots, relay)


async def keep_purging_editors(editors: Editors, every_seconds: float = 600.0) -> None:
    """Purge expired editors' links and sessions now and then, until cancelled (a quiet
    gateway keeps no address longer than the sign-in does)."""
    while True:
        try:
            await asyncio.to_thread(
                purge_expired_editors, editors.signin.engine, editors.signin.now()
            )
        except Exception as exc:  # a busy database: the next round tries again
            log.warning("editor_purge_failed", error=f"{type(exc).__name__}: {exc}")
        await asyncio.sleep(every_seconds)
