"""Webhook URLs at registration: the outside world only, in every notation of an address."""

from __future__ import annotations

from ipaddress import ip_address

import pytest

from cbec.gateway.domain.addresses import parse_ipv4, refusal
from cbec.gateway.outbound import AddressPolicy, parse_target
from cbec.gateway.settings import Settings
from cbec.gateway.webhooks import check_url
from cbec.shared.errors import InvalidInput

PRODUCTION_KEY = "J0d1b3Bfkv0x4Cq0uQqvmRjv9mWnDLTqPZBuVd9b2Uc="


def refused_rule(url: str, settings: Settings | None = None) -> str:
    with pytest.raises(InvalidInput) as refused:
        check_url(url, settings or Settings())
    (violation,) = refused.value.violations
    assert violation.field == "url"
    return violation.rule


REFUSED = [
    # loopback, in every notation a resolver reads as 127.0.0.1
    ("http://127.0.0.1/hook", "loopback"),
    ("http://127.1/hook", "127.0.0.1 is loopback"),
    ("http://127.0.1/hook", "127.0.0.1 is loopback"),
    ("http://0x7f.0.0.1/hook", "127.0.0.1 is loopback"),
    ("http://0x7F000001/hook", "127.0.0.1 is loopback"),
    ("http://2130706433/hook", "127.0.0.1 is loopback"),
    ("http://017700000001/hook", "127.0.0.1 is loopback"),
    ("http://0177.0.0.01/hook", "127.0.0.1 is loopback"),
    ("http://127.0.0.1./hook", "127.0.0.1 is loopback"),
    ("http://127.255.255.254:8080/hook", "loopback"),
    ("http://１２７.０.０.１/hook", "127.0.0.1 is loopback"),
    ("http://[::1]/hook", "::1 is loopback"),
    ("http://[0:0:0:0:0:0:0:1]/hook", "::1 is loopback"),
    ("http://[::ffff:127.0.0.1]/hook", "IPv4-mapped form of 127.0.0.1, loopback"),
    ("http://[::ffff:7f00:1]/hook", "IPv4-mapped form of 127.0.0.1, loopback"),
    ("http://[::127.0.0.1]/hook", "IPv4-compatible form of 127.0.0.1"),
    ("http://[::8.8.8.8]/hook", "IPv4-compatible"),
    ("http://[64:ff9b::10.0.0.1]/hook", "NAT64 form of 10.0.0.1, private"),
    ("http://[64:ff9b::7f00:1]/hook", "NAT64 form of 127.0.0.1, loopback"),
    ("http://[64:ff9b:1::8.8.8.8]/hook", "local-use NAT64"),
    ("http://[2002:7f00:1::]/hook", "6to4 form of 127.0.0.1, loopback"),
    ("http://[2002:c0a8:101::1]/hook", "6to4 form of 192.168.1.1, private"),
    ("http://[2001:0:4136:e378:8000:63bf:3fff:fdd2]/hook", "Teredo"),
    # unspecified and broadcast
    ("http://0.0.0.0/hook", "0.0.0.0 is this network"),
    ("http://0/hook", "0.0.0.0 is this network"),
    ("http://[::]/hook", ":: is unspecified"),
    ("http://255.255.255.255/hook", "broadcast"),
    # private, shared, link-local (the cloud's metadata service), multicast, reserved
    ("http://10.1.2.3/hook", "private (RFC 1918)"),
    ("http://172.16.0.1/hook", "private (RFC 1918)"),
    ("http://172.31.255.255/hook", "private (RFC 1918)"),
    ("http://192.168.0.10/hook", "private (RFC 1918)"),
    ("http://100.64.0.1/hook", "shared address space"),
    ("http://169.254.169.254/latest/meta-data/", "169.254.169.254 is link-local"),
    ("http://0xa9fea9fe/latest/meta-data/", "169.254.169.254 is link-local"),
    ("http://[fe80::1]/hook", "link-local"),
    ("http://[fe80::1%25eth0]/hook", "zone"),
    ("http://[fd00::1]/hook", "private (unique local)"),
    ("http://[fec0::1]/hook", "site-local"),
    ("http://224.0.0.1/hook", "multicast"),
    ("http://239.255.255.250/hook", "multicast"),
    ("http://[ff02::1]/hook", "multicast"),
    ("http://240.0.0.1/hook", "reserved"),
    ("http://198.18.0.1/hook", "benchmarking"),
    ("http://198.19.255.255/hook", "benchmarking"),
    ("http://192.0.2.1/hook", "documentation"),
    ("http://198.51.100.7/hook", "documentation"),
    ("http://203.0.113.9/hook", "documentation"),
    ("http://[2001:db8::1]/hook", "documentation"),
    ("http://192.0.0.8/hook", "IETF protocol assignments"),
    ("http://[100::1]/hook", "discard-only"),
    # names that are never public hosts
    ("http://localhost/hook", "names under .localhost"),
    ("http://LOCALHOST:8000/hook", "names under .localhost"),
    ("http://localhost./hook", "names under .localhost"),
    ("http://erp.localhost/hook", "names under .localhost"),
    ("http://printer.local/hook", "names under .local"),
    ("http://metadata.google.internal/hook", "names under .internal"),
    ("http://router.home.arpa/hook", "names under .home.arpa"),
    ("http://1.0.0.127.in-addr.arpa/hook", "names under .arpa"),
    ("http://ⓛocalhost/hook", "names under .localhost"),
    ("http://erp/hook", "a fully qualified public host name"),
    # numbers that are no address
    ("http://1.2.3.4.5/hook", "a valid IPv4 address"),
    ("http://256.0.0.1/hook", "a valid IPv4 address"),
    ("http://4294967296/hook", "a valid IPv4 address"),
    ("http://erp.example.08/hook", "a valid IPv4 address"),
    # the form of the URL
    ("ftp://erp.example.com/x", "scheme http or https"),
    ("file:///etc/passwd", "scheme http or https"),
    ("gopher://erp.example.com:70/_x", "scheme http or https"),
    ("erp.example.com/hook", "scheme http or https"),
    ("http:///hook", "scheme http or https"),
    ("http://user:pw@erp.example.com/hook", "no user name or password"),
    ("http://erp.example.com@127.0.0.1/hook", "no user name or password"),
    ("http://@erp.example.com/hook", "no user name or password"),
    ("http://erp.example.com:0/hook", "a port from 1 to 65535"),
    ("http://erp.example.com:65536/hook", "a port from 1 to 65535"),
    ("http://erp.example.com:x/hook", "a port from 1 to 65535"),
    ("http://[v1.fe80::1]/hook", "an IPv6 address in brackets"),
    ("http://[127.0.0.1]/hook", "an IPv6 address in brackets"),
    ("http://erp.example.com/\x00hook", "no whitespace or control characters"),
    ("http://erp.example.com/ho\r\nX-Injected: 1", "no whitespace or control characters"),
    ("http://erp.example.com/a b", "no whitespace or control characters"),
    ("http://erp.exa\tmple.com/hook", "no whitespace or control characters"),
    ("http://erp.example.com/\u200bhook", "no whitespace or control characters"),
    ("http://erp.example.com\\@127.0.0.1/", "no backslash"),
    ("http://erp.example.com/caf\u00e9", "non-ASCII characters percent-encoded"),
    ("http://erp_1.example.com/hook", "letters, digits and hyphens"),
    ("http://%31%32%37.0.0.1/hook", "letters, digits and hyphens"),
    ("http://xn--.example.com/hook", "a host name valid in IDNA"),
    ("http://\u2603.example.com/hook", "a host name valid in IDNA"),
    ("http://" + "a" * 64 + ".example.com/hook", "labels of 1 to 63"),
]


