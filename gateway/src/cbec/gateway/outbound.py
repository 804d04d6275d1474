"""Where the gateway may send requests of its own (webhooks): public hosts, checked twice.

    policy = AddressPolicy.of(settings)
    target = parse_target("https://erp.example.com/cbec/receipts", policy)   # or InvalidInput
    addresses = await checked_addresses(target, policy, system_resolver)      # or RefusedAddress
    async with outbound_client(timeout=10) as client:
        status = await post_pinned(client, target, addresses, content=body, headers=headers)

A URL is checked when it is registered (:func:`parse_target`: its form, its scheme, its host's
name, and an address written in any notation a resolver accepts, ``127.1``, ``0x7f.0.0.1``,
``2130706433``, ``[::ffff:7f00:1]`` ...), and its host is resolved and checked again before every
request (:func:`checked_addresses`), since a name's addresses can change after registration (DNS
rebinding). The request then goes to an address that passed, never to a second resolution.

An address is refused unless it is public (:func:`refusal`): loopback, private (RFC 1918, ULA),
link-local, unspecified, multicast, broadcast, reserved, shared (100.64/10), benchmarking,
documentation, IPv6 site-local, and IPv6 forms that carry a refused IPv4 address (mapped,
IPv4-compatible, NAT64, 6to4, Teredo). ``WEBHOOK_ALLOWED_NETWORKS`` opens networks for receivers
that are not public (an ERP in a peered network, a test's receiver on 127.0.0.1); the platform's
own hosts (the services', the broker's, ``WEBHOOK_DENIED_HOSTS``) stay refused.
"""

from __future__ import annotations

import asyncio
import ipaddress
import re
import socket
import ssl
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from ipaddress import IPv6Address
from typing import Protocol
from urllib.parse import urlsplit

import httpx
import idna

from cbec.gateway.domain.addresses import (
    IPAddress,
    IPNetwork,
    ends_in_number,
    parse_ipv4,
    plain,
    refusal,
)
from cbec.shared.errors import InvalidInput, Violation

Resolver = Callable[[str, int], Awaitable[list[IPAddress]]]
"""``(host, port) -> addresses``: :func:`system_resolver`, or a test's own."""

DEFAULT_PORTS = {"http": 80, "https": 443}

RESERVED_NAMES = ("localhost", "localdomain", "local", "internal", "home.arpa", "arpa")
"""Names that are never public hosts: loopback (RFC 6761), mDNS (RFC 6762), private-use
(ICANN's ``.internal``, RFC 8375's ``home.arpa``), and reverse-lookup names under ``arpa``."""

_LABEL = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$")
_HOST_CHARACTERS = re.compile(r"^[a-z0-9.-]+$")
# -- the policy and the URL --------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class AddressPolicy:
    """What a webhook may name: the schemes, the networks opened on purpose, the platform's own
    host names and endpoints (an address with a port, or None for every port)."""

    schemes: tuple[str, ...]
    allowed: tuple[IPNetwork, ...] = ()
    platform_names: frozenset[str] = frozenset()
    platform_endpoints: frozenset[tuple[IPAddress, int | None]] = frozenset()

    @classmethod
    def of(cls, settings: OutboundSettings) -> AddressPolicy:
        names: set[str] = set()
        endpoints: set[tuple[IPAddress, int | None]] = set()
        for host, port in settings.platform_hosts():
            host = host.strip().strip("[]").rstrip(".").lower()
            if not host:
                continue
            address = _literal(host)
            if address is not None:
                endpoints.add((plain(address), port))
            else:
                names.add(_ascii_name(host) or host)
        return cls(
            schemes=("https",) if settings.is_production else ("http", "https"),
            allowed=tuple(settings.webhook_allowed_networks),
            platform_names=frozenset(names),
            platform_endpoints=frozenset(endpoints),
        )

    def address_refusal(self, address: IPAddress, port: int) -> str | None:
        """Why the gateway must not connect to ``address:port``, or None."""
        host = plain(address)
        if (host, port) in self.platform_endpoints or (host, None) in self.platform_endpoints:
            return "an address of the platform"
        if any(host.version == n.version and host in n for n in self.allowed):
            return None
        return refusal(address)


