// Shared helpers for the functions-host integration tests (tests/integration/functions-*.test.mjs).
//
//   copyApp / writeApp     function apps in a fresh temp directory (the committed ones are copied)
//   startHost              `switchboard start APP` (embedded service), `switchboard functions APP` with its
//                          own `switchboard service` (REST mode), or the C++ example examples/seeds-cpp of BUILD_DIR
//   runToExit              run a command that is expected to exit (bad apps)
//   connectFn              an official @microsoft/signalr client that negotiates through a function
//   identityToken          HS256 / RS256 identity JWTs for SWITCHBOARD_AUTH_SECRET / _PUBLIC_KEY
//   logged                 print the output of every process started here when a test (or hook) fails
//
// Every process is started on free ports, recorded, and stopped by stopHost / the exit safety net.

import { spawn } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import assert from "node:assert/strict";
import {
  BINARY,
  BUILD_DIR,
  REPO_ROOT,
  captureProcess,
  stopProcess,
  b64url,
  freePort,
  rawRequest,
  signalR,
  sleep,
  startService,
  stopService,
  uid,
  underFdLimit,
  waitFor,
} from "./helpers.mjs";

export const SEEDS_BINARY = process.env.SWITCHBOARD_SEEDS_BIN || path.join(BUILD_DIR, "examples", "seeds-cpp");
export const APPS = path.join(REPO_ROOT, "tests", "apps");
export const MATRIX_APP = path.join(APPS, "functions-matrix");
export const CUSTOM_HANDLER_APP = path.join(APPS, "custom-handler");
export const IDENTITY_SECRET = "integration-test-identity-secret";
export const IDENTITY_ISSUER = "https://login.example.test/";

// ---------------------------------------------------------------------------
// Process registry (for logs on failure and the exit safety net)

const tracked = new Set(); // {label, log, proc?, exited}

process.on("exit", () => {
  for (const t of tracked) {
    try {
      if (t.proc && !t.exited) t.proc.kill("SIGKILL");
    } catch {
      /* gone */
    }
  }
});

function track(entry) {
  tracked.add(entry);
  return entry;
}

/**
 * Wrap a test body or a hook: on failure print the output of every process started by these helpers
 * (from the moment the wrapped function started; whole output for processes started during it).
 */
export function logged(fn) {
  return async (...a) => {
    const marks = new Map([...tracked].map((t) => [t, t.log.length]));
    try {
      return await fn(...a);
    } catch (e) {
      for (const t of tracked) {
        const text = t.log.slice(marks.get(t) ?? 0).trim();
        if (!text && marks.has(t)) continue;
        process.stderr.write(`\n---- output of ${t.label}:\n${text ? text.slice(-10000) : "(no output)"}\n----\n`);
      }
      throw e;
    }
  };
}

// ---------------------------------------------------------------------------
// Temp dirs and apps

const tempDirs = [];

export function tempDir(prefix = "sb-fntest-") {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  tempDirs.push(dir);
  return dir;
}

/** Remove every temp dir made by tempDir() (call from after()). */
export function removeTempDirs() {
  for (const dir of tempDirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
}

/** Copy a committed app (without its .switchboard key folder) into a fresh temp directory. */
export function copyApp(src = MATRIX_APP) {
  const dir = path.join(tempDir(), path.basename(src));
  fs.cpSync(src, dir, { recursive: true, filter: (p) => path.basename(p) !== ".switchboard" });
  return dir;
}

/**
 * Write files into an app directory: {"host.json": obj|string, "fn/function.json": obj|string, ...};
 * a null value deletes the file or folder.
 */
export function writeApp(dir, files) {
  for (const [rel, content] of Object.entries(files)) {
    const p = path.join(dir, rel);
    if (content === null) {
      fs.rmSync(p, { recursive: true, force: true });
      continue;
    }
    fs.mkdirSync(path.dirname(p), { recursive: true });
    fs.writeFileSync(p, typeof content === "string" ? content : JSON.stringify(content, null, 2));
  }
  return dir;
}

/** Merge Values (and optionally Host) into an app's local.settings.json. */
export function patchSettings(dir, { values = {}, host } = {}) {
  const file = path.join(dir, "local.settings.json");
  const doc = fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, "utf8")) : { IsEncrypted: false, Values: {} };
  doc.Values = { ...(doc.Values || {}), ...values };
  for (const [k, v] of Object.entries(doc.Values)) if (v === null) delete doc.Values[k];
  if (host) doc.Host = { ...(doc.Host || {}), ...host };
  fs.writeFileSync(file, JSON.stringify(doc, null, 2));
}

