"""Every way a service proves who it is to NATS, against a real nats-server: a password from a
file, an nkey seed file, and TLS with the deployment's own CA; the FastStream broker and the
kit's plain connections take the same settings."""

from __future__ import annotations

import ssl
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import nats
import nkeys
import pytest

from services.kit.jetstream import make_broker
from services.kit.nats_access import connect
from services.kit.natsserver import NatsServer
from services.kit.settings import KitSettings, load_settings

pytestmark = pytest.mark.integration


@dataclass(frozen=True)
class Secured:
    port: int
    folder: Path

    @property
    def url(self) -> str:
        return f"tls://127.0.0.1:{self.port}"


def make_certificates(folder: Path) -> None:
    """A CA of our own and a server certificate for 127.0.0.1 signed by it (openssl)."""

    def openssl(*args: str) -> None:
        subprocess.run(["openssl", *args], cwd=folder, check=True, capture_output=True)

    openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key",
            "-out", "ca.pem", "-days", "2", "-subj", "/CN=impactoost test CA")  # fmt: skip
    openssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", "server.key",
            "-out", "server.csr", "-subj", "/CN=127.0.0.1")  # fmt: skip
    (folder / "san.ext").write_text("subjectAltName=IP:127.0.0.1\n")
    openssl("x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key",
            "-CAcreateserial", "-out", "server.pem", "-days", "2",
            "-extfile", "san.ext")  # fmt: skip


@pytest.fixture(scope="module")
def secured(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Secured]:
    """A TLS-only server with a password user and an nkey user."""
    folder = tmp_path_factory.mktemp("tls")
    make_certificates(folder)
    seed = nkeys.encode_seed(b"\x07" * 32, nkeys.PREFIX_BYTE_USER)
    (folder / "user.nk").write_bytes(seed + b"\n")
    public = nkeys.from_seed(seed).public_key.decode()
    (folder / "password").write_text("s3cret\n")
    users = [{"user": "registry", "password": "s3cret"}, {"nkey": public}]
    server = NatsServer(
        folder / "store",
        log_file=folder / "nats.log",
        accounts={"IMPACT": {"jetstream": "enabled", "users": users}},
        more={
            "tls": {"cert_file": str(folder / "server.pem"), "key_file": str(folder / "server.key")}
        },
    ).start()
    try:
        yield Secured(server.port, folder)
    finally:
        server.stop()


def settings(secured: Secured, **fields: object) -> KitSettings:
    return load_settings(
        KitSettings, nats_url=secured.url, nats_tls_ca_file=secured.folder / "ca.pem", **fields
    )


@pytest.mark.parametrize("how", ["password file", "nkey seed file"])
async def test_a_service_connects_over_tls_with_its_credentials(secured: Secured, how: str) -> None:
    fields: dict[str, object] = (
        {"nats_user": "registry", "nats_password_file": secured.folder / "password"}
        if how == "password file"
        else {"nats_nkey_file": secured.folder / "user.nk"}
    )
    access = settings(secured, **fields).nats()
    client = await connect(access, allow_reconnect=False)
    try:
        info = await client.jetstream().account_info()
        assert info.limits is not None and client.connected_url is not None
        assert client.connected_url.scheme == "tls"
    finally:
        await client.close()
    broker = make_broker(access)
    async with broker:
        assert await broker.ping(timeout=5)


async def test_a_server_certificate_not_signed_by_the_configured_ca_is_refused(
    secured: Secured, tmp_path: Path
) -> None:
    other = tmp_path / "other"
    other.mkdir()
    make_certificates(other)  # another CA: the server's certificate does not chain to it
    access = load_settings(
        KitSettings,
        nats_url=secured.url,
        nats_user="registry",
        nats_password_file=secured.folder / "password",
        nats_tls_ca_file=other / "ca.pem",
    ).nats()
    with pytest.raises(ssl.SSLCertVerificationError, match="certificate verify failed"):
        await connect(access, allow_reconnect=False, connect_timeout=3)


async def test_a_wrong_password_from_the_file_is_refused(secured: Secured, tmp_path: Path) -> None:
    wrong = tmp_path / "password"
    wrong.write_text("guessed\n")
    access = settings(secured, nats_user="registry", nats_password_file=wrong).nats()
    with pytest.raises(nats.errors.Error, match="Authorization Violation"):
        await connect(access, allow_reconnect=False, max_reconnect_attempts=0)
