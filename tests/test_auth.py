"""Bearer tokens: HS256 and JWKS verification, every rejection, dev secrets and ``padu token``."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
import logging
import socket
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from padu.auth import DEV_SECRET_FILE, Authenticator, Unauthenticated, mint_dev_token
from padu.cli import main
from padu.config import AuthConfig
from padu.principal import ANONYMOUS, Principal, Role

SECRET = "a-test-secret-that-is-long-enough-for-hs256"
HS = AuthConfig(hs256_secret=SECRET)
NIK = "3671014501900001"  # first issued in 36.71.01, a woman born 5 January 1990
NIP = "198503122010011001"  # born 12 March 1985, appointed January 2010, male
SUBJECTS = {
    Role.CITIZEN: NIK,
    Role.OFFICER: NIP,
    Role.SUPERVISOR: NIP,
    Role.ADMIN: "ops@diskominfo",
    Role.DASHBOARD: "dashboard-kota",
}


def claims(**changes: Any) -> dict[str, Any]:
    """Valid claims for a citizen; a change to None removes that claim."""
    now = int(time.time())
    base: dict[str, Any] = {
        "iss": "padu",
        "aud": "padu",
        "iat": now,
        "exp": now + 600,
        "sub": NIK,
        "role": "citizen",
        "jti": "t-1",
    }
    base.update(changes)
    return {key: value for key, value in base.items() if value is not None}


def hs_token(payload: dict[str, Any], secret: str = SECRET) -> str:
    return jwt.encode(payload, secret, algorithm="HS256")


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class JwksServer:
    """A JWKS endpoint on loopback that counts the requests it answers."""

    def __init__(self) -> None:
        self.keys: list[dict[str, Any]] = []
        self.requests = 0
        self.status = 200
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                server.requests += 1
                body = json.dumps({"keys": server.keys}).encode()
                self.send_response(server.status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.http = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.http.server_port}/.well-known/jwks.json"
        self.thread = threading.Thread(
            target=self.http.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True
        )
        self.thread.start()

    def stop(self) -> None:
        self.http.shutdown()
        self.http.server_close()


@pytest.fixture
def jwks() -> Iterator[JwksServer]:
    server = JwksServer()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def rsa_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture(scope="module")
def ec_key() -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(ec.SECP256R1())


def public_jwk(private: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey, kid: str) -> dict[str, Any]:
    if isinstance(private, rsa.RSAPrivateKey):
        jwk: dict[str, Any] = jwt.algorithms.RSAAlgorithm.to_jwk(private.public_key(), as_dict=True)
        jwk["alg"] = "RS256"
    else:
        jwk = jwt.algorithms.ECAlgorithm.to_jwk(private.public_key(), as_dict=True)
        jwk["alg"] = "ES256"
    return {**jwk, "kid": kid, "use": "sig"}


def signed(private: Any, kid: str | None, alg: str = "RS256", **changes: Any) -> str:
    headers = {"kid": kid} if kid is not None else None
    return jwt.encode(claims(**changes), private, algorithm=alg, headers=headers)


def public_key_auth(jwks: JwksServer, clock: FakeClock, *algorithms: str) -> Authenticator:
    config = AuthConfig(algorithms=algorithms or ("RS256",), jwks_url=jwks.url)
    return Authenticator(config, development=False, state_dir=Path("unused"), clock=clock)


async def rejected(auth: Authenticator, token: str, match: str) -> str:
    with pytest.raises(Unauthenticated, match=match) as info:
        await auth.authenticate(f"Bearer {token}")
    assert token not in str(info.value)
    return str(info.value)


# -- the header and HS256 ---------------------------------------------------------------------


async def test_no_header_is_anonymous() -> None:
    auth = Authenticator(HS, development=False, state_dir=Path("unused"))
    assert await auth.authenticate(None) is ANONYMOUS


@pytest.mark.parametrize(
    "header", ["Basic dXNlcjpwYXNz", "Bearer", "Bearer ", "x.y.z", "Bearer a b"]
)
async def test_header_must_be_bearer_and_one_token(header: str) -> None:
    auth = Authenticator(HS, development=False, state_dir=Path("unused"))
    with pytest.raises(
        Unauthenticated, match=r"^the Authorization header must be 'Bearer <token>'$"
    ):
        await auth.authenticate(header)


@pytest.mark.parametrize("scheme", ["Bearer", "bearer", "BEARER"])
async def test_scheme_is_case_insensitive(scheme: str) -> None:
    auth = Authenticator(HS, development=False, state_dir=Path("unused"))
    principal = await auth.authenticate(f"{scheme} {hs_token(claims())}")
    assert principal == Principal(Role.CITIZEN, NIK, None, "t-1")


@pytest.mark.parametrize("role", list(SUBJECTS), ids=lambda role: role.value)
async def test_every_role_with_its_subject_and_unit(role: Role) -> None:
    auth = Authenticator(HS, development=False, state_dir=Path("unused"))
    token = hs_token(claims(role=role.value, sub=SUBJECTS[role], unit="1.02.01", jti="abc"))
    principal = await auth.authenticate(f"Bearer {token}")
    assert principal == Principal(role, SUBJECTS[role], "1.02.01", "abc")


async def test_expiry_allows_the_configured_leeway() -> None:
    auth = Authenticator(HS, development=False, state_dir=Path("unused"))
    token = hs_token(claims(exp=int(time.time()) - 10))
    assert (await auth.authenticate(f"Bearer {token}")).subject == NIK


class CountingDecodes:
    """Counts signature checks (jwt.decode calls) while installed."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.calls = 0
        real = jwt.decode

        def counted(*args: Any, **kwargs: Any) -> Any:
            self.calls += 1
            return real(*args, **kwargs)

        monkeypatch.setattr(jwt, "decode", counted)