class OutboundSettings(Protocol):
    """What :meth:`AddressPolicy.of` reads from the gateway's settings."""

    @property
    def is_production(self) -> bool: ...

    @property
    def webhook_allowed_networks(self) -> list[IPNetwork]: ...

    def platform_hosts(self) -> Iterable[tuple[str, int | None]]: ...


@dataclass(frozen=True, slots=True)
class Target:
    """A checked URL: where to connect and what to send as ``Host`` and TLS server name."""

    scheme: str
    host: str
    """The host as sent: an ASCII (IDNA) name, or an address's canonical text."""
    port: int
    explicit_port: bool
    path: str
    """Path and query, exactly as given (printable ASCII)."""
    address: IPAddress | None
    """The address when the URL names one; None for a name, resolved at every request."""

    @property
    def host_header(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        if self.explicit_port and self.port != DEFAULT_PORTS[self.scheme]:
            return f"{host}:{self.port}"
        return host


class RefusedAddress(Exception):
    """A host whose addresses include one the gateway must not connect to."""


def _url_rule(rule: str) -> InvalidInput:
    return InvalidInput([Violation(field="url", rule=rule)])


def _literal(host: str) -> IPAddress | None:
    if ":" in host:
        try:
            return IPv6Address(host)
        except ValueError:
            return None
    return parse_ipv4(host) if ends_in_number(host) else None


def _ascii_name(host: str) -> str | None:
    """The host's ASCII form (IDNA 2008 with UTS 46 mapping, lower case), or None."""
    try:
        if not host.isascii():
            text = idna.encode(host, uts46=True).decode("ascii")
        else:
            text = host
            if "xn--" in host.lower():
                idna.decode(host)  # an A-label must be valid Punycode of a valid name
    except (idna.IDNAError, UnicodeError, ValueError):
        return None
    return text.lower()


def parse_target(url: str, policy: AddressPolicy) -> Target:
    """``url`` as a :class:`Target`, or :class:`InvalidInput` naming ``url`` and the rule it
    breaks. Nothing is resolved here: a name's addresses are checked at every request."""
    if any(c.isspace() or not c.isprintable() for c in url):
        raise _url_rule("no whitespace or control characters")
    if "\\" in url:
        raise _url_rule("no backslash")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise _url_rule(
            "a well-formed URL (a port from 1 to 65535, an IPv6 address in brackets)"
        ) from None
    if parts.scheme not in policy.schemes or not parts.netloc:
        raise _url_rule(f"an absolute URL with scheme {' or '.join(policy.schemes)}")
    if "@" in parts.netloc:
        raise _url_rule("no user name or password (the gateway signs its requests)")
    if port == 0:
        raise _url_rule("a port from 1 to 65535")
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    if not path.isascii():
        raise _url_rule("non-ASCII characters percent-encoded in the path and query")
    host, address = _checked_host(parts.netloc.startswith("["), parts.hostname or "", policy)
    target = Target(
        scheme=parts.scheme,
        host=host,
        port=port or DEFAULT_PORTS[parts.scheme],
        explicit_port=port is not None,
        path=path,
        address=address,
    )
    if address is not None:
        reason = policy.address_refusal(address, target.port)
        if reason is not None:
            raise _url_rule(f"a public host: {address} is {reason}")
    return target


def _checked_host(
    bracketed: bool, hostname: str, policy: AddressPolicy
) -> tuple[str, IPAddress | None]:
    if bracketed:
        try:
            v6 = IPv6Address(hostname)
        except ValueError:
            raise _url_rule("an IPv6 address in brackets") from None
        if v6.scope_id is not None:
            raise _url_rule(f"a public host: {hostname} is an address with a zone (link-local)")
        return str(v6), v6
    name = _ascii_name(hostname)
    if not name:
        raise _url_rule("a host name valid in IDNA (international names) or an address")
    name = name.removesuffix(".")
    if not _HOST_CHARACTERS.match(name):
        raise _url_rule("a host name of letters, digits and hyphens, labels of 1 to 63")
    if ends_in_number(name):
        v4 = parse_ipv4(name)
        if v4 is None:
            raise _url_rule(f"a valid IPv4 address ({name} ends in a number)")
        return str(v4), v4
    labels = name.split(".")
    if len(name) > 253 or not all(_LABEL.match(label) for label in labels):
        raise _url_rule("a host name of letters, digits and hyphens, labels of 1 to 63")
    for reserved in RESERVED_NAMES:
        if name == reserved or name.endswith(f".{reserved}"):
            raise _url_rule(f"a public host: names under .{reserved} are not")
    if len(labels) < 2:
        raise _url_rule("a fully qualified public host name (a name with a dot)")
    if name in policy.platform_names:
        raise _url_rule(f"a host outside the platform: {name} is one of its hosts")
    return name, None


# -- at every request --------------------------------------------------------------------------


async def system_resolver(host: str, port: int) -> list[IPAddress]:
    """The addresses of ``host`` from the system's resolver (asyncio's getaddrinfo)."""
    loop = asyncio.get_running_loop()
    answers = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return [ipaddress.ip_address(sockaddr[0]) for *_rest, sockaddr in answers]


async def checked_addresses(
    target: Target, policy: AddressPolicy, resolver: Resolver
) -> list[IPAddress]:
    """The addresses to connect to for ``target``, each checked; :class:`RefusedAddress` when
    any address of the name is refused (one refused answer taints the name), OSError when it
    has none."""
    if target.address is not None:
        addresses: list[IPAddress] = [target.address]
    else:
        addresses = list(dict.fromkeys(await resolver(target.host, target.port)))
    if not addresses:
        raise socket.gaierror(socket.EAI_NONAME, f"{target.host} has no address")
    for address in addresses:
        reason = policy.address_refusal(address, target.port)
        if reason is not None:
            raise RefusedAddress(f"{target.host} resolved to {address}, {reason}")
    return [plain(a) for a in addresses]


def outbound_client(*, timeout: float, verify: ssl.SSLContext | bool = True) -> httpx.AsyncClient:
    """A client for requests to the outside: no proxy, ``.netrc`` or certificates from the
    environment, no redirects followed, and no connection kept for another request (a kept
    connection to an address would carry the next request whatever its TLS server name)."""
    return httpx.AsyncClient(
        trust_env=False,
        follow_redirects=False,
        timeout=timeout,
        verify=verify,
        limits=httpx.Limits(max_keepalive_connections=0),
    )


async def post_pinned(
    client: httpx.AsyncClient,
    target: Target,
    addresses: list[IPAddress],
    *,
    content: bytes,
    headers: dict[str, str],
) -> int:
    """POST ``content`` to the first of ``addresses`` that takes a connection, as a request
    for ``target`` (its ``Host``, and its name for TLS: the certificate must be the name's).
    Answers the status; the body of the answer is never read. Raises the last connection error
    when no address took one, and any other error of the request."""
    failure: httpx.HTTPError | None = None
    extensions = {"sni_hostname": target.host} if target.address is None else {}
    port = None if target.port == DEFAULT_PORTS[target.scheme] else target.port
    for address in addresses:
        url = httpx.URL(
            scheme=target.scheme, host=str(address), port=port, raw_path=target.path.encode()
        )
        request = client.build_request(
            "POST",
            url,
            content=content,
            headers={**headers, "Host": target.host_header},
            extensions=extensions,
        )
        try:
            response = await client.send(request, stream=True, follow_redirects=False)
        except (httpx.ConnectError, httpx.ConnectTimeout) as error:
            failure = error
            continue
        await response.aclose()
        return response.status_code
    assert failure is not None
    raise failure
