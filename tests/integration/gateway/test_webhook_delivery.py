"""A webhook's request at delivery, against real receivers on this machine: the host is resolved
once and checked (a resolver of the test's own answers, as real DNS is not at hand), the request
goes to the checked address with the URL's name as Host and TLS server name, redirects are not
followed and the receiver's body is never read."""

from __future__ import annotations

import datetime as dt
import ipaddress
import ssl
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from cbec.gateway.domain.addresses import IPAddress
from cbec.gateway.outbound import (
    AddressPolicy,
    RefusedAddress,
    checked_addresses,
    outbound_client,
    parse_target,
    post_pinned,
)
from cbec.gateway.settings import Settings

pytestmark = pytest.mark.integration

LOCAL = ipaddress.ip_address("127.0.0.1")


@dataclass
class Receiver:
    """A receiver that answers ``status`` (with ``headers`` and ``body``) and records what came."""

    status: int = 204
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    requests: list[tuple[str, dict[str, str], bytes]] = field(default_factory=list)
    server_names: list[str | None] = field(default_factory=list)
    port: int = 0


@contextmanager
def receiving(receiver: Receiver, tls: ssl.SSLContext | None = None) -> Iterator[Receiver]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            receiver.requests.append((self.path, dict(self.headers.items()), body))
            self.send_response(receiver.status)
            for name, value in receiver.headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(receiver.body)))
            self.end_headers()
            self.wfile.write(receiver.body)

        def log_message(self, format: str, *args: Any) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    if tls is not None:
        tls.sni_callback = lambda _sock, name, _ctx: receiver.server_names.append(name)
        server.socket = tls.wrap_socket(server.socket, server_side=True)
    receiver.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield receiver
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


class Resolver:
    """Answers ``answers`` for every name and counts the questions."""

    def __init__(self, *answers: str) -> None:
        self.answers = [ipaddress.ip_address(a) for a in answers]
        self.asked: list[tuple[str, int]] = []

    async def __call__(self, host: str, port: int) -> list[IPAddress]:
        self.asked.append((host, port))
        return list(self.answers)


def local_policy() -> AddressPolicy:
    return AddressPolicy.of(Settings(webhook_allowed_networks="127.0.0.1/32"))


async def deliver(url: str, policy: AddressPolicy, resolver: Resolver, **client: Any) -> int:
    target = parse_target(url, policy)
    addresses = await checked_addresses(target, policy, resolver)
    async with outbound_client(timeout=5, **client) as http:
        return await post_pinned(
            http,
            target,
            addresses,
            content=b'{"receiptId":"r1"}',
            headers={"X-Cbec-Delivery": "r1"},
        )


async def test_a_public_name_resolving_to_a_private_address_is_refused_before_any_request() -> None:
    with receiving(Receiver()) as receiver:
        url = f"http://erp.example.com:{receiver.port}/cbec/receipts"
        for answers in (["127.0.0.1"], ["10.0.0.7"], ["93.184.215.14", "127.0.0.1"], ["::1"]):
            with pytest.raises(RefusedAddress):
                await deliver(url, AddressPolicy.of(Settings()), Resolver(*answers))
        # Also with local receivers allowed, one refused answer taints the name.
        with pytest.raises(RefusedAddress, match=r"169\.254\.169\.254"):
            await deliver(url, local_policy(), Resolver("127.0.0.1", "169.254.169.254"))
        with pytest.raises(RefusedAddress, match="platform"):
            await deliver(
                url,
                AddressPolicy.of(
                    Settings(
                        webhook_allowed_networks="127.0.0.1/32",
                        declaration_url=f"http://127.0.0.1:{receiver.port}",
                    )
                ),
                Resolver("127.0.0.1"),
            )
    assert receiver.requests == []


async def test_the_request_goes_to_the_checked_address_with_the_names_host_header() -> None:
    resolver = Resolver("127.0.0.1")
    with receiving(Receiver()) as receiver:
        status = await deliver(
            f"http://erp.example.com:{receiver.port}/cbec/receipts?tenant=7",
            local_policy(),
            resolver,
        )

    # erp.example.com has no address on this machine: the request reached the receiver only
    # because it went to the address the check passed, resolved once.
    assert status == 204
    assert resolver.asked == [("erp.example.com", receiver.port)]
    ((path, headers, body),) = receiver.requests
    assert path == "/cbec/receipts?tenant=7"
    assert headers["Host"] == f"erp.example.com:{receiver.port}"
    assert headers["X-Cbec-Delivery"] == "r1"
    assert body == b'{"receiptId":"r1"}'


async def test_an_address_that_refuses_the_connection_is_skipped_for_the_next_checked_one() -> None:
    with receiving(Receiver()) as receiver:
        policy = AddressPolicy.of(Settings(webhook_allowed_networks="127.0.0.0/8"))
        # Nothing listens on 127.0.0.2 at the receiver's port.
        status = await deliver(
            f"http://erp.example.com:{receiver.port}/", policy, Resolver("127.0.0.2", "127.0.0.1")
        )
    assert status == 204
    assert len(receiver.requests) == 1


async def test_a_redirect_is_answered_as_it_is_and_never_followed() -> None:
    with receiving(Receiver()) as elsewhere:
        redirect = Receiver(
            status=307, headers={"Location": f"http://127.0.0.1:{elsewhere.port}/stolen"}
        )
        with receiving(redirect):
            status = await deliver(
                f"http://erp.example.com:{redirect.port}/hook",
                local_policy(),
                Resolver("127.0.0.1"),
            )
    assert status == 307
    assert len(redirect.requests) == 1
    assert elsewhere.requests == []


def _certificates(folder: Path) -> tuple[ssl.SSLContext, ssl.SSLContext]:
    """A CA of the test's own and a certificate for erp.example.com signed by it: the server's
    context and a client's context trusting only that CA."""
    now = dt.datetime.now(dt.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "test CA")])
    ca = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(hours=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    leaf = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "erp.example.com")]))
        .issuer_name(ca_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(hours=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.DNSName("erp.example.com")]), critical=False
        )
        .sign(ca_key, hashes.SHA256())
    )
    cert_file, key_file = folder / "erp.pem", folder / "erp.key"
    cert_file.write_bytes(leaf.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    server = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server.load_cert_chain(cert_file, key_file)
    client = ssl.create_default_context(
        cadata=ca.public_bytes(serialization.Encoding.PEM).decode("ascii")
    )
    return server, client


async def test_tls_is_checked_against_the_urls_name_although_the_connection_is_to_its_address(
    tmp_path: Path,
) -> None:
    server, client = _certificates(tmp_path)
    with receiving(Receiver(), tls=server) as receiver:
        status = await deliver(
            f"https://erp.example.com:{receiver.port}/hook",
            local_policy(),
            Resolver("127.0.0.1"),
            verify=client,
        )
        assert status == 204
        assert receiver.server_names == ["erp.example.com"]
        assert receiver.requests[0][1]["Host"] == f"erp.example.com:{receiver.port}"

        # Another name at the same address does not get the connection: its certificate is not
        # erp.example.com's.
        with pytest.raises(httpx.ConnectError, match=r"CERTIFICATE_VERIFY_FAILED|hostname"):
            await deliver(
                f"https://other.example.com:{receiver.port}/hook",
                local_policy(),
                Resolver("127.0.0.1"),
                verify=client,
            )
    assert len(receiver.requests) == 1