async def test_a_verified_token_is_not_checked_again_until_it_expires(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    wall = FakeClock()
    wall.now = time.time()
    auth = Authenticator(HS, development=False, state_dir=Path("unused"), wall_clock=wall)
    decodes = CountingDecodes(monkeypatch)
    token = hs_token(claims(exp=int(wall.now) + 60))
    first = await auth.authenticate(f"Bearer {token}")
    assert [await auth.authenticate(f"Bearer {token}") for _ in range(5)] == [first] * 5
    assert decodes.calls == 1
    other = await auth.authenticate(f"Bearer {hs_token(claims(sub=NIK, jti='other'))}")
    assert other.token_id == "other" and decodes.calls == 2  # each token is checked once
    wall.now += 60 + HS.leeway_seconds  # past exp and the leeway: not taken from the cache
    await auth.authenticate(f"Bearer {token}")  # (PyJWT's own clock has not moved)
    assert decodes.calls == 3


async def test_a_cached_token_is_checked_again_after_a_while_and_a_tampered_one_always(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    wall = FakeClock()
    wall.now = time.time()
    auth = Authenticator(HS, development=False, state_dir=Path("unused"), wall_clock=wall)
    decodes = CountingDecodes(monkeypatch)
    token = hs_token(claims(exp=int(wall.now) + 3600))
    await auth.authenticate(f"Bearer {token}")
    wall.now += 299
    await auth.authenticate(f"Bearer {token}")
    assert decodes.calls == 1
    wall.now += 2  # VERIFIED_SECONDS: verified again even though it has not expired
    await auth.authenticate(f"Bearer {token}")
    assert decodes.calls == 2
    head, body, signature = token.split(".")
    await rejected(auth, f"{head}.{body}.{signature[:-2]}AA", r"signature")


async def test_a_refetched_key_set_without_the_key_refuses_its_cached_tokens(
    jwks: JwksServer, rsa_key: rsa.RSAPrivateKey
) -> None:
    auth, clock, header = await warmed(jwks, rsa_key)
    await auth.authenticate(header)
    assert jwks.requests == 1
    jwks.keys = [public_jwk(rsa_key, "rsa-2")]  # the identity provider withdrew rsa-1
    clock.now += 301  # the key set is due a refetch
    with pytest.raises(Unauthenticated, match="does not publish"):
        await auth.authenticate(header)
    assert jwks.requests == 2


def none_token() -> str:
    header = b64(json.dumps({"alg": "none", "typ": "JWT"}).encode())
    return f"{header}.{b64(json.dumps(claims()).encode())}."


@pytest.mark.parametrize(
    ("token", "match"),
    [
        (lambda: hs_token(claims(exp=int(time.time()) - 120)), r"^token has expired"),
        (lambda: hs_token(claims(aud="other-app")), r"^token audience is not 'padu'$"),
        (lambda: hs_token(claims(iss="someone-else")), r"^token issuer is not 'padu'$"),
        (lambda: hs_token(claims(exp=None)), r"^token lacks the required 'exp' claim$"),
        (lambda: hs_token(claims(sub=None)), r"^token lacks the required 'sub' claim$"),
        (lambda: hs_token(claims(role=None)), r"^token lacks the required 'role' claim$"),
        (lambda: hs_token(claims(role="mayor")), r"^token role claim is not one of citizen, "),
        (lambda: hs_token(claims(role="anonymous")), r"^token role claim is not one of"),
        (
            lambda: hs_token(claims(sub=NIP)),
            r"^token subject is not a valid NIK for role 'citizen'$",
        ),
        (
            lambda: hs_token(claims(role="officer", sub=NIK)),
            r"^token subject is not a valid NIP for role 'officer'$",
        ),
        (
            lambda: hs_token(claims(role="supervisor", sub="3671014501900000")),
            r"^token subject is not a valid NIP for role 'supervisor'$",
        ),
        (
            lambda: hs_token(claims(role="admin", sub="")),
            r"^token subject is not a valid id for role 'admin'$",
        ),
        (lambda: hs_token(claims(unit=7)), r"^token unit claim must be a unit code string$"),
        (lambda: hs_token(claims(), secret=SECRET + "x"), r"^token signature does not verify$"),
        (lambda: "not-a-jwt", r"^token is malformed"),
        (lambda: "eyJhbGc.e30.e30", r"^token is malformed"),
        (lambda: "e30.e30.e30", r"^token algorithm None is not accepted \(expected HS256\)$"),
        (none_token, r"^token algorithm 'none' is not accepted \(expected HS256\)$"),
    ],
    ids=[
        "expired",
        "wrong-aud",
        "wrong-iss",
        "no-exp",
        "no-sub",
        "no-role",
        "unknown-role",
        "anonymous-role",
        "citizen-with-nip",
        "officer-with-nik",
        "supervisor-with-bad-nip",
        "admin-without-subject",
        "unit-not-a-string",
        "bad-signature",
        "malformed",
        "malformed-header",
        "no-alg",
        "alg-none",
    ],
)
async def test_hs256_rejections(token: Any, match: str) -> None:
    auth = Authenticator(HS, development=False, state_dir=Path("unused"))
    await rejected(auth, token(), match)


async def test_rs256_token_is_refused_by_an_hs256_server(rsa_key: rsa.RSAPrivateKey) -> None:
    auth = Authenticator(HS, development=False, state_dir=Path("unused"))
    token = signed(rsa_key, "k1")
    await rejected(auth, token, r"^token algorithm 'RS256' is not accepted \(expected HS256\)$")


# -- development secret and minted tokens ----------------------------------------------------


async def test_development_secret_is_generated_once_private_and_reused(tmp_path: Path) -> None:
    state_dir = tmp_path / "state" / "nested"
    first = Authenticator(AuthConfig(), development=True, state_dir=state_dir)
    secret_file = state_dir / DEV_SECRET_FILE
    assert secret_file.stat().st_mode & 0o777 == 0o600
    secret = secret_file.read_text().strip()
    assert len(secret) >= 64
    assert [path.name for path in state_dir.iterdir()] == [DEV_SECRET_FILE]

    token = mint_dev_token(AuthConfig(), state_dir, Role.OFFICER, NIP)
    second = Authenticator(AuthConfig(), development=True, state_dir=state_dir)
    assert secret_file.read_text().strip() == secret
    for auth in (first, second):
        assert (await auth.authenticate(f"Bearer {token}")).subject == NIP
    assert jwt.decode(token, secret, algorithms=["HS256"], audience="padu")["role"] == "officer"


def test_a_truncated_development_secret_is_refused(tmp_path: Path) -> None:
    (tmp_path / DEV_SECRET_FILE).write_text("short\n")
    with pytest.raises(ValueError, match=r"holds no usable secret .* delete it to regenerate$"):
        Authenticator(AuthConfig(), development=True, state_dir=tmp_path)


def test_production_without_a_secret_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=r"^production mode needs auth\.hs256_secret"):
        Authenticator(AuthConfig(), development=False, state_dir=tmp_path)
    assert not (tmp_path / DEV_SECRET_FILE).exists()


async def test_configured_secret_is_used_and_no_file_is_written(tmp_path: Path) -> None:
    token = mint_dev_token(HS, tmp_path, Role.ADMIN, "ops@diskominfo", unit="1.02", ttl_seconds=60)
    payload = jwt.decode(token, SECRET, algorithms=["HS256"], audience="padu", issuer="padu")
    assert payload["exp"] - payload["iat"] == 60
    assert {k: payload[k] for k in ("sub", "role", "unit")} == {
        "sub": "ops@diskominfo",
        "role": "admin",
        "unit": "1.02",
    }
    auth = Authenticator(HS, development=True, state_dir=tmp_path)
    principal = await auth.authenticate(f"Bearer {token}")
    assert principal == Principal(Role.ADMIN, "ops@diskominfo", "1.02", payload["jti"])
    assert principal.expires_at == payload["exp"]  # a WebSocket it signs in closes then
    assert list(tmp_path.iterdir()) == []


def test_minted_tokens_have_distinct_ids(tmp_path: Path) -> None:
    ids = {
        jwt.decode(
            mint_dev_token(HS, tmp_path, Role.CITIZEN, NIK), SECRET, ["HS256"], audience="padu"
        )["jti"]
        for _ in range(3)
    }
    assert len(ids) == 3


@pytest.mark.parametrize(
    ("auth", "role", "subject", "ttl", "match"),
    [
        (HS, Role.ANONYMOUS, "x", 60, "anonymous callers need no token"),
        (HS, Role.CITIZEN, "12345", 60, "NIK must be exactly 16 digits"),
        (HS, Role.OFFICER, NIK, 60, "NIP must be exactly 18 digits"),
        (HS, Role.DASHBOARD, " board", 60, "non-empty id without spaces"),
        (HS, Role.CITIZEN, NIK, 0, "lifetime must be positive"),
        (
            AuthConfig(algorithms=("RS256",), jwks_url="https://idp.example/jwks"),
            Role.CITIZEN,
            NIK,
            60,
            r"auth uses public keys \(RS256\)",
        ),
    ],
    ids=["anonymous", "bad-nik", "nik-for-officer", "spaced-id", "zero-ttl", "public-keys"],
)
def test_mint_refusals(
    tmp_path: Path, auth: AuthConfig, role: Role, subject: str, ttl: int, match: str
) -> None:
    with pytest.raises(ValueError, match=match):
        mint_dev_token(auth, tmp_path, role, subject, ttl_seconds=ttl)


# -- public keys from a JWKS -----------------------------------------------------------------


async def test_rs256_and_es256_tokens_verify_against_the_jwks(
    jwks: JwksServer, rsa_key: rsa.RSAPrivateKey, ec_key: ec.EllipticCurvePrivateKey
) -> None:
    jwks.keys = [public_jwk(rsa_key, "rsa-1"), public_jwk(ec_key, "ec-1")]
    auth = public_key_auth(jwks, FakeClock(), "RS256", "ES256")
    for role, subject in SUBJECTS.items():
        token = signed(rsa_key, "rsa-1", sub=subject, role=role.value)
        assert await auth.authenticate(f"Bearer {token}") == Principal(role, subject, None, "t-1")
    token = signed(ec_key, "ec-1", "ES256", role="supervisor", sub=NIP, unit="1.02.03")
    assert await auth.authenticate(f"Bearer {token}") == Principal(
        Role.SUPERVISOR, NIP, "1.02.03", "t-1"
    )
    assert jwks.requests == 1


async def test_hs256_token_signed_with_the_public_key_is_refused_without_a_fetch(
    jwks: JwksServer, rsa_key: rsa.RSAPrivateKey
) -> None:
    jwks.keys = [public_jwk(rsa_key, "rsa-1")]
    pem = rsa_key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    # PyJWT refuses to sign with a PEM as HMAC secret, so forge the token by hand.
    header = b64(json.dumps({"alg": "HS256", "typ": "JWT", "kid": "rsa-1"}).encode())
    body = b64(json.dumps(claims()).encode())
    mac = hmac.new(pem, f"{header}.{body}".encode(), hashlib.sha256).digest()
    forged = f"{header}.{body}.{b64(mac)}"
    auth = public_key_auth(jwks, FakeClock())
    await rejected(auth, forged, r"^token algorithm 'HS256' is not accepted \(expected RS256\)$")
    assert jwks.requests == 0


async def test_token_algorithm_must_match_its_key(
    jwks: JwksServer, rsa_key: rsa.RSAPrivateKey, ec_key: ec.EllipticCurvePrivateKey
) -> None:
    jwks.keys = [public_jwk(rsa_key, "rsa-1")]
    auth = public_key_auth(jwks, FakeClock(), "RS256", "ES256")
    token = signed(ec_key, "rsa-1", "ES256")
    await rejected(auth, token, r"^token algorithm 'ES256' does not match its key's \(RS256\)$")


async def test_signature_by_another_key_with_a_known_kid(
    jwks: JwksServer, rsa_key: rsa.RSAPrivateKey
) -> None:
    jwks.keys = [public_jwk(rsa_key, "rsa-1")]
    impostor = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    auth = public_key_auth(jwks, FakeClock())
    await rejected(auth, signed(impostor, "rsa-1"), r"^token signature does not verify$")


async def test_expired_and_wrong_audience_rs256(
    jwks: JwksServer, rsa_key: rsa.RSAPrivateKey
) -> None:
    jwks.keys = [public_jwk(rsa_key, "rsa-1")]
    auth = public_key_auth(jwks, FakeClock())
    expired = signed(rsa_key, "rsa-1", exp=int(time.time()) - 120)
    await rejected(auth, expired, r"^token has expired")
    await rejected(auth, signed(rsa_key, "rsa-1", aud="x"), r"^token audience is not 'padu'$")


async def test_token_without_kid(jwks: JwksServer, rsa_key: rsa.RSAPrivateKey) -> None:
    jwks.keys = [public_jwk(rsa_key, "rsa-1")]
    auth = public_key_auth(jwks, FakeClock())
    await rejected(auth, signed(rsa_key, None), r"^token header names no key id \(kid\)$")
    assert jwks.requests == 0


async def test_keys_are_cached_then_refreshed_after_the_cache_time(
    jwks: JwksServer, rsa_key: rsa.RSAPrivateKey
) -> None:
    jwks.keys = [public_jwk(rsa_key, "rsa-1")]
    clock = FakeClock()
    auth = public_key_auth(jwks, clock)  # cache time: the default 300 s
    token = f"Bearer {signed(rsa_key, 'rsa-1')}"
    await asyncio.gather(*(auth.authenticate(token) for _ in range(10)))
    assert jwks.requests == 1
    clock.now += 299
    await auth.authenticate(token)
    assert jwks.requests == 1
    clock.now += 2
    await auth.authenticate(token)
    assert jwks.requests == 2


async def warmed(
    jwks: JwksServer, rsa_key: rsa.RSAPrivateKey, *algorithms: str
) -> tuple[Authenticator, FakeClock, str]:
    """An authenticator that has fetched a JWKS holding rsa-1, and a header signed by rsa-1."""
    jwks.keys = [public_jwk(rsa_key, "rsa-1")]
    clock = FakeClock()
    auth = public_key_auth(jwks, clock, *algorithms)
    header = f"Bearer {signed(rsa_key, 'rsa-1')}"
    assert (await auth.authenticate(header)).subject == NIK
    assert jwks.requests == 1
    return auth, clock, header


async def test_unknown_kid_triggers_one_rate_limited_refresh(
    jwks: JwksServer, rsa_key: rsa.RSAPrivateKey
) -> None:
    auth, clock, _ = await warmed(jwks, rsa_key)
    clock.now += 20
    message = await rejected(auth, signed(rsa_key, "ghost"), r"does not publish")
    assert message == "token was signed with a key (kid) the identity provider does not publish"
    assert jwks.requests == 2

    flood = [auth.authenticate(f"Bearer {signed(rsa_key, f'ghost-{i}')}") for i in range(20)]
    results = await asyncio.gather(*flood, return_exceptions=True)
    assert all(isinstance(result, Unauthenticated) for result in results)
    assert jwks.requests == 2

    clock.now += 10
    await rejected(auth, signed(rsa_key, "ghost"), r"does not publish")
    assert jwks.requests == 3


async def test_rotated_key_is_found_by_the_single_refresh(
    jwks: JwksServer, rsa_key: rsa.RSAPrivateKey, ec_key: ec.EllipticCurvePrivateKey
) -> None:
    auth, clock, _ = await warmed(jwks, rsa_key, "RS256", "ES256")
    jwks.keys = [public_jwk(rsa_key, "rsa-1"), public_jwk(ec_key, "ec-2")]
    clock.now += 15
    rotated = f"Bearer {signed(ec_key, 'ec-2', 'ES256')}"
    results = await asyncio.gather(*(auth.authenticate(rotated) for _ in range(5)))
    assert {result.subject for result in results} == {NIK}
    assert jwks.requests == 2


async def test_encryption_keys_are_not_used_for_signatures(
    jwks: JwksServer, rsa_key: rsa.RSAPrivateKey
) -> None:
    jwks.keys = [{**public_jwk(rsa_key, "rsa-1"), "use": "enc"}, public_jwk(rsa_key, "rsa-2")]
    auth = public_key_auth(jwks, FakeClock())
    await rejected(auth, signed(rsa_key, "rsa-1"), r"does not publish")
    assert (await auth.authenticate(f"Bearer {signed(rsa_key, 'rsa-2')}")).subject == NIK


def closed_port_url() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/jwks.json"


async def test_unreachable_jwks_is_unauthenticated_and_logged_without_the_token(
    rsa_key: rsa.RSAPrivateKey, caplog: pytest.LogCaptureFixture
) -> None:
    config = AuthConfig(algorithms=("RS256",), jwks_url=closed_port_url())
    auth = Authenticator(config, development=False, state_dir=Path("unused"))
    token = signed(rsa_key, "rsa-1")
    with caplog.at_level(logging.WARNING, logger="padu.auth"):
        message = await rejected(auth, token, r"could not be fetched")
    assert message == (
        "the identity provider's key set (JWKS) could not be fetched; try again shortly"
    )
    (record,) = [r for r in caplog.records if r.name == "padu.auth"]
    assert record.getMessage().startswith(f"could not fetch the JWKS from {config.jwks_url}: ")
    assert token not in caplog.text


@pytest.mark.parametrize("failure", ["status", "not-a-key-set"])
async def test_jwks_errors_are_unauthenticated(
    jwks: JwksServer, rsa_key: rsa.RSAPrivateKey, failure: str
) -> None:
    if failure == "status":
        jwks.status = 503
    else:
        jwks.keys = [{"kty": "nonsense"}]
    auth = public_key_auth(jwks, FakeClock())
    await rejected(auth, signed(rsa_key, "rsa-1"), r"could not be fetched")
    assert jwks.requests == 1


async def test_known_keys_outlive_an_identity_provider_outage(
    jwks: JwksServer, rsa_key: rsa.RSAPrivateKey, caplog: pytest.LogCaptureFixture
) -> None:
    auth, clock, token = await warmed(jwks, rsa_key)
    jwks.status = 500
    clock.now += 301
    with caplog.at_level(logging.WARNING, logger="padu.auth"):
        assert (await auth.authenticate(token)).subject == NIK
        assert (await auth.authenticate(token)).subject == NIK
    assert jwks.requests == 2  # the failed refresh is not retried within the rate limit
    assert len([r for r in caplog.records if r.name == "padu.auth"]) == 1
    await rejected(auth, signed(rsa_key, "new-kid"), r"could not be fetched")
    jwks.status = 200
    clock.now += 10
    await auth.authenticate(token)
    assert jwks.requests == 3


# -- padu token ------------------------------------------------------------------------------


def write_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, text: str) -> None:
    config = tmp_path / "padu.toml"
    config.write_text(text)
    monkeypatch.setenv("PADU_CONFIG", str(config))


