"""How much each benchmark does: the full run, and `--quick` (under two minutes on 2 cores)."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

# The benchmarks in the order they run (`impactoost bench --only NAME`).
STEP_NAMES = ("sqlite", "postgresql", "search", "scrape", "memory", "notifier")


@dataclass(frozen=True)
class Plan:
    """Sizes and repetitions of one `impactoost bench` run."""

    mode: str
    repetitions: int
    ingest_events: int
    latency_events: int
    search_enterprises: int
    search_seconds: float
    search_clients: int
    scrape_repetitions: int
    memory_ingest_events: int
    # The raw baseline consumer fetches this many messages per pull request.
    baseline_fetch_batch: int = 100
    # Poll the gateway this often while waiting for an enterprise to appear.
    latency_poll_seconds: float = 0.005
    # Welcome mails the notifier sends per repetition (and the bare client after it).
    notifier_mails: int = 1_000

    def parameters(self) -> dict[str, Any]:
        """The plan as the JSON report records it."""
        return asdict(self)


FULL = Plan(
    mode="full",
    repetitions=3,
    ingest_events=1_000,
    latency_events=1_000,
    search_enterprises=100_000,
    search_seconds=10.0,
    search_clients=16,
    scrape_repetitions=3,
    memory_ingest_events=500,
)
QUICK = Plan(
    mode="quick",
    repetitions=3,
    ingest_events=150,
    latency_events=30,
    search_enterprises=10_000,
    search_seconds=1.5,
    search_clients=16,
    scrape_repetitions=3,
    memory_ingest_events=100,
    notifier_mails=200,
)
