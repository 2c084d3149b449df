// Helpers for the upstream-*.test.mjs files: a real node:http server playing the function app's
// webhook (it records every request the service makes and answers like the Functions host), the
// service started with upstream options, and a negotiate fixture whose tokens and client URLs
// carry extra claims and query parameters.
import http from "node:http";
import crypto from "node:crypto";
import assert from "node:assert/strict";
import { encode, decode } from "@msgpack/msgpack";
import { RS, sleep, mintToken, clientAud, startService, freePort } from "./helpers.mjs";
import { varint, mpParse } from "./transports-helpers.mjs";

/** Decode an upstream request body: JSON text, or one MessagePack value (no length prefix). */
export function decodeBody(contentType, body) {
  if (contentType === "application/x-msgpack") return decode(body);
  return JSON.parse(body.toString("utf8"));
}

/** The invocation a `messages` request carries, as {invocationId, target, arguments} for both protocols. */
export function invocationOf(request) {
  const m = request.message;
  if (Array.isArray(m)) return { type: m[0], invocationId: m[2] ?? undefined, target: m[3], arguments: m[4] };
  return { type: m.type, invocationId: m.invocationId, target: m.target, arguments: m.arguments };
}

/** A framed CompletionMessage with a result, in the protocol of `request` (what Functions answers). */
export function completionFor(request, { result, error } = {}) {
  const { invocationId } = invocationOf(request);
  if (request.contentType === "application/x-msgpack") {
    const value = error !== undefined ? [3, {}, invocationId, 1, error] : [3, {}, invocationId, 3, result];
    const body = Buffer.from(encode(value));
    return Buffer.concat([varint(body.length), body]);
  }
  const msg = error !== undefined ? { type: 3, invocationId, error } : { type: 3, invocationId, result };
  return Buffer.from(JSON.stringify(msg) + RS, "utf8");
}

/**
 * The default webhook: 200 empty for connections events and sends; for an invocation, a completion
 * whose result echoes the target and arguments.
 */
export async function echoAnswer(request) {
  if (request.category !== "messages") return { status: 200 };
  const inv = invocationOf(request);
  if (!inv.invocationId) return { status: 200 };
  return { status: 200, body: completionFor(request, { result: { echo: inv.arguments, target: inv.target } }) };
}

/**
 * Start an upstream peer on 127.0.0.1. Returns {url, port, requests, handle, waitFor, count, close}.
 * Each recorded request: {method, path, headers, contentType, body (Buffer), category, event, hub,
 * connectionId, message (decoded body), at (arrival order), answeredAt (order its answer was sent)}.
 * `handle(request)` (replaceable) returns {status, body, headers} or a promise of it.
 */
export function startUpstream({ handle = echoAnswer, label = "upstream" } = {}) {
  return new Promise((resolve, reject) => {
    let order = 0;
    const up = { label, requests: [], handle, sockets: new Set() };
    const server = http.createServer((req, res) => {
      const chunks = [];
      req.on("data", (c) => chunks.push(c));
      req.on("end", async () => {
        const body = Buffer.concat(chunks);
        const contentType = req.headers["content-type"];
        const r = {
          method: req.method,
          path: req.url,
          headers: req.headers,
          contentType,
          body,
          category: req.headers["x-asrs-category"],
          event: req.headers["x-asrs-event"],
          hub: req.headers["x-asrs-hub"],
          connectionId: req.headers["x-asrs-connection-id"],
          at: ++order,
        };
        try {
          r.message = decodeBody(contentType, body);
        } catch (e) {
          r.decodeError = String(e);
        }
        up.requests.push(r);
        let answer;
        try {
          answer = await up.handle(r);
        } catch (e) {
          answer = { status: 500, body: String(e) };
        }
        if (answer === "hang") return; // never answered (until the server closes)
        const payload = answer.body === undefined ? Buffer.alloc(0) : Buffer.isBuffer(answer.body) ? answer.body : Buffer.from(answer.body);
        res.writeHead(answer.status ?? 200, { "Content-Length": payload.length, ...(answer.headers || {}) });
        res.end(payload, () => (r.answeredAt = ++order));
      });
    });
    server.on("connection", (s) => {
      up.sockets.add(s);
      s.on("close", () => up.sockets.delete(s));
    });
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      up.port = server.address().port;
      up.url = `http://127.0.0.1:${up.port}`;
      up.server = server;
      up.of = (pred) => up.requests.filter(pred);
      up.messages = (connectionId) => up.requests.filter((r) => r.category === "messages" && (!connectionId || r.connectionId === connectionId));
      up.events = (connectionId) => up.requests.filter((r) => r.connectionId === connectionId).map((r) => `${r.category}/${r.event}`);
      up.waitFor = async (pred, what = "upstream request", timeout = 5000) => {
        const deadline = Date.now() + timeout;
        for (;;) {
          const found = up.requests.find(pred);
          if (found) return found;
          if (Date.now() > deadline)
            throw new Error(`${label}: timed out waiting for ${what}; got ${JSON.stringify(up.requests.map((r) => [r.connectionId, r.category, r.event]))}`);
          await sleep(10);
        }
      };
      up.close = () =>
        new Promise((r) => {
          for (const s of up.sockets) s.destroy();
          server.close(() => r());
        });
      resolve(up);
    });
  });
}

