"""Bearer tokens: verify a request's JWT into a Principal, and mint development tokens."""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx
import jwt

from padu.config import AuthConfig
from padu.devsecrets import development_secret
from padu.identifiers import InvalidIdentifier, validate_nik, validate_nip
from padu.lru import Lru
from padu.principal import ANONYMOUS, Principal, Role

if TYPE_CHECKING:
    from jwt.algorithms import AllowedPublicKeys

log = logging.getLogger("padu.auth")

DEV_SECRET_FILE = "dev-jwt-secret"
# However many unknown kids arrive, the identity provider sees at most one refresh per window.
JWKS_REFRESH_INTERVAL = 10.0
JWKS_FETCH_TIMEOUT = 5.0
_REQUIRED_CLAIMS = ["exp", "iss", "aud", "sub", "role"]
# Verified tokens kept, so a client's next request skips the signature check: at most this
# many, each at most VERIFIED_SECONDS and never past its own `exp` (or before its `nbf`).
VERIFIED_TOKENS = 4096
VERIFIED_SECONDS = 300.0


class Unauthenticated(Exception):
    """A bearer token that cannot be accepted; the message says why (never the token)."""


_SUBJECT_KIND = {Role.CITIZEN: "NIK", Role.OFFICER: "NIP", Role.SUPERVISOR: "NIP"}
_VALIDATORS = {"NIK": validate_nik, "NIP": validate_nip}


def _check_subject(role: Role, subject: str) -> None:
    """Raise InvalidIdentifier unless ``subject`` is the identifier ``role`` is keyed by."""
    kind = _SUBJECT_KIND.get(role)
    if kind is not None:
        _VALIDATORS[kind](subject)
    elif not subject or subject != subject.strip():
        raise InvalidIdentifier(f"a {role.value} subject must be a non-empty id without spaces")


def _role(value: Any) -> Role:
    for role in Role:
        if role is not Role.ANONYMOUS and role.value == value:
            return role
    known = ", ".join(r.value for r in Role if r is not Role.ANONYMOUS)
    raise Unauthenticated(f"token role claim is not one of {known}")


def signing_secret(auth: AuthConfig, state_dir: Path) -> str:
    """The HS256 secret: the configured one, else the development secret kept in ``state_dir``."""
    if auth.hs256_secret is not None:
        return auth.hs256_secret
    return development_secret(state_dir / DEV_SECRET_FILE)


def mint_dev_token(
    auth: AuthConfig,
    state_dir: Path,
    role: Role,
    subject: str,
    *,
    unit: str | None = None,
    ttl_seconds: int = 8 * 3600,
) -> str:
    """An HS256 token for ``role``/``subject``, signed with the (configured or dev) secret."""
    if not auth.symmetric:
        raise ValueError(
            f"auth uses public keys ({', '.join(auth.algorithms)}); "
            "tokens come from the identity provider, not from padu"
        )
    if role is Role.ANONYMOUS:
        raise ValueError("anonymous callers need no token; send no Authorization header")
    if ttl_seconds <= 0:
        raise ValueError(f"the token lifetime must be positive, got {ttl_seconds}s")
    _check_subject(role, subject)
    now = int(time.time())
    claims: dict[str, Any] = {
        "iss": auth.issuer,
        "aud": auth.audience,
        "iat": now,
        "exp": now + ttl_seconds,
        "sub": subject,
        "role": role.value,
        "jti": uuid.uuid4().hex,
    }
    if unit is not None:
        claims["unit"] = unit
    return jwt.encode(claims, signing_secret(auth, state_dir), algorithm="HS256")


