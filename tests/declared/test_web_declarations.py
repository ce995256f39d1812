"""Declared types over a JSON web service: mistakes in the declaration, a sample answer that
does not fit it (start-up stops with the key), malformed answers and a stopped service at run
time (SOURCE_UNAVAILABLE with the reason, the rest of the answer stands)."""

from __future__ import annotations

import copy
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

import pytest
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from padu.config import ConfigError, parse_config
from padu.declared.catalogue import field_kinds
from padu.declared.declaration import DeclarationError, parse_applications
from padu.sources.application import application_source
from tests.conftest import TEST_SETTINGS, poster, serving, uvicorn_serving
from tests.data import BUDI, SITI
from tests.padu_process import free_port

KEY = "test-only-web-key"
VISITS: dict[str, Any] = {
    "clinic": {
        "source": "health",
        "types": {
            "Visit": {
                "endpoint": "/visits",
                "key": "id",
                "list": "visits",
                "read": ["admin", "citizen"],
                "rows": {"citizen": "nik"},
                "filters": ["unit"],
                "links": {"resident": {"to": "Resident", "by": "nik", "reverse": "visits"}},
                "fields": {
                    "id": {"type": "Int"},
                    "nik": {"type": "NIK", "personal": True},
                    "on": {"path": "when", "type": "Date"},
                    "unit": {"path": "unit.code", "param": "unit", "type": "String"},
                },
            }
        },
    }
}
WEB = {"health": SimpleNamespace(kind="http")}


def broken(path: tuple[str, ...], value: Any) -> dict[str, Any]:
    changed = copy.deepcopy(VISITS)
    target = changed["clinic"]["types"]["Visit"]
    for step in path[:-1]:
        target = target[step]
    if value is None:
        del target[path[-1]]
    else:
        target[path[-1]] = value
    return changed


def test_a_web_declaration_yields_paths_parameters_and_its_endpoint() -> None:
    [app] = parse_applications(VISITS, WEB)
    [visit] = app.types
    assert visit.endpoint is not None
    assert (visit.endpoint.path, visit.endpoint.batch, visit.endpoint.items) == (
        "/visits", None, "items",
    )  # fmt: skip
    assert [(f.name, f.column, f.param) for f in visit.fields] == [
        ("id", "id", "id"), ("nik", "nik", "nik"), ("on", "when", "when"),
        ("unit", "unit.code", "unit"),
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("path", "value", "key", "reason"),
    [
        (("fields", "on", "type"), None, "clinic.types.Visit.fields.on.type",
         "a web service has no catalogue"),
        (("fields", "unit", "param"), None, "clinic.types.Visit.fields.unit.param",
         "its path unit.code is nested"),
        (("fields", "on", "column"), "tgl", "clinic.types.Visit.fields.on.column",
         "is not a known key"),
        (("table",), "kunjungan", "clinic.types.Visit.table", "is not a known key"),
        (("endpoint",), None, "clinic.types.Visit.endpoint", "is required"),
        (("endpoint",), "visits?x=1", "clinic.types.Visit.endpoint", "a path on the service"),
        (("fields", "on", "path"), "when..day", "clinic.types.Visit.fields.on.path",
         "is not a JSON path"),
        (("fields", "on", "param"), "limit", "clinic.types.Visit.fields.on.param",
         "Padu's own paging parameter"),
    ],
)  # fmt: skip
def test_a_web_declaration_s_mistake_names_its_key(
    path: tuple[str, ...], value: Any, key: str, reason: str
) -> None:
    with pytest.raises(DeclarationError) as refused:
        parse_applications(broken(path, value), WEB)
    assert refused.value.key == key
    assert reason in refused.value.reason


@dataclass
class Clinic:
    """A web service keeping the contract, whose answers a test may spoil."""

    visits: list[dict[str, Any]] = field(
        default_factory=lambda: [
            {"id": 1, "nik": BUDI, "when": "2026-02-03", "unit": {"code": "PKM-01"}},
            {"id": 2, "nik": SITI, "when": "2026-03-04", "unit": {"code": "PKM-02"}},
            {"id": 3, "nik": BUDI, "when": "2026-05-06", "unit": {"code": "PKM-02"}},
        ]
    )
    spoil: Any = None  # a function of the right answer giving the one sent
    asked: list[dict[str, str]] = field(default_factory=list)

    def app(self) -> Starlette:
        async def visits(request: Request) -> Response:
            if request.headers.get("x-api-key") != KEY:
                return JSONResponse({"error": "who are you"}, status_code=401)
            params = dict(request.query_params)
            self.asked.append(dict(params))
            after, limit = int(params.pop("after", 0)), int(params.pop("limit", 20))
            unit = params.pop("unit", None)
            found = [
                v for v in self.visits
                if all(str(v[k]) == value for k, value in params.items())
                and (unit is None or v["unit"]["code"] == unit)
            ]  # fmt: skip
            answer = {"items": [v for v in found if v["id"] > after][:limit], "total": len(found)}
            return JSONResponse(answer if self.spoil is None else self.spoil(answer))

        async def health(request: Request) -> Response:
            return JSONResponse({"status": "up"})

        return Starlette(routes=[Route("/visits", visits), Route("/health", health)])


@asynccontextmanager
async def clinic_at(clinic: Clinic) -> AsyncIterator[str]:
    port = free_port()
    settings = uvicorn.Config(
        clinic.app(), host="127.0.0.1", port=port, log_level="warning", lifespan="off"
    )
    async with uvicorn_serving(settings):
        yield f"http://127.0.0.1:{port}"


