// Loads a Node.js programming model v4 app: the files named by "main" in the app's package.json (a path or
// a pattern such as "src/{index.js,functions/*.js}", as Azure's templates write it), with the module
// `@azure/functions-core` provided by this worker (core_api.mjs), so that the real `@azure/functions` package
// in the app's node_modules registers its functions here.
//
// An app without "main" is not a v4 app: nothing is loaded (its functions are function.json folders).
// Errors name the file: package.json for a "main" that matches nothing, the loaded file (and the function)
// for a registration refused or code that throws while loading.
import fs from "node:fs";
import path from "node:path";
import { createRequire } from "node:module";
import { pathToFileURL } from "node:url";
import { createCore } from "./core_api.mjs";

export class AppLoadError extends Error {
  constructor(message) {
    super(message);
    this.name = "AppLoadError";
  }
}

/** package.json's "main" of the app at `appRoot`, or null when it has none (not a v4 app). */
export function readMain(appRoot) {
  const file = path.join(appRoot, "package.json");
  if (!fs.existsSync(file)) return null;
  let doc;
  try {
    doc = JSON.parse(fs.readFileSync(file, "utf8"));
  } catch (e) {
    throw new AppLoadError(`${file}: ${e.message}`);
  }
  if (doc === null || typeof doc !== "object" || doc.main === undefined) return null;
  if (typeof doc.main !== "string" || doc.main.trim() === "") throw new AppLoadError(`${file}: "main" must be a non-empty string`);
  return { packageJson: file, main: doc.main };
}

/** "a/{b,c}/*.js" -> ["a/b/*.js", "a/c/*.js"] (nested braces expand too). */
function expandBraces(pattern) {
  const open = pattern.indexOf("{");
  if (open < 0) return [pattern];
  let depth = 0;
  for (let i = open; i < pattern.length; ++i) {
    if (pattern[i] === "{") ++depth;
    else if (pattern[i] === "}" && --depth === 0) {
      const inner = pattern.slice(open + 1, i);
      const parts = [];
      let start = 0;
      let level = 0;
      for (let j = 0; j < inner.length; ++j) {
        if (inner[j] === "{") ++level;
        else if (inner[j] === "}") --level;
        else if (inner[j] === "," && level === 0) {
          parts.push(inner.slice(start, j));
          start = j + 1;
        }
      }
      parts.push(inner.slice(start));
      return parts.flatMap((p) => expandBraces(pattern.slice(0, open) + p + pattern.slice(i + 1)));
    }
  }
  return [pattern]; // an unmatched "{" is a literal
}

const segmentRegex = (segment) =>
  new RegExp(`^${segment.replace(/[.+^$()|[\]\\]/g, "\\$&").replace(/\*/g, "[^/]*").replace(/\?/g, "[^/]")}$`);

/** The files under `root` matching one brace-free pattern ("*", "?" within a segment, "**" for any depth). */
function matchPattern(root, pattern) {
  const segments = pattern.split("/").filter((s) => s !== "" && s !== ".");
  const found = [];
  const walk = (dir, index) => {
    if (index === segments.length) {
      if (fs.statSync(dir, { throwIfNoEntry: false })?.isFile()) found.push(dir);
      return;
    }
    const segment = segments[index];
    if (!/[*?]/.test(segment)) return walk(path.join(dir, segment), index + 1);
    let entries;
    try {
      entries = fs.readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    if (segment === "**") {
      walk(dir, index + 1);
      for (const e of entries) if (e.isDirectory() && e.name !== "node_modules" && !e.name.startsWith(".")) walk(path.join(dir, e.name), index);
      return;
    }
    const re = segmentRegex(segment);
    for (const e of entries.sort((a, b) => a.name.localeCompare(b.name))) if (re.test(e.name)) walk(path.join(dir, e.name), index + 1);
  };
  walk(root, 0);
  return found;
}

/** The files "main" names, in order, without repeats. Throws AppLoadError when it names none. */
export function mainFiles(appRoot, { packageJson, main }) {
  const files = [];
  for (const pattern of expandBraces(main.replace(/\\/g, "/"))) {
    for (const file of matchPattern(appRoot, pattern)) if (!files.includes(file)) files.push(file);
  }
  if (files.length === 0) {
    const what = /[*?{]/.test(main) ? "matches no file" : "does not exist";
    throw new AppLoadError(`${packageJson}: "main" is "${main}", which ${what} in ${appRoot}`);
  }
  return files;
}

function errorText(e) {
  return e instanceof Error ? `${e.name || "Error"}: ${e.message}` : `Error: ${String(e)}`;
}

let hookInstalled = false;
let activeCore;

/** Makes `require("@azure/functions-core")` (from any module) return the active core's api. */
function installCoreModule() {
  if (hookInstalled) return;
  hookInstalled = true;
  const Module = createRequire(import.meta.url)("node:module");
  const load = Module._load;
  Module._load = function (request, parent, isMain) {
    if (request === "@azure/functions-core" && activeCore) return activeCore.api;
    return load.call(this, request, parent, isMain);
  };
}

/**
 * Loads the v4 app at `appRoot` (when package.json has "main"): returns the core holding its functions and
 * hooks, or null for an app without "main". Throws AppLoadError naming the file (and the function).
 */
export async function loadApp(appRoot, { systemLog } = {}) {
  const main = readMain(appRoot);
  if (!main) return null;
  const files = mainFiles(appRoot, main);
  let loading;
  const core = createCore({ workerVersion: `switchboard-${process.version}`, currentFile: () => loading, systemLog });
  activeCore = core;
  installCoreModule();
  for (const file of files) {
    loading = file;
    try {
      await import(pathToFileURL(file).href);
    } catch (e) {
      throw new AppLoadError(`${file}: ${errorText(e)}`);
    }
  }
  loading = undefined;
  const model = core.programmingModel();
  if (core.functions.size > 0 && !model)
    throw new AppLoadError(`${files[0]}: functions were registered but no programming model was set (is @azure/functions v4 installed?)`);
  // The worker's capabilities, asked once after loading as Azure's worker does (this also locks
  // app.setup()); HTTP streaming would make every HTTP invocation wait for a proxy that is not there.
  const capabilities = typeof model?.getCapabilities === "function" ? await model.getCapabilities({}) : {};
  if (capabilities?.HttpUri)
    throw new AppLoadError(
      `${main.packageJson}: the app calls app.setup({ enableHttpStream: true }); HTTP streaming is not supported by Switchboard's Node worker (remove the option)`,
    );
  return core;
}

/** The function.json a registered function stands for (bindings in registration order, scriptFile its file). */
export function functionJson(appRoot, entry) {
  const bindings = [];
  for (const [name, binding] of Object.entries(entry.metadata.bindings)) {
    const { properties, ...rest } = binding; // the package's own flags (deferred binding), not function.json's
    void properties;
    bindings.push({ ...rest, name });
  }
  const doc = { bindings };
  if (entry.file) doc.scriptFile = path.relative(appRoot, entry.file).split(path.sep).join("/");
  return doc;
}
