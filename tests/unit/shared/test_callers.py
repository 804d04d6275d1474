"""Caller tokens: what the gateway signs and what a service accepts."""

from __future__ import annotations

import base64
import json
import time

import jwt
import pytest

from cbec.shared import keys
from cbec.shared.callers import (
    GATEWAY,
    Caller,
    TokenRefused,
    TokenSigner,
    TokenVerifier,
    signer_from_settings,
    signing_key,
    token_key_name,
    verifying_key,
)
from cbec.shared.settings import ServiceSettings

GATEWAY_KEY = keys.development_private_key(token_key_name(GATEWAY))
DECLARATION_KEY = keys.development_private_key(token_key_name("declaration"))


def _verifier(audience: str = "declaration", **trusted: object) -> TokenVerifier:
    keys_by_issuer = {GATEWAY: GATEWAY_KEY.public_key(), **trusted}
    return TokenVerifier(audience, keys_by_issuer, leeway_seconds=5)  # type: ignore[arg-type]


def _bearer(token: str) -> str:
    return f"Bearer {token}"


def _refusal(verifier: TokenVerifier, authorization: str | None) -> str:
    with pytest.raises(TokenRefused) as refused:
        verifier.verify(authorization)
    assert refused.value.status_code == 401
    assert refused.value.violations[0].field == "Authorization"
    return refused.value.violations[0].rule


