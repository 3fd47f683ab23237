// Parses Mermaid diagrams with the real parser (the npm package `mermaid`,
// the one GitHub and GitLab render with), in a jsdom window because
// mermaid's sanitiser needs a DOM.
//
// usage: node mermaid_parse.mjs NODE_DIR < diagrams.json
//   NODE_DIR: where scripts/install-test-tools.sh installed mermaid and
//   jsdom ($STACKGEN_TOOLS/node); diagrams.json: [{"name": ..., "text": ...}]
// Prints one JSON line per diagram, in input order:
//   {"name": ..., "ok": true, "type": "flowchart-v2"} or
//   {"name": ..., "ok": false, "error": "Parse error on line 4: ..."}
// and exits 0; a failure to load the parser exits 2.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

const nodeDir = process.argv[2];
if (!nodeDir) {
  console.error("usage: node mermaid_parse.mjs NODE_DIR < diagrams.json");
  process.exit(2);
}
// Resolve from the tools cache, not from this file's directory.
const require = createRequire(join(nodeDir, "package.json"));
let mermaid;
try {
  const { JSDOM } = require("jsdom");
  const dom = new JSDOM("<!doctype html><html><body></body></html>");
  globalThis.window = dom.window;
  globalThis.document = dom.window.document;
  mermaid = (await import(pathToFileURL(require.resolve("mermaid")).href)).default;
  mermaid.initialize({ startOnLoad: false });
} catch (e) {
  console.error(`cannot load mermaid and jsdom from ${nodeDir}: ${e.message}`);
  process.exit(2);
}

const diagrams = JSON.parse(readFileSync(0, "utf8"));
for (const { name, text } of diagrams) {
  try {
    const result = await mermaid.parse(text);
    console.log(JSON.stringify({ name, ok: true, type: result.diagramType }));
  } catch (e) {
    console.log(JSON.stringify({ name, ok: false, error: String(e.message ?? e) }));
  }
}