// ---------------------------------------------------------------------------
// Hosts

/** The environment for a host: ours, minus anything that would change its settings. */
function hostEnv(extra = {}) {
  const env = { ...process.env };
  for (const k of Object.keys(env)) {
    if (/^(AzureSignalR|SWITCHBOARD_AUTH_|ConnectionStrings|FUNCTIONS_)/i.test(k)) delete env[k];
  }
  for (const [k, v] of Object.entries(extra)) {
    if (v === undefined || v === null) delete env[k];
    else env[k] = v;
  }
  return env;
}

const isAlive = (pid) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

function spawnTracked(label, binary, args, { cwd, env }) {
  const proc = spawn(binary, args, { cwd, env, stdio: ["ignore", "pipe", "pipe"] });
  const t = track({ label, proc, log: "", stdout: "", stderr: "", exited: false, exitCode: null, exitSignal: null });
  captureProcess(proc, t, "exited");
  return t;
}

/**
 * Start a functions host and wait until it is ready.
 *   app:      the app directory (omit with binary: SEEDS_BINARY for the code-only C++ app)
 *   mode:     "start" (embedded service) | "functions" (REST to a `switchboard service` started here,
 *             unless connectionString is given)
 *   binary:   BINARY (default) or SEEDS_BINARY
 *   env:      extra environment (null deletes)
 *   servicePort: false => do not pass --service-port (the app's connection string decides)
 *   connectionString: (functions mode) use this instead of starting a service
 *   cwd:      working directory (default: a temp dir; seeds-cpp uses it as its app root)
 *   port:     the port the host listens on (default: a free one)
 *   fdLimit:  run the host under this open-file limit (`ulimit -n`)
 * Resolves with a host object: {port, base, service: {port, key, base}, keys, log, call(), stop(), ...}.
 */
export async function startHost(opts = {}) {
  let lastError;
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      return await startHostOnce(opts);
    } catch (e) {
      lastError = e;
      if (!/address|in use|bind/i.test(String(e.message))) throw e;
    }
  }
  throw lastError;
}