async def test_token_command_prints_a_token_the_server_accepts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    write_config(tmp_path, monkeypatch, '[padu]\nmode = "development"\nstate_dir = "state"\n')
    assert main(["token", "supervisor", NIP, "--unit", "1.02.03", "--ttl", "2"]) == 0
    out, err = capsys.readouterr()
    token = out.strip()
    assert "Authorization: Bearer <token>" in err
    assert "Headers tab" in err
    assert token not in err
    auth = Authenticator(AuthConfig(), development=True, state_dir=tmp_path / "state")
    principal = await auth.authenticate(f"Bearer {token}")
    assert (principal.role, principal.subject, principal.unit) == (Role.SUPERVISOR, NIP, "1.02.03")
    payload = jwt.decode(token, options={"verify_signature": False})
    assert payload["exp"] - payload["iat"] == 2 * 3600


@pytest.mark.parametrize(
    ("config", "argv", "message"),
    [
        (
            '[padu]\nmode = "production"\n[auth]\nhs256_secret = "' + SECRET + '"\n'
            '[audit]\nhash_key = "' + SECRET + '"\n',
            ["token", "admin", "ops@diskominfo"],
            "padu: development-only tokens; the server is in production mode\n",
        ),
        (
            '[auth]\nalgorithms = ["RS256"]\njwks_url = "https://idp.example/jwks"\n',
            ["token", "citizen", NIK],
            "padu: cannot mint a token: auth uses public keys (RS256); "
            "tokens come from the identity provider, not from padu\n",
        ),
        (
            "",
            ["token", "citizen", "12345"],
            "padu: cannot mint a token: NIK must be exactly 16 digits, got '12345'\n",
        ),
    ],
    ids=["production", "public-keys", "bad-subject"],
)
def test_token_command_refusals(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    config: str,
    argv: list[str],
    message: str,
) -> None:
    write_config(tmp_path, monkeypatch, config)
    assert main(argv) == 2
    out, err = capsys.readouterr()
    assert (out, err) == ("", message)
    assert not (tmp_path / ".padu").exists()
