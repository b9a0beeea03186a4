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
    # Read model sizes the search benchmark loads, each on SQLite and on PostgreSQL.
    search_sizes: tuple[int, ...]
    search_seconds: float
    search_clients: int
    scrape_repetitions: int
    memory_ingest_events: int
    # Holdings in each of the four demo registries the scrape benchmark reads.
    scrape_holdings: int = 2_000
    # Poll the gateway this often while waiting for an enterprise to appear.
    latency_poll_seconds: float = 0.005
    # wrk's threads; buyer queries one uncached load may take per second (more than any
    # gateway answers, so none is asked twice); the queries' seed; how long a started
    # gateway may take to serve the whole read model.
    search_threads: int = 1
    search_max_rate: float = 2_000
    search_seed: int = 15
    search_ready_seconds: float = 900
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
    search_sizes=(100_000, 1_000_000),
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
    search_sizes=(10_000,),
    search_seconds=2.0,
    search_clients=16,
    scrape_repetitions=3,
    memory_ingest_events=100,
    search_ready_seconds=120,
    scrape_holdings=200,
    notifier_mails=200,
)
