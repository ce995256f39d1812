"""The ``padu`` command: serve, seed, export-schema, check-config and token."""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import shutil
import signal
import sys
import time

from padu.config import SOURCE_NAMES, Config, ConfigError, load_config
from padu.logs import install_redaction
from padu.principal import Role


async def _prepare(config: Config) -> None:
    """Find (and on first run seed) the sources once, before any worker starts."""
    from padu.app import seed_if_empty
    from padu.sources.hosting import source_dsns

    await seed_if_empty(config, await source_dsns(config))


def _metrics_folder(config: Config) -> None:
    """A fresh, empty folder for the workers' metric values, named in the environment they
    inherit: set before prometheus_client is first imported, which reads it then. One folder
    per port, so replicas sharing a state folder keep theirs."""
    folder = config.state_dir / "metrics" / str(config.port)
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(folder)


def _serve(args: argparse.Namespace) -> int:
    import uvicorn

    from padu.serving import server_settings

    if args.subgraph:  # read by load_config, here and in every worker
        os.environ["PADU_SUBGRAPH"] = args.subgraph
    config = load_config()
    workers = args.workers or config.workers
    print(
        f"Padu for {config.region.name} ({config.region.code}), {config.mode} mode, "
        + (f"subgraph {part}, " if (part := config.federation.subgraph) else "")
        + f"{workers} worker(s): http://{config.host}:{config.port}/graphql",
        file=sys.stderr,
    )
    if config.metrics.enabled:
        _metrics_folder(config)
    asyncio.run(_prepare(config))
    if config.metrics.enabled and config.metrics.bind is not None:
        from padu.metrics import serve_separately

        serve_separately(config.metrics)  # one listener adding up every worker's values
    uvicorn.run(
        "padu.app:from_environment",
        factory=True,
        workers=workers,
        log_level=args.log_level,
        **server_settings(config),
    )
    return 0


async def _seed_async(args: argparse.Namespace) -> int:
    from padu.sources.demo import SCALES, seed
    from padu.sources.hosting import source_dsns

    config = load_config()
    dsns = await source_dsns(config)
    started = time.perf_counter()
    sources = {name: dsns[name] for name in SOURCE_NAMES}  # not Padu's own state database
    report = await seed(
        sources, config.region, SCALES[args.scale], seed=args.seed, progress=not args.quiet
    )
    from padu.sources.demo.applications import seed_application, seed_web_application

    for app in config.applications:
        if app.demo is None:
            continue
        source = config.sources[app.source]
        if source.kind == "http":
            try:
                await seed_web_application(source, dsns["population"], only_if_empty=False)
            except OSError as exc:
                print(f"padu seed: {exc}; {app.name} was not seeded", file=sys.stderr)
                continue
        else:
            await seed_application(app.demo, source.kind, dsns[app.source], dsns["population"])
        print(f"seeded the {app.name} demo data into {app.source}", file=sys.stderr)
    print(report, file=sys.stderr)
    print(f"seeded {args.scale} data in {time.perf_counter() - started:.1f}s", file=sys.stderr)
    return 0


