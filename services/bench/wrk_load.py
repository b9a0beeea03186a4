"""HTTP load from `wrk`, a compiled load generator in a process of its own, walking a list of
paths; what it measured is read from the JSON its Lua `done()` prints, and its own CPU time
from the kernel's resource usage of the child, so a run says whether the client had CPU to
spare (it must never be the limit it measures)."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import shutil
import signal
import time
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

# Above this share of its cores, the client may be what limits the figure.
BUSY_CLIENT = 0.8
RESULT_MARK = "WRK_RESULT "
_LUA = """-- Written by impactoost bench: each thread walks its own slice of the paths in
-- {paths}, one path per request; `repeated` counts the requests sent after its slice ran
-- out (each of them asks a path again).
local thread_count = {threads}
local threads = {{}}
function setup(thread)
  thread:set("id", #threads)
  table.insert(threads, thread)
end
function init(args)
  mine, position, repeated, wrapped = {{}}, 0, 0, false
  local line_number = 0
  for line in io.lines("{paths}") do
    if line_number % thread_count == id then table.insert(mine, line) end
    line_number = line_number + 1
  end
end
function request()
  position = position + 1
  if position > #mine then position, wrapped = 1, true end
  if wrapped then repeated = repeated + 1 end
  return wrk.format(nil, mine[position])
end
function done(summary, latency, requests)
  local repeated = 0
  for _, thread in ipairs(threads) do repeated = repeated + thread:get("repeated") end
  local e = summary.errors
  io.write(string.format("{mark}" .. '{{"duration_us": %d, "requests": %d, "connect": %d, ' ..
    '"read": %d, "write": %d, "status": %d, "timeout": %d, "p50_us": %d, "p99_us": %d, ' ..
    '"max_us": %d, "repeated": %d}}\\n', summary.duration, summary.requests, e.connect,
    e.read, e.write, e.status, e.timeout, latency:percentile(50), latency:percentile(99),
    latency.max, repeated))
end
"""


@dataclass(frozen=True)
class WrkResult:
    """What one wrk run measured, and what it cost the client."""

    requests: int
    seconds: float
    p50_ms: float
    p99_ms: float
    max_ms: float
    # Answers other than 2xx/3xx, and socket errors (connect, read, write, time-outs).
    status_errors: int
    socket_errors: int
    timeouts: int
    # Requests sent after a thread's slice of the paths ran out (so asked again).
    repeated: int
    client_cpu_seconds: float = 0.0
    client_wall_seconds: float = 0.0
    threads: int = 1

    @property
    def per_second(self) -> float:
        """Successful requests per second."""
        return (self.requests - self.status_errors) / self.seconds

    @property
    def errors(self) -> int:
        """Failed requests: error answers, socket errors and time-outs."""
        return self.status_errors + self.socket_errors + self.timeouts

    @property
    def client_busy(self) -> float:
        """The client's CPU time over wall time, per thread (1.0: a core fully used)."""
        if not self.client_wall_seconds:
            return 0.0
        return self.client_cpu_seconds / self.client_wall_seconds / self.threads

    def details(self) -> dict[str, Any]:
        """The run as the JSON report records it."""
        return {
            "requests": self.requests,
            "seconds": round(self.seconds, 3),
            "p50_ms": self.p50_ms,
            "p99_ms": self.p99_ms,
            "max_ms": self.max_ms,
            "status_errors": self.status_errors,
            "socket_errors": self.socket_errors,
            "timeouts": self.timeouts,
            "repeated": self.repeated,
            "client_cpu_share": round(self.client_busy, 3),
        }


def lua_script(paths_file: Path, threads: int) -> str:
    """The Lua script that walks the paths in `paths_file`, one slice per wrk thread."""
    if '"' in str(paths_file) or "\\" in str(paths_file):
        raise ValueError(f"the paths file's name cannot be quoted in Lua: {paths_file}")
    return _LUA.format(paths=paths_file, threads=threads, mark=RESULT_MARK)


def parse_output(output: str) -> WrkResult:
    """The figures from wrk's standard output (its `done()` line); a clear error without it."""
    lines = [line for line in output.splitlines() if line.startswith(RESULT_MARK)]
    if not lines:
        raise RuntimeError(f"wrk printed no result line; its output was:\n{output[-2000:]}")
    data = json.loads(lines[-1].removeprefix(RESULT_MARK))
    return WrkResult(
        requests=data["requests"],
        seconds=data["duration_us"] / 1e6,
        p50_ms=data["p50_us"] / 1000,
        p99_ms=data["p99_us"] / 1000,
        max_ms=data["max_us"] / 1000,
        status_errors=data["status"],
        socket_errors=data["connect"] + data["read"] + data["write"],
        timeouts=data["timeout"],
        repeated=data["repeated"],
    )


def wrk_path() -> str:
    """Where wrk is; a clear error when it is not installed."""
    found = shutil.which("wrk")
    if found is None:
        raise RuntimeError("wrk is not installed: run `make system-deps` (Debian package wrk)")
    return found


async def run_wrk(
    base_url: str,
    paths: Sequence[str],
    folder: Path,
    *,
    seconds: float,
    connections: int,
    threads: int = 1,
) -> WrkResult:
    """Load `base_url` with `paths` for `seconds` from `connections` connections."""
    if not paths or len(paths) < threads:
        raise ValueError("wrk needs at least one path per thread")
    if seconds < 1 or seconds != int(seconds):
        raise ValueError(f"wrk runs for whole seconds, not {seconds:g}")
    script = await asyncio.to_thread(_write_script, folder, paths, threads)
    command = [wrk_path(), f"-t{threads}", f"-c{connections}", f"-d{int(seconds)}s", "--latency"]
    command += ["--timeout", "10s", "-s", str(script), base_url]
    out, err = folder / "wrk.out", folder / "wrk.err"
    status, cpu, wall = await _run_measured(command, out, err)
    result = await asyncio.to_thread(_read_result, status, out, err)
    return replace(result, client_cpu_seconds=cpu, client_wall_seconds=wall, threads=threads)


def _write_script(folder: Path, paths: Sequence[str], threads: int) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    paths_file = folder / "paths.txt"
    paths_file.write_text("".join(f"{path}\n" for path in paths), encoding="utf-8")
    script = folder / "walk.lua"
    script.write_text(lua_script(paths_file.resolve(), threads), encoding="utf-8")
    return script


def _read_result(status: int, out: Path, err: Path) -> WrkResult:
    if status != 0:
        raise RuntimeError(f"wrk exited with {status}: {err.read_text()[-2000:]}")
    return parse_output(out.read_text(encoding="utf-8"))


def _spawn(command: list[str], out: Path, err: Path) -> int:
    writing = os.O_WRONLY | os.O_CREAT | os.O_TRUNC
    actions = [
        (os.POSIX_SPAWN_OPEN, 1, str(out), writing, 0o644),
        (os.POSIX_SPAWN_OPEN, 2, str(err), writing, 0o644),
    ]
    return os.posix_spawn(command[0], command, dict(os.environ), file_actions=actions)


async def _run_measured(command: list[str], out: Path, err: Path) -> tuple[int, float, float]:
    """Exit status, CPU seconds (user + system) and wall seconds of `command`, its output
    in `out` and `err`; killed if the caller is cancelled (Ctrl-C)."""
    began = time.perf_counter()
    pid = _spawn(command, out, err)
    try:
        _, status, usage = await asyncio.to_thread(os.wait4, pid, 0)
    except BaseException:
        # The waiting thread reaps it once it has died.
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
        raise
    wall = time.perf_counter() - began
    return os.waitstatus_to_exitcode(status), usage.ru_utime + usage.ru_stime, wall
