// Hive Gateway in front of Padu's subgraphs, run from the npm package by Node:
//   node gateway/hive.mjs --supergraph FILE --port N [--host 127.0.0.1]
// GraphQL at /graphql; /healthcheck and /readiness as set in hive.config.mjs.

import { createGatewayRuntime } from '@graphql-hive/gateway';
import { parse } from 'graphql';

import { gatewayConfig } from './hive.config.mjs';
import { fail, launchOptions, serve } from './launch.mjs';

const options = launchOptions('hive.mjs');
let supergraph;
try {
  // Parsed here: a string would be taken for a path or a URL when it looks like one.
  supergraph = parse(options.supergraphSdl);
} catch (error) {
  fail(`hive.mjs: --supergraph ${options.supergraphPath}: ${error.message}`, 1);
}
const gateway = createGatewayRuntime({ ...gatewayConfig, supergraph });
// Hive loads the supergraph on first use; asking for readiness loads it now, so that `ready`
// means ready and a supergraph Hive cannot use fails here.
const readiness = await gateway.fetch(`http://gateway${gatewayConfig.readinessCheckEndpoint}`);
if (!readiness.ok) {
  fail(`hive.mjs: --supergraph ${options.supergraphPath}: not loaded (readiness ${readiness.status})`, 1);
}
// On SIGTERM the runtime disposes itself at once (it hard-codes disposeOnProcessTerminate),
// so operations in flight end with SHUTTING_DOWN errors instead of finishing.
await serve(gateway, options, 'hive gateway', () => gateway[Symbol.asyncDispose]());