class _KeySet:
    """Public keys from a JWKS URL: cached, refreshed on expiry or on an unknown kid."""

    def __init__(self, url: str, cache_seconds: float, clock: Callable[[], float]) -> None:
        self.url, self.cache_seconds, self.clock = url, cache_seconds, clock
        self.keys: dict[str, jwt.PyJWK] = {}
        self.fetched_at: float | None = None
        self.attempted_at: float | None = None
        self.reachable = True
        self.lock = asyncio.Lock()
        self.generation = 0  # successful fetches so far

    async def key(self, kid: str) -> jwt.PyJWK:
        if self.expired() or kid not in self.keys:
            await self._refresh()
        if kid in self.keys:
            return self.keys[kid]
        if not self.reachable:
            raise Unauthenticated(
                "the identity provider's key set (JWKS) could not be fetched; try again shortly"
            )
        raise Unauthenticated(
            "token was signed with a key (kid) the identity provider does not publish"
        )

    def expired(self) -> bool:
        return self.fetched_at is None or self.clock() - self.fetched_at >= self.cache_seconds

    async def _refresh(self) -> None:
        async with self.lock:
            # Callers queued on the lock behind a fetch find it recent and use its keys.
            now = self.clock()
            if self.attempted_at is not None and now - self.attempted_at < JWKS_REFRESH_INTERVAL:
                return
            self.attempted_at = now
            try:
                keys = await self._fetch()
            except (httpx.HTTPError, ValueError, jwt.PyJWTError) as exc:
                # Keys fetched before stay trusted until a refresh succeeds: an identity
                # provider's brief outage must not log every user out.
                log.warning("could not fetch the JWKS from %s: %s", self.url, exc)
                self.reachable = False
                return
            self.keys, self.fetched_at, self.reachable = keys, self.clock(), True
            self.generation += 1

    async def _fetch(self) -> dict[str, jwt.PyJWK]:
        async with httpx.AsyncClient(timeout=JWKS_FETCH_TIMEOUT) as client:
            response = await client.get(self.url, headers={"Accept": "application/json"})
            response.raise_for_status()
            document = response.json()
        if not isinstance(document, dict) or not isinstance(document.get("keys"), list):
            raise ValueError("the response is not a JWK set (an object with a 'keys' list)")
        signing = [
            key
            for key in document["keys"]
            if isinstance(key, dict) and key.get("use", "sig") == "sig" and "kid" in key
        ]
        return {str(key.key_id): key for key in jwt.PyJWKSet(signing).keys}


_MALFORMED = "token is malformed; expected a JWT (three base64url parts)"
_REJECTIONS: list[tuple[type[jwt.PyJWTError], str]] = [
    (jwt.ExpiredSignatureError, "token has expired; sign in again for a new one"),
    (jwt.ImmatureSignatureError, "token is not valid yet (check the clocks)"),
    (jwt.InvalidSignatureError, "token signature does not verify"),
    (jwt.DecodeError, _MALFORMED),
]


