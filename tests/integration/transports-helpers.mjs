// Helpers shared by the transports-*.test.mjs files: the official client with a chosen transport and
// hub protocol, MessagePack framing, raw SSE / long-polling / binary WebSocket clients.
import http from "node:http";
import net from "node:net";
import crypto from "node:crypto";
import fs from "node:fs";
import { spawn } from "node:child_process";
import { encode, decode } from "@msgpack/msgpack";
import { MessagePackHubProtocol } from "@microsoft/signalr-protocol-msgpack";
import {
  signalR,
  WebSocket,
  RS,
  BINARY,
  REPO_ROOT,
  sleep,
  rawRequest,
  serviceNegotiate,
  clientToken,
  expectStatus,
  stopProcess,
} from "./helpers.mjs";

export { encode, decode, MessagePackHubProtocol };

export const T = signalR.HttpTransportType;
export const TRANSPORTS = [
  ["WebSockets", T.WebSockets],
  ["ServerSentEvents", T.ServerSentEvents],
  ["LongPolling", T.LongPolling],
];

/** Many argument types (JSON-representable, so they cross the JSON → MessagePack conversion). */
export const TYPED_ARGS = [
  "plain string",
  "",
  42,
  -7,
  0,
  3.25,
  -0.5,
  1e300,
  9007199254740991,
  true,
  false,
  null,
  { a: { b: [1, "two", null, { c: false }] }, s: "x", n: 1.5, e: {}, l: [] },
  [1, 2, [3, [4, "five"]], {}, []],
  "unicode: héllo wörld — 日本語 — emoji 😀🎉 — \"quotes\" \\ back\nslash\ttab \u0001 \u2028",
];

// ---------------------------------------------------------------------------
// MessagePack framing (varint length prefix, HubProtocol.md)

export function varint(n) {
  const out = [];
  do {
    let b = n & 0x7f;
    n = Math.floor(n / 128);
    if (n > 0) b |= 0x80;
    out.push(b);
  } while (n > 0);
  return Buffer.from(out);
}

/** One framed MessagePack message: varint(len) + msgpack(value). */
export function mpFrame(value) {
  const body = Buffer.from(encode(value));
  return Buffer.concat([varint(body.length), body]);
}

/** Split a buffer of framed MessagePack messages; returns {messages, rest}. Throws on a bad varint. */
export function mpParse(buf) {
  const messages = [];
  let off = 0;
  for (;;) {
    let len = 0;
    let shift = 0;
    let i = off;
    let done = false;
    while (i < buf.length && i - off < 5) {
      const b = buf[i++];
      len += (b & 0x7f) * 2 ** shift;
      shift += 7;
      if ((b & 0x80) === 0) {
        done = true;
        break;
      }
    }
    if (!done) break;
    if (i + len > buf.length) break;
    messages.push(decode(buf.subarray(i, i + len)));
    off = i + len;
  }
  return { messages, rest: buf.subarray(off) };
}

// ---------------------------------------------------------------------------
// Official client with a transport and a protocol

/**
 * Connect an official client through the negotiate fixture.
 *   transport: HttpTransportType (bitmask) or undefined (all)
 *   protocol: "json" | "messagepack"
 *   reconnect: withAutomaticReconnect()
 *   stateful: withStatefulReconnect()
 * Returns {connection, id, msgs, logs, closed, closeError, reconnecting[], reconnected[], selected(), stop()}
 */
export async function connectOfficial(fx, { user, hub = "chat", transport, protocol = "json", reconnect = false, stateful = false, targets = [] } = {}) {
  const q = new URLSearchParams();
  if (user !== undefined) q.set("user", user);
  q.set("hub", hub);
  const logs = [];
  const logger = { log: (level, message) => logs.push({ level, message }) };
  const b = new signalR.HubConnectionBuilder()
    .withUrl(`http://127.0.0.1:${fx.port}/api?${q}`, transport !== undefined ? { transport } : {})
    .configureLogging(logger);
  if (protocol === "messagepack") b.withHubProtocol(new MessagePackHubProtocol());
  if (reconnect) b.withAutomaticReconnect();
  if (stateful) b.withStatefulReconnect();
  const connection = b.build();
  const c = { connection, user, hub, protocol, msgs: [], logs, isClosed: false, closeError: undefined, reconnecting: [], reconnected: [] };
  for (const target of new Set(["newMessage", "sentinel", ...targets])) {
    connection.on(target, (...args) => {
      c.msgs.push({ target, args });
    });
  }
  c.closed = new Promise((resolve) => {
    connection.onclose((err) => {
      c.isClosed = true;
      c.closeError = err;
      resolve(err);
    });
  });
  connection.onreconnecting((err) => c.reconnecting.push(err));
  connection.onreconnected((id) => c.reconnected.push(id));
  c.received = (target, tag) => c.msgs.filter((m) => m.target === target && (tag === undefined || m.args[0] === tag));
  c.count = (tag, target = "newMessage") => c.received(target, tag).length;
  /** Names of the transports the client selected, in order (from its debug log). */
  c.selected = () =>
    logs.map((l) => /^Selecting transport '(\w+)'/.exec(l.message)).filter(Boolean).map((m) => m[1]);
  c.stop = async () => {
    try {
      await connection.stop();
    } catch {
      /* ignore */
    }
  };
  c.label = `${user ?? "anon"}@${hub}/${protocol}`;
  await connection.start();
  c.id = connection.connectionId;
  return c;
}

