// Switchboard's JavaScript language worker: runs function.json apps written for the Azure Functions
// Node.js programming model v3 ("classic": `module.exports = async function (context, req, ...inputs)`),
// and apps of the model v4 (`app.http(...)` of the real `@azure/functions` package, no function.json): when
// the app's package.json has "main", those files are loaded at start with `@azure/functions-core` provided
// by this worker (v4/app_loader.mjs), their appStart hooks run, and the functions they register are invoked
// through the package's programming model (v4/invocation.mjs); appTerminate hooks run at SIGTERM.
//
// The functions host starts it as `node workers/node/worker.mjs` with the app root as working directory and
// speaks the custom-handler protocol to it (docs/design.md, "Functions host"):
//
//   every request          must carry the x-switchboard-worker-secret header; else 403 and nothing runs
//                          (with x-switchboard-worker-proof when it carried x-switchboard-worker-challenge)
//   GET  /                 readiness probe (the host's, without the secret: 403 with the proof)
//   POST /<FunctionName>   {"Data": {binding: value}, "Metadata": {...}}
//                          -> 200 {"Outputs": {binding: value}, "ReturnValue": value|null, "Logs": [...]}
//                          -> 500 {"error": "<Error name>: <message>"} when the function fails
//
// Environment: FUNCTIONS_CUSTOMHANDLER_PORT (listen on 127.0.0.1), FUNCTIONS_APP_ROOT_PATH (the app root),
// SWITCHBOARD_WORKER_SECRET (the secret the host sends; removed from process.env at start, so function code
// does not see it), plus the app settings. Plain Node, no dependencies.
//
// Bodies: a request Body with "BodyEncoding": "base64" (binary content types, bytes that are not UTF-8) is
// given to the function as a Buffer (req.body and req.rawBody); a Buffer / Uint8Array / ArrayBuffer response
// body is sent back as base64 with "bodyEncoding": "base64", so the client gets the exact bytes.
//
// What the function sees (v3 model):
//   arguments           context, then every input binding (trigger first, function.json order)
//   context.bindings    inputs by name; output bindings set here are sent
//   context.res         the HTTP response for an http output binding (or $return when nothing is returned)
//   context.done(e, r)  callback style; a function that does not return a promise must call it
//   context.log(...)    + .error/.warn/.info/.verbose: lines of the host log
//   context.bindingData, context.invocationId, context.executionContext, context.req
//   return value        $return; without a $return binding an object's properties feed output bindings;
//                       a signalRTrigger function's value (or context.bindings.$return) is the invocation's
//                       result (ReturnValue), and its trigger argument is the InvocationContext object
//   a thrown error      500 {"error": "<name>: <message>", "message": "<message>"}
import http from "node:http";
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import util from "node:util";
import { createRequire } from "node:module";
import { pathToFileURL } from "node:url";
import { loadApp } from "./v4/app_loader.mjs";
import { invokeRegistered } from "./v4/invocation.mjs";
import { runHooks } from "./v4/core_api.mjs";

const port = Number(process.env.FUNCTIONS_CUSTOMHANDLER_PORT || 0);
const appRoot = path.resolve(process.env.FUNCTIONS_APP_ROOT_PATH || process.cwd());

// Only the host may call this worker: it sends the secret it gave us, on every request.
const SECRET_HEADER = "x-switchboard-worker-secret";
const secretDigest = (text) => crypto.createHash("sha256").update(String(text), "utf8").digest();
const workerSecret = process.env.SWITCHBOARD_WORKER_SECRET || "";
delete process.env.SWITCHBOARD_WORKER_SECRET;
if (!workerSecret) {
  process.stderr.write("node worker: SWITCHBOARD_WORKER_SECRET is not set; only the functions host can start this worker\n");
  process.exit(2);
}
const expectedDigest = secretDigest(workerSecret);
/** Whether a request carries the host's secret (compared in constant time, over digests of equal length). */
function fromHost(request) {
  const given = request.headers[SECRET_HEADER];
  return typeof given === "string" && crypto.timingSafeEqual(secretDigest(given), expectedDigest);
}
// The host's readiness probe carries no secret but a challenge; the answer proves that this process
// holds the secret (lower-case hex of HMAC-SHA256 keyed with the secret's SHA-256), so the host never
// sends the secret to another program that took the port.
const CHALLENGE_HEADER = "x-switchboard-worker-challenge";
const PROOF_HEADER = "x-switchboard-worker-proof";
function proofHeaders(request) {
  const challenge = request.headers[CHALLENGE_HEADER];
  if (typeof challenge !== "string") return {};
  return { [PROOF_HEADER]: crypto.createHmac("sha256", expectedDigest).update(challenge, "utf8").digest("hex") };
}

