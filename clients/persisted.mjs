// Apollo Client with its persisted-queries link against a running Padu, as a front end would
// use it; prints what it got and every request it sent, as JSON, for tests/api/test_apollo_apq.py.
//
//   node clients/persisted.mjs manifest                  the operations' manifest (Apollo format)
//   node clients/persisted.mjs automatic URL TOKEN       APQ over POST, then with GET for hashes
//   node clients/persisted.mjs trusted URL TOKEN         a manifest operation, then one outside it
import { createHash } from "node:crypto";

import { ApolloClient, ApolloLink, HttpLink, InMemoryCache, gql } from "@apollo/client";
import { PersistedQueryLink } from "@apollo/client/link/persisted-queries";
import { print } from "graphql";
import { Observable } from "rxjs";

const sha256 = (text) => createHash("sha256").update(text).digest("hex");

const OPERATIONS = {
  Region: gql`query Region { region { code name } }`,
  Districts: gql`query Districts { region { districts { code } } }`,
};
const OUTSIDE = gql`query Villages { region { villages { code } } }`;

const [scenario, url, token] = process.argv.slice(2);
const sent = [];

// The requests as they leave the client: method, whether the document was in them, the hash.
async function recordingFetch(input, init = {}) {
  const method = init.method ?? "GET";
  const target = new URL(String(input));
  const operation =
    method === "GET"
      ? {
          query: target.searchParams.get("query"),
          extensions: JSON.parse(target.searchParams.get("extensions") ?? "null"),
        }
      : JSON.parse(init.body);
  const response = await fetch(input, init);
  sent.push({
    method,
    query: Boolean(operation.query),
    hash: operation.extensions?.persistedQuery?.sha256Hash ?? null,
    status: response.status,
  });
  return response;
}

function client(options = {}) {
  const http = new HttpLink({
    uri: url,
    fetch: recordingFetch,
    headers: { Authorization: `Bearer ${token}` },
  });
  const persisted = new PersistedQueryLink({ sha256, ...options });
  return new ApolloClient({ cache: new InMemoryCache(), link: persisted.concat(http) });
}

// The error codes of a refused operation, wherever Apollo Client put them.
function codes(error) {
  let errors = error.errors;
  if (!errors && error.bodyText) errors = JSON.parse(error.bodyText).errors;
  return (errors ?? []).map((e) => e.extensions?.code);
}

async function ask(apollo, query) {
  try {
    const { data } = await apollo.query({ query, fetchPolicy: "no-cache" });
    return { data };
  } catch (error) {
    return { codes: codes(error) };
  }
}

// The documents exactly as the client sends them (after its transforms, e.g. __typename), as
// @apollo/generate-persisted-query-manifest writes them.
async function manifest() {
  const bodies = [];
  const capture = new ApolloLink((operation) => {
    bodies.push({ name: operation.operationName, body: print(operation.query) });
    return new Observable((observer) => {
      observer.next({ data: null });
      observer.complete();
    });
  });
  const apollo = new ApolloClient({ cache: new InMemoryCache(), link: capture });
  for (const query of Object.values(OPERATIONS)) {
    await apollo.query({ query, fetchPolicy: "no-cache" }).catch(() => {});
  }
  const operations = bodies.map(({ name, body }) => ({ id: sha256(body), name, type: "query", body }));
  return { format: "apollo-persisted-query-manifest", version: 1, operations };
}

async function automatic() {
  const posting = client();
  const first = await ask(posting, OPERATIONS.Region);
  const second = await ask(posting, OPERATIONS.Region);
  const getting = client({ useGETForHashedQueries: true });
  const firstGet = await ask(getting, OPERATIONS.Districts);
  const secondGet = await ask(getting, OPERATIONS.Districts);
  return { answers: [first, second, firstGet, secondGet], sent };
}

async function trusted() {
  const apollo = client({ useGETForHashedQueries: true });
  const listed = await ask(apollo, OPERATIONS.Region);
  const outside = await ask(apollo, OUTSIDE);
  return { answers: [listed, outside], sent };
}

const scenarios = { manifest, automatic, trusted };
process.stdout.write(JSON.stringify(await scenarios[scenario]()));
