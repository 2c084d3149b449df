// Shared helpers for the Switchboard integration tests (node:test, ES modules).
//
// Everything here talks to the real server binary build/switchboard over 127.0.0.1:
//   startService      spawn `switchboard service` on a free port, wait for /api/health
//   mintToken         HS256 JWT signed with the UTF-8 bytes of an access key
//   restCall          one HTTP request to the data-plane REST API (token minted for the URL)
//   startNegotiateFixture  a tiny node:http server playing the Functions negotiate function
//   connectClient     an official @microsoft/signalr client that records what it receives
//   rawConnect        a raw `ws` client speaking the JSON hub protocol by hand
//   waitFor           poll a predicate until a deadline
//   expectDelivery    exact "who got what" assertion, proved with a sentinel broadcast

import { spawn } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import http from "node:http";
import net from "node:net";
import path from "node:path";
import { fileURLToPath } from "node:url";
import assert from "node:assert/strict";
import { before, after, afterEach } from "node:test";
import * as signalR from "@microsoft/signalr";
import WebSocket from "ws";

export { signalR, WebSocket };

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
export const BINARY = process.env.SWITCHBOARD_BIN || path.join(REPO_ROOT, "build", "switchboard");
// The build directory of BINARY (build/, or build-san/ when SWITCHBOARD_BIN names the sanitized
// build): the C++ examples the tests run come from the same build as the server.
export const BUILD_DIR = path.dirname(BINARY);
export const API = "api-version=2022-06-01";
export const RS = "\x1e";

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

let uniqueCounter = 0;
/** A short unique string (for tags, group names, user names). */
export function uid(prefix = "u") {
  uniqueCounter += 1;
  return `${prefix}${uniqueCounter}x${crypto.randomBytes(3).toString("hex")}`;
}

// ---------------------------------------------------------------------------
// Ports and processes

/** A free TCP port on 127.0.0.1 (listen on port 0, read it, close). */
export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

const runningServices = new Set();

/**
 * Put a process we spawned (a captureProcess record with `proc`, `log`, `port`, `args`) under the same
 * care as a service: SIGKILLed if still running when this process exits, its output printed by
 * `logged` when a test fails. It leaves the set when it exits.
 */
export function trackProcess(record) {
  runningServices.add(record);
  record.logMark ??= () => record.log.length;
  record.logsSince ??= (mark) => record.log.slice(mark);
  record.exitPromise.then(() => runningServices.delete(record));
  return record;
}

// Safety net: never leave a server we started running after this process ends.
process.on("exit", () => {
  for (const svc of runningServices) {
    try {
      svc.proc.kill("SIGKILL");
    } catch {
      /* already gone */
    }
  }
});

/**
 * Record a child's output and exit on `record` (stdout, stderr, log = both in order, exited,
 * exitCode, exitSignal, exitPromise); `onExit` runs when it ends.
 */
export function captureProcess(proc, record, exitLabel = "exited", onExit = () => {}) {
  proc.stdout.setEncoding("utf8");
  proc.stderr.setEncoding("utf8");
  proc.stdout.on("data", (d) => {
    record.stdout += d;
    record.log += d;
  });
  proc.stderr.on("data", (d) => {
    record.stderr += d;
    record.log += d;
  });
  record.exitPromise = new Promise((resolve) => {
    proc.on("exit", (code, signal) => {
      record.exited = true;
      record.exitCode = code;
      record.exitSignal = signal;
      record.log += `\n[${exitLabel}: code=${code} signal=${signal}]\n`;
      onExit();
      resolve();
    });
  });
  proc.on("error", (e) => {
    record.log += `\n[spawn error: ${e.message}]\n`;
  });
  return record;
}

/**
 * The command and arguments that run `binary args` under a lower open-file limit: a bash that sets
 * `ulimit -n` and execs the binary (same pid, so signals reach it).
 */
export function underFdLimit(limit, binary, args) {
  return ["bash", ["-c", `ulimit -n ${Number(limit)} && exec "$0" "$@"`, binary, ...args]];
}

