"""The issue's table: each benchmark's figures turned into rows with baselines and targets."""

from __future__ import annotations

from services.bench.footprint import MemoryFigures
from services.bench.ingest import IngestFigures
from services.bench.latency import LatencyFigures
from services.bench.notifier import NotifierFigures
from services.bench.plan import Plan
from services.bench.results import Row, Target
from services.bench.scrape import ScrapeFigures
from services.bench.search import SearchFigures

INGEST_TARGET = Target("ratio_at_least", 0.5)
LATENCY_TARGET = Target("ratio_at_most", 10)
SEARCH_TARGET = Target("ratio_at_least", 0.5)
SCRAPE_TARGET = Target("ratio_at_most", 0.05)
MEMORY_TARGET = Target("at_most", 600, "MB")
NOTIFIER_TARGET = Target("ratio_at_least", 0.5)

INGEST = "registry ingest, {backend}"
LATENCY = "end-to-end latency, label event → gateway API"
SEARCH = "gateway search, {count:,} enterprises"
SCRAPE = "scrape of the demo population"
MEMORY = "resident memory, embedded platform"
NOTIFIER = "notifier, welcome mails into a local SMTP server"
STAGE_NOTE = "from the services' log lines, one event at a time"


def ingest_rows(backend: str, figures: IngestFigures, plan: Plan) -> list[Row]:
    """Registry ingest on one backend; the target applies on SQLite only."""
    benchmark, events = INGEST.format(backend=backend), f"{plan.ingest_events:,} events/rep"
    raw = f"raw pull + ack, batch {plan.baseline_fetch_batch}"
    rows = [
        Row(
            benchmark,
            "label events/s to committed state + outbox",
            "ev/s",
            samples=tuple(figures.registry),
            baseline=tuple(figures.raw),
            baseline_name=raw,
            target=INGEST_TARGET if backend == "SQLite" else None,
            note=events,
            details=figures.details,
        )
    ]
    if backend == "SQLite":
        rows.append(
            Row(
                benchmark,
                "raw pull + ack, batch 1 (comparison)",
                "ev/s",
                samples=tuple(figures.raw_batch_one),
                baseline=tuple(figures.raw),
                baseline_name=raw,
                note=events,
            )
        )
    return rows


def latency_rows(figures: LatencyFigures, plan: Plan) -> list[Row]:
    """End-to-end latency p50 (information) and p99 (target)."""
    poll = plan.latency_poll_seconds * 1000
    note = f"{plan.latency_events:,} events/rep, gateway polled every {poll:g} ms"
    baseline = "raw publish → pull round trip"
    return [
        Row(
            LATENCY,
            "p50",
            "ms",
            samples=tuple(figures.p50),
            baseline=tuple(figures.baseline_p50),
            baseline_name=baseline,
            note=note,
            details=figures.details,
        ),
        Row(
            LATENCY,
            "p99",
            "ms",
            samples=tuple(figures.p99),
            baseline=tuple(figures.baseline_p99),
            baseline_name=baseline,
            target=LATENCY_TARGET,
            note=note,
        ),
        *(
            Row(LATENCY, f"stage median: {stage}", "ms", samples=tuple(medians), note=STAGE_NOTE)
            for stage, medians in figures.stages.items()
        ),
    ]


def search_rows(figures: SearchFigures, plan: Plan) -> list[Row]:
    """Search requests/s (target) and p99 (information), each against `/healthz`."""
    benchmark = SEARCH.format(count=plan.search_enterprises)
    note = f"{plan.search_clients} clients, {plan.search_seconds:g} s per load"
    return [
        Row(
            benchmark,
            "text + facet requests/s",
            "req/s",
            samples=tuple(figures.search_rps),
            baseline=tuple(figures.health_rps),
            baseline_name="/healthz req/s",
            target=SEARCH_TARGET,
            note=note,
            details=figures.details,
        ),
        Row(
            benchmark,
            "p99 latency",
            "ms",
            samples=tuple(figures.search_p99),
            baseline=tuple(figures.health_p99),
            baseline_name="/healthz p99",
            note=note,
        ),
    ]


def scrape_rows(figures: ScrapeFigures) -> list[Row]:
    """Bytes received (on the wire, compressed as the registries send them): the first run
    (information) and the second run against it (target); then the same bodies decoded, for
    information."""
    return [
        Row(SCRAPE, "first run, on the wire", "B", samples=tuple(figures.first)),
        Row(
            SCRAPE,
            "unchanged second run, on the wire",
            "B",
            samples=tuple(figures.second),
            baseline=tuple(figures.first),
            baseline_name="first run",
            target=SCRAPE_TARGET,
            details=figures.details,
        ),
        Row(
            SCRAPE,
            "unchanged second run, decoded",
            "B",
            samples=tuple(figures.second_decoded),
            baseline=tuple(figures.first_decoded),
            baseline_name="first run, decoded",
        ),
    ]


def memory_rows(figures: MemoryFigures) -> list[Row]:
    """Summed RSS of the embedded platform, idle and at its peak under ingest."""
    return [
        Row(
            MEMORY,
            "idle (summed VmRSS)",
            "MB",
            samples=tuple(figures.idle),
            target=MEMORY_TARGET,
            details=figures.details,
        ),
        Row(
            MEMORY,
            "under ingest, peak",
            "MB",
            samples=tuple(figures.under_ingest),
            target=MEMORY_TARGET,
        ),
    ]


def notifier_rows(figures: NotifierFigures, plan: Plan) -> list[Row]:
    """Mails/s against the bare client (target), and the notifier's CPU per mail."""
    note = f"{plan.notifier_mails:,} mails/rep, 225,000-row contacts file"
    return [
        Row(
            NOTIFIER,
            "mails/s, first publish → last mail received",
            "mails/s",
            samples=tuple(figures.notifier),
            baseline=tuple(figures.bare),
            baseline_name="bare smtplib, one connection",
            target=NOTIFIER_TARGET,
            note=note,
            details=figures.details,
        ),
        Row(NOTIFIER, "notifier CPU per mail", "ms", samples=tuple(figures.cpu_ms), note=note),
    ]