class FunctionLoadError extends Error {
  constructor(name, message) {
    super(`cannot load the ${name} function: ${message}`);
    this.name = "FunctionLoadError";
  }
}

// ---------------------------------------------------------------------------
// Loading functions (lazily, cached per function name)

const functions = new Map(); // name -> {bindings, fn}

function readMetadata(name) {
  const dir = path.join(appRoot, name);
  const file = path.join(dir, "function.json");
  let doc;
  try {
    doc = JSON.parse(fs.readFileSync(file, "utf8"));
  } catch (e) {
    throw new FunctionLoadError(name, `${file}: ${e.message}`);
  }
  const bindings = Array.isArray(doc.bindings) ? doc.bindings : [];
  let script;
  if (doc.scriptFile) script = path.resolve(dir, doc.scriptFile);
  else {
    for (const candidate of ["index.js", "index.mjs", "index.cjs"]) {
      if (fs.existsSync(path.join(dir, candidate))) {
        script = path.join(dir, candidate);
        break;
      }
    }
    if (!script) throw new FunctionLoadError(name, `no scriptFile in function.json and no index.js in ${dir}`);
  }
  return { dir, bindings, script, entryPoint: doc.entryPoint };
}

function pickEntryPoint(name, exported, entryPoint, script) {
  if (entryPoint) {
    const fn = exported?.[entryPoint];
    if (typeof fn !== "function")
      throw new FunctionLoadError(name, `the entryPoint '${entryPoint}' is not a function exported by ${script}`);
    return fn;
  }
  if (typeof exported === "function") return exported;
  if (exported && typeof exported === "object") {
    for (const key of ["run", "index"]) if (typeof exported[key] === "function") return exported[key];
    const fns = Object.values(exported).filter((v) => typeof v === "function");
    if (fns.length === 1) return fns[0];
  }
  throw new FunctionLoadError(
    name,
    `${script} must export a function (module.exports = async function (context, req) {...}) or name one with "entryPoint" in function.json`,
  );
}

async function loadFunction(name) {
  const cached = functions.get(name);
  if (cached) return cached;
  const meta = readMetadata(name);
  if (!fs.existsSync(meta.script)) throw new FunctionLoadError(name, `the script file ${meta.script} does not exist`);
  let exported;
  try {
    if (meta.script.endsWith(".mjs")) {
      const mod = await import(pathToFileURL(meta.script).href);
      exported = meta.entryPoint ? mod : mod.default ?? mod;
    } else {
      exported = createRequire(meta.script)(meta.script);
    }
  } catch (e) {
    throw new FunctionLoadError(name, `${meta.script}: ${errorText(e)}`);
  }
  const loaded = { ...meta, fn: pickEntryPoint(name, exported, meta.entryPoint, meta.script) };
  functions.set(name, loaded);
  return loaded;
}

// ---------------------------------------------------------------------------
// HTTP request / response objects

const lower = (s) => String(s).toLowerCase();

/** req.body: the parsed JSON when the body is JSON (whatever the content type), else the raw string. */
function parseBody(raw) {
  if (raw === undefined || raw === null || typeof raw !== "string") return raw;
  try {
    return JSON.parse(raw);
  } catch {
    return raw;
  }
}

function makeRequest(value) {
  if (!value || typeof value !== "object" || !("Method" in value || "method" in value)) return value;
  const headers = {};
  for (const [k, v] of Object.entries(value.Headers || {})) headers[lower(k)] = Array.isArray(v) ? v.join(", ") : String(v);
  // Bytes that travelled base64 (binary content types, bytes that are not UTF-8) are a Buffer.
  const base64 = lower(value.BodyEncoding ?? value.bodyEncoding ?? "") === "base64" && typeof value.Body === "string";
  const rawBody = base64 ? Buffer.from(value.Body, "base64") : value.Body;
  const req = {
    method: value.Method,
    url: value.Url,
    originalUrl: value.Url,
    headers,
    query: { ...(value.Query || {}) },
    params: { ...(value.Params || {}) },
    body: base64 ? rawBody : parseBody(rawBody),
    rawBody,
    user: null,
    get(field) {
      return headers[lower(field)];
    },
  };
  return req;
}

