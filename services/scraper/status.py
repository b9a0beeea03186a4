"""What an operator asks first: per label, when it last worked, why it last failed, what next."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from nats.js.errors import BucketNotFoundError

from contracts.labels import LABELS, LabelName
from services.kit.nats_access import connect
from services.scraper.config import ScraperSettings
from services.scraper.state import BUCKET, KvStateStore, RunInfo, ScraperState


@dataclass(frozen=True)
class LabelStatus:
    """The scraper's own account of one label registry."""

    label: LabelName
    last_success: RunInfo | None
    last_failure: RunInfo | None
    holdings: int
    counting: int
    next_run_at: datetime | None

    @classmethod
    def of(cls, state: ScraperState) -> LabelStatus:
        """The status a saved state describes."""
        return cls(
            label=state.label,
            last_success=state.last_success,
            last_failure=state.last_failure,
            holdings=len(state.holdings),
            counting=sum(1 for h in state.holdings.values() if h.counting),
            next_run_at=state.next_run_at,
        )


async def read_status(settings: ScraperSettings) -> list[LabelStatus]:
    """Every label's status from the scraper's state bucket (empty where never scraped)."""
    access = settings.nats()
    try:
        nc = await connect(
            access, connect_timeout=5, allow_reconnect=False, max_reconnect_attempts=1
        )
    except OSError:
        raise ConnectionError(f"cannot reach NATS at {access.url}") from None
    try:
        try:
            store: KvStateStore | None = KvStateStore(await nc.jetstream().key_value(BUCKET))
        except BucketNotFoundError:
            store = None
        states = [
            await store.load(label) if store else ScraperState(label=label) for label in LABELS
        ]
    finally:
        await nc.close()
    return [LabelStatus.of(state) for state in states]
