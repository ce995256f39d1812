// Copies the GraphiQL playground's browser bundles from node_modules (installed by `npm ci`
// from package-lock.json) into padu/static/graphiql/vendor/, with every bundled package's
// licence. Padu's own page script (padu/static/graphiql/playground.js) is not touched.
// Padu serves the copies itself, so the playground needs no CDN and no build step to run.
// Run by `make playground`; commit what it writes.
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const modules = join(here, "node_modules");
const target = join(here, "..", "padu", "static", "graphiql", "vendor");

// What the page loads: the packages' own production UMD bundles and CSS, renamed only to say
// which package each came from.
const ASSETS = {
  "react.production.min.js": "react/umd/react.production.min.js",
  "react-dom.production.min.js": "react-dom/umd/react-dom.production.min.js",
  "graphiql.min.js": "graphiql/graphiql.min.js", // bundles graphql, graphql-ws and @graphiql/*
  "graphiql.min.css": "graphiql/graphiql.min.css",
  "plugin-explorer.umd.js": "@graphiql/plugin-explorer/dist/index.umd.js",
  "plugin-explorer.css": "@graphiql/plugin-explorer/dist/style.css",
};
// Licences the bundles may carry: permissive ones that ask only for the notice to be kept.
const PERMITTED = new Set(["MIT", "ISC", "0BSD", "BSD-2-Clause", "BSD-3-Clause", "Apache-2.0"]);
// Installed with markdown-it for its command line, which no browser bundle includes.
const NOT_BUNDLED = new Set(["argparse"]);
const LICENCE_FILE = /^(licen[cs]e|copying)(\.(md|txt))?$/i;

// Every installed package (the lock holds no development dependencies), nested ones included.
function packages(dir = modules) {
  const found = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (!entry.isDirectory() || entry.name.startsWith(".")) continue;
    const path = join(dir, entry.name);
    if (entry.name.startsWith("@")) {
      found.push(...packages(path));
      continue;
    }
    const manifest = JSON.parse(readFileSync(join(path, "package.json"), "utf8"));
    if (!NOT_BUNDLED.has(manifest.name)) {
      found.push({ dir: path, name: manifest.name, version: manifest.version, license: manifest.license });
    }
    if (existsSync(join(path, "node_modules"))) found.push(...packages(join(path, "node_modules")));
  }
  return found;
}

function notices(list) {
  const seen = new Set();
  const parts = [
    "Third-party software in padu/static/graphiql/vendor/, copied by playground/vendor.mjs.\n" +
      "Each package's name, version, licence and licence text follow.\n",
  ];
  for (const p of list.sort((a, b) => a.name.localeCompare(b.name))) {
    const key = `${p.name}@${p.version}`;
    if (seen.has(key)) continue;
    seen.add(key);
    if (!PERMITTED.has(p.license)) {
      throw new Error(`${key} is licensed ${p.license}, not one of ${[...PERMITTED].join(", ")}`);
    }
    const file = readdirSync(p.dir).find((name) => LICENCE_FILE.test(name));
    const text = file ? readFileSync(join(p.dir, file), "utf8").trim() : `(${p.license}; the package ships no licence file)`;
    parts.push(`${"=".repeat(78)}\n${key} (${p.license})\n${"=".repeat(78)}\n${text}\n`);
  }
  return parts.join("\n");
}

// The packages webpack bundled into graphiql.min.js, named by its module comments: each must have
// its notice (some are there only as graphiql's build had them, so package.json lists them too).
function bundled(file) {
  const names = new Set();
  for (const [, name] of readFileSync(file, "utf8").matchAll(/^\/\*{3}\/ "[^"]*node_modules\/((?:@[^/]+\/)?[^/]+)\//gm)) {
    names.add(name);
  }
  return names;
}

if (!existsSync(modules)) {
  throw new Error("playground/node_modules is missing: run `npm ci --prefix playground` first");
}
rmSync(target, { recursive: true, force: true });
mkdirSync(target, { recursive: true });
for (const [name, source] of Object.entries(ASSETS)) {
  copyFileSync(join(modules, source), join(target, name));
}
const installed = packages();
const missing = [...bundled(join(target, "graphiql.min.js"))].filter((name) => !installed.some((p) => p.name === name));
if (missing.length) throw new Error(`no licence notice for bundled ${missing.join(", ")}: add them to package.json`);
writeFileSync(join(target, "THIRD-PARTY-LICENSES.txt"), notices(installed));
console.log(`vendored ${Object.keys(ASSETS).length} assets and their licences into ${target}`);
