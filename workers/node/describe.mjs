// Describe mode of Switchboard's Node worker, run by the functions host once at start (NodeWorker::discover):
//
//   node workers/node/describe.mjs OUT_FILE      (working directory: the app root)
//
// loads a Node.js model v4 app (package.json "main", with the real `@azure/functions` package; see
// v4/app_loader.mjs) and writes to OUT_FILE, as JSON, either
//   {"functions": {"<name>": <the function.json it stands for, scriptFile = the file that registered it>}}
// or {"error": "<file>: <what is wrong, naming the function>"}. An app without "main" has no functions here.
// Only the app's top-level code runs (no hooks, no handler), with local.settings.json's Values in the
// environment as the worker will have them; the app's own output goes to stdout/stderr.
import fs from "node:fs";
import path from "node:path";
import { loadApp, functionJson } from "./v4/app_loader.mjs";

const outFile = process.argv[2];
if (!outFile) {
  process.stderr.write("usage: node describe.mjs OUT_FILE (in the app's root directory)\n");
  process.exit(2);
}
const appRoot = path.resolve(process.env.FUNCTIONS_APP_ROOT_PATH || process.cwd());
// The app settings the worker will have (local.settings.json's Values; the environment wins, as in the host),
// so that top-level code reading process.env declares the same functions here.
try {
  const values = JSON.parse(fs.readFileSync(path.join(appRoot, "local.settings.json"), "utf8"))?.Values ?? {};
  for (const [k, v] of Object.entries(values)) if (process.env[k] === undefined && v !== null && typeof v !== "object") process.env[k] = String(v);
} catch {
  /* no such file, or one the host reports itself */
}
let result;
try {
  const core = await loadApp(appRoot);
  const functions = {};
  for (const [name, entry] of core?.functions ?? []) functions[name] = functionJson(appRoot, entry);
  result = { functions };
} catch (e) {
  result = { error: e instanceof Error ? e.message : String(e) };
}
fs.writeFileSync(outFile, JSON.stringify(result, null, 1));
process.exit(0); // the app's timers or sockets must not keep the host waiting
