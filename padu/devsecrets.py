"""Development-only secrets, generated once into the state folder and reused after."""

from __future__ import annotations

import logging
import os
import secrets
from pathlib import Path

log = logging.getLogger("padu.devsecrets")


def development_secret(path: Path) -> str:
    """The secret kept at ``path``, generating it (mode 0600) on first use.

    Only for development: production configuration must name its secrets. Only processes
    sharing ``path`` share the secret: replicas that share nothing but the databases would
    each make their own, so they are given their keys in configuration.
    """
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        draft = path.with_name(f"{path.name}.{os.getpid()}")
        fd = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_urlsafe(48) + "\n")
        try:
            # A link appears whole and never replaces: processes starting together share one.
            os.link(draft, path)
            log.info(
                "generated a development-only secret in %s; replicas not sharing this folder "
                "need [auth] hs256_secret and [audit] hash_key set alike instead",
                path,
            )
        except FileExistsError:
            pass
        finally:
            draft.unlink()
    secret = path.read_text().strip()
    if len(secret.encode()) < 32:
        raise ValueError(f"{path} holds no usable secret (under 32 bytes); delete it to regenerate")
    return secret
