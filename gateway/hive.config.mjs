// Hive Gateway's settings for Padu, read by hive.mjs; also a valid config file for the
// package's own CLI (`hive-gateway supergraph FILE --config-path gateway/hive.config.mjs`).

import { ConsoleLogWriter, defineConfig, Logger } from '@graphql-hive/gateway';
import { Console } from 'node:console';

import { subgraphHeaders } from './headers.mjs';

export const gatewayConfig = defineConfig({
  graphqlEndpoint: '/graphql',
  // Both answer 200: /healthcheck while the process serves, /readiness once the
  // supergraph is loaded.
  healthCheckEndpoint: '/healthcheck',
  readinessCheckEndpoint: '/readiness',
  // The runtime's landing page and GraphiQL both load their scripts from a CDN.
  graphiql: false,
  landingPage: false,
  disableIntrospection: {},
  // Unexpected gateway errors (a subgraph down, naming its address) are masked as
  // "Unexpected error."; errors a subgraph sent are not, and keep their extensions.
  maskedErrors: true,
  // Otherwise Hive makes up an X-Request-Id for requests without one; Padu's subgraphs
  // get the client's, or none, as behind Apollo Gateway.
  requestId: false,
  // Hive's messages go to stderr: stdout carries only hive.mjs's `ready`. LOG_LEVEL sets
  // the level as usual.
  logging: new Logger({
    writers: [new ConsoleLogWriter({ console: new Console(process.stderr), noColor: !process.stderr.isTTY })],
  }),
  propagateHeaders: {
    fromClientToSubgraphs: ({ request }) => subgraphHeaders((name) => request.headers.get(name)),
  },
});