/** Parse `Endpoint=...;Port=...;AccessKey=...;Version=1.0;` into a lower-cased key map. */
export function parseConnectionString(cs) {
  const out = {};
  for (const part of cs.split(";")) {
    if (!part.trim()) continue;
    const i = part.indexOf("=");
    if (i < 0) continue;
    out[part.slice(0, i).trim().toLowerCase()] = part.slice(i + 1).trim();
  }
  return out;
}

/** Does `build/switchboard` exist and is it executable? */
export function binaryExists() {
  try {
    fs.accessSync(BINARY, fs.constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * Start `switchboard service` and wait until `GET /api/health` answers 200.
 * options:
 *   keys: access keys (each becomes --access-key); omit with generateKey:true to let the server pick one
 *   args: extra CLI arguments (e.g. ["--keep-alive-interval", "0.5"])
 *   connectionString: a function (port) => string; uses --connection-string instead of --port/--access-key
 *   generateKey: start without --access-key
 *   fdLimit: run it under this open-file limit (`ulimit -n` in a bash that execs it)
 *   env: extra environment variables for the server
 *   args may also be a function (port) => array, for arguments that name the port the server gets
 */
export async function startService(options = {}) {
  if (!binaryExists()) throw new Error(`server binary not found or not executable: ${BINARY}`);
  let lastError;
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort();
    try {
      return await startOnce(port, options);
    } catch (e) {
      lastError = e;
      // Retry only if the port was taken in the meantime.
      if (!/address|in use|bind/i.test(String(e.message))) throw e;
    }
  }
  throw lastError;
}

async function startOnce(port, options) {
  const keys = options.generateKey ? [] : options.keys || [`key-${crypto.randomBytes(16).toString("hex")}`];
  const args = ["service", "--bind", "127.0.0.1"];
  if (options.connectionString) {
    args.push("--connection-string", options.connectionString(port, keys[0]));
  } else {
    args.push("--port", String(port));
    for (const k of keys) args.push("--access-key", k);
  }
  args.push(...((typeof options.args === "function" ? options.args(port) : options.args) || []));

  const [command, commandArgs] = options.fdLimit ? underFdLimit(options.fdLimit, BINARY, args) : [BINARY, args];
  const env = options.env ? { ...process.env, ...options.env } : process.env;
  const proc = spawn(command, commandArgs, { cwd: REPO_ROOT, env, stdio: ["ignore", "pipe", "pipe"] });
  const svc = {
    proc,
    port,
    keys,
    key: keys[0],
    args,
    base: `http://127.0.0.1:${port}`,
    stdout: "",
    stderr: "",
    log: "",
    exited: false,
    exitCode: null,
    exitSignal: null,
    connectionString: null,
  };
  captureProcess(proc, svc, "switchboard exited", () => runningServices.delete(svc));
  runningServices.add(svc);
  svc.stop = () => stopService(svc);
  svc.logMark = () => svc.log.length;
  svc.logsSince = (mark) => svc.log.slice(mark);

  // Wait for health.
  const deadline = Date.now() + 15000;
  for (;;) {
    if (svc.exited) {
      throw new Error(`switchboard exited during startup (code ${svc.exitCode}, signal ${svc.exitSignal}):\n${svc.log}`);
    }
    try {
      const r = await rawRequest({ port, method: "GET", path: "/api/health", timeout: 1000 });
      if (r.status === 200) break;
    } catch {
      /* not listening yet */
    }
    if (Date.now() > deadline) {
      await stopService(svc);
      throw new Error(`switchboard did not answer /api/health within 15 s; args=${JSON.stringify(args)}\n${svc.log}`);
    }
    await sleep(50);
  }
  // The connection string is printed on stdout (give it a moment if stdout is buffered).
  const csDeadline = Date.now() + 2000;
  while (!/Endpoint=\S+/.test(svc.stdout) && Date.now() < csDeadline) await sleep(20);
  const m = /Endpoint=\S+/.exec(svc.stdout);
  if (m) {
    svc.connectionString = m[0];
    if (!svc.key) svc.key = parseConnectionString(m[0]).accesskey;
    if (svc.keys.length === 0 && svc.key) svc.keys = [svc.key];
  }
  return svc;
}

/**
 * SIGTERM, then SIGKILL after 5 s, a process we spawned: any record with `proc`, `exited` and
 * `exitPromise` (a service, a captureProcess record). Only ever signals that process.
 */
export async function stopProcess(record) {
  if (!record || record.exited) return;
  try {
    record.proc.kill("SIGTERM");
  } catch {
    /* gone */
  }
  const timer = setTimeout(() => {
    try {
      if (!record.exited) record.proc.kill("SIGKILL");
    } catch {
      /* gone */
    }
  }, 5000);
  await record.exitPromise;
  clearTimeout(timer);
}

export const stopService = stopProcess;

/**
 * Wrap a test body: on failure, print (to stderr) the output of every switchboard process that
 * ran during the test, from the moment the test started, then rethrow.
 */
export function logged(fn) {
  return async (t) => {
    const marks = new Map([...runningServices].map((s) => [s, s.logMark()]));
    const seen = new Set(runningServices);
    const track = setInterval(() => {
      for (const s of runningServices) if (!seen.has(s)) {
        seen.add(s);
        marks.set(s, 0);
      }
    }, 50);
    try {
      await fn(t);
    } catch (e) {
      for (const s of runningServices) if (!seen.has(s)) marks.set(s, 0), seen.add(s);
      for (const [s, mark] of marks) {
        const text = s.logsSince(mark).trim();
        const header = `${s.label ?? "switchboard"} (port ${s.port}, args ${JSON.stringify(s.args)}) output during this test:`;
        const body = text ? text.slice(-8000) : "(no output)";
        process.stderr.write(`\n---- ${header}\n${body}\n----\n`);
      }
      throw e;
    } finally {
      clearInterval(track);
    }
  };
}

// ---------------------------------------------------------------------------
// Tokens

export const b64url = (buf) =>
  Buffer.from(buf).toString("base64").replace(/=+$/, "").replace(/\+/g, "-").replace(/\//g, "_");

/**
 * Mint an HS256 JWT.
 *   key: the access key string (its UTF-8 bytes are the HMAC key)
 *   aud: audience
 *   user: optional user id (claim asrs.s.uid)
 *   lifetime: seconds until exp (default 3600); negative => expired
 *   claims: extra payload claims; header: extra header fields
 */
export function mintToken(key, { aud, user, lifetime = 3600, claims = {}, header = {}, now } = {}) {
  const t = now ?? Math.floor(Date.now() / 1000);
  const h = { alg: "HS256", typ: "JWT", ...header };
  const p = { aud, exp: t + lifetime, iat: Math.min(t, t + lifetime - 1), nbf: Math.min(t, t + lifetime - 1) };
  if (lifetime < 0) {
    p.iat = t + lifetime - 3600;
    p.nbf = t + lifetime - 3600;
  }
  if (user !== undefined) p["asrs.s.uid"] = user;
  Object.assign(p, claims);
  const signingInput = `${b64url(JSON.stringify(h))}.${b64url(JSON.stringify(p))}`;
  const sig = crypto.createHmac("sha256", Buffer.from(key, "utf8")).update(signingInput).digest();
  return `${signingInput}.${b64url(sig)}`;
}

/** Client token audience for a hub (port dropped, like the SDK). */
export const clientAud = (hub) => `http://localhost/client/?hub=${hub}`;

/** Client token for a hub and optional user. */
export const clientToken = (svc, hub = "chat", user, opts = {}) =>
  mintToken(opts.key ?? svc.key, { aud: clientAud(hub), user, ...opts });

/** REST audience the way the Management SDK builds it: request URL with port dropped, query kept. */
export const restAud = (pathAndQuery) => `http://localhost${pathAndQuery}`;

// ---------------------------------------------------------------------------
// HTTP

/**
 * Low-level HTTP request to 127.0.0.1:port. Resolves with {status, headers, text, json, bytes (the body)}.
 *   body: string | Buffer | object (objects are JSON-encoded)
 *   chunked: send without Content-Length (Transfer-Encoding: chunked), in several writes
 */
export function rawRequest({ port, method = "GET", path: p, headers = {}, body, chunked = false, timeout = 10000 }) {
  return new Promise((resolve, reject) => {
    let payload;
    if (body !== undefined && body !== null) {
      payload = Buffer.isBuffer(body) ? body : Buffer.from(typeof body === "string" ? body : JSON.stringify(body), "utf8");
    }
    const h = { ...headers };
    if (payload && !chunked) h["Content-Length"] = payload.length;
    const req = http.request({ host: "127.0.0.1", port, method, path: p, headers: h, agent: false });
    let responded = false;
    req.setTimeout(timeout, () => req.destroy(new Error(`request timed out after ${timeout} ms: ${method} ${p}`)));
    req.on("response", (res) => {
      responded = true;
      const chunks = [];
      res.on("data", (c) => chunks.push(c));
      res.on("error", (e) => reject(e));
      res.on("end", () => {
        const bytes = Buffer.concat(chunks);
        const text = bytes.toString("utf8");
        let json;
        try {
          json = text ? JSON.parse(text) : undefined;
        } catch {
          json = undefined;
        }
        resolve({ status: res.statusCode, headers: res.headers, text, json, bytes });
      });
    });
    req.on("error", (e) => {
      if (responded) return;
      const err = new Error(
        `${method} ${p}: ${e.code || e.message} before any HTTP response was read ` +
          `(the server closed or reset the connection${payload ? ` while the ${payload.length}-byte body was being sent` : ""})`,
      );
      err.code = e.code;
      reject(err);
    });
    if (payload) {
      if (chunked) {
        // Several writes so that the body really travels as multiple chunks.
        const step = Math.max(1, Math.ceil(payload.length / 3));
        for (let i = 0; i < payload.length; i += step) req.write(payload.subarray(i, i + step));
      } else {
        req.write(payload);
      }
    }
    req.end();
  });
}

/**
 * The HTTP/1.1 answers written back to back in `text`, each framed by its Content-Length (none: no
 * body), as {raw, status, headers (names lower-cased), body}; stops at one that is not complete.
 */
export function splitHttpAnswers(text) {
  const out = [];
  let rest = text;
  for (;;) {
    const end = rest.indexOf("\r\n\r\n");
    if (end < 0) break;
    const head = rest.slice(0, end).split("\r\n");
    const m = /^HTTP\/1\.[01] (\d{3})/.exec(head[0]);
    if (!m) break;
    const headers = {};
    for (const line of head.slice(1)) {
      const i = line.indexOf(":");
      headers[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim();
    }
    const length = Number(headers["content-length"] || 0);
    if (rest.length < end + 4 + length) break;
    out.push({ raw: rest.slice(0, end + 4 + length), status: Number(m[1]), headers, body: rest.slice(end + 4, end + 4 + length) });
    rest = rest.slice(end + 4 + length);
  }
  return out;
}

/**
 * Call the REST API of a service.
 *   method, pathAndQuery: e.g. ("POST", `/api/hubs/chat/:send?${API}`)
 *   opts.body: object or string; opts.token: explicit token (null => no Authorization header)
 *   opts.aud: audience to mint for (default: SDK-style request URL without port)
 *   opts.chunked, opts.headers
 */
export function restCall(svc, method, pathAndQuery, opts = {}) {
  // Kept alive, as the Management SDK's HttpClient and Node's agents ask (agent: false alone would
  // send `Connection: close`): the service then answers sends at once from the request's bytes
  // (HttpHandler::answer_now), its path for real callers. rest-answer-paths.test.mjs compares that
  // path with the coroutine one, which `Connection: close` takes.
  const headers = { Connection: "keep-alive", ...(opts.headers || {}) };
  let token = opts.token;
  if (token === undefined) token = mintToken(opts.key ?? svc.key, { aud: opts.aud ?? restAud(pathAndQuery), lifetime: 3600 });
  if (token !== null) headers.Authorization = `Bearer ${token}`;
  if (opts.body !== undefined && !headers["Content-Type"]) headers["Content-Type"] = "application/json; charset=utf-8";
  return rawRequest({ port: svc.port, method, path: pathAndQuery, headers, body: opts.body, chunked: opts.chunked }).catch(
    async (e) => {
      await sleep(200);
      if (svc.exited) e.message += ` — switchboard has EXITED (code ${svc.exitCode}, signal ${svc.exitSignal})`;
      throw e;
    },
  );
}

/** Assert a status code, printing the response on mismatch. */
export function expectStatus(res, status, what = "") {
  assert.equal(
    res.status,
    status,
    `${what} expected HTTP ${status}, got ${res.status}; headers=${JSON.stringify(res.headers)} body=${JSON.stringify(res.text?.slice(0, 500))}`,
  );
}

/** Assert an error response: status, JSON body {code, message}, optional code and message pattern. */
export function expectError(res, status, { code, message, what = "" } = {}) {
  expectStatus(res, status, what);
  assert.ok(res.json && typeof res.json === "object", `${what} expected a JSON error body, got ${JSON.stringify(res.text)}`);
  assert.equal(typeof res.json.code, "string", `${what} error body lacks a string "code": ${res.text}`);
  assert.equal(typeof res.json.message, "string", `${what} error body lacks a string "message": ${res.text}`);
  assert.ok(res.json.message.length > 0, `${what} error message is empty`);
  if (code !== undefined) assert.equal(res.json.code, code, `${what} error code; body=${res.text}`);
  if (message !== undefined) assert.match(res.json.message, message, `${what} error message; body=${res.text}`);
}

/** Assert a 404 carrying x-ms-error-code. */
export function expect404(res, errorCode, what = "") {
  expectStatus(res, 404, what);
  assert.equal(res.headers["x-ms-error-code"], errorCode, `${what} x-ms-error-code; headers=${JSON.stringify(res.headers)}`);
}

// Path helpers for the two API forms.
const enc = encodeURIComponent;
export const p22 = (hub, suffix = "", extraQuery = "") =>
  `/api/hubs/${enc(hub)}${suffix}?${API}${extraQuery ? `&${extraQuery}` : ""}`;
export const pv1 = (hub, suffix = "", extraQuery = "") =>
  `/api/v1/hubs/${enc(hub)}${suffix}${extraQuery ? `?${extraQuery}` : ""}`;
export const excludedQuery = (ids) => ids.map((id) => `excluded=${enc(id)}`).join("&");

/** Broadcast through REST (2022-06-01), asserting 202. */
export async function broadcast(svc, hub, target, args, extraQuery = "") {
  const res = await restCall(svc, "POST", p22(hub, "/:send", extraQuery), { body: { target, arguments: args } });
  expectStatus(res, 202, `broadcast to ${hub}`);
  return res;
}

// ---------------------------------------------------------------------------
// Negotiate fixture (plays the negotiate function of a Functions app)

/**
 * POST /api/negotiate?user=U&hub=H -> {"url": "http://127.0.0.1:PORT/client/?hub=H", "accessToken": "..."}.
 * opts.tokenFor(hub, user) can override the token (e.g. an expired one).
 */
export function startNegotiateFixture(svc, opts = {}) {
  return new Promise((resolve, reject) => {
    const fx = { requests: 0 };
    const server = http.createServer((req, res) => {
      fx.requests += 1;
      const u = new URL(req.url, "http://127.0.0.1");
      req.resume();
      if (req.method !== "POST" || u.pathname !== "/api/negotiate") {
        res.writeHead(404, { "Content-Type": "text/plain" });
        res.end("not found");
        return;
      }
      const hub = u.searchParams.get("hub") || "chat";
      const user = u.searchParams.get("user") ?? undefined;
      const accessToken = opts.tokenFor
        ? opts.tokenFor(hub, user)
        : mintToken(svc.key, { aud: clientAud(hub), user: user || undefined });
      const body = JSON.stringify({ url: `${svc.base}/client/?hub=${hub}`, accessToken });
      res.writeHead(200, { "Content-Type": "application/json", "Content-Length": Buffer.byteLength(body) });
      res.end(body);
    });
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      fx.port = server.address().port;
      fx.server = server;
      fx.close = () => new Promise((r) => server.close(() => r()));
      resolve(fx);
    });
  });
}

// ---------------------------------------------------------------------------
// Official client

const openClients = new Set();

/**
 * Connect an official @microsoft/signalr client through the negotiate fixture.
 * Returns a recorder: {connection, id, user, hub, msgs, closed, closeError, isClosed, ...}.
 */
export async function connectClient(fx, { user, hub = "chat", transport, targets = [], configure } = {}) {
  const q = new URLSearchParams();
  if (user !== undefined) q.set("user", user);
  if (hub !== undefined) q.set("hub", hub);
  const url = `http://127.0.0.1:${fx.port}/api?${q.toString()}`;
  const connection = new signalR.HubConnectionBuilder()
    .withUrl(url, transport !== undefined ? { transport } : {})
    .configureLogging(signalR.LogLevel.None)
    .build();
  if (configure) configure(connection);
  const c = {
    connection,
    user,
    hub,
    msgs: [],
    isClosed: false,
    closeError: undefined,
    closeCalls: 0,
  };
  for (const target of new Set(["newMessage", "sentinel", ...targets])) {
    connection.on(target, (...args) => c.msgs.push({ target, args }));
  }
  c.closed = new Promise((resolve) => {
    connection.onclose((err) => {
      c.isClosed = true;
      c.closeError = err;
      c.closeCalls += 1;
      resolve(err);
    });
  });
  c.received = (target, tag) => c.msgs.filter((m) => m.target === target && (tag === undefined || m.args[0] === tag));
  c.count = (tag, target = "newMessage") => c.received(target, tag).length;
  c.stop = async () => {
    openClients.delete(c);
    try {
      await connection.stop();
    } catch {
      /* ignore */
    }
  };
  c.label = `${user ?? "anon"}@${hub}`;
  await connection.start();
  c.id = connection.connectionId;
  c.label += `#${c.id}`;
  openClients.add(c);
  return c;
}

/** Stop every official client still open (call from afterEach/after). */
/**
 * The hooks most suites share: a service (started with `options`) and a negotiate fixture for
 * the suite (handed to `onReady`), every client stopped (and `cleanup` run) after each test,
 * everything stopped at the end.
 */
export function useServiceWithFixture(onReady, options = {}, cleanup = () => {}) {
  let svc;
  let fx;
  before(async () => {
    svc = await startService(options);
    fx = await startNegotiateFixture(svc);
    onReady(svc, fx);
  });
  after(async () => {
    await cleanup();
    await stopAllClients();
    await fx?.close();
    await svc?.stop();
  });
  afterEach(async () => {
    await cleanup();
    await stopAllClients();
  });
}

export async function stopAllClients() {
  const all = [...openClients];
  openClients.clear();
  await Promise.all(all.map((c) => c.stop()));
}

// ---------------------------------------------------------------------------
// Waiting and delivery assertions

/** Poll `pred` every `interval` ms until it is truthy or `timeout` ms passed; then throw `message`. */
export async function waitFor(pred, { timeout = 3000, interval = 20, message = "condition" } = {}) {
  const deadline = Date.now() + timeout;
  for (;;) {
    const v = await pred();
    if (v) return v;
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeout} ms waiting for: ${typeof message === "function" ? message() : message}`);
    }
    await sleep(interval);
  }
}

/**
 * Broadcast a unique sentinel to every hub of the given (still open) clients and wait until
 * all of them got it. Because a connection receives messages in order, anything sent to them
 * before the sentinel has arrived by then.
 */
export async function sentinel(svc, clients) {
  const live = clients.filter((c) => !c.isClosed);
  const tag = uid("sentinel-");
  const hubs = new Set(live.map((c) => c.hub.toLowerCase()));
  for (const hub of hubs) {
    const res = await restCall(svc, "POST", p22(hub, "/:send"), { body: { target: "sentinel", arguments: [tag] } });
    expectStatus(res, 202, "sentinel broadcast");
  }
  await waitFor(() => live.every((c) => c.received("sentinel", tag).length === 1), {
    timeout: 3000,
    message: () =>
      `sentinel ${tag} at every open client; missing at: ${live
        .filter((c) => c.received("sentinel", tag).length !== 1)
        .map((c) => c.label)
        .join(", ")}`,
  });
}

/**
 * After a send whose first argument is `tag` (target `newMessage` unless given), assert that
 * exactly `receivers` got it exactly once and `nonReceivers` got nothing.
 * opts.args: if given, the full argument list each receiver must have got (deepEqual).
 */
export async function expectDelivery(svc, { tag, receivers = [], nonReceivers = [], target = "newMessage", args }) {
  await waitFor(() => receivers.every((c) => c.count(tag, target) >= 1), {
    timeout: 3000,
    message: () =>
      `message ${tag} at ${receivers
        .filter((c) => c.count(tag, target) < 1)
        .map((c) => c.label)
        .join(", ")}`,
  });
  await sentinel(svc, [...receivers, ...nonReceivers]);
  for (const c of receivers) {
    assert.equal(c.count(tag, target), 1, `${c.label} should get ${tag} exactly once`);
    if (args !== undefined) assert.deepEqual(c.received(target, tag)[0].args, args, `${c.label} arguments of ${tag}`);
  }
  for (const c of nonReceivers) assert.equal(c.count(tag, target), 0, `${c.label} must NOT get ${tag}`);
}

/**
 * Wait (3 s) for a client's onclose and check its error: `reason` null = closed without an error;
 * a RegExp the error message must match; a string it must contain.
 */
export async function expectClosed(c, reason) {
  const err = await withTimeout(c.closed, 3000, `onclose of ${c.label}`);
  if (reason === null) {
    assert.equal(err, undefined, `${c.label} closed without an error expected, got ${err}`);
    return;
  }
  assert.ok(err instanceof Error, `${c.label} onclose should get an Error, got ${err}`);
  if (reason instanceof RegExp) assert.match(err.message, reason, `${c.label} close error`);
  else assert.ok(err.message.includes(reason), `${c.label} close error ${JSON.stringify(err.message)} should contain ${JSON.stringify(reason)}`);
}

/** Assert nobody in `clients` got `tag` (proved with a sentinel). */
export async function expectNoDelivery(svc, { tag, clients, target = "newMessage" }) {
  await expectDelivery(svc, { tag, receivers: [], nonReceivers: clients, target });
}

// ---------------------------------------------------------------------------
// Raw WebSocket client (hand-written JSON hub protocol)

/** Service negotiate (the one the client makes after the redirect). */
export async function serviceNegotiate(svc, { hub = "chat", user, token } = {}) {
  const tok = token === undefined ? clientToken(svc, hub, user) : token;
  const headers = {};
  if (tok !== null) headers.Authorization = `Bearer ${tok}`;
  return rawRequest({
    port: svc.port,
    method: "POST",
    path: `/client/negotiate?hub=${encodeURIComponent(hub)}&negotiateVersion=1`,
    headers,
  });
}

/**
 * Negotiate, then open a raw WebSocket. Does NOT send the handshake unless opts.handshake is true.
 *   tokenIn: "query" (default) | "header" | "none"
 * Returns a recorder: {ws, connectionId, records[], frames[], closed (promise), closeCode, next(pred)}
 */
export async function rawConnect(svc, { hub = "chat", user, tokenIn = "query", handshake = false, token } = {}) {
  const tok = token ?? clientToken(svc, hub, user);
  const neg = await serviceNegotiate(svc, { hub, user, token: tok });
  expectStatus(neg, 200, "service negotiate");
  const { connectionId, connectionToken } = neg.json;
  let url = `ws://127.0.0.1:${svc.port}/client/?hub=${encodeURIComponent(hub)}&id=${connectionToken}`;
  const wsOpts = {};
  if (tokenIn === "query") url += `&access_token=${encodeURIComponent(tok)}`;
  if (tokenIn === "header") wsOpts.headers = { Authorization: `Bearer ${tok}` };
  const r = await openRawSocket(url, wsOpts);
  r.connectionId = connectionId;
  r.connectionToken = connectionToken;
  r.hub = hub;
  r.user = user;
  if (handshake) {
    r.send(`{"protocol":"json","version":1}${RS}`);
    const hs = await r.next(() => true, 3000, "handshake reply");
    assert.deepEqual(hs, {}, `handshake reply should be {} (got ${JSON.stringify(hs)})`);
  }
  return r;
}

/** Open a WebSocket and record every 0x1e-terminated JSON record. Rejects with {status} on HTTP refusal. */
export function openRawSocket(url, wsOpts = {}) {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, wsOpts);
    const r = {
      ws,
      url,
      records: [], // parsed JSON records in arrival order
      rawRecords: [],
      frames: [], // {text, isBinary}
      buffer: "",
      isClosed: false,
      closeCode: undefined,
      closeReason: undefined,
      consumed: 0,
    };
    r.closed = new Promise((res) => {
      ws.on("close", (code, reason) => {
        r.isClosed = true;
        r.closeCode = code;
        r.closeReason = reason?.toString();
        r.closedAt = Date.now();
        res(code);
      });
    });
    ws.on("message", (data, isBinary) => {
      const text = Buffer.isBuffer(data) ? data.toString("utf8") : Buffer.concat(data).toString("utf8");
      r.frames.push({ text, isBinary });
      r.buffer += text;
      let i;
      while ((i = r.buffer.indexOf(RS)) >= 0) {
        const rec = r.buffer.slice(0, i);
        r.buffer = r.buffer.slice(i + 1);
        r.rawRecords.push(rec);
        let parsed;
        try {
          parsed = JSON.parse(rec);
        } catch {
          parsed = { __unparsable: rec };
        }
        r.records.push(parsed);
      }
    });
    ws.on("error", () => {
      /* reported through close / unexpected-response */
    });
    ws.on("unexpected-response", (_req, res) => {
      const chunks = [];
      res.on("data", (c) => chunks.push(c));
      res.on("end", () => {
        const err = new Error(`WebSocket upgrade refused with HTTP ${res.statusCode}`);
        err.status = res.statusCode;
        err.body = Buffer.concat(chunks).toString("utf8");
        reject(err);
      });
      res.on("error", () => {
        const err = new Error(`WebSocket upgrade refused with HTTP ${res.statusCode}`);
        err.status = res.statusCode;
        reject(err);
      });
    });
    ws.once("open", () => resolve(r));
    ws.once("close", () => reject(new Error("WebSocket closed before opening")));
    r.send = (text) => ws.send(text);
    /** Wait for the next not-yet-consumed record matching pred (records before it are consumed too). */
    r.next = async (pred = () => true, timeout = 3000, what = "record") => {
      const deadline = Date.now() + timeout;
      for (;;) {
        while (r.consumed < r.records.length) {
          const rec = r.records[r.consumed++];
          if (pred(rec)) return rec;
        }
        if (r.isClosed) throw new Error(`socket closed (code ${r.closeCode}) while waiting for ${what}; records=${JSON.stringify(r.records)}`);
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; records=${JSON.stringify(r.records)}`);
        await sleep(10);
      }
    };
    r.close = () => {
      try {
        ws.terminate();
      } catch {
        /* ignore */
      }
    };
  });
}

// ---------------------------------------------------------------------------
// TCP proxy

/**
 * A loopback TCP proxy to `targetPort` whose live connections can be cut, and whose reading from the
 * server can be paused (the client then looks, to the server, like one that stopped reading).
 * `proxy.targetPort` may be set later (a proxy made before the server it fronts has its port).
 */
export function startProxy(targetPort) {
  return new Promise((resolve) => {
    const sockets = new Set();
    const upstreams = new Set();
    let proxy;
    const server = net.createServer((client) => {
      const upstream = net.connect(proxy.targetPort, "127.0.0.1");
      sockets.add(client);
      sockets.add(upstream);
      upstreams.add(upstream);
      client.pipe(upstream);
      upstream.pipe(client);
      const drop = () => {
        client.destroy();
        upstream.destroy();
        sockets.delete(client);
        sockets.delete(upstream);
        upstreams.delete(upstream);
      };
      client.on("error", drop).on("close", drop);
      upstream.on("error", drop).on("close", drop);
    });
    server.listen(0, "127.0.0.1", () => {
      proxy = {
        targetPort,
        port: server.address().port,
        cut: () => {
          const n = sockets.size;
          for (const s of sockets) s.destroy();
          sockets.clear();
          upstreams.clear();
          return n;
        },
        pauseReading: () => {
          for (const u of upstreams) {
            u.unpipe();
            u.pause();
          }
        },
        close: () => new Promise((r) => server.close(() => r())),
      };
      resolve(proxy);
    });
  });
}

/** Wait for a promise with a timeout. */
export function withTimeout(promise, ms, what = "operation") {
  let timer;
  return Promise.race([
    promise,
    new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms: ${what}`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}