def config_for(url: str, applications: dict[str, Any] = VISITS, token: str = KEY) -> Any:
    source = {
        "kind": "http", "url": url, "auth": "api_key", "token": token, "health_path": "/health",
        "connect_timeout": 0.5, "statement_timeout": 2, "retries": 0,
    }  # fmt: skip
    settings = {**TEST_SETTINGS, "sources": {"health": source}, "applications": applications}
    return parse_config(settings, "padu.toml", {})


async def kinds_at(url: str, **given: Any) -> dict[tuple[str, str], str]:
    config = config_for(url, **given)
    source = application_source(config.sources["health"], url)
    await source.start()
    try:
        return await field_kinds(config, {"health": source})
    finally:
        await source.stop()


async def test_a_fitting_sample_yields_the_declared_types() -> None:
    async with clinic_at(Clinic()) as url:
        kinds = await kinds_at(url)
    assert kinds[("Visit", "on")] == "Date" and kinds[("Visit", "unit")] == "String"


@pytest.mark.parametrize(
    ("spoil", "key", "reason"),
    [
        (lambda a: {**a, "items": [{**a["items"][0], "when": 20260203}]},
         "applications.clinic.types.Visit.fields.on.path",
         "item 1 has `when` integer, not Date"),
        (lambda a: {**a, "items": [{**a["items"][0], "when": "3 Feb 2026"}]},
         "applications.clinic.types.Visit.fields.on.path", "`when` that is not a Date"),
        (lambda a: {**a, "items": [{"nik": BUDI}]},
         "applications.clinic.types.Visit.fields.id.path", "item 1 without `id`"),
        (lambda a: {"data": a["items"]},
         "applications.clinic.types.Visit.endpoint", "`items` is null, not a list"),
        (lambda a: [a], "applications.clinic.types.Visit.endpoint",
         "the answer is array, not an object"),
    ],
)  # fmt: skip
async def test_a_sample_that_does_not_fit_stops_start_up_with_the_key(
    spoil: Any, key: str, reason: str
) -> None:
    async with clinic_at(Clinic(spoil=spoil)) as url:
        with pytest.raises(ConfigError) as stopped:
            await kinds_at(url)
    assert (stopped.value.file, stopped.value.key) == ("padu.toml", key)
    assert reason in stopped.value.reason


async def test_a_wrong_endpoint_or_key_stops_start_up_naming_it() -> None:
    elsewhere = broken(("endpoint",), "/kunjungan")
    async with clinic_at(Clinic()) as url:
        with pytest.raises(ConfigError) as missing:
            await kinds_at(url, applications=elsewhere)
        with pytest.raises(ConfigError) as refused:
            await kinds_at(url, token="not-the-key")
    assert missing.value.key == "applications.clinic.types.Visit.endpoint"
    assert "has no /kunjungan (HTTP 404)" in missing.value.reason
    assert refused.value.key == "sources.health.token"
    assert "refused Padu's credentials (HTTP 401)" in refused.value.reason


QUERY = "query($n: NIK!) { resident(nik: $n) { fullName visits { totalCount nodes { on unit } } } }"


async def test_a_malformed_answer_at_run_time_is_unavailable_with_the_reason(
    dsns: dict[str, str],
) -> None:
    clinic = Clinic()
    async with clinic_at(clinic) as url:
        config = config_for(url)
        async with serving(config, {**dsns, "health": url}) as http:
            ask = poster(http, config)
            good = await ask(QUERY, {"n": BUDI})
            assert good["data"]["resident"]["visits"] == {
                "totalCount": 2,
                "nodes": [
                    {"on": "2026-02-03", "unit": "PKM-01"},
                    {"on": "2026-05-06", "unit": "PKM-02"},
                ],
            }
            assert clinic.asked[-1] == {"nik": BUDI, "limit": "21"}  # one more: hasNextPage
            clinic.spoil = lambda a: {**a, "items": [{**i, "unit": "PKM-01"} for i in a["items"]]}
            not_an_object = await ask(QUERY, {"n": BUDI})
            clinic.spoil = lambda a: {**a, "items": [{**i, "when": 20260203} for i in a["items"]]}
            wrong_type = await ask(QUERY, {"n": BUDI})
    for body, reason in (
        (not_an_object, "item 1 has `unit` string, not an object"),
        (wrong_type, "item 1 has `when` integer, not Date"),
    ):
        assert body["data"] == {"resident": {"fullName": "Budi Santoso", "visits": None}}
        [error] = body["errors"]
        assert (error["path"], error["extensions"]["code"]) == (
            ["resident", "visits"], "SOURCE_UNAVAILABLE",
        )  # fmt: skip
        assert f"The health source system answered malformed data ({reason})" in error["message"]


async def test_with_the_service_stopped_the_other_systems_still_answer(
    dsns: dict[str, str],
) -> None:
    url = f"http://127.0.0.1:{free_port()}"  # nothing listens: stopped before Padu started
    config = config_for(url)
    async with serving(config, {**dsns, "health": url}) as http:
        health = await http.get("/healthz")
        body = await poster(http, config)(QUERY, {"n": BUDI})
    assert health.status_code == 503
    states = {name: s["status"] for name, s in health.json()["sources"].items()}
    assert states.pop("health") == "down" and set(states.values()) == {"up"}
    assert body["data"] == {"resident": {"fullName": "Budi Santoso", "visits": None}}
    [error] = body["errors"]
    assert (error["path"], error["extensions"]["code"]) == (
        ["resident", "visits"], "SOURCE_UNAVAILABLE",
    )  # fmt: skip