/** context.res: a plain object with the v3 chainable helpers (non-enumerable). */
function makeResponse(onSend) {
  const res = { headers: {} };
  const helpers = {
    status(code) {
      res.statusCode = code;
      return res;
    },
    setHeader(field, val) {
      res.headers[lower(field)] = val;
      return res;
    },
    getHeader(field) {
      return res.headers[lower(field)];
    },
    removeHeader(field) {
      delete res.headers[lower(field)];
      return res;
    },
    type(type) {
      return res.setHeader("content-type", type);
    },
    send(body) {
      res.body = body;
      onSend();
      return res;
    },
    json(body) {
      res.setHeader("content-type", "application/json");
      return res.send(body);
    },
    sendStatus(code) {
      res.statusCode = code;
      return res.send(String(code));
    },
    end(body) {
      return res.send(body);
    },
  };
  helpers.header = helpers.setHeader;
  helpers.set = helpers.setHeader;
  helpers.get = helpers.getHeader;
  for (const [k, v] of Object.entries(helpers)) Object.defineProperty(res, k, { value: v, enumerable: false, writable: true });
  // `status` is both a helper and (per the docs: context.res = {status: 202}) a property: a number set by
  // user code replaces the helper.
  return res;
}

const isBytes = (body) => Buffer.isBuffer(body) || body instanceof Uint8Array || body instanceof ArrayBuffer;

/** Sets out.body from a response body: bytes as base64 with bodyEncoding "base64" (byte-exact), else as it is. */
function setBody(out, body) {
  if (body === undefined) out.body = null;
  else if (isBytes(body)) {
    out.body = Buffer.from(body).toString("base64");
    out.bodyEncoding = "base64";
  } else out.body = body;
  return out;
}

/** A user value for an http output -> {statusCode, headers, body} (or the value itself, as the host reads it). */
function httpOutput(value) {
  if (value === undefined || value === null) return null;
  if (typeof value !== "object" || Array.isArray(value) || isBytes(value)) return setBody({}, value);
  const out = {};
  const status = value.statusCode ?? (typeof value.status === "function" ? undefined : value.status);
  if (status !== undefined && status !== null) out.statusCode = status;
  if (value.headers && typeof value.headers === "object") {
    out.headers = {};
    for (const [k, v] of Object.entries(value.headers)) if (v !== undefined && v !== null) out.headers[k] = Array.isArray(v) ? v.map(String) : String(v);
  }
  if ("body" in value) setBody(out, value.body);
  if (out.statusCode === undefined && out.headers === undefined && !("body" in value)) {
    // Not response-shaped: the object itself is the body (as the host does).
    return { body: value };
  }
  if (out.body === undefined) out.body = null;
  return out;
}

/** A value for a non-http output binding: JSON-ish; Buffers as text; JSON strings stay strings. */
function plainOutput(value) {
  if (Buffer.isBuffer(value) || value instanceof Uint8Array) return Buffer.from(value).toString("utf8");
  return value;
}

// ---------------------------------------------------------------------------
// Invocation

function errorText(e) {
  if (e instanceof Error) return `${e.name || "Error"}: ${e.message}`;
  if (e && typeof e === "object") {
    try {
      return `Error: ${JSON.stringify(e)}`;
    } catch {
      /* fall through */
    }
  }
  return `Error: ${String(e)}`;
}

