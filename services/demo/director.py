"""Moves the demo through its timeline: every few seconds, and whenever someone asks.

Runs beside the launcher in a thread with its own event loop. After each step it asks the
scraper to read every label now (a core NATS request on `impact.v1.commands.scrape`, answered
when the run is done), so the listings and e-mails follow while a person watches, and then
every hotspot's feeds (`feed_request`), so that /nieuws and /agenda follow too.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import nats
import nats.errors
import structlog
from nats.aio.client import Client
from nats.aio.msg import Msg

from contracts.subjects import SCRAPE_COMMANDS
from services.demo import control
from services.demo.timeline import Timeline
from services.kit.nats_access import connect
from services.kit.processes import StartupError

log = structlog.get_logger()
SCRAPE_TIMEOUT_SECONDS = 300.0
FEED_TIMEOUT_SECONDS = 60.0
"""A hotspot's two feeds are two small documents: a scraper that has not answered by then
(or does not read feeds on request) is reported, and the demo goes on."""
START_TIMEOUT_SECONDS = 15.0


FEED_KINDS = ("news", "agenda")


def feed_request(hotspot: str, feed: str) -> bytes:
    """The on-demand read of one of a hotspot's feeds (`news` or `agenda`): a request on
    SCRAPE_COMMANDS (the subject the scraper answers and the demo may send on) naming the
    hotspot and feed instead of a label, answered with the feed run's summary
    (`hotspot`, `feed`, `ok`, `reason`, a count per event kind) as a label's scrape is."""
    return json.dumps({"hotspot": hotspot, "feed": feed}).encode()


class Director:
    """Advances `timeline` every `step_seconds` (0: never by itself) and on request."""

    def __init__(
        self,
        timeline: Timeline,
        nats_url: str,
        labels: Sequence[str],
        step_seconds: float,
        data_dir: Path,
        say: Callable[[str], None] = print,
        hotspots: Sequence[str] = (),
    ) -> None:
        self.timeline = timeline
        self.labels = tuple(labels)
        self.hotspots = tuple(hotspots)
        self.step_seconds = step_seconds
        self.data_dir = data_dir
        self.say = say
        self.state = control.new_state(nats_url)
        self._ready = threading.Event()
        self._stopping = threading.Event()
        self._failure: BaseException | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None
        self._thread = threading.Thread(target=self._run, name="demo-director", daemon=True)

    def start(self) -> None:
        """Connect, listen, and write the state file `impactoost demo advance` reads."""
        self._thread.start()
        if not self._ready.wait(START_TIMEOUT_SECONDS) or self._failure is not None:
            self.stop()
            raise StartupError(f"the demo timeline could not start: {self._failure}")

    def stop(self) -> None:
        """Stop the timer and stop listening; an advance in progress is abandoned."""
        self._stopping.set()
        loop, stop = self._loop, self._stop
        if loop is not None and stop is not None:
            with contextlib.suppress(RuntimeError):  # its loop has already closed
                loop.call_soon_threadsafe(stop.set)
        if self._thread.is_alive():
            self._thread.join(timeout=10)

    def _run(self) -> None:
        try:
            asyncio.run(self._main())
        except BaseException as exc:
            self._failure = exc
            log.exception("demo_timeline_stopped")
        finally:
            self._ready.set()

    async def _main(self) -> None:
        self._loop, self._stop = asyncio.get_running_loop(), asyncio.Event()
        client = await connect(self.state.nats_url, connect_timeout=5)
        lock = asyncio.Lock()

        async def on_request(msg: Msg) -> None:
            answer = await self._advance(client, lock)
            await msg.respond(json.dumps(answer, ensure_ascii=False).encode())

        try:
            await client.subscribe(self.state.subject, cb=on_request)
            control.write_state(self.data_dir, self.state)
            self._ready.set()
            ticker = asyncio.create_task(self._tick(client, lock))
            if not self._stopping.is_set():
                await self._stop.wait()
            ticker.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await ticker
        finally:
            control.remove_state(self.data_dir, self.state)
            await client.close()

    async def _tick(self, client: Client, lock: asyncio.Lock) -> None:
        if self.step_seconds <= 0:
            return
        while not self.timeline.at_end:
            await asyncio.sleep(self.step_seconds)
            await self._advance(client, lock)

    async def _advance(self, client: Client, lock: asyncio.Lock) -> dict[str, Any]:
        """One step forward, then every label scraped; the answer `control.describe` reads."""
        async with lock:
            step = self.timeline.advance()
            answer: dict[str, Any] = {
                "advanced": step is not None,
                "step": self.timeline.step,
                "last_step": self.timeline.world.last_step,
            }
            if step is not None:
                answer |= {"title": step.title, "expect": step.expect}
                answer["news"] = self.timeline.news_expectations()
            self._tell(control.describe_step(answer))
            if step is not None:
                answer["scrapes"] = [await self._scrape(client, label) for label in self.labels]
                self._tell([control.describe_scrapes(answer["scrapes"])])
                if self.hotspots:
                    answer["feeds"] = await asyncio.gather(
                        *(
                            self._read_feed(client, hotspot, feed)
                            for hotspot in self.hotspots
                            for feed in FEED_KINDS
                        )
                    )
                    self._tell([control.describe_feeds(answer["feeds"])])
            return answer

    def _tell(self, lines: list[str]) -> None:
        for line in lines:
            self.say(f"{' ' * 11 if line.startswith(' ') else 'impactoost:'} {line.strip()}")

    async def _scrape(self, client: Client, label: str) -> dict[str, Any]:
        """Ask the scraper to read `label` now; its summary, or why there is none."""
        body = json.dumps({"label": label}).encode()
        try:
            reply = await client.request(SCRAPE_COMMANDS, body, timeout=SCRAPE_TIMEOUT_SECONDS)
            summary: dict[str, Any] = json.loads(reply.data)
        except (nats.errors.Error, TimeoutError, ValueError) as exc:
            summary = {"label": label, "ok": False, "reason": str(exc) or type(exc).__name__}
        return summary

    async def _read_feed(self, client: Client, hotspot: str, feed: str) -> dict[str, Any]:
        """Ask the scraper to read one of `hotspot`'s feeds now; its summary, or why none."""
        try:
            reply = await client.request(
                SCRAPE_COMMANDS, feed_request(hotspot, feed), timeout=FEED_TIMEOUT_SECONDS
            )
            summary: dict[str, Any] = json.loads(reply.data)
        except (nats.errors.Error, TimeoutError, ValueError) as exc:
            summary = {"ok": False, "reason": str(exc) or type(exc).__name__}
        if not isinstance(summary, dict):
            summary = {"ok": False, "reason": "unexpected answer"}
        return {**summary, "hotspot": hotspot, "feed": feed}
