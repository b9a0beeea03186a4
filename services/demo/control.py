"""How `impactoost demo advance` finds and tells the running demo to take the next step.

The running demo writes `demo.json` into its data directory: its process id, its NATS URL and
the subject on which it answers advance requests. The command sends a core NATS request there;
the demo advances its registries (it owns them), asks the scraper to read every label, and
replies with what happened once the scrapes are done.
"""

from __future__ import annotations

import json
import os
import secrets
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from contracts.subjects import demo_command_subject

STATE_FILE = "demo.json"
ADVANCE_TIMEOUT_SECONDS = 600.0


class NoDemoRunning(Exception):
    """No running demo was found in the data directory."""


@dataclass(frozen=True)
class DemoState:
    """Where a running demo listens."""

    pid: int
    nats_url: str
    subject: str


def new_state(nats_url: str) -> DemoState:
    """This process's state, with a subject of its own (demos may share a NATS server)."""
    subject = demo_command_subject(secrets.token_hex(4))
    return DemoState(pid=os.getpid(), nats_url=nats_url, subject=subject)


def write_state(data_dir: Path, state: DemoState) -> None:
    """Tell `impactoost demo advance` where this demo listens."""
    (data_dir / STATE_FILE).write_text(json.dumps(asdict(state)) + "\n", encoding="utf-8")


def remove_state(data_dir: Path, state: DemoState) -> None:
    """Forget the state file, unless another demo has written its own since."""
    path = data_dir / STATE_FILE
    if read_state(path.parent, check_alive=False) == state:
        path.unlink(missing_ok=True)


def read_state(data_dir: Path, *, check_alive: bool = True) -> DemoState | None:
    """The running demo's state, or None when there is none (or its process is gone)."""
    try:
        state = DemoState(**json.loads((data_dir / STATE_FILE).read_text(encoding="utf-8")))
    except (OSError, ValueError, TypeError):
        return None
    if check_alive and not _alive(state.pid):
        return None
    return state


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


async def request_advance(data_dir: Path) -> dict[str, Any]:
    """Ask the demo running in `data_dir` to advance; its reply once the scrapes are done."""

    from services.kit.nats_access import connect

    state = read_state(data_dir)
    if state is None:
        raise NoDemoRunning(
            f"no demo is running in {data_dir}; "
            f"start one with `impactoost demo --data-dir {data_dir}`"
        )
    client = await connect(state.nats_url, connect_timeout=5, max_reconnect_attempts=0)
    try:
        reply = await client.request(state.subject, b"{}", timeout=ADVANCE_TIMEOUT_SECONDS)
    finally:
        await client.close()
    answer: dict[str, Any] = json.loads(reply.data)
    return answer


def describe(answer: dict[str, Any]) -> list[str]:
    """The lines a person reads about one advance (or about having reached the end)."""
    lines = describe_step(answer)
    if answer.get("scrapes"):
        lines.append(describe_scrapes(answer["scrapes"]))
    if answer.get("feeds"):
        lines.append(describe_feeds(answer["feeds"]))
    return lines


def describe_step(answer: dict[str, Any]) -> list[str]:
    """What the step changed in the registries and what to watch for."""
    step, last = answer["step"], answer["last_step"]
    if not answer["advanced"]:
        return [
            f"De tijdlijn is al aan het eind (stap {step} van {last}); er verandert niets meer.",
            "  The timeline has reached its end; the registries stay as they are.",
        ]
    lines = [f"Stap {step} van {last}: {answer['title']}", f"  watch: {answer['expect']}"]
    lines += [f"  news:  {line}" for line in answer.get("news", [])]
    if step == last:
        lines.append("  Dit was de laatste stap: de registers blijven nu zoals ze zijn.")
    return lines


def describe_scrapes(scrapes: list[dict[str, Any]]) -> str:
    """One line on the scrapes that followed a step."""
    return "  scraped: " + ", ".join(_scrape(s) for s in scrapes)


def describe_feeds(feeds: list[dict[str, Any]]) -> str:
    """One line on the hotspots' feed reads that followed a step."""
    return "  feeds read: " + ", ".join(_feed(f) for f in feeds)


FEED_EVENT_KINDS = ("published", "updated", "withdrawn", "scheduled", "changed", "cancelled")


def _feed(summary: dict[str, Any]) -> str:
    name = f"{summary['hotspot']} {summary['feed']}"
    if not summary.get("ok"):
        return f"{name} failed ({summary.get('reason')})"
    counts = [f"{summary[k]} {k}" for k in FEED_EVENT_KINDS if summary.get(k)]
    return f"{name} ok" + (f" ({', '.join(counts)})" if counts else "")


def _scrape(summary: dict[str, Any]) -> str:
    if not summary.get("ok"):
        return f"{summary['label']} failed ({summary.get('reason')})"
    counts = [f"{summary[k]} {k}" for k in ("granted", "changed", "lapsed") if summary.get(k)]
    return f"{summary['label']} ok" + (f" ({', '.join(counts)})" if counts else "")