// ---------------------------------------------------------------------------
// Raw SSE stream

/** Open an SSE GET; resolves once the response headers arrived. {status, headers, text, events(), ended, close()} */
export function openSse(port, path, headers = {}) {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: "127.0.0.1", port, path, headers: { Accept: "text/event-stream", ...headers }, agent: false });
    req.on("error", reject);
    req.on("response", (res) => {
      const s = { status: res.statusCode, headers: res.headers, text: "", ended: false, res, req };
      res.setEncoding("utf8");
      res.on("data", (d) => (s.text += d));
      s.endedPromise = new Promise((r) => {
        res.on("end", () => ((s.ended = true), r()));
        res.on("close", () => ((s.ended = true), r()));
        res.on("error", () => ((s.ended = true), r()));
      });
      /** Parsed events: each "data: ..." group joined by "\n" (as a browser would). */
      s.events = () => {
        const out = [];
        const body = s.text.startsWith(":\r\n") ? s.text.slice(3) : s.text;
        for (const block of body.split("\r\n\r\n").slice(0, -1)) {
          const lines = block.split("\r\n").filter((l) => l.startsWith("data: ")).map((l) => l.slice(6));
          out.push(lines.join("\n"));
        }
        return out;
      };
      /** JSON records received in data events. */
      s.records = () =>
        s
          .events()
          .join("")
          .split(RS)
          .slice(0, -1)
          .map((r) => JSON.parse(r));
      s.close = () => req.destroy();
      resolve(s);
    });
    req.end();
  });
}

// ---------------------------------------------------------------------------
// Raw negotiated connection (for SSE / long polling / binary WebSocket)

export async function negotiateRaw(svc, { hub = "chat", user, token } = {}) {
  const tok = token ?? clientToken(svc, hub, user);
  const neg = await serviceNegotiate(svc, { hub, user, token: tok });
  expectStatus(neg, 200, "service negotiate");
  const path = `/client/?hub=${encodeURIComponent(hub)}&id=${neg.json.connectionToken}`;
  return { token: tok, auth: { Authorization: `Bearer ${tok}` }, path, connectionId: neg.json.connectionId, connectionToken: neg.json.connectionToken };
}

/** Long-poll GET / POST / DELETE on a negotiated raw connection. */
export const lpGet = (svc, n, { headers, query = "", timeout = 15000 } = {}) =>
  rawRequest({ port: svc.port, method: "GET", path: n.path + query, headers: headers ?? n.auth, timeout });
export const lpPost = (svc, n, body, { headers, contentType = "text/plain;charset=UTF-8" } = {}) =>
  rawRequest({ port: svc.port, method: "POST", path: n.path, headers: headers ?? { ...n.auth, "Content-Type": contentType }, body });
export const lpDelete = (svc, n, { headers } = {}) => rawRequest({ port: svc.port, method: "DELETE", path: n.path, headers: headers ?? n.auth });

/** GET returning the raw body bytes (for binary long polls). */
export function getBytes(port, path, headers = {}, timeout = 15000) {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: "127.0.0.1", port, path, headers, agent: false });
    req.setTimeout(timeout, () => req.destroy(new Error("timeout")));
    req.on("error", reject);
    req.on("response", (res) => {
      const chunks = [];
      res.on("data", (c) => chunks.push(c));
      res.on("end", () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.end();
  });
}

/**
 * Raw WebSocket speaking either protocol. Records binary frames parsed as MessagePack (after the
 * handshake reply) and text frames parsed as JSON records.
 */
