"""The ``padu`` command: serve, seed and export-schema."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
import time

from padu.config import ConfigError, load_config


def _serve(args: argparse.Namespace) -> int:
    import uvicorn

    from padu.app import create_app

    config = load_config()
    print(
        f"Padu for {config.region.name} ({config.region.code}), {config.mode} mode: "
        f"http://{config.host}:{config.port}/graphql",
        file=sys.stderr,
    )
    uvicorn.run(
        create_app(config),
        host=config.host,
        port=config.port,
        log_level=args.log_level,
        loop="uvloop",
        http="httptools",
    )
    return 0


async def _seed_async(args: argparse.Namespace) -> int:
    from padu.sources.demo import SCALES, seed
    from padu.sources.hosting import source_dsns

    config = load_config()
    dsns = await source_dsns(config)
    started = time.perf_counter()
    report = await seed(
        dsns, config.region, SCALES[args.scale], seed=args.seed, progress=not args.quiet
    )
    print(report, file=sys.stderr)
    print(f"seeded {args.scale} data in {time.perf_counter() - started:.1f}s", file=sys.stderr)
    return 0


def _seed(args: argparse.Namespace) -> int:
    return asyncio.run(_seed_async(args))


def _export_schema(args: argparse.Namespace) -> int:
    from padu.schema import schema

    sys.stdout.write(schema.as_str() + "\n")
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
    serve.set_defaults(run=_serve)

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
    export.set_defaults(run=_export_schema)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
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
