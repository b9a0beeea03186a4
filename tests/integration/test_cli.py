"""The `impactoost` command line as a person uses it: one-line errors, dry-run observations."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from services.demo.sites.pso import PsoSite, start_pso_site
from services.kit.processes import free_port
from tests.fixtures.servers import running_nats
from tests.fixtures.spec import OBSERVATION_FIELDS

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def pso_site() -> Iterator[PsoSite]:
    site = start_pso_site()
    yield site
    site.stop()


def impactoost(*args: str, tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    return python_module("services.cli", *args, tmp_path=tmp_path, **env)


def python_module(
    module: str, *args: str, tmp_path: Path, **env: str
) -> subprocess.CompletedProcess[str]:
    """`python -m module args…` with its data in `tmp_path` and a NATS URL nobody answers."""
    environment = {
        **os.environ,
        "IMPACTOOST_DATA_DIR": str(tmp_path),
        "IMPACTOOST_NATS_URL": f"nats://127.0.0.1:{free_port()}",
        "IMPACTOOST_SCRAPE_REQUEST_RATE": "50",
        "IMPACTOOST_LOG_FORMAT": "json",
        **env,
    }
    return subprocess.run(
        [sys.executable, "-m", module, *args],
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def assert_one_line_error(result: subprocess.CompletedProcess[str], code: int, *words: str) -> None:
    assert result.returncode == code, result.stderr
    assert "Traceback" not in result.stderr
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith("impactoost: error: ")
    for word in words:
        assert word in last


def test_help_lists_every_command(tmp_path: Path) -> None:
    result = impactoost("--help", tmp_path=tmp_path)
    assert result.returncode == 0
    for command in ("demo", "up", "serve", "scrape", "asyncapi", "registry"):
        assert command in result.stdout


def test_dry_run_prints_one_observation_per_line_and_needs_no_nats(
    pso_site: PsoSite, tmp_path: Path
) -> None:
    result = impactoost(
        "scrape",
        "pso",
        "--once",
        "--base-url",
        pso_site.base_url,
        "--dry-run",
        "--json",
        tmp_path=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert {line["holding_id"] for line in lines} == {c.number for c in pso_site.certificates()}
    assert all(set(line) == set(OBSERVATION_FIELDS) for line in lines)
    assert all(len(kvk) == 8 and kvk.isdigit() for line in lines for kvk in line["kvk"])


def test_a_bad_base_url_is_a_one_line_usage_error(tmp_path: Path) -> None:
    result = impactoost("scrape", "pso", "--once", "--base-url", "ftp://nowhere", tmp_path=tmp_path)
    assert_one_line_error(result, 2, "--base-url")


def test_an_unknown_label_is_a_one_line_usage_error(tmp_path: Path) -> None:
    assert_one_line_error(impactoost("scrape", "kvk", "--once", tmp_path=tmp_path), 2, "kvk")


def test_an_invalid_setting_names_the_variable(tmp_path: Path) -> None:
    result = impactoost("serve", "registry", tmp_path=tmp_path, IMPACTOOST_NATS_URL="localhost")
    assert_one_line_error(result, 2, "IMPACTOOST_NATS_URL")
    result = impactoost(
        "scrape", "pso", "--once", tmp_path=tmp_path, IMPACTOOST_SCRAPE_REQUEST_RATE="fast"
    )
    assert_one_line_error(result, 2, "IMPACTOOST_SCRAPE_REQUEST_RATE")


def test_an_unreachable_nats_is_a_one_line_error(pso_site: PsoSite, tmp_path: Path) -> None:
    assert_one_line_error(impactoost("serve", "registry", tmp_path=tmp_path), 1, "NATS")
    result = impactoost(
        "scrape", "pso", "--once", "--base-url", pso_site.base_url, tmp_path=tmp_path
    )
    assert_one_line_error(result, 1)


def test_an_unreachable_registry_fails_the_run_in_one_line(tmp_path: Path) -> None:
    result = impactoost(
        "scrape",
        "pso",
        "--once",
        "--dry-run",
        "--base-url",
        f"http://127.0.0.1:{free_port()}",
        tmp_path=tmp_path,
        IMPACTOOST_SCRAPE_MAX_ATTEMPTS="1",
    )
    assert_one_line_error(result, 1, "pso")


@pytest.fixture(scope="module")
def own_nats(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with running_nats(tmp_path_factory.mktemp("cli-nats")) as users:
        url = users.url()
        yield url


def test_scrape_status_reports_each_label_after_a_run(
    pso_site: PsoSite, own_nats: str, tmp_path: Path
) -> None:
    before = impactoost("scrape", "status", tmp_path=tmp_path, IMPACTOOST_NATS_URL=own_nats)
    assert before.returncode == 0, before.stderr
    assert all(line.split()[1] == "-" for line in before.stdout.splitlines()[1:])

    ran = impactoost(
        "scrape",
        "pso",
        "--once",
        "--base-url",
        pso_site.base_url,
        tmp_path=tmp_path,
        IMPACTOOST_NATS_URL=own_nats,
    )
    assert ran.returncode == 0, ran.stderr
    failed = impactoost(
        "scrape",
        "cedris",
        "--once",
        "--base-url",
        f"http://127.0.0.1:{free_port()}",
        tmp_path=tmp_path,
        IMPACTOOST_NATS_URL=own_nats,
        IMPACTOOST_SCRAPE_MAX_ATTEMPTS="1",
    )
    assert failed.returncode == 1

    after = impactoost("scrape", "status", tmp_path=tmp_path, IMPACTOOST_NATS_URL=own_nats)
    rows = {line.split()[0]: line for line in after.stdout.splitlines()[1:]}
    certificates = pso_site.certificates()
    counting = sum(1 for c in certificates if c.counts(date.today()))
    assert rows["pso"].split()[4:6] == [str(len(certificates)), str(counting)]
    assert "robots.txt" in rows["cedris"] and rows["cedris"].split()[1] == "-"
    assert rows["codeso"].split()[1:3] == ["-", "-"]


@pytest.mark.parametrize("service", ["registry", "scraper"])
def test_a_service_module_without_nats_ends_in_one_line(service: str, tmp_path: Path) -> None:
    result = python_module(f"services.{service}", tmp_path=tmp_path)
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    assert result.stderr.strip().splitlines()[-1].startswith("error: cannot reach NATS at ")