export async function rawWs(svc, { hub = "chat", user, protocol = "json", handshakeAsBinary = false, handshake = true } = {}) {
  const n = await negotiateRaw(svc, { hub, user });
  const url = `ws://127.0.0.1:${svc.port}${n.path}&access_token=${encodeURIComponent(n.token)}`;
  const ws = new WebSocket(url);
  const r = { ws, n, connectionId: n.connectionId, frames: [], records: [], handshakeReply: undefined, isClosed: false, closeCode: undefined, bin: Buffer.alloc(0), txt: "" };
  r.closed = new Promise((res) => ws.on("close", (code) => ((r.isClosed = true), (r.closeCode = code), res(code))));
  ws.on("error", () => {});
  ws.on("message", (data, isBinary) => {
    const buf = Buffer.isBuffer(data) ? data : Buffer.concat(data);
    r.frames.push({ isBinary, bytes: buf });
    if (isBinary) {
      let b = Buffer.concat([r.bin, buf]);
      if (r.handshakeReply === undefined) {
        const i = b.indexOf(0x1e);
        if (i < 0) {
          r.bin = b;
          return;
        }
        r.handshakeReply = JSON.parse(b.subarray(0, i).toString("utf8"));
        b = b.subarray(i + 1);
      }
      const { messages, rest } = mpParse(b);
      r.records.push(...messages);
      r.bin = Buffer.from(rest);
    } else {
      r.txt += buf.toString("utf8");
      let i;
      while ((i = r.txt.indexOf(RS)) >= 0) {
        const rec = JSON.parse(r.txt.slice(0, i));
        r.txt = r.txt.slice(i + 1);
        if (r.handshakeReply === undefined) r.handshakeReply = rec;
        else r.records.push(rec);
      }
    }
  });
  await new Promise((res, rej) => {
    ws.once("open", res);
    ws.once("unexpected-response", (_q, resp) => rej(new Error(`upgrade refused: HTTP ${resp.statusCode}`)));
    ws.once("close", () => rej(new Error("closed before open")));
  });
  r.send = (data) => ws.send(data);
  r.waitRecord = async (pred, timeout = 3000, what = "record") => {
    const deadline = Date.now() + timeout;
    for (;;) {
      const f = r.records.find(pred);
      if (f) return f;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; records=${JSON.stringify(r.records).slice(0, 1000)} closed=${r.isClosed}`);
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
  if (handshake) {
    const hs = `{"protocol":"${protocol}","version":1}${RS}`;
    ws.send(handshakeAsBinary ? Buffer.from(hs) : hs);
    const deadline = Date.now() + 3000;
    while (r.handshakeReply === undefined) {
      if (Date.now() > deadline || r.isClosed) throw new Error(`no handshake reply (closed=${r.isClosed}, frames=${r.frames.length})`);
      await sleep(5);
    }
  }
  return r;
}

/** VmRSS of a process in bytes (Linux). */
export function rssBytes(pid) {
  const s = fs.readFileSync(`/proc/${pid}/status`, "utf8");
  const m = /VmRSS:\s+(\d+)\s+kB/.exec(s);
  return m ? Number(m[1]) * 1024 : NaN;
}

/**
 * Spawn `switchboard service` on a given port and key (for restart-on-the-same-port tests);
 * resolves once /api/health answers. Returns {proc, port, key, log, exited, exitPromise, stop()}.
 */
export async function spawnOnPort(port, key, extraArgs = []) {
  const proc = spawn(BINARY, ["service", "--bind", "127.0.0.1", "--port", String(port), "--access-key", key, ...extraArgs], {
    cwd: REPO_ROOT,
    stdio: ["ignore", "pipe", "pipe"],
  });
  const s = { proc, port, key, log: "", exited: false, exitCode: null };
  proc.stdout.on("data", (d) => (s.log += d));
  proc.stderr.on("data", (d) => (s.log += d));
  s.exitPromise = new Promise((r) => proc.on("exit", (code) => ((s.exited = true), (s.exitCode = code), r())));
  process.on("exit", () => {
    try {
      if (!s.exited) proc.kill("SIGKILL");
    } catch {
      /* gone */
    }
  });
  s.stop = () => stopProcess(s);
  const deadline = Date.now() + 10000;
  for (;;) {
    if (s.exited) throw new Error(`switchboard exited at startup: ${s.log}`);
    try {
      const r = await rawRequest({ port, path: "/api/health", timeout: 1000 });
      if (r.status === 200) return s;
    } catch {
      /* not yet */
    }
    if (Date.now() > deadline) {
      await s.stop();
      throw new Error(`no health on ${port}: ${s.log}`);
    }
    await sleep(50);
  }
}

/** Random bytes that avoid a given byte value. */
export function randomBytesWithout(n, avoid) {
  const b = crypto.randomBytes(n);
  for (let i = 0; i < b.length; i++) if (b[i] === avoid) b[i] = (avoid + 1) & 0xff;
  return b;
}

export { net };
