"""Container health check: the gateway answers /healthz; a worker service is alive and
reaches a NATS node. Used as `python /app/healthcheck.py <service>` in compose."""

import socket
import sys
import urllib.request
from pathlib import Path

NATS_NODES = ("nats-1", "nats-2", "nats-3")


def gateway_healthy() -> bool:
    with urllib.request.urlopen("http://127.0.0.1:8000/healthz", timeout=5) as response:
        return bool(response.status == 200)


def worker_healthy(service: str) -> bool:
    if f"serve\0{service}".encode() not in Path("/proc/1/cmdline").read_bytes():
        return False
    for node in NATS_NODES:
        try:
            socket.create_connection((node, 4222), timeout=3).close()
            return True
        except OSError:
            continue
    return False


if __name__ == "__main__":
    name = sys.argv[1]
    try:
        healthy = gateway_healthy() if name == "gateway" else worker_healthy(name)
    except OSError:
        healthy = False
    sys.exit(0 if healthy else 1)
