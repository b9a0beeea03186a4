"""`impactoost demo` as a person runs it: it prints the buyers' URL, and Ctrl-C stops it all."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from services.kit.processes import free_port, port_open

pytestmark = pytest.mark.e2e


def _children(pid: int) -> set[int]:
    """Every descendant of `pid`, read from /proc."""
    parents: dict[int, int] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        parents[int(stat.parent.name)] = int(fields[1])
    found, frontier = set(), {pid}
    while frontier:
        frontier = {child for child, parent in parents.items() if parent in frontier}
        found |= frontier
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def test_demo_prints_the_buyers_url_and_ctrl_c_leaves_nothing_running(tmp_path: Path) -> None:
    port = free_port()
    demo = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "services.cli",
            "demo",
            "--data-dir",
            str(tmp_path),
            "--port",
            str(port),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, "IMPACTOOST_SCRAPE_REQUEST_RATE": "50"},
    )
    try:
        assert demo.stdout is not None
        url = f"http://127.0.0.1:{port}/"
        deadline = time.monotonic() + 90
        output = ""
        while "Ctrl-C" not in output and time.monotonic() < deadline:
            output += demo.stdout.readline()
        assert url in output, output
        assert str(tmp_path / "mail" / "new") in output
        assert httpx.get(url).status_code == 200
        started = _children(demo.pid)
        assert len(started) >= 4, "every service runs as its own process"
    finally:
        demo.send_signal(signal.SIGINT)
        demo.wait(timeout=60)
    assert demo.returncode == 0
    assert not [pid for pid in started if _alive(pid)]
    assert not port_open(port)


def test_demo_on_a_busy_port_says_so_in_one_line(tmp_path: Path) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = subprocess.run(
            [
                sys.executable,
                "-m",
                "services.cli",
                "demo",
                "--data-dir",
                str(tmp_path),
                "--port",
                str(port),
            ],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
    assert result.returncode == 1
    assert result.stderr.strip().splitlines()[-1] == (
        f"impactoost: error: port {port} is already in use; choose another"
    )
