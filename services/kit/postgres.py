"""A throw-away local PostgreSQL server from Debian's binaries, for the tests and the benchmarks."""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

from services.kit.processes import free_port


def pg_bindir() -> Path:
    """Where `initdb` and `pg_ctl` live: on PATH, else Debian's newest versioned folder."""
    found = shutil.which("pg_ctl")
    if found:
        return Path(found).resolve().parent
    versions = sorted(Path("/usr/lib/postgresql").glob("*/bin"))
    if not versions:
        raise FileNotFoundError("PostgreSQL binaries not found: install Debian's postgresql")
    return versions[-1]


@contextlib.contextmanager
def local_postgres(*, fsync: bool = False) -> Iterator[str]:
    """Start a fresh cluster in a temporary folder; yield its SQLAlchemy URL (psycopg 3).

    `fsync=False` suits tests (nothing needs to survive a power cut); benchmarks keep the
    server's durable default. As root the server runs as `postgres`: initdb refuses root.
    """
    bindir = pg_bindir()
    root = Path(tempfile.mkdtemp(prefix="impactoost-pg-"))
    data = root / "data"
    port = free_port()
    prefix: list[str] = []
    if os.geteuid() == 0:
        shutil.chown(root, "postgres", "postgres")
        prefix = ["runuser", "-u", "postgres", "--"]
    initdb = [str(bindir / "initdb"), "-D", str(data), "-A", "trust", "-U", "postgres"]
    subprocess.run([*prefix, *initdb, "--no-sync"], check=True, capture_output=True)
    options = f"-p {port} -k {root} -c listen_addresses=127.0.0.1"
    if not fsync:
        options += " -c fsync=off"
    pg_ctl = [str(bindir / "pg_ctl"), "-D", str(data)]
    start = [*pg_ctl, "-o", options, "-l", str(root / "log"), "-w", "start"]
    try:
        subprocess.run([*prefix, *start], check=True, capture_output=True)
        yield f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run([*prefix, *pg_ctl, "-m", "fast", "stop"], check=False, capture_output=True)
        shutil.rmtree(root, ignore_errors=True)