class Authenticator:
    """Turns an ``Authorization`` header into a verified Principal."""

    def __init__(
        self,
        auth: AuthConfig,
        *,
        development: bool,
        state_dir: Path,
        clock: Callable[[], float] = time.monotonic,
        wall_clock: Callable[[], float] = time.time,
    ) -> None:
        self.auth = auth
        self.secret: str | None = None
        self.key_set: _KeySet | None = None
        self.wall_clock = wall_clock
        # token -> (principal, accepted from, accepted until, key set generation); epoch seconds
        self._verified: Lru[str, tuple[Principal, float, float, int | None]] = Lru(VERIFIED_TOKENS)
        if auth.symmetric:
            if auth.hs256_secret is None and not development:
                raise ValueError("production mode needs auth.hs256_secret to verify HS256 tokens")
            self.secret = signing_secret(auth, state_dir)
        else:
            if auth.jwks_url is None:
                raise ValueError(f"auth.jwks_url is required with {', '.join(auth.algorithms)}")
            self.key_set = _KeySet(auth.jwks_url, auth.jwks_cache_seconds, clock)

    async def authenticate(self, authorization: str | None) -> Principal:
        """ANONYMOUS without a header; the token's Principal; else raise Unauthenticated."""
        if authorization is None:
            return ANONYMOUS
        scheme, _, token = authorization.partition(" ")
        if scheme.lower() != "bearer" or not token or " " in token:
            raise Unauthenticated("the Authorization header must be 'Bearer <token>'")
        now = self.wall_clock()
        try:
            principal, start, until, generation = self._verified.recall(token)
        except KeyError:
            pass
        else:
            current = self._generation()
            if start <= now < until and current is not None and generation == current:
                return principal
        principal, start, until = self._verify(token, await self._key(token), now)
        self._verified.remember(token, (principal, start, until, self._generation()))
        return principal

    def _generation(self) -> int | None:
        """Which fetch of the key set verifies tokens now (0 with a shared secret): a refetch
        may drop a key, so tokens verified before it are verified again; None once the set is
        due a refetch, when every token is verified again (which asks for one)."""
        if self.key_set is None:
            return 0
        return None if self.key_set.expired() else self.key_set.generation

    def _verify(
        self, token: str, key: str | AllowedPublicKeys, now: float
    ) -> tuple[Principal, float, float]:
        """The token's Principal and the epoch seconds between which it may be taken as is."""
        claims = self._decode(token, key)
        role = _role(claims["role"])
        subject, unit, jti = claims["sub"], claims.get("unit"), claims.get("jti")
        try:
            _check_subject(role, subject)
        except InvalidIdentifier:
            kind = _SUBJECT_KIND.get(role, "id")
            raise Unauthenticated(
                f"token subject is not a valid {kind} for role {role.value!r}"
            ) from None
        if unit is not None and not isinstance(unit, str):
            raise Unauthenticated("token unit claim must be a unit code string")
        expires = float(claims["exp"])
        leeway = self.auth.leeway_seconds
        start = float(claims.get("nbf", now)) - leeway
        until = min(expires + leeway, now + VERIFIED_SECONDS)
        return Principal(role, subject, unit, jti, expires), start, until

    async def _key(self, token: str) -> str | AllowedPublicKeys:
        """The key to verify ``token`` with, after pinning its algorithm to the configured ones."""
        try:
            header = jwt.get_unverified_header(token)
        except jwt.DecodeError:
            raise Unauthenticated(_MALFORMED) from None
        except jwt.PyJWTError as exc:
            # PyJWT checks header parameters too (a `kid` that is not a string, a `crit` it
            # cannot honour); each of those is a refusal, never an error of Padu's.
            raise Unauthenticated(f"token header is not acceptable: {exc}") from None
        alg = header.get("alg")
        if alg not in self.auth.algorithms:
            accepted = ", ".join(self.auth.algorithms)
            raise Unauthenticated(f"token algorithm {alg!r} is not accepted (expected {accepted})")
        if self.secret is not None:
            return self.secret
        assert self.key_set is not None
        kid = header.get("kid")
        if not isinstance(kid, str):
            raise Unauthenticated("token header names no key id (kid)")
        key = await self.key_set.key(kid)
        if key.algorithm_name != alg:
            raise Unauthenticated(
                f"token algorithm {alg!r} does not match its key's ({key.algorithm_name})"
            )
        public: AllowedPublicKeys = key.key
        return public

    def _decode(self, token: str, key: str | AllowedPublicKeys) -> dict[str, Any]:
        auth = self.auth
        try:
            return jwt.decode(
                token,
                key,
                algorithms=list(auth.algorithms),
                audience=auth.audience,
                issuer=auth.issuer,
                leeway=auth.leeway_seconds,
                options={"require": _REQUIRED_CLAIMS},
            )
        except jwt.MissingRequiredClaimError as exc:
            raise Unauthenticated(f"token lacks the required {exc.claim!r} claim") from None
        except jwt.InvalidAudienceError:
            raise Unauthenticated(f"token audience is not {auth.audience!r}") from None
        except jwt.InvalidIssuerError:
            raise Unauthenticated(f"token issuer is not {auth.issuer!r}") from None
        except jwt.PyJWTError as exc:
            for kind, message in _REJECTIONS:
                if isinstance(exc, kind):
                    raise Unauthenticated(message) from None
            raise Unauthenticated(f"token is invalid: {exc}") from None
