// What both gateway launchers share: their command line, and serving until SIGTERM.

import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { parseArgs } from 'node:util';

// After SIGTERM, requests in flight get this long before their connections are cut.
const DRAIN_MS = 10_000;

/** Prints `message` to stderr and exits with `code` (2: the command line is wrong). */
export function fail(message, code = 2) {
  process.stderr.write(`${message}\n`);
  process.exit(code);
}

/** The launcher's options from `--supergraph FILE --port N [--host H]`, with the supergraph read. */
export function launchOptions(program, argv = process.argv.slice(2)) {
  const usage = `usage: node gateway/${program} --supergraph FILE --port N [--host 127.0.0.1]`;
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        supergraph: { type: 'string' },
        port: { type: 'string' },
        host: { type: 'string', default: '127.0.0.1' },
      },
    }));
  } catch (error) {
    fail(`${program}: ${error.message}\n${usage}`);
  }
  if (!values.supergraph) fail(`${program}: --supergraph is required\n${usage}`);
  const port = Number(values.port);
  if (!/^\d+$/.test(values.port ?? '') || port < 1 || port > 65535) {
    fail(`${program}: --port must be a whole number from 1 to 65535, got ${JSON.stringify(values.port ?? '')}\n${usage}`);
  }
  let supergraphSdl;
  try {
    supergraphSdl = readFileSync(values.supergraph, 'utf8');
  } catch (error) {
    fail(`${program}: --supergraph ${values.supergraph}: ${error.message}`);
  }
  return Object.freeze({ supergraphPath: values.supergraph, supergraphSdl, port, host: values.host });
}

/**
 * Serves `listener` on the options' host and port, prints `ready` to stdout once listening,
 * and on SIGTERM or SIGINT stops accepting, lets requests in flight finish, awaits `stop()`
 * and exits 0.
 */
export async function serve(listener, { host, port }, name, stop) {
  const server = createServer(listener);
  try {
    await new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, resolve);
    });
  } catch (error) {
    fail(`${name}: cannot listen on ${host}:${port}: ${error.message}`, 1);
  }
  let stopping = false;
  const shutdown = async (signal) => {
    if (stopping) return;
    stopping = true;
    process.stderr.write(`${name}: ${signal}, stopping\n`);
    const closed = new Promise((resolve) => server.close(resolve));
    server.closeIdleConnections();
    setTimeout(() => server.closeAllConnections(), DRAIN_MS).unref();
    await closed;
    await stop();
    process.exit(0);
  };
  process.on('SIGTERM', shutdown);
  process.on('SIGINT', shutdown);
  const authority = host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
  process.stderr.write(`${name}: listening on http://${authority}/graphql\n`);
  process.stdout.write('ready\n');
}