@pytest.mark.parametrize(("url", "rule"), REFUSED)
def test_a_webhook_url_that_is_not_a_public_http_host_is_refused_naming_the_rule(
    url: str, rule: str
) -> None:
    assert rule in refused_rule(url)


@pytest.mark.parametrize(
    "url",
    [
        "https://erp.example.com/cbec/receipts",
        "http://erp.example.com:8080/cbec/receipts?tenant=1&x=%C3%A9",
        "https://8.8.8.8/hook",
        "https://[2606:4700:4700::1111]/hook",
        "https://[::ffff:8.8.8.8]/hook",
        "https://[64:ff9b::808:808]/hook",
        "https://bücher.example/hook",
        "https://xn--bcher-kva.example/hook",
        "https://erp.example.com./hook",
        "https://1.example.com/hook",
    ],
)
def test_a_public_host_is_accepted_as_it_was_given(url: str) -> None:
    assert check_url(url, Settings()) == url


def test_the_hosts_of_the_platform_are_refused() -> None:
    settings = Settings(
        declaration_url="http://declaration.cbec.example:8001",
        payments_url="http://8.8.4.4:8003",
        kafka_bootstrap_servers="broker-1.cbec.example:9092,broker-2.cbec.example:9092",
        database_url="postgresql+asyncpg://cbec:secret@db.cbec.example:5432/gateway",
        webhook_denied_hosts="vault.cbec.example, 1.1.1.1",
    )

    for url in (
        "http://declaration.cbec.example:8001/v1/export/orders",
        "http://declaration.cbec.example/v1",
        "http://Declaration.Cbec.Example./v1",
        "http://broker-2.cbec.example:9092/",
        "http://db.cbec.example:5432/",
        "https://vault.cbec.example/v1/secret",
        "https://1.1.1.1/hook",
        "http://8.8.4.4:8003/v1/import/payments",
        "http://[::ffff:8.8.4.4]:8003/v1/import/payments",
    ):
        assert "platform" in refused_rule(url, settings), url
    # The same public address on another port is not the service.
    assert check_url("https://8.8.4.4/hook", settings)


