// Apollo Gateway in front of Padu's subgraphs:
//   node gateway/apollo.mjs --supergraph FILE --port N [--host 127.0.0.1]
// GraphQL at /graphql (POST, and GET with an `apollo-require-preflight` header), 200 at
// /healthz once the supergraph is loaded. Errors a subgraph sends pass through unmasked.

import { ApolloGateway, RemoteGraphQLDataSource } from '@apollo/gateway';
import { ApolloServer, HeaderMap } from '@apollo/server';
import {
  ApolloServerPluginLandingPageDisabled,
  ApolloServerPluginSchemaReportingDisabled,
  ApolloServerPluginUsageReportingDisabled,
} from '@apollo/server/plugin/disabled';

import { subgraphHeaders } from './headers.mjs';
import { fail, launchOptions, serve } from './launch.mjs';

// The same bound as Padu's own http.max_body_bytes default.
const MAX_BODY_BYTES = 100_000;

// @apollo/gateway otherwise sends host metrics to Apollo and probes cloud metadata
// addresses at start; a gateway here talks only to its subgraphs.
process.env.APOLLO_TELEMETRY_DISABLED = 'true';

// Apollo's own messages go to stderr: stdout carries only `ready`.
const logger = {
  debug() {},
  info: (message) => process.stderr.write(`apollo gateway: ${message}\n`),
  warn: (message) => process.stderr.write(`apollo gateway: warning: ${message}\n`),
  error: (message) => process.stderr.write(`apollo gateway: error: ${message}\n`),
};

/** A subgraph's non-2xx answer, with the GraphQL errors its body held, if any. */
class SubgraphRefusal extends Error {
  constructor(status, errors) {
    super(`answered HTTP ${status}`);
    this.errors = errors;
  }
}

/**
 * A subgraph as Apollo Gateway calls it: with the headers of `subgraphHeaders` (put in the
 * context per request), and with its refusals passed on as the errors it sent.
 */
class PaduSubgraph extends RemoteGraphQLDataSource {
  willSendRequest({ request, context }) {
    for (const [name, value] of Object.entries(context?.subgraphHeaders ?? {})) {
      request.http.headers.set(name, value);
    }
  }

  // Apollo would make "401: Unauthorized" of a refusal (and no code at all of a 429),
  // with the subgraph's URL in its extensions; the client should get the subgraph's errors.
  async errorFromResponse(response) {
    const body = await this.parseBody(response).catch(() => null);
    const errors = Array.isArray(body?.errors) && body.errors.length > 0 ? body.errors : null;
    return new SubgraphRefusal(response.status, errors);
  }

  // A subgraph that cannot be reached, or answers with something else than GraphQL, is
  // logged here and masked for the client, as Hive Gateway does: Apollo's message would
  // name the subgraph's address.
  async process(options) {
    try {
      return await super.process(options);
    } catch (error) {
      if (error instanceof SubgraphRefusal && error.errors) return { errors: error.errors };
      logger.error(`subgraph ${this.name}: ${error.message}`);
      return { errors: [{ message: 'Unexpected error.', extensions: { code: 'INTERNAL_SERVER_ERROR' } }] };
    }
  }
}

/** One error as the body of a response refused before GraphQL ran. */
function refusal(res, status, code, message) {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
  res.end(JSON.stringify({ errors: [{ message, extensions: { code } }] }));
}

/** The request body parsed as JSON when it is sent as JSON; `undefined` otherwise. */
async function jsonBody(req) {
  if (!/^application\/(graphql-response\+)?json\b/i.test(req.headers['content-type'] ?? '')) {
    return undefined;
  }
  const chunks = [];
  let size = 0;
  for await (const chunk of req) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) throw new RangeError('too large');
    chunks.push(chunk);
  }
  return JSON.parse(Buffer.concat(chunks).toString('utf8'));
}

/** Answers one request: /healthz, and /graphql through Apollo Server. */
async function handle(server, req, res) {
  const url = new URL(req.url, 'http://gateway');
  if (url.pathname === '/healthz') {
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.end('ok\n');
    return;
  }
  if (url.pathname !== '/graphql') {
    refusal(res, 404, 'NOT_FOUND', 'GraphQL is served at /graphql');
    return;
  }
  let body;
  try {
    body = await jsonBody(req);
  } catch (error) {
    if (error instanceof RangeError) {
      refusal(res, 413, 'PAYLOAD_TOO_LARGE', `the request body is over ${MAX_BODY_BYTES} bytes`);
    } else {
      refusal(res, 400, 'BAD_REQUEST', 'the request body is not valid JSON');
    }
    return;
  }
  const headers = new HeaderMap();
  for (const [name, value] of Object.entries(req.headers)) {
    headers.set(name, Array.isArray(value) ? value.join(', ') : value);
  }
  const response = await server.executeHTTPGraphQLRequest({
    httpGraphQLRequest: { method: req.method.toUpperCase(), headers, search: url.search, body },
    context: async () => ({ subgraphHeaders: subgraphHeaders((name) => req.headers[name]) }),
  });
  for (const [name, value] of response.headers) res.setHeader(name, value);
  res.statusCode = response.status ?? 200;
  if (response.body.kind === 'complete') {
    res.end(response.body.string);
    return;
  }
  for await (const chunk of response.body.asyncIterator) res.write(chunk);
  res.end();
}

/** The node:http listener; an unexpected failure is logged and answered 500 without details. */
function listener(server) {
  return (req, res) => {
    handle(server, req, res).catch((error) => {
      process.stderr.write(`apollo gateway: ${error.stack ?? error}\n`);
      if (res.headersSent) res.destroy();
      else refusal(res, 500, 'INTERNAL_SERVER_ERROR', 'Internal server error');
    });
  };
}

const options = launchOptions('apollo.mjs');
const gateway = new ApolloGateway({
  supergraphSdl: options.supergraphSdl,
  buildService: ({ name, url }) => new PaduSubgraph({ name, url }),
  logger,
});
const server = new ApolloServer({
  gateway,
  introspection: false,
  includeStacktraceInErrorResponses: false,
  logger,
  plugins: [
    ApolloServerPluginLandingPageDisabled(),
    ApolloServerPluginUsageReportingDisabled(),
    ApolloServerPluginSchemaReportingDisabled(),
  ],
});
try {
  await server.start();
} catch (error) {
  fail(`apollo.mjs: --supergraph ${options.supergraphPath}: ${error.message}`, 1);
}
await serve(listener(server), options, 'apollo gateway', () => server.stop());
