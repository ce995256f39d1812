"""Reading one TOML table of padu.toml: typed values, ``${ENV}`` interpolation, and errors
that name the file, the key and the reason."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

_ENV_REF = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}")


class ConfigError(Exception):
    """Invalid configuration: names the file, the key and what is wrong."""

    def __init__(self, file: str, key: str, reason: str) -> None:
        super().__init__(f"{file}: {key}: {reason}")
        self.file, self.key, self.reason = file, key, reason


class Reader:
    """Typed access to one TOML table, raising ConfigError that names the full key."""

    def __init__(
        self,
        file: str,
        table: Mapping[str, Any],
        prefix: str,
        known: Sequence[str],
        env: Mapping[str, str],
        kind: str = "key",
    ) -> None:
        self.file, self.table, self.prefix, self.env = file, table, prefix, env
        for key in table:
            if key not in known:
                listed = ", ".join(known)
                raise ConfigError(file, prefix + key, f"unknown {kind} (known: {listed})")

    def fail(self, key: str, reason: str) -> ConfigError:
        return ConfigError(self.file, self.prefix + key, reason)

    def _interpolate(self, key: str, value: str) -> str:
        def replace(match: re.Match[str]) -> str:
            name, default = match.group(1), match.group(2)
            if name in self.env:
                return self.env[name]
            if default is not None:
                return default
            hint = f"use ${{{name}:-default}} to give a default"
            raise self.fail(key, f"environment variable {name} is not set ({hint})")

        return _ENV_REF.sub(replace, value)

    def string(self, key: str, default: str) -> str:
        value = self.table.get(key, default)
        if not isinstance(value, str):
            raise self.fail(key, f"must be a string, got {value!r}")
        return self._interpolate(key, value)

    def number(
        self,
        key: str,
        default: float,
        *,
        minimum: float,
        maximum: float = float("inf"),
        integer: bool = False,
    ) -> float:
        value = self.table.get(key, default)
        if isinstance(value, str):
            text = self._interpolate(key, value)
            try:
                value = int(text) if integer else float(text)
            except ValueError:
                raise self.fail(key, f"must be a number, got {text!r}") from None
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self.fail(key, f"must be a number, got {value!r}")
        if integer and not isinstance(value, int):
            raise self.fail(key, f"must be a whole number, got {value!r}")
        if value < minimum:
            raise self.fail(key, f"must be at least {minimum:g}, got {value!r}")
        if value > maximum:
            raise self.fail(key, f"must be at most {maximum:g}, got {value!r}")
        return value

    def integer(self, key: str, default: int, *, minimum: int) -> int:
        return int(self.number(key, default, minimum=minimum, integer=True))

    def strings(self, key: str, default: tuple[str, ...]) -> tuple[str, ...]:
        value = self.table.get(key, list(default))
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise self.fail(key, f"must be a list of strings, got {value!r}")
        return tuple(self._interpolate(key, v) for v in value)

    def port(self, key: str, default: int) -> int:
        return int(self.number(key, default, minimum=1, maximum=65535, integer=True))

    def boolean(self, key: str, default: bool) -> bool:
        value = self.table.get(key, default)
        if not isinstance(value, bool):
            raise self.fail(key, f"must be true or false, got {value!r}")
        return value

    def table_at(self, key: str) -> Mapping[str, Any]:
        value = self.table.get(key, {})
        if not isinstance(value, dict):
            raise self.fail(key, "must be a table")
        return value