async function startHostOnce(opts) {
  const { app, mode = "start", binary = BINARY, env = {}, extraArgs = [] } = opts;
  const cwd = opts.cwd ?? tempDir("sb-fntest-cwd-");
  const port = opts.port ?? (await freePort());
  const host = { mode, port, base: `http://127.0.0.1:${port}`, app, cwd, binary };
  const args = [mode];
  if (app) args.push(app);
  args.push("--port", String(port));
  let childEnv = { ...env };
  if (mode === "start") {
    if (opts.servicePort !== false) {
      host.requestedServicePort = await freePort();
      args.push("--service-port", String(host.requestedServicePort));
    }
  } else if (opts.connectionString !== undefined) {
    if (opts.connectionString !== null) childEnv.AzureSignalRConnectionString = opts.connectionString;
  } else {
    const svc = await startService();
    host.serviceProcess = svc;
    const t = track({ label: `switchboard service :${svc.port}`, log: "", exited: false });
    Object.defineProperty(t, "log", { get: () => svc.log });
    host.serviceTrack = t;
    host.service = { port: svc.port, key: svc.key, base: svc.base };
    childEnv.AzureSignalRConnectionString = `Endpoint=http://localhost;Port=${svc.port};AccessKey=${svc.key};Version=1.0;`;
  }
  args.push(...extraArgs);
  const [command, commandArgs] = opts.fdLimit ? underFdLimit(opts.fdLimit, binary, args) : [binary, args];
  const t = spawnTracked(`${path.basename(binary)} ${args.join(" ")}`, command, commandArgs, { cwd, env: hostEnv(childEnv) });
  host.track = t;
  host.proc = t.proc;
  Object.defineProperty(host, "log", { get: () => t.log });
  Object.defineProperty(host, "stdout", { get: () => t.stdout });
  Object.defineProperty(host, "exited", { get: () => t.exited });
  host.logMark = () => t.log.length;
  host.logsSince = (mark) => t.log.slice(mark);
  host.stop = () => stopHost(host);

  try {
    const deadline = Date.now() + 15000;
    let m;
    while (!(m = /Functions host listening on http:\/\/localhost:(\d+)/.exec(t.stdout))) {
      if (t.exited) throw new Error(`functions host exited during startup (code ${t.exitCode}):\n${t.log}`);
      if (Date.now() > deadline) throw new Error(`functions host printed no banner within 15 s:\n${t.log}`);
      await sleep(20);
    }
    assert.equal(Number(m[1]), port, "the banner names the port given with --port");
    // The banner is printed in one go; wait for its last line (the keys).
    await waitFor(() => /master key:\s+\S+/.test(t.stdout), { timeout: 3000, message: "keys in the banner" });
    host.keys = {
      function: /function key:\s+(\S+)/.exec(t.stdout)[1],
      master: /master key:\s+(\S+)/.exec(t.stdout)[1],
    };
    if (mode === "start") {
      const cs = /Connection string: (Endpoint=\S+)/.exec(t.stdout);
      assert.ok(cs, `no connection string in the banner:\n${t.stdout}`);
      host.connectionString = cs[1];
      const parts = Object.fromEntries(
        cs[1].split(";").filter(Boolean).map((p) => [p.slice(0, p.indexOf("=")).toLowerCase(), p.slice(p.indexOf("=") + 1)]),
      );
      host.service = { port: Number(parts.port), key: parts.accesskey, base: `http://127.0.0.1:${parts.port}` };
      await waitFor(
        async () => {
          try {
            return (await rawRequest({ port: host.service.port, path: "/api/health", timeout: 1000 })).status === 200;
          } catch {
            return false;
          }
        },
        { timeout: 10000, message: `embedded service health on port ${host.service.port}` },
      );
    }
    // The host answers (any status) once it listens.
    await waitFor(
      async () => {
        try {
          await rawRequest({ port, path: "/__ready__", timeout: 1000 });
          return true;
        } catch {
          return false;
        }
      },
      { timeout: 10000, message: `functions host on port ${port}` },
    );
    if (opts.waitHandler) {
      await waitFor(() => /\[handler\] .*listening/.test(t.log), { timeout: 15000, message: "the custom handler listening" });
    }
  } catch (e) {
    await stopHost(host);
    throw e;
  }
  return host;
}

/** The custom-handler pids the host reported ("[handler] started 'node' (pid N)"). */
export function handlerPids(host) {
  return [...host.log.matchAll(/\[(?:handler|node|python|dotnet)\] started '[^']*' \(pid (\d+)\)/g)].map((m) => Number(m[1]));
}

/**
 * SIGTERM the host (SIGKILL after 5 s), then its REST-mode service. Returns the custom-handler pids
 * that were still alive 3 s after the host exited (they are SIGKILLed: the host should have stopped them).
 */
export async function stopHost(host) {
  if (!host || host.stopping) return host?.stopping;
  host.stopping = (async () => {
    const t = host.track;
    const pids = t ? handlerPids(host) : [];
    if (t) await stopProcess(t);
    let leftovers = [];
    if (pids.length) {
      try {
        await waitFor(() => pids.every((pid) => !isAlive(pid)), { timeout: 3000, interval: 50 });
      } catch {
        leftovers = pids.filter(isAlive);
        for (const pid of leftovers) {
          try {
            process.kill(pid, "SIGKILL"); // a handler our host started and left behind
          } catch {
            /* gone */
          }
        }
      }
    }
    if (host.serviceProcess) await stopService(host.serviceProcess);
    // (The entries stay tracked so that a failing test still prints what they said.)
    host.leftoverHandlers = leftovers;
    return leftovers;
  })();
  return host.stopping;
}

/**
 * Run a command expected to exit by itself; resolves with {code, signal, stdout, stderr, ms}.
 * Killed (SIGKILL) after `timeout` ms, which the result reports as timedOut.
 */
export async function runToExit(binary, args, { cwd, env = {}, timeout = 10000 } = {}) {
  const started = Date.now();
  const t = spawnTracked(`${path.basename(binary)} ${args.join(" ")}`, binary, args, { cwd: cwd ?? tempDir("sb-fntest-cwd-"), env: hostEnv(env) });
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    try {
      t.proc.kill("SIGKILL");
    } catch {
      /* gone */
    }
  }, timeout);
  await t.exitPromise;
  clearTimeout(timer);
  // Safety: a custom handler started by a process that should never have started one.
  for (const m of t.log.matchAll(/\[(?:handler|node|python|dotnet)\] started '[^']*' \(pid (\d+)\)/g)) {
    try {
      process.kill(Number(m[1]), "SIGKILL");
    } catch {
      /* gone */
    }
  }
  return { code: t.exitCode, signal: t.exitSignal, stdout: t.stdout, stderr: t.stderr, log: t.log, ms: Date.now() - started, timedOut };
}

