"""Completed listings in the demo: some enterprises' own supplements, sent once they are listed.

They go the way an enterprise's own edit goes (a SupplementSubmitted on the SUPPLEMENTS
stream, awaited), so the registry decides and publishes as it would for a person; the seeder
only saves the demo's visitor the typing. An enterprise that already shows a supplement is
left alone, so a restarted demo does not overwrite a visitor's edit.
"""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import structlog
from nats.aio.client import Client

from contracts.base import deterministic_id, utc_now
from contracts.subjects import SUPPLEMENTS_STREAM, supplement_subject
from contracts.supplements import Supplement, SupplementSubmitted
from services.kit.nats_access import connect

log = structlog.get_logger()
DATA_FILE = Path(__file__).parent / "data" / "supplements.json"
WAIT_SECONDS = 240.0


def demo_supplements(data_file: Path = DATA_FILE) -> list[dict[str, Any]]:
    """The demo's supplements as the data file writes them (Dutch keys)."""
    entries: list[dict[str, Any]] = json.loads(data_file.read_text("utf-8"))["aanvullingen"]
    return entries


def supplement_of(entry: dict[str, Any]) -> Supplement:
    """The contract's supplement for one entry of the data file."""
    contact = entry.get("contact") or {}
    return Supplement(
        description=entry.get("omschrijving"),
        categories=tuple(entry.get("categorieen", ())),
        keywords=tuple(entry.get("trefwoorden", ())),
        delivery_areas=tuple(entry.get("levergebied", ())),
        contact={
            "name": contact.get("naam"),
            "email": contact.get("email"),
            "phone": contact.get("telefoon"),
        }
        if contact
        else None,
    )


class SupplementSeeder:
    """Sends each demo supplement once its enterprise is listed (in a thread of its own)."""

    def __init__(self, gateway_url: str, nats_url: str, say: Callable[[str], None]) -> None:
        self.gateway_url = gateway_url.rstrip("/")
        self.nats_url = nats_url
        self.say = say
        self._thread = threading.Thread(target=self._run, name="demo-supplements", daemon=True)
        self._stopping = threading.Event()

    def start(self) -> None:
        """Begin in the background."""
        self._thread.start()

    def stop(self) -> None:
        """Stop waiting; what was sent stays sent."""
        self._stopping.set()
        self._thread.join(timeout=5)

    def _run(self) -> None:
        try:
            sent = asyncio.run(self._seed(demo_supplements()))
        except Exception as exc:  # the demo goes on without them; say so
            log.warning("demo_supplements_failed", error=repr(exc))
            return
        if sent:
            self.say(f"impactoost: {sent} demo enterprises completed their own listing.")

    async def _seed(self, entries: list[dict[str, Any]]) -> int:
        waiting = {entry["key"]: entry for entry in entries}
        sent = 0
        deadline = asyncio.get_running_loop().time() + WAIT_SECONDS
        async with httpx.AsyncClient(base_url=self.gateway_url, timeout=5) as http:
            nc = await connect(self.nats_url)
            try:
                while waiting and not self._stopping.is_set():
                    for key, entry in list(waiting.items()):
                        found = await _listed(http, entry["zoek"])
                        if found is None:
                            continue
                        del waiting[key]
                        if found.get("supplement") is None:
                            await _send(nc, found["enterprise_id"], entry)
                            sent += 1
                    if asyncio.get_running_loop().time() > deadline:
                        log.warning("demo_supplements_not_listed", keys=sorted(waiting))
                        break
                    await asyncio.sleep(2)
            finally:
                await nc.close()
        return sent


async def _listed(http: httpx.AsyncClient, search: str) -> dict[str, Any] | None:
    try:
        answer = await http.get("/api/v1/enterprises", params={"q": search})
        items: list[dict[str, Any]] = answer.json().get("items", [])
    except (httpx.HTTPError, ValueError):
        return None
    return items[0] if len(items) == 1 else None


async def _send(nc: Client, enterprise_id: str, entry: dict[str, Any]) -> None:
    event = SupplementSubmitted(
        event_id=deterministic_id("demo-supplement", enterprise_id, entry["key"]),
        occurred_at=utc_now(),
        source="impactoost-demo",
        enterprise_id=enterprise_id,
        submitted_by=entry["door"],
        supplement=supplement_of(entry),
    )
    await nc.jetstream().publish(
        supplement_subject(),
        event.model_dump_json().encode(),
        stream=SUPPLEMENTS_STREAM.name,
        headers={"Nats-Msg-Id": event.event_id},
        timeout=10,
    )
