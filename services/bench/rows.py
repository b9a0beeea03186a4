"""The issue's table: each benchmark's figures turned into rows with baselines and targets."""

from __future__ import annotations

from services.bench.footprint import MemoryFigures
from services.bench.ingest import IngestFigures
from services.bench.latency import LatencyFigures
from services.bench.notifier import NotifierFigures
from services.bench.plan import Plan
from services.bench.results import Row, Target
from services.bench.scrape_rows import scrape_rows as scrape_rows

INGEST_TARGET = Target("ratio_at_least", 0.5)
LATENCY_TARGET = Target("ratio_at_most", 2)
MEMORY_TARGET = Target("at_most", 600, "MB")
NOTIFIER_TARGET = Target("ratio_at_least", 0.5)

INGEST = "registry ingest, {backend}"
LATENCY = "end-to-end latency, label event → gateway API"
MEMORY = "resident memory, embedded platform"
BARE_INGEST = "bare pipeline, stage 1"
BARE_LATENCY = "bare pipeline"
NOTIFIER = "notifier, welcome mails into a local SMTP server"
STAGE_NOTE = "from the services' log lines, one event at a time"


def ingest_rows(backend: str, figures: IngestFigures, plan: Plan) -> list[Row]:
    """Registry ingest on one backend, held to half of the bare pipeline's stage 1 there."""
    return [
        Row(
            INGEST.format(backend=backend),
            "label events/s to committed state + outbox",
            "ev/s",
            samples=tuple(figures.registry),
            baseline=tuple(figures.bare),
            baseline_name=BARE_INGEST,
            target=INGEST_TARGET,
            note=f"{plan.ingest_events:,} events/rep",
            details=figures.details,
        )
    ]


def latency_rows(figures: LatencyFigures, plan: Plan) -> list[Row]:
    """End-to-end latency p50 (information) and p99 (target), each against the bare
    pipeline's."""
    poll = plan.latency_poll_seconds * 1000
    note = f"{plan.latency_events:,} events/rep, each API polled every {poll:g} ms"
    return [
        Row(
            LATENCY,
            "p50",
            "ms",
            samples=tuple(figures.p50),
            baseline=tuple(figures.baseline_p50),
            baseline_name=f"{BARE_LATENCY} p50",
            note=note,
            details=figures.details,
        ),
        Row(
            LATENCY,
            "p99",
            "ms",
            samples=tuple(figures.p99),
            baseline=tuple(figures.baseline_p99),
            baseline_name=f"{BARE_LATENCY} p99",
            target=LATENCY_TARGET,
            note=note,
        ),
        *(
            Row(LATENCY, f"stage median: {stage}", "ms", samples=tuple(medians), note=STAGE_NOTE)
            for stage, medians in figures.stages.items()
        ),
    ]


def memory_rows(figures: MemoryFigures) -> list[Row]:
    """Summed RSS of the embedded platform, idle and at its peak under ingest and searches."""
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
            "under ingest and search load, peak",
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