def _b64(value: dict[str, object]) -> str:
    raw = json.dumps(value, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def test_a_token_of_the_gateway_names_the_enterprise_its_roles_and_nothing_else() -> None:
    signer = TokenSigner(GATEWAY, GATEWAY_KEY, ttl_seconds=60)
    token = signer.mint("declaration", subject="3301963K69", roles={"ecommerce", "agent"})

    caller = _verifier().verify(_bearer(token))

    assert caller == Caller(party="3301963K69", roles=frozenset({"ecommerce", "agent"}))
    header = jwt.get_unverified_header(token)
    claims = jwt.decode(token, options={"verify_signature": False})
    assert header == {"alg": "EdDSA", "typ": "JWT"}
    assert set(claims) == {"iss", "aud", "sub", "roles", "iat", "exp", "jti"}
    assert claims["exp"] - claims["iat"] == 60
    assert (claims["iss"], claims["aud"], claims["roles"]) == (
        "gateway",
        "declaration",
        ["agent", "ecommerce"],
    )


def test_every_token_has_its_own_id() -> None:
    signer = TokenSigner(GATEWAY, GATEWAY_KEY)
    ids = {
        jwt.decode(signer.mint("tax-refund", subject="A"), options={"verify_signature": False})[
            "jti"
        ]
        for _ in range(20)
    }
    assert len(ids) == 20


def test_a_missing_or_malformed_header_is_refused_naming_the_rule() -> None:
    verifier = _verifier()
    token = TokenSigner(GATEWAY, GATEWAY_KEY).mint("declaration", subject="A")

    assert _refusal(verifier, None).startswith("missing")
    assert _refusal(verifier, "").startswith("missing")
    assert _refusal(verifier, f"Basic {token}") == "must be 'Bearer <token>'"
    assert _refusal(verifier, "Bearer") == "must be 'Bearer <token>'"
    assert _refusal(verifier, "Bearer not.a.token").startswith("malformed")


def test_an_expired_token_is_refused_after_the_leeway_only() -> None:
    verifier = _verifier()
    now = time.time()
    just_expired = TokenSigner(GATEWAY, GATEWAY_KEY, ttl_seconds=60, clock=lambda: now - 62)
    long_expired = TokenSigner(GATEWAY, GATEWAY_KEY, ttl_seconds=60, clock=lambda: now - 70)

    assert verifier.verify(_bearer(just_expired.mint("declaration", subject="A"))).party == "A"
    rule = _refusal(verifier, _bearer(long_expired.mint("declaration", subject="A")))
    assert rule.startswith("expired")


def test_a_token_from_the_future_is_refused() -> None:
    later = TokenSigner(GATEWAY, GATEWAY_KEY, clock=lambda: time.time() + 120)
    rule = _refusal(_verifier(), _bearer(later.mint("declaration", subject="A")))
    assert rule.startswith("not valid yet")


def test_a_token_for_another_service_is_refused() -> None:
    token = TokenSigner(GATEWAY, GATEWAY_KEY).mint("payments", subject="A")
    assert _refusal(_verifier("declaration"), _bearer(token)).startswith("wrong audience")


def test_a_token_signed_by_another_key_is_refused() -> None:
    forged = TokenSigner(GATEWAY, keys.generate_private_key()).mint("declaration", subject="A")
    assert _refusal(_verifier(), _bearer(forged)).startswith("bad signature")


def test_a_token_of_an_issuer_not_trusted_is_refused() -> None:
    token = TokenSigner("declaration", DECLARATION_KEY).mint("tax-refund", subject="declaration")
    rule = _refusal(_verifier("tax-refund"), _bearer(token))
    assert rule == "issuer 'declaration' is not trusted by the tax-refund service"


def test_a_service_token_is_accepted_where_its_issuer_is_trusted_and_names_no_enterprise() -> None:
    token = TokenSigner("declaration", DECLARATION_KEY).mint("tax-refund", subject="declaration")
    verifier = _verifier("tax-refund", declaration=DECLARATION_KEY.public_key())

    assert verifier.verify(_bearer(token)) == Caller(
        party=None, roles=frozenset(), issuer="declaration"
    )


def test_a_service_cannot_sign_as_the_gateway() -> None:
    # The declaration service's key signing a token that claims the gateway as its issuer.
    token = TokenSigner(GATEWAY, DECLARATION_KEY).mint("tax-refund", subject="3301963K69")
    verifier = _verifier("tax-refund", declaration=DECLARATION_KEY.public_key())
    assert _refusal(verifier, _bearer(token)).startswith("bad signature")


def test_alg_none_is_refused() -> None:
    now = int(time.time())
    claims = {"iss": "gateway", "aud": "declaration", "sub": "A", "roles": ["operator"]}
    claims |= {"iat": now, "exp": now + 60, "jti": "x"}
    unsigned = f"{_b64({'alg': 'none', 'typ': 'JWT'})}.{_b64(claims)}."
    assert _refusal(_verifier(), _bearer(unsigned)) == (
        "algorithm 'none' is not accepted (only EdDSA)"
    )


def test_an_hmac_token_keyed_with_the_public_key_is_refused() -> None:
    # The algorithm confusion attack: HS256 with the verifier's public key as the secret.
    public = keys.public_text(GATEWAY_KEY.public_key()).encode()
    now = int(time.time())
    claims = {"iss": "gateway", "aud": "declaration", "sub": "A", "roles": ["operator"]}
    claims |= {"iat": now, "exp": now + 60, "jti": "x"}
    header = _b64({"alg": "HS256", "typ": "JWT"})
    body = _b64(claims)
    import hashlib
    import hmac

    mac = hmac.new(public, f"{header}.{body}".encode(), hashlib.sha256).digest()
    token = f"{header}.{body}.{base64.urlsafe_b64encode(mac).rstrip(b'=').decode()}"
    assert _refusal(_verifier(), _bearer(token)).startswith("algorithm 'HS256' is not accepted")


def test_a_token_without_a_required_claim_is_refused() -> None:
    now = int(time.time())
    claims = {"iss": "gateway", "aud": "declaration", "sub": "A", "iat": now, "exp": now + 60}
    token = jwt.encode(claims, GATEWAY_KEY, algorithm="EdDSA")
    assert _refusal(_verifier(), _bearer(token)) == "the claim 'jti' is missing"


def test_roles_must_be_a_list_of_strings() -> None:
    now = int(time.time())
    claims = {"iss": "gateway", "aud": "declaration", "sub": "A", "roles": "operator"}
    claims |= {"iat": now, "exp": now + 60, "jti": "x"}
    token = jwt.encode(claims, GATEWAY_KEY, algorithm="EdDSA")
    assert _refusal(_verifier(), _bearer(token)) == "the claim 'roles' must be a list of strings"


def test_development_keys_are_used_outside_production_only() -> None:
    development = ServiceSettings(service_name="gateway")
    signer = signer_from_settings(development)
    assert signer.issuer == "gateway"
    token = signer.mint("declaration", subject="A")
    assert _verifier().verify(_bearer(token)).party == "A"

    production = ServiceSettings(service_name="gateway", cbec_env="production")
    with pytest.raises(ValueError, match="SERVICE_TOKEN_PRIVATE_KEY is not set"):
        signer_from_settings(production)
    public_development = keys.private_text(GATEWAY_KEY)
    with pytest.raises(ValueError, match="SERVICE_TOKEN_PRIVATE_KEY is a public development key"):
        signer_from_settings(
            ServiceSettings(
                service_name="gateway",
                cbec_env="production",
                service_token_private_key=public_development,
            )
        )


@pytest.mark.parametrize("name", ["gateway", "declaration", "tax-refund"])
def test_production_refuses_every_development_key_of_the_platform(name: str) -> None:
    text = keys.private_text(keys.development_private_key(token_key_name(name)))
    public = keys.public_text(keys.development_private_key(token_key_name(name)).public_key())
    with pytest.raises(ValueError, match="VARIABLE is a public development key"):
        signing_key(text, issuer="payments", variable="VARIABLE", production=True)
    with pytest.raises(ValueError, match="VARIABLE is a public development key"):
        verifying_key(public, issuer="gateway", variable="VARIABLE", production=True)


def test_keys_of_its_own_are_taken_in_production() -> None:
    private = keys.generate_private_key()
    signer = signer_from_settings(
        ServiceSettings(
            service_name="gateway",
            cbec_env="production",
            service_token_private_key=keys.private_text(private),
        )
    )
    verifier = TokenVerifier(
        "logistics",
        {
            GATEWAY: verifying_key(
                keys.public_text(private.public_key()),
                issuer=GATEWAY,
                variable="SERVICE_TOKEN_PUBLIC_KEY",
                production=True,
            )
        },
    )
    token = signer.mint("logistics", subject="B", roles=["logistics"])
    assert verifier.verify(_bearer(token)).roles == frozenset({"logistics"})


def test_a_bad_key_is_named_by_its_variable() -> None:
    with pytest.raises(ValueError, match="SERVICE_TOKEN_PUBLIC_KEY: an Ed25519 public key"):
        verifying_key(
            "nonsense", issuer=GATEWAY, variable="SERVICE_TOKEN_PUBLIC_KEY", production=False
        )
    with pytest.raises(ValueError, match="SERVICE_TOKEN_PRIVATE_KEY: an Ed25519 private key"):
        signing_key(
            "nonsense", issuer=GATEWAY, variable="SERVICE_TOKEN_PRIVATE_KEY", production=False
        )
    with pytest.raises(ValueError, match="DECLARATION_TOKEN_PUBLIC_KEY is not set"):
        verifying_key(
            None, issuer="declaration", variable="DECLARATION_TOKEN_PUBLIC_KEY", production=True
        )


def test_cbec_keys_generate_prints_a_new_key_pair(capsys: pytest.CaptureFixture[str]) -> None:
    from cbec.shared.cli import main

    assert main(["keys", "generate"]) == 0
    first = dict(line.split("=", 1) for line in capsys.readouterr().out.splitlines())
    assert main(["keys", "generate"]) == 0
    second = dict(line.split("=", 1) for line in capsys.readouterr().out.splitlines())

    private = keys.load_private_key(first["private_key"])
    public = keys.load_public_key(first["public_key"])
    assert keys.public_text(private.public_key()) == keys.public_text(public)
    assert first["private_key"] != second["private_key"]
    token = TokenSigner(GATEWAY, private).mint("payments", subject="A")
    assert TokenVerifier("payments", {GATEWAY: public}).verify(_bearer(token)).party == "A"