async function invoke(name, payload, invocationId) {
  const registered = v4App?.functions.get(name);
  if (registered) return invokeRegistered(v4App, appHookData, name, registered, payload, invocationId);
  if (v4LoadError && !fs.existsSync(path.join(appRoot, name, "function.json"))) throw new FunctionLoadError(name, v4LoadError.message);
  const fn = await loadFunction(name);
  const data = payload?.Data ?? payload?.data ?? {};
  const metadata = payload?.Metadata ?? payload?.metadata ?? {};
  const logs = [];
  let finished = false;
  const log = (level) =>
    (...args) => {
      const line = util.format(...args);
      const text = level ? `[${level}] ${line}` : line;
      if (finished) process.stdout.write(`Functions.${name}: ${text}\n`);
      else logs.push(text);
    };

  const inputs = fn.bindings.filter((b) => lower(b.direction) === "in");
  const outputs = fn.bindings.filter((b) => lower(b.direction) === "out");
  const httpOut = outputs.find((b) => lower(b.type) === "http");
  const hasReturn = outputs.some((b) => b.name === "$return");
  // A signalRTrigger function's return value is the client's invocation result (no binding needed).
  const isSignalRTrigger = inputs.some((b) => lower(b.type) === "signalrtrigger");

  const findData = (bindingName) => {
    if (bindingName in data) return data[bindingName];
    const key = Object.keys(data).find((k) => lower(k) === lower(bindingName));
    return key === undefined ? undefined : data[key];
  };

  const bindings = {};
  const args = [];
  let req;
  for (const b of inputs) {
    let value = findData(b.name);
    if (lower(b.type) === "httptrigger") {
      value = makeRequest(value);
      req = value;
    }
    bindings[b.name] = value;
    args.push(value);
  }

  let resolveDone;
  const donePromise = new Promise((resolve) => (resolveDone = resolve));
  let doneCalled = false;
  const done = (err, result) => {
    if (doneCalled) {
      log("warn")("context.done() was called more than once; the later calls are ignored");
      return;
    }
    doneCalled = true;
    resolveDone({ err, result });
  };

  const bindingData = { ...metadata, invocationId };
  const context = {
    invocationId,
    executionContext: { invocationId, functionName: name, functionDirectory: fn.dir, retryContext: null },
    bindings,
    bindingData,
    bindingDefinitions: fn.bindings.map((b) => ({ name: b.name, type: b.type, direction: b.direction })),
    traceContext: { traceparent: null, tracestate: null, attributes: {} },
    log: Object.assign(log(""), { error: log("error"), warn: log("warn"), info: log(""), verbose: log("verbose") }),
    done,
  };
  if (req) {
    context.req = req;
    if (httpOut) context.res = makeResponse(() => {});
  }

  let outcome;
  let ret;
  try {
    ret = fn.fn(context, ...args);
  } catch (e) {
    outcome = { err: e };
  }
  if (!outcome) {
    if (ret && typeof ret.then === "function") {
      try {
        outcome = { result: await ret };
      } catch (e) {
        outcome = { err: e ?? new Error("the function's promise was rejected with no reason") };
      }
      if (doneCalled && outcome.err === undefined) {
        const d = await donePromise;
        if (d.err) outcome = { err: d.err };
        else if (outcome.result === undefined) outcome = { result: d.result };
      }
    } else if (doneCalled) {
      outcome = await donePromise;
    } else {
      if (ret !== undefined) {
        // Not the v3 contract (a synchronous function must call context.done), but unambiguous.
        outcome = { result: ret };
      } else {
        process.stdout.write(
          `Functions.${name}: the function returned without a promise and has not called context.done() yet; the invocation ends when it does\n`,
        );
        outcome = await donePromise;
      }
    }
  }
  finished = true;
  if (outcome.err !== undefined && outcome.err !== null) {
    const err = outcome.err;
    process.stderr.write(`Functions.${name} (Id=${invocationId}) failed: ${err?.stack || errorText(err)}\n`);
    const e = new Error(errorText(err));
    e.logs = logs;
    e.userError = true;
    // The thrown error's own message: what a SignalR client's invoke() is rejected with.
    e.functionMessage = err instanceof Error ? err.message : typeof err === "string" ? err : errorText(err);
    throw e;
  }

  // Collect outputs.
  const result = outcome.result;
  const out = {};
  let returnValue = null;
  if (hasReturn) {
    const returnBinding = outputs.find((b) => b.name === "$return");
    let value = result;
    if (value === undefined && lower(returnBinding.type) === "http" && context.res && touched(context.res)) value = context.res;
    returnValue = lower(returnBinding.type) === "http" ? httpOutput(value) : plainOutput(value ?? null);
  } else if (isSignalRTrigger) {
    const value = result !== undefined ? result : bindings.$return;
    returnValue = value === undefined ? null : plainOutput(value);
  } else if (result && typeof result === "object" && !Array.isArray(result)) {
    for (const b of outputs) if (result[b.name] !== undefined) bindings[b.name] = result[b.name];
  }
  for (const b of outputs) {
    if (b.name === "$return") continue;
    let value = bindings[b.name];
    if (lower(b.type) === "http") {
      if (value === undefined && b === httpOut) value = context.res;
      out[b.name] = httpOutput(value);
    } else if (value !== undefined) {
      out[b.name] = plainOutput(value);
    }
  }
  return { Outputs: out, ReturnValue: returnValue ?? null, Logs: logs };
}