/** Is something listening on 127.0.0.1:port? */
export function isListening(port) {
  return new Promise((resolve) => {
    const s = net.connect({ host: "127.0.0.1", port });
    s.once("connect", () => {
      s.destroy();
      resolve(true);
    });
    s.once("error", () => resolve(false));
  });
}

// ---------------------------------------------------------------------------
// Calling functions

/**
 * One HTTP request to the functions host. opts: {headers, body, key (x-functions-key), token (Bearer)}.
 * Resolves with {status, headers, text, json}.
 */
export function callFn(host, method, p, opts = {}) {
  const headers = { ...(opts.headers || {}) };
  if (opts.key) headers["x-functions-key"] = opts.key;
  if (opts.token) headers.Authorization = `Bearer ${opts.token}`;
  let body = opts.body;
  if (body !== undefined && typeof body !== "string" && !Buffer.isBuffer(body)) body = JSON.stringify(body);
  if (body !== undefined && !Object.keys(headers).some((h) => h.toLowerCase() === "content-type"))
    headers["Content-Type"] = "application/json";
  return rawRequest({ port: host.port, method, path: p, headers, body, timeout: opts.timeout ?? 15000 }).catch(async (e) => {
    await sleep(100);
    if (host.exited) e.message += ` — the functions host has EXITED:\n${host.log.slice(-3000)}`;
    throw e;
  });
}

/** Assert a status, printing the response on mismatch. */
export function expectFnStatus(res, status, what = "") {
  assert.equal(
    res.status,
    status,
    `${what}: expected HTTP ${status}, got ${res.status}; headers=${JSON.stringify(res.headers)} body=${JSON.stringify(res.text?.slice(0, 600))}`,
  );
}

/** Assert a functions-host JSON error {"error": "..."} with a status and a message pattern (or patterns). */
export function expectFnError(res, status, patterns = [], what = "") {
  expectFnStatus(res, status, what);
  assert.match(String(res.headers["content-type"]), /application\/json/, `${what}: error content type`);
  assert.ok(res.json && typeof res.json.error === "string" && res.json.error.length > 0, `${what}: JSON {error} body expected, got ${res.text}`);
  for (const p of [].concat(patterns)) assert.match(res.json.error, p, `${what}: error message`);
  return res.json.error;
}

/** Decode a JWT without verifying it: {header, payload}. */
export function decodeJwt(token) {
  const [h, p] = token.split(".");
  const dec = (s) => JSON.parse(Buffer.from(s.replace(/-/g, "+").replace(/_/g, "/"), "base64").toString("utf8"));
  return { header: dec(h), payload: dec(p) };
}

/** Verify an HS256 JWT signature with the UTF-8 bytes of key. */
export function verifyHs256(token, key) {
  const [h, p, s] = token.split(".");
  const expected = b64url(crypto.createHmac("sha256", Buffer.from(key, "utf8")).update(`${h}.${p}`).digest());
  return expected === s;
}

/**
 * Check a connection-info object the way a client would rely on it: url and token audience, lifetime,
 * user claim, signature with the service key. Returns the token payload.
 */
export function checkConnectionInfo(info, { servicePort, key, hub = "chat", user }) {
  assert.ok(info && typeof info === "object", `connection info object expected, got ${JSON.stringify(info)}`);
  assert.deepEqual(Object.keys(info).sort(), ["accessToken", "url"], `connection info keys: ${JSON.stringify(info)}`);
  assert.equal(info.url, `http://localhost:${servicePort}/client/?hub=${hub}`, "connection info url");
  const { header, payload } = decodeJwt(info.accessToken);
  assert.equal(header.alg, "HS256");
  assert.ok(verifyHs256(info.accessToken, key), "the access token is signed with the service's access key");
  assert.equal(payload.aud, `http://localhost/client/?hub=${hub}`, "token audience (url without port)");
  assert.equal(payload.exp - payload.iat, 3600, "token lifetime");
  assert.ok(Math.abs(payload.iat - Date.now() / 1000) < 120, `iat is now: ${payload.iat}`);
  if (user === undefined) assert.equal(payload["asrs.s.uid"], undefined, `no user claim expected: ${JSON.stringify(payload)}`);
  else assert.equal(payload["asrs.s.uid"], user, `user claim: ${JSON.stringify(payload)}`);
  return payload;
}