def test_an_allowed_network_opens_local_receivers_but_never_the_platforms_own_ports() -> None:
    settings = Settings(webhook_allowed_networks="127.0.0.1/32, 10.20.0.0/16")

    assert check_url("http://127.0.0.1:9000/hook", settings) == "http://127.0.0.1:9000/hook"
    assert check_url("http://127.1:9000/hook", settings)
    assert check_url("http://[::ffff:127.0.0.1]:9000/hook", settings)
    assert check_url("http://10.20.3.4/hook", settings)
    assert "loopback" in refused_rule("http://127.0.0.2:9000/hook", settings)
    assert "private" in refused_rule("http://10.21.0.1/hook", settings)
    assert "platform" in refused_rule("http://127.0.0.1:8001/v1/export/orders", settings)
    assert "platform" in refused_rule("http://127.0.0.1:9092/", settings)
    # Names are never opened by a network: a local receiver is named by its address.
    assert "localhost" in refused_rule("http://localhost:9000/hook", settings)


def test_production_webhooks_are_https_and_may_not_open_loopback_or_link_local() -> None:
    settings = Settings(
        cbec_env="production",
        gateway_secret_key=PRODUCTION_KEY,
        webhook_allowed_networks="10.20.0.0/16",
    )
    assert "scheme https" in refused_rule("http://erp.example.com/hook", settings)
    assert check_url("https://10.20.0.5/hook", settings)

    for network in ("127.0.0.1/32", "169.254.169.254", "0.0.0.0/0", "::1", "fe80::/64"):
        with pytest.raises(ValueError, match="WEBHOOK_ALLOWED_NETWORKS"):
            Settings(
                cbec_env="production",
                gateway_secret_key=PRODUCTION_KEY,
                webhook_allowed_networks=network,
            )


def test_an_allowed_network_must_be_a_network() -> None:
    with pytest.raises(ValueError, match="WEBHOOK_ALLOWED_NETWORKS"):
        Settings(webhook_allowed_networks="10.0.0.1/8")
    with pytest.raises(ValueError, match="WEBHOOK_ALLOWED_NETWORKS"):
        Settings(webhook_allowed_networks="erp.example.com")


@pytest.mark.parametrize(
    ("text", "address"),
    [
        ("127.0.0.1", "127.0.0.1"),
        ("127.1", "127.0.0.1"),
        ("10.1.65535", "10.1.255.255"),
        ("0x7f.1", "127.0.0.1"),
        ("0X7F.0x0.0.0X1", "127.0.0.1"),
        ("0x", "0.0.0.0"),
        ("0300.0250.0.1", "192.168.0.1"),
        ("3232235521", "192.168.0.1"),
        ("030052000001", "192.168.0.1"),
        ("1.2.3.4.", "1.2.3.4"),
        ("08.0.0.1", None),
        ("0xg.0.0.1", None),
        ("1..2", None),
        ("1.2.3.256", None),
        ("1.2.65536", None),
        ("4294967296", None),
    ],
)
def test_an_address_is_read_as_a_resolver_reads_it(text: str, address: str | None) -> None:
    parsed = parse_ipv4(text)
    assert (str(parsed) if parsed else None) == address


@pytest.mark.parametrize(
    "address",
    ["8.8.8.8", "1.1.1.1", "2606:4700:4700::1111", "::ffff:8.8.8.8", "64:ff9b::808:808"],
)
def test_public_addresses_are_not_refused(address: str) -> None:
    assert refusal(ip_address(address)) is None


def test_every_address_of_the_refused_networks_table_is_refused_at_its_edges() -> None:
    from cbec.gateway.domain.addresses import REFUSED_NETWORKS

    for network, _reason in REFUSED_NETWORKS:
        assert refusal(network[0]) is not None, network
        assert refusal(network[-1]) is not None, network


def test_a_target_keeps_the_path_and_sends_the_names_ascii_form_as_host() -> None:
    policy = AddressPolicy.of(Settings())

    target = parse_target("https://Bücher.example:8443/cbec/r?x=1#frag", policy)

    assert (target.host, target.port, target.path) == ("xn--bcher-kva.example", 8443, "/cbec/r?x=1")
    assert target.host_header == "xn--bcher-kva.example:8443"
    assert target.address is None
    literal = parse_target("https://[2606:4700:4700::1111]/", policy)
    assert literal.address == ip_address("2606:4700:4700::1111")
    assert literal.host_header == "[2606:4700:4700::1111]"