function touched(res) {
  return res.statusCode !== undefined || typeof res.status !== "function" || res.body !== undefined || Object.keys(res.headers || {}).length > 0;
}

// ---------------------------------------------------------------------------
// Server

let counter = 0;
const server = http.createServer((request, response) => {
  if (!fromHost(request)) {
    // Nothing of the request is used; it is read to its end (and dropped) so that the answer arrives.
    request.resume();
    request.on("end", () => {
      const body = JSON.stringify({ error: `Forbidden: only the functions host may call this worker (${SECRET_HEADER})` });
      response.writeHead(403, { "content-type": "application/json", "content-length": Buffer.byteLength(body),
        ...proofHeaders(request) });
      response.end(body);
    });
    return;
  }
  const chunks = [];
  request.on("data", (c) => chunks.push(c));
  request.on("end", async () => {
    const send = (status, obj) => {
      const body = JSON.stringify(obj);
      response.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(body) });
      response.end(body);
    };
    const url = new URL(request.url, "http://127.0.0.1");
    const name = decodeURIComponent(url.pathname.slice(1));
    if (request.method !== "POST" || !name) {
      send(200, { worker: "node", version: process.version });
      return;
    }
    const invocationId = request.headers["x-azure-functions-invocationid"] || `local-${++counter}`;
    let payload;
    try {
      payload = chunks.length ? JSON.parse(Buffer.concat(chunks).toString("utf8")) : {};
    } catch (e) {
      send(400, { error: `BadRequest: the invocation body is not JSON: ${e.message}` });
      return;
    }
    try {
      const result = await invoke(name, payload, invocationId);
      let body;
      try {
        body = JSON.stringify(result);
      } catch (e) {
        send(500, { error: `TypeError: an output of Functions.${name} cannot be serialized to JSON: ${e.message}` });
        return;
      }
      response.writeHead(200, { "content-type": "application/json", "content-length": Buffer.byteLength(body) });
      response.end(body);
    } catch (e) {
      if (!e.userError) process.stderr.write(`Functions.${name}: ${e instanceof FunctionLoadError ? errorText(e) : e?.stack || e}\n`);
      send(500, { error: e.userError ? e.message : errorText(e), message: e.functionMessage, Logs: e.logs ?? [] });
    }
  });
});
server.keepAliveTimeout = 60000;

process.on("unhandledRejection", (e) => process.stderr.write(`unhandled promise rejection: ${e?.stack || e}\n`));
process.on("uncaughtException", (e) => process.stderr.write(`uncaught exception: ${e?.stack || e}\n`));

// Model v4: the files of package.json's "main" register their functions and hooks now. A failure is the
// error of every invocation of a function without a function.json (the host reported it at start).
const systemLogLine = (level, category, message) => {
  if (["warning", "error", "critical"].includes(level)) process.stdout.write(`[${level}] ${message}\n`);
};
let v4App = null;
let v4LoadError = null;
const appHookData = {};
try {
  v4App = await loadApp(appRoot, { systemLog: systemLogLine });
  if (v4App) await runHooks(v4App, "appStart", { hookData: {}, appHookData, functionAppDirectory: appRoot });
} catch (e) {
  v4LoadError = e;
  process.stderr.write(`node worker: ${errorText(e)}\n`);
}

// A port it cannot listen on (another program took it after the host chose it) ends the worker at once,
// whatever else keeps the process alive: the host's next start gives it another port. (Only while
// listening starts: later server errors, such as a failed accept, are logged as before.)
const cannotListen = (e) => {
  process.stderr.write(`node worker: cannot listen on 127.0.0.1:${port}: ${e.message}\n`);
  process.exit(1);
};
server.once("error", cannotListen);
server.listen(port, "127.0.0.1", () => {
  server.removeListener("error", cannotListen);
  process.stdout.write(`node worker listening on 127.0.0.1:${server.address().port} (app ${appRoot}, ${process.version})\n`);
});

async function terminate() {
  // appTerminate hooks get a moment (the host kills the worker after its own grace period anyway).
  if (v4App?.hooks.appTerminate.length) {
    const hooks = runHooks(v4App, "appTerminate", { hookData: {}, appHookData }).catch((e) =>
      process.stderr.write(`node worker: an appTerminate hook failed: ${errorText(e)}\n`),
    );
    await Promise.race([hooks, new Promise((r) => setTimeout(r, 2000))]);
  }
  process.exit(0);
}
for (const sig of ["SIGTERM", "SIGINT"]) process.on(sig, terminate);