/** A port on which nothing listens (an unreachable upstream). */
export async function deadPort() {
  return freePort();
}

/** Start `switchboard service` with upstream arguments (and two access keys, for signatures). */
export function startServiceWithUpstream(upstreamArgs, { keys, args = [] } = {}) {
  return startService({
    keys: keys ?? [`key-${crypto.randomBytes(8).toString("hex")}`, `second-${crypto.randomBytes(8).toString("hex")}`],
    args: [...upstreamArgs, ...args],
  });
}

/**
 * A negotiate fixture (the negotiate function of a function app): POST /api/negotiate?user=U&hub=H.
 * opts.claims: extra token claims; opts.query: extra query parameters put on the client URL
 * (e.g. "room=blue&lang=en").
 */
export function startFixture(svc, { claims = {}, query = "" } = {}) {
  return new Promise((resolve, reject) => {
    const fx = { requests: 0, claims, query };
    const server = http.createServer((req, res) => {
      fx.requests += 1;
      const u = new URL(req.url, "http://127.0.0.1");
      req.resume();
      const hub = u.searchParams.get("hub") || "chat";
      const user = u.searchParams.get("user") ?? undefined;
      const accessToken = mintToken(svc.key, { aud: clientAud(hub), user: user || undefined, claims: fx.claims });
      const body = JSON.stringify({ url: `${svc.base}/client/?hub=${hub}${fx.query ? `&${fx.query}` : ""}`, accessToken });
      res.writeHead(200, { "Content-Type": "application/json", "Content-Length": Buffer.byteLength(body) });
      res.end(body);
    });
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      fx.port = server.address().port;
      fx.close = () => new Promise((r) => server.close(() => r()));
      resolve(fx);
    });
  });
}

/** The X-ASRS-Signature the Functions host expects for `connectionId` with `keys` (node crypto). */
export function expectedSignatures(connectionId, keys) {
  return keys.map((k) => "sha256=" + crypto.createHmac("sha256", Buffer.from(k, "utf8")).update(connectionId).digest("hex").toUpperCase());
}

/** Assert the X-ASRS-Signature of a request is valid for every key, the way the Functions host checks it. */
export function assertSigned(request, keys) {
  const got = String(request.headers["x-asrs-signature"] ?? "").split(",");
  assert.deepEqual(got, expectedSignatures(request.connectionId, keys), `X-ASRS-Signature of ${request.category}/${request.event}`);
}

/** An invocation request's body must be the client's record without its framing. */
export function assertUnframed(request) {
  if (request.contentType === "application/x-msgpack") {
    // One MessagePack value that is the whole body (a varint prefix would decode as a number first).
    assert.ok(Array.isArray(request.message), `MessagePack body is one array, got ${request.decodeError ?? JSON.stringify(request.message)}`);
    assert.equal(mpParse(request.body).messages.length === 1 && mpParse(request.body).rest.length === 0, false, "body is not varint-framed");
  } else {
    assert.ok(!request.body.includes(0x1e), "JSON body has no record separator");
    assert.equal(typeof request.message, "object");
  }
}

export { sleep };
