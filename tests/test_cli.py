"""The padu command: schema export and configuration errors that stop start-up."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from padu.cli import main
from padu.config import SOURCE_NAMES
from padu.sources.demo import is_seeded
from padu.sources.embedded import drop_database, ensure_database, with_database

SOURCES = (*SOURCE_NAMES, "state")


def test_export_schema_prints_the_sdl(capsys: pytest.CaptureFixture[str]) -> None:
    """The shipped padu.toml's schema: the core one and the declared applications' types."""
    assert main(["export-schema"]) == 0
    printed = capsys.readouterr().out
    assert printed == (Path(__file__).parents[1] / "schema.graphql").read_text(encoding="utf-8")
    assert (
        "payments(first: Int = 20, after: String, filter: PaymentFilter): PaymentConnection"
        in printed
    )


def test_bad_configuration_stops_serve_with_file_key_and_reason(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "padu.toml"
    config.write_text('[sources.population]\npool_max = "many"\n')
    monkeypatch.setenv("PADU_CONFIG", str(config))
    assert main(["serve"]) == 2
    assert capsys.readouterr().err.strip() == (
        f"padu: configuration error: {config}: sources.population.pool_max: "
        "must be a number, got 'many'"
    )


def test_missing_configuration_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("PADU_CONFIG", str(tmp_path / "nope.toml"))
    assert main(["seed", "--scale", "test"]) == 2
    assert "nope.toml: PADU_CONFIG: file not found" in capsys.readouterr().err


async def test_seed_loads_demo_data_into_the_configured_databases(
    server_dsn: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    dsns = {name: with_database(server_dsn, f"padu_seedcli_{name}") for name in SOURCES}
    for name in SOURCES:
        await ensure_database(server_dsn, f"padu_seedcli_{name}")
    try:
        config = tmp_path / "padu.toml"
        config.write_text(
            "".join(f'[sources.{name}]\ndsn = "{dsns[name]}"\n' for name in SOURCE_NAMES)
            + f'[state]\ndsn = "{dsns["state"]}"\n'
        )
        monkeypatch.setenv("PADU_CONFIG", str(config))
        assert await asyncio.to_thread(main, ["seed", "--scale", "test", "--quiet"]) == 0
        for name in SOURCE_NAMES:
            assert await is_seeded(dsns[name], name), name
    finally:
        for name in SOURCES:
            await drop_database(server_dsn, f"padu_seedcli_{name}")