// ---------------------------------------------------------------------------
// Identity tokens

/**
 * An identity JWT for the host's SWITCHBOARD_AUTH_* settings.
 *   claims: payload (sub, name, ...); iss defaults to the test issuer (null omits it)
 *   lifetime: seconds (negative: expired); secret: HS256 key; privateKey: RS256 (KeyObject or PEM)
 */
export function identityToken(claims = {}, { secret = IDENTITY_SECRET, privateKey, iss = IDENTITY_ISSUER, lifetime = 3600, header = {} } = {}) {
  const now = Math.floor(Date.now() / 1000);
  const h = { alg: privateKey ? "RS256" : "HS256", typ: "JWT", ...header };
  const p = { iat: now - 10, nbf: now - 10, exp: now + lifetime, ...claims };
  if (iss !== null && p.iss === undefined) p.iss = iss;
  const input = `${b64url(JSON.stringify(h))}.${b64url(JSON.stringify(p))}`;
  const sig = privateKey
    ? crypto.sign("sha256", Buffer.from(input), privateKey)
    : crypto.createHmac("sha256", Buffer.from(secret, "utf8")).update(input).digest();
  return `${input}.${b64url(sig)}`;
}

// ---------------------------------------------------------------------------
// Official client through a negotiate function

const openClients = new Set();

/**
 * Connect an official @microsoft/signalr client whose URL is a function route: the client POSTs
 * `${base}/negotiate?...` to the functions host, then follows the {url, accessToken} it gets.
 *   base: route before "/negotiate" (default "/api"); query: object or string for the URL query
 *   headers: sent on every request; token: identity JWT given to accessTokenFactory (Bearer on negotiate)
 *   hub: the hub this client ends up on (for sentinels); label; targets: extra targets to record
 * The recorder works with expectDelivery/sentinel of helpers.mjs: a message matches `tag` when its first
 * argument is tag or an object whose .tag is tag.
 */
export async function connectFn(host, { base = "/api", query, headers, token, hub = "chat", label, targets = [] } = {}) {
  const q = query === undefined ? "" : typeof query === "string" ? query : new URLSearchParams(query).toString();
  const url = `${host.base}${base}${q ? `?${q}` : ""}`;
  const options = {};
  if (headers) options.headers = headers;
  if (token) options.accessTokenFactory = () => token;
  const connection = new signalR.HubConnectionBuilder().withUrl(url, options).configureLogging(signalR.LogLevel.None).build();
  const c = { connection, hub, msgs: [], isClosed: false, label: label ?? uid("client") };
  for (const target of new Set(["newMessage", "sentinel", ...targets])) {
    connection.on(target, (...args) => c.msgs.push({ target, args }));
  }
  connection.onclose((err) => {
    c.isClosed = true;
    c.closeError = err;
  });
  const matches = (m, tag) => tag === undefined || m.args[0] === tag || (m.args[0] && typeof m.args[0] === "object" && m.args[0].tag === tag);
  c.received = (target, tag) => c.msgs.filter((m) => m.target === target && matches(m, tag));
  c.count = (tag, target = "newMessage") => c.received(target, tag).length;
  c.stop = async () => {
    openClients.delete(c);
    try {
      await connection.stop();
    } catch {
      /* ignore */
    }
  };
  await connection.start();
  c.id = connection.connectionId;
  c.label += `#${c.id}`;
  openClients.add(c);
  return c;
}

export async function stopClients() {
  const all = [...openClients];
  openClients.clear();
  await Promise.all(all.map((c) => c.stop()));
}

/** Wait until `pattern` appears in the host output after `mark`. */
export async function expectLog(host, pattern, { since = 0, timeout = 3000 } = {}) {
  await waitFor(() => pattern.test(host.log.slice(since)), {
    timeout,
    message: () => `log line ${pattern} in the host output:\n${host.log.slice(since).slice(-3000)}`,
  });
}
