"""The editors' parts, wired once: the hotspots that have editors, the sign-in's secret,
limits and publisher (shared with enterprises), and the outbox relay."""

from __future__ import annotations

from dataclasses import dataclass

from contracts.hotspots import Hotspot
from services.gateway.editors.outbox import OutboxRelay, Publish
from services.gateway.signin.bootstrap import SignIn


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
