"""Which addresses are public hosts, in every notation a resolver accepts. Pure: no I/O.

    refusal(ip_address("10.0.0.1"))       # "private (RFC 1918)"; None for a public host
    parse_ipv4("0x7f.1")                  # IPv4Address("127.0.0.1")

An address is refused unless it is public (:func:`refusal`): loopback, private (RFC 1918, ULA),
link-local, unspecified, multicast, broadcast, reserved, shared (100.64/10), benchmarking,
documentation, IPv6 site-local, and IPv6 forms that carry a refused IPv4 address (mapped,
IPv4-compatible, NAT64, 6to4, Teredo).
"""

from __future__ import annotations

import ipaddress
import re
from ipaddress import IPv4Address, IPv4Network, IPv6Address, IPv6Network

IPAddress = IPv4Address | IPv6Address
IPNetwork = IPv4Network | IPv6Network


def _networks(*rows: tuple[str, str]) -> tuple[tuple[IPNetwork, str], ...]:
    return tuple((ipaddress.ip_network(cidr), reason) for cidr, reason in rows)


REFUSED_NETWORKS = _networks(
    # IPv4 special-purpose registry (RFC 6890 and its updates); none of them is a public host.
    ("0.0.0.0/8", "this network (unspecified)"),
    ("10.0.0.0/8", "private (RFC 1918)"),
    ("100.64.0.0/10", "shared address space (RFC 6598)"),
    ("127.0.0.0/8", "loopback"),
    ("169.254.0.0/16", "link-local"),
    ("172.16.0.0/12", "private (RFC 1918)"),
    ("192.0.0.0/24", "IETF protocol assignments"),
    ("192.0.2.0/24", "documentation"),
    ("192.31.196.0/24", "AS112"),
    ("192.52.193.0/24", "AMT"),
    ("192.88.99.0/24", "6to4 relay anycast"),
    ("192.168.0.0/16", "private (RFC 1918)"),
    ("192.175.48.0/24", "AS112"),
    ("198.18.0.0/15", "benchmarking"),
    ("198.51.100.0/24", "documentation"),
    ("203.0.113.0/24", "documentation"),
    ("224.0.0.0/4", "multicast"),
    ("255.255.255.255/32", "broadcast"),
    ("240.0.0.0/4", "reserved"),
    # IPv6 special-purpose registry.
    ("::/128", "unspecified"),
    ("::1/128", "loopback"),
    ("::/96", "IPv4-compatible (deprecated)"),
    ("100::/64", "discard-only"),
    ("64:ff9b:1::/48", "local-use NAT64"),
    ("2001::/23", "IETF protocol assignments"),
    ("2001:db8::/32", "documentation"),
    ("3fff::/20", "documentation"),
    ("5f00::/16", "segment routing"),
    ("fc00::/7", "private (unique local)"),
    ("fe80::/10", "link-local"),
    ("fec0::/10", "site-local (deprecated)"),
    ("ff00::/8", "multicast"),
)

NAT64 = ipaddress.ip_network("64:ff9b::/96")

_DECIMAL = re.compile(r"^[0-9]+$")
_OCTAL = re.compile(r"^[0-7]+$")
_HEX = re.compile(r"^[0-9a-fA-F]*$")


def refusal(address: IPAddress) -> str | None:
    """Why ``address`` is not a public host, or None when it is."""
    if isinstance(address, IPv6Address):
        embedded = _embedded_ipv4(address)
        if embedded is not None:
            kind, v4 = embedded
            reason = refusal(v4)
            if reason is not None:
                return f"{kind} form of {v4}, {reason}"
            if kind in ("IPv4-mapped", "NAT64"):
                return None  # the public IPv4 host itself, or reached through its translator
        if address.scope_id is not None:
            return "an address with a zone"
    for network, reason in REFUSED_NETWORKS:
        if address in network:
            return reason
    # Python's own registry as a second opinion (it grows with new assignments).
    if address.is_multicast:
        return "multicast"
    if address.is_reserved or not address.is_global:
        return "not globally routable"
    return None


def _embedded_ipv4(address: IPv6Address) -> tuple[str, IPv4Address] | None:
    if address.ipv4_mapped is not None:
        return "IPv4-mapped", address.ipv4_mapped
    if address.sixtofour is not None:
        return "6to4", address.sixtofour
    if address.teredo is not None:
        return "Teredo", address.teredo[1]
    if address in NAT64:
        return "NAT64", IPv4Address(int(address) & 0xFFFFFFFF)
    if int(address) >> 32 == 0 and int(address) > 1:
        return "IPv4-compatible", IPv4Address(int(address))
    return None


def plain(address: IPAddress) -> IPAddress:
    """An IPv4-mapped IPv6 address as the IPv4 address it is; any other unchanged."""
    if isinstance(address, IPv6Address):
        if address.ipv4_mapped is not None:
            return address.ipv4_mapped
        if address.scope_id is not None:
            return IPv6Address(str(address).split("%", 1)[0])
    return address


# -- literal addresses in every notation a resolver accepts ------------------------------------


def _ipv4_part(part: str) -> int | None:
    """One dotted part as inet_aton and the WHATWG URL standard read it: 0x.. hex, 0.. octal."""
    if part[:2] in ("0x", "0X"):
        digits = part[2:]
        return int(digits, 16) if digits and _HEX.match(digits) else 0 if not digits else None
    if len(part) > 1 and part[0] == "0":
        return int(part, 8) if _OCTAL.match(part) else None
    return int(part) if _DECIMAL.match(part) else None


def ends_in_number(host: str) -> bool:
    """Whether a resolver would read ``host`` as an IPv4 address (its last label a number)."""
    labels = host.split(".")
    if labels[-1] == "" and len(labels) > 1:
        labels.pop()
    last = labels[-1]
    return bool(_DECIMAL.match(last)) or (last[:2] in ("0x", "0X") and bool(_HEX.match(last[2:])))


def parse_ipv4(host: str) -> IPv4Address | None:
    """``127.1``, ``0x7f.0.0.1``, ``2130706433``, ``017700000001`` ... as the address they
    name; None when ``host`` is not a valid address in any of these notations."""
    parts = host.split(".")
    if parts[-1] == "" and len(parts) > 1:
        parts.pop()
    if not 1 <= len(parts) <= 4 or any(p == "" for p in parts):
        return None
    numbers = [_ipv4_part(p) for p in parts]
    if any(n is None for n in numbers):
        return None
    values = [n for n in numbers if n is not None]
    if any(n > 255 for n in values[:-1]) or values[-1] >= 256 ** (5 - len(values)):
        return None
    value = values[-1]
    for index, number in enumerate(values[:-1]):
        value += number << (8 * (3 - index))
    return IPv4Address(value)
