// Composes Padu's subgraphs into one supergraph:
//   node gateway/compose.mjs SUBGRAPHS.json OUT.graphql
// SUBGRAPHS.json is [{"name": "population", "url": "http://127.0.0.1:9101/graphql",
// "sdl": "population.graphql"}, ...]; each sdl path is absolute or relative to the JSON
// file's folder. Errors go to stderr as `error: CODE message` (exit 1), hints as
// `hint: CODE message`; the supergraph SDL is written to OUT.graphql.

import { composeServices } from '@apollo/composition';
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parse } from 'graphql';

import { fail } from './launch.mjs';

const USAGE = 'usage: node gateway/compose.mjs SUBGRAPHS.json OUT.graphql';

/** The subgraphs listed in `listPath`, each with its SDL parsed; exits naming what is wrong. */
function readSubgraphs(listPath) {
  let list;
  try {
    list = JSON.parse(readFileSync(listPath, 'utf8'));
  } catch (error) {
    fail(`${listPath}: ${error.message}`, 1);
  }
  if (!Array.isArray(list) || list.length === 0) {
    fail(`${listPath}: expected a non-empty JSON array of {"name", "url", "sdl"}`, 1);
  }
  const folder = dirname(resolve(listPath));
  return list.map((entry, index) => {
    for (const key of ['name', 'url', 'sdl']) {
      if (typeof entry?.[key] !== 'string' || entry[key] === '') {
        fail(`${listPath}: [${index}].${key} must be a non-empty string`, 1);
      }
    }
    const sdlPath = resolve(folder, entry.sdl);
    let typeDefs;
    try {
      typeDefs = parse(readFileSync(sdlPath, 'utf8'));
    } catch (error) {
      fail(`${listPath}: [${index}].sdl ${sdlPath}: ${error.message}`, 1);
    }
    return { name: entry.name, url: entry.url, typeDefs };
  });
}

const [listPath, outPath, ...extra] = process.argv.slice(2);
if (!listPath || !outPath || extra.length > 0) fail(USAGE);

const result = composeServices(readSubgraphs(listPath));
if (result.errors) {
  for (const error of result.errors) {
    process.stderr.write(`error: ${error.extensions?.code ?? 'COMPOSITION_ERROR'} ${error.message}\n`);
  }
  process.exit(1);
}
for (const hint of result.hints) {
  process.stderr.write(`hint: ${hint.definition.code} ${hint.message}\n`);
}
writeFileSync(outPath, result.supergraphSdl.endsWith('\n') ? result.supergraphSdl : `${result.supergraphSdl}\n`);
