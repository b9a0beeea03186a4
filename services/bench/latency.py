"""End-to-end latency: a label event published until its enterprise answers in the gateway's
API, one event at a time, against the bare pipeline (bare_pipeline.py): the same events
through the same two hops and commits without domain logic, until its endpoint answers them,
observed by the same code at the same pacing."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field
from typing import Any

import httpx
from nats.js import JetStreamContext

from contracts.labels import LabelGranted
from contracts.subjects import LABELS_STREAM, label_subject
from services.bench.bare_pipeline import BarePipeline
from services.bench.jetstream import Message, wait_for_pull
from services.bench.plan import Plan
from services.bench.progress import say
from services.bench.stack import wait_for_feed
from services.bench.stages import Trip
from services.bench.stats import percentile
from services.bench.synthetic import label_granted

WARM_UP_EVENTS = 5
APPEAR_TIMEOUT = 30.0


@dataclass
class LatencyFigures:
    """p50 and p99 in milliseconds per repetition, for the platform and the baseline."""

    p50: list[float] = field(default_factory=list)
    p99: list[float] = field(default_factory=list)
    baseline_p50: list[float] = field(default_factory=list)
    baseline_p99: list[float] = field(default_factory=list)
    details: dict[str, Any] = field(default_factory=dict)
    trips: list[list[Trip]] = field(default_factory=list)
    """Each repetition's events as the benchmark saw them (for `stages`)."""
    stages: dict[str, list[float]] = field(default_factory=dict)
    """Median milliseconds per stage of the path, per repetition (see stages.py)."""


async def measure_latency(
    plan: Plan, js: JetStreamContext, gateway_url: str, bare: BarePipeline
) -> LatencyFigures:
    """Repetitions against a running registry and gateway, one event at a time; each is
    followed by the same events through the bare pipeline."""
    from services.registry.enterprise import new_enterprise_id
    from services.registry.subscribers import DURABLE

    figures = LatencyFigures(details={"poll_interval_ms": plan.latency_poll_seconds * 1000})
    await wait_for_feed(gateway_url)
    await wait_for_pull(js, LABELS_STREAM.name, DURABLE, 60)
    async with (
        httpx.AsyncClient(base_url=gateway_url, timeout=10) as gateway,
        httpx.AsyncClient(base_url=bare.endpoint_url, timeout=10) as endpoint,
    ):

        async def one(event: LabelGranted, trips: list[Trip]) -> float:
            obs = event.observation
            enterprise_id = new_enterprise_id(obs.label, obs.holding_id)
            message = Message.of(label_subject(obs.label, "granted"), event)
            published = time.time()
            path = f"/api/v1/enterprises/{enterprise_id}"
            took = await until_visible(js, gateway, message, path, plan.latency_poll_seconds)
            trips.append(Trip(enterprise_id, published, time.time()))
            return took

        async def bare_one(event: LabelGranted) -> float:
            (message,) = bare.messages([event])
            path = bare.path(event)
            return await until_visible(bare.js, endpoint, message, path, plan.latency_poll_seconds)

        for i in range(WARM_UP_EVENTS):
            await one(label_granted("lwarm", i), [])
            await bare_one(label_granted("lwarm", i))
        for rep in range(plan.repetitions):
            events = [label_granted(f"l{rep}", i) for i in range(plan.latency_events)]
            figures.trips.append([])
            latencies = [await one(event, figures.trips[-1]) for event in events]
            figures.p50.append(percentile(latencies, 0.50))
            figures.p99.append(percentile(latencies, 0.99))
            base = [await bare_one(event) for event in events]
            figures.baseline_p50.append(percentile(base, 0.50))
            figures.baseline_p99.append(percentile(base, 0.99))
            say(
                f"latency: repetition {rep + 1}: p99 {figures.p99[-1]:.1f} ms, "
                f"bare pipeline {figures.baseline_p99[-1]:.1f} ms"
            )
    return figures


def events_sent(plan: Plan) -> int:
    """How many label events `measure_latency` publishes to the platform."""
    return WARM_UP_EVENTS + plan.repetitions * plan.latency_events


async def until_visible(
    js: JetStreamContext,
    http: httpx.AsyncClient,
    message: Message,
    path: str,
    poll_seconds: float,
) -> float:
    """The observer: milliseconds from the publish until `path` answers 200, polled every
    `poll_seconds`."""
    began = time.perf_counter()
    await js.publish(message.subject, message.payload, headers={"Nats-Msg-Id": message.msg_id})
    deadline = began + APPEAR_TIMEOUT
    while time.perf_counter() < deadline:
        response = await http.get(path)
        if response.status_code == 200:
            return (time.perf_counter() - began) * 1000
        await asyncio.sleep(poll_seconds)
    raise TimeoutError(f"{path} did not appear within {APPEAR_TIMEOUT:.0f}s of publishing")