def _supergraph(args: argparse.Namespace) -> int:
    from padu.schema.federation import names
    from padu.supergraph import SupergraphError, supergraph

    config = load_config()
    asyncio.run(_prepare(config))  # seed the embedded demo once, before the subgraphs start
    parts = names(config.applications)
    # SIGTERM (make's trap, a service manager) stops the subgraphs and the gateway too.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        with supergraph(config, parts, args.gateway, args.port, args.first_port) as url:
            print(
                f"Padu supergraph: {len(parts)} subgraphs on ports {args.first_port}-"
                f"{args.first_port + len(parts) - 1} behind the {args.gateway} gateway: {url}",
                file=sys.stderr,
            )
            while True:
                time.sleep(3600)
    except SupergraphError as exc:
        print(f"padu supergraph: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 0


def _seed(args: argparse.Namespace) -> int:
    return asyncio.run(_seed_async(args))


async def _declared_kinds(config: Config) -> dict[tuple[str, str], str]:
    """The declared fields' types, read from the applications' sources (embedded ones too)."""
    from padu.declared.catalogue import field_kinds
    from padu.sources.application import application_source
    from padu.sources.hosting import source_dsns

    dsns = await source_dsns(config)
    sources = {
        app.source: application_source(config.sources[app.source], dsns[app.source])
        for app in config.applications
    }
    for source in sources.values():
        await source.start()
    try:
        return await field_kinds(config, sources)
    finally:
        for source in sources.values():
            await source.stop()


def _export_schema(args: argparse.Namespace) -> int:
    from padu.declared.catalogue import declared_kinds
    from padu.schema.build import build_schema

    env = {**os.environ, "PADU_SUBGRAPH": args.subgraph or ""}
    config = load_config(env)
    kinds = declared_kinds(config.applications)
    if kinds is None:  # some field's type is its column's: read the catalogues
        kinds = asyncio.run(_declared_kinds(config))
    schema = build_schema(config, kinds)
    sys.stdout.write(schema.subgraph_sdl or schema.as_str() + "\n")
    return 0


def _check_config(args: argparse.Namespace) -> int:
    from padu.declared.report import describe

    config = load_config()
    kinds = asyncio.run(_declared_kinds(config))
    print(describe(config, kinds))
    print("configuration is valid; every declared table and column is there")
    return 0


def _token(args: argparse.Namespace) -> int:
    from padu.auth import mint_dev_token

    config = load_config()
    if not config.development:
        print("padu: development-only tokens; the server is in production mode", file=sys.stderr)
        return 2
    try:
        token = mint_dev_token(
            config.auth,
            config.state_dir,
            Role(args.role),
            args.subject,
            unit=args.unit,
            ttl_seconds=round(args.ttl * 3600),
        )
    except ValueError as exc:
        print(f"padu: cannot mint a token: {exc}", file=sys.stderr)
        return 2
    print(token)
    print(
        f"A development token for {args.role} {args.subject}, valid {args.ttl:g} h. Send it as the "
        "header\n  Authorization: Bearer <token>\n"
        'e.g. in GraphiQL\'s Headers tab: {"Authorization": "Bearer <token>"}',
        file=sys.stderr,
    )
    return 0


def build_parser() -> argparse.ArgumentParser:
    from padu.sources.demo import SCALES

    parser = argparse.ArgumentParser(
        prog="padu",
        description="One GraphQL API over a city government's applications. "
        "Configuration: padu.toml, or the file named by PADU_CONFIG.",
    )
    commands = parser.add_subparsers(dest="command", required=True)

    serve = commands.add_parser("serve", help="serve GraphQL on HOST:PORT (default 127.0.0.1:8000)")
    serve.add_argument("--log-level", default="info", choices=["debug", "info", "warning", "error"])
    serve.add_argument(
        "--workers", type=int, default=None, help="processes (default: [server] workers)"
    )
    serve.add_argument(
        "--subgraph",
        metavar="NAME",
        help="serve one system's part as a Federation v2 subgraph (default: [federation] subgraph)",
    )
    serve.set_defaults(run=_serve)

    federated = commands.add_parser(
        "supergraph",
        help="serve every subgraph in its own process behind Hive Gateway or Apollo Gateway",
    )
    federated.add_argument("--gateway", choices=["hive", "apollo"], default="hive")
    federated.add_argument("--port", type=int, default=4000, help="the gateway's port")
    federated.add_argument(
        "--first-port", type=int, default=4001, help="the first subgraph's port (then +1 each)"
    )
    federated.set_defaults(run=_supergraph)

    seed = commands.add_parser(
        "seed",
        help="(re)create the demo source databases with generated data",
        description="Drops and recreates the demo tables of every configured source (embedded "
        "or given by DSN) and loads deterministic demo data.",
    )
    seed.add_argument("--scale", default="demo", choices=sorted(SCALES))
    seed.add_argument(
        "--seed", type=int, default=20261123, help="random seed (default: %(default)s)"
    )
    seed.add_argument("--quiet", action="store_true", help="no progress bars")
    seed.set_defaults(run=_seed)

    export = commands.add_parser("export-schema", help="print the GraphQL schema (SDL)")
    export.add_argument(
        "--subgraph", metavar="NAME", help="print that Federation v2 subgraph's SDL instead"
    )
    export.set_defaults(run=_export_schema)

    check = commands.add_parser(
        "check-config",
        help="check padu.toml, declared applications included, against the sources",
        description="Reads the configuration, checks every declared application's tables and "
        "columns in its source, and prints each type, field, link and rule as Padu serves it.",
    )
    check.set_defaults(run=_check_config)

    roles = [role.value for role in Role if role is not Role.ANONYMOUS]
    token = commands.add_parser(
        "token",
        help="print a development-only bearer token for a role and subject",
        description="Signs an HS256 token with the configured secret, or the development secret "
        "kept in the state folder. Refused in production mode and when auth uses public keys. "
        "Subjects: a NIK for citizen, a NIP for officer and supervisor, any id otherwise.",
    )
    token.add_argument("role", choices=roles)
    token.add_argument("subject", help="NIK, NIP or id, as the role requires")
    token.add_argument("--unit", metavar="CODE", help="unit code to carry in the token")
    token.add_argument(
        "--ttl", type=float, default=8.0, metavar="HOURS", help="lifetime (default: %(default)g)"
    )
    token.set_defaults(run=_token)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    install_redaction()
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    try:
        return int(args.run(args))
    except ConfigError as exc:
        print(f"padu: configuration error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
