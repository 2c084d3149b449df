// Helpers for the cluster integration tests (tests/integration/cluster-*.test.mjs): a real
// redis-server on a free loopback port, and n `switchboard service --redis` nodes sharing one key.
//
//   startRedis      redis-server (no persistence) with stop / kill / restart / pause / resume / cli
//   startCluster    n nodes via startService, distinct --node-id, same access key, one negotiate
//                   fixture per node (a client connected through node i's fixture is placed on node i
//                   when that node does not balance)
//   useCluster      node:test hooks: Redis + cluster for the file, clients stopped after each test,
//                   everything stopped at the end (and SIGKILLed by the exit safety net if need be)
//   connectOn       an official client (transport, JSON or MessagePack) through a node's fixture
//   nodeOfClient    the node a client ended up on (the last negotiate URL its client logged)
//   health          GET /api/health of a node, parsed

import { spawn, execFile } from "node:child_process";
import crypto from "node:crypto";
import net from "node:net";
import assert from "node:assert/strict";
import { before, after, afterEach } from "node:test";
import {
  REPO_ROOT,
  captureProcess,
  freePort,
  rawRequest,
  sleep,
  startNegotiateFixture,
  startService,
  stopProcess,
  stopAllClients,
  trackProcess,
  uid,
} from "./helpers.mjs";
import { connectOfficial } from "./transports-helpers.mjs";

export const REDIS_SERVER = process.env.REDIS_SERVER_BIN || "/usr/bin/redis-server";
export const REDIS_CLI = process.env.REDIS_CLI_BIN || "/usr/bin/redis-cli";

// ---------------------------------------------------------------------------
// Redis

/** Does 127.0.0.1:port answer a RESP PING (PONG, or NOAUTH when a password is set)? */
function redisAnswers(port) {
  return new Promise((resolve) => {
    const s = net.connect({ host: "127.0.0.1", port });
    let text = "";
    const done = (v) => {
      s.destroy();
      resolve(v);
    };
    s.setTimeout(1000, () => done(false));
    s.on("error", () => done(false));
    s.on("connect", () => s.write("PING\r\n"));
    s.on("data", (d) => {
      text += d.toString("latin1");
      if (text.includes("\r\n")) done(/^(\+PONG|-NOAUTH)/.test(text));
    });
  });
}

/**
 * Start a redis-server on a free loopback port (no RDB, no AOF).
 *   password: --requirepass (the URL then carries it)
 *   port: this port instead of a free one
 * Returns {port, url, password, log, stop(), kill(), restart(), pause(), resume(), cli(...args)}.
 * restart() starts it again on the same port with the same arguments (an empty Redis: no persistence).
 */
export async function startRedis({ password, port: wantedPort } = {}) {
  const port = wantedPort ?? (await freePort());
  const args = ["--save", "", "--appendonly", "no", "--bind", "127.0.0.1", "--port", String(port)];
  if (password !== undefined) args.push("--requirepass", password);
  const r = {
    port,
    password,
    args,
    url: `redis://${password !== undefined ? `:${encodeURIComponent(password)}@` : ""}127.0.0.1:${port}`,
    log: "",
    proc: null,
  };
  const spawnIt = async () => {
    const rec = { label: "redis-server", port, args, stdout: "", stderr: "", log: "", exited: false, exitCode: null, exitSignal: null };
    rec.proc = spawn(REDIS_SERVER, args, { cwd: REPO_ROOT, stdio: ["ignore", "pipe", "pipe"] });
    captureProcess(rec.proc, rec, "redis-server exited");
    trackProcess(rec);
    r.current = rec;
    r.proc = rec.proc;
    const deadline = Date.now() + 10000;
    while (!(await redisAnswers(port))) {
      if (rec.exited) throw new Error(`redis-server exited at start-up on port ${port}:\n${rec.log}`);
      if (Date.now() > deadline) {
        await stopProcess(rec);
        throw new Error(`redis-server did not answer PING on port ${port} within 10 s:\n${rec.log}`);
      }
      await sleep(20);
    }
  };
  Object.defineProperty(r, "exited", { get: () => r.current.exited });
  r.stop = async () => {
    if (r.current.exited) return;
    try {
      r.current.proc.kill("SIGCONT"); // a paused Redis cannot handle SIGTERM
    } catch {
      /* gone */
    }
    await stopProcess(r.current);
  };
  r.kill = async () => {
    if (r.current.exited) return;
    r.current.proc.kill("SIGKILL");
    await r.current.exitPromise;
  };
  r.restart = async () => {
    await r.stop();
    await spawnIt();
  };
  r.pause = () => r.current.proc.kill("SIGSTOP");
  r.resume = () => r.current.proc.kill("SIGCONT");
  /** Run redis-cli against this Redis; resolves {code, stdout, stderr}. Arguments are passed as they are. */
  r.cli = (...cliArgs) => r.cliWithInput(null, ...cliArgs);
  /** redis-cli -x: the last argument is `input` (a Buffer: binary-safe, NUL bytes included). */
  r.cliWithInput = (input, ...cliArgs) =>
    new Promise((resolve) => {
      const auth = password !== undefined ? ["-a", password, "--no-auth-warning"] : [];
      const child = execFile(
        REDIS_CLI,
        ["-h", "127.0.0.1", "-p", String(port), ...auth, ...(input !== null ? ["-x"] : []), ...cliArgs],
        { timeout: 5000 },
        (err, stdout, stderr) => resolve({ code: err ? (err.code ?? 1) : 0, stdout, stderr }),
      );
      if (input !== null) child.stdin.end(input);
    });
  await spawnIt();
  return r;
}

/**
 * A raw RESP subscriber on every channel (PSUBSCRIBE *): records {channel, payload (Buffer)} of each
 * message published on this Redis, byte for byte. Resolves once subscribed. {messages, close()}
 */
export function subscribeAll(redis) {
  return new Promise((resolve, reject) => {
    const sub = { messages: [] };
    const s = net.connect({ host: "127.0.0.1", port: redis.port });
    let buf = Buffer.alloc(0);
    let subscribed = false;
    // Parse one RESP value at buf[off]; returns [value, next] or null when incomplete.
    const parse = (off) => {
      if (off >= buf.length) return null;
      const eol = buf.indexOf("\r\n", off);
      if (eol < 0) return null;
      const type = String.fromCharCode(buf[off]);
      const line = buf.subarray(off + 1, eol).toString("latin1");
      if (type === "+" || type === "-" || type === ":") return [line, eol + 2];
      if (type === "$") {
        const n = Number(line);
        if (n < 0) return [null, eol + 2];
        if (eol + 2 + n + 2 > buf.length) return null;
        return [buf.subarray(eol + 2, eol + 2 + n), eol + 2 + n + 2];
      }
      if (type === "*") {
        const n = Number(line);
        const out = [];
        let next = eol + 2;
        for (let i = 0; i < n; i++) {
          const v = parse(next);
          if (!v) return null;
          out.push(v[0]);
          next = v[1];
        }
        return [out, next];
      }
      throw new Error(`unexpected RESP type ${type}`);
    };
    s.on("error", (e) => (subscribed ? undefined : reject(e)));
    s.on("connect", () => {
      const cmds = [];
      if (redis.password !== undefined) cmds.push(["AUTH", redis.password]);
      cmds.push(["PSUBSCRIBE", "*"]);
      for (const c of cmds) s.write(`*${c.length}\r\n${c.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join("")}`);
    });
    s.on("data", (d) => {
      buf = Buffer.concat([buf, d]);
      for (;;) {
        const v = parse(0);
        if (!v) break;
        buf = buf.subarray(v[1]);
        const [value] = v;
        if (Array.isArray(value) && String(value[0]) === "psubscribe") {
          subscribed = true;
          resolve(sub);
        } else if (Array.isArray(value) && String(value[0]) === "pmessage") {
          sub.messages.push({ channel: value[2].toString("utf8"), payload: Buffer.from(value[3]) });
        }
      }
    });
    sub.close = () => s.destroy();
  });
}

/**
 * `count` idle raw connections subscribed (PSUBSCRIBE) to every node's channel: Redis writes a
 * notice to a node after writing it to all of them, which widens the gap between its answer to the
 * script that published the notice and the node's copy leaving Redis (a kill in that gap loses the
 * notice). Resolves once all are subscribed; close() ends them.
 */
export async function crowdNodeChannels(redis, count) {
  const auth = redis.password !== undefined ? ["AUTH", redis.password] : null;
  const resp = (args) => `*${args.length}\r\n${args.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join("")}`;
  const sockets = await Promise.all(
    Array.from(
      { length: count },
      () =>
        new Promise((resolve, reject) => {
          const s = net.connect({ host: "127.0.0.1", port: redis.port });
          let text = "";
          s.once("error", reject);
          s.on("connect", () => s.write((auth ? resp(auth) : "") + resp(["PSUBSCRIBE", "sb:n:*"])));
          s.on("data", (d) => {
            if (text === null) return;
            text += d.toString("latin1");
            if (text.includes("psubscribe")) {
              text = null;
              s.removeListener("error", reject);
              s.on("error", () => {});
              resolve(s);
            }
          });
        }),
    ),
  );
  return { close: () => sockets.forEach((s) => s.destroy()) };
}

/**
 * PUBLISH `payload` (a Buffer) on `channel` `times` times over one raw connection, pipelined;
 * resolves once Redis answered every one.
 */
export function publishMany(redis, channel, payload, times) {
  return new Promise((resolve, reject) => {
    const s = net.connect({ host: "127.0.0.1", port: redis.port });
    const head = (n) => Buffer.from(`$${n}\r\n`);
    const command = Buffer.concat([
      Buffer.from(`*3\r\n$7\r\nPUBLISH\r\n$${Buffer.byteLength(channel)}\r\n${channel}\r\n`),
      head(payload.length),
      payload,
      Buffer.from("\r\n"),
    ]);
    let answers = 0;
    let text = "";
    s.once("error", reject);
    s.on("connect", () => {
      if (redis.password !== undefined) {
        s.write(`*2\r\n$4\r\nAUTH\r\n$${Buffer.byteLength(redis.password)}\r\n${redis.password}\r\n`);
        answers = -1;
      }
      for (let i = 0; i < times; i++) s.write(command);
    });
    s.on("data", (d) => {
      text += d.toString("latin1");
      const lines = text.split("\r\n");
      text = lines.pop();
      answers += lines.length;
      if (answers >= times) {
        s.destroy();
        resolve();
      }
    });
  });
}

/** The subscriber connections Redis holds (CLIENT LIST lines with sub or psub > 0): [{id, omem}]. */
export async function redisSubscribers(redis) {
  const { stdout } = await redis.cli("CLIENT", "LIST");
  return stdout
    .split("\n")
    .map((line) => Object.fromEntries(line.trim().split(" ").map((kv) => kv.split("="))))
    .filter((c) => Number(c.sub) > 0 || Number(c.psub) > 0)
    .map((c) => ({ id: c.id, omem: Number(c.omem) }));
}

/**
 * A "newer format" version of a real backplane message: its version marker bumped. JSON messages
 * get every version-like field set to 9999 (or a "v": 9999 when none); binary ones their first byte
 * (the usual place of a format tag) set to 0xFE.
 */
export function newerFormat(payload) {
  const text = payload.toString("utf8");
  try {
    const obj = JSON.parse(text);
    if (obj && typeof obj === "object" && !Array.isArray(obj)) {
      let bumped = false;
      for (const k of Object.keys(obj)) if (/^(v|ver|version|format|fmt|schema)$/i.test(k)) (obj[k] = 9999), (bumped = true);
      if (!bumped) obj.v = 9999;
      return Buffer.from(JSON.stringify(obj));
    }
  } catch {
    /* binary */
  }
  const out = Buffer.from(payload);
  if (out.length > 0) out[0] = 0xfe;
  return out;
}

// ---------------------------------------------------------------------------
// Nodes

/** GET /api/health of a node: {status, json, text}. */
export async function health(node, timeout = 5000) {
  const r = await rawRequest({ port: node.port, path: "/api/health", timeout });
  return { status: r.status, json: r.json, text: r.text, headers: r.headers };
}

/**
 * Start one cluster node (`switchboard service --redis URL --node-id ID`) with the given key.
 *   balance: "least-loaded" | "off" | undefined (the default: no --balance flag)
 *   args: more arguments, or a function (port) => arguments
 *   env: extra environment
 */
export async function startNode({ redis, redisUrl, key, nodeId = uid("node-"), balance, args = [], env } = {}) {
  const node = await startService({
    keys: [key],
    env,
    args: (port) => [
      ...(redisUrl !== null ? ["--redis", redisUrl ?? redis.url] : []),
      "--node-id",
      nodeId,
      ...(balance !== undefined ? ["--balance", balance] : []),
      "--keep-alive-interval",
      "1",
      ...(typeof args === "function" ? args(port) : args),
    ],
  });
  node.nodeId = nodeId;
  node.fx = await startNegotiateFixture(node);
  const stop = node.stop;
  node.stop = async () => {
    await node.fx.close().catch(() => {});
    await stop();
  };
  node.kill = async () => {
    if (node.exited) return;
    node.proc.kill("SIGKILL");
    await node.exitPromise;
  };
  return node;
}

/**
 * Start n nodes on one Redis, same access key, distinct node ids ("<prefix>-a", "-b", ...).
 *   balance: passed to every node (undefined: the default); args: extra arguments for every node
 * Returns {nodes, key, redis, stop()}.
 */
export async function startCluster(n, { redis, args = [], balance, key = `key-${crypto.randomBytes(16).toString("hex")}`, env } = {}) {
  const prefix = uid("n");
  const nodes = [];
  try {
    for (let i = 0; i < n; i++) {
      nodes.push(await startNode({ redis, key, nodeId: `${prefix}-${String.fromCharCode(97 + i)}`, balance, args, env }));
    }
  } catch (e) {
    await Promise.all(nodes.map((x) => x.stop()));
    throw e;
  }
  return {
    nodes,
    key,
    redis,
    stop: () => Promise.all(nodes.map((x) => x.stop())),
  };
}

// ---------------------------------------------------------------------------
// Clients

const clusterClients = new Set();

/**
 * An official client through `node`'s negotiate fixture (see connectOfficial for the options:
 * user, hub, transport, protocol, reconnect, targets). Stopped by stopClusterClients / useCluster.
 * The recorder gets .node (the node it ended up on, found from its negotiate requests).
 */
export async function connectOn(node, opts = {}, nodes = []) {
  const c = await connectOfficial(node.fx, opts);
  clusterClients.add(c);
  c.port = portOfClient(c);
  c.node = nodes.find((x) => x.port === c.port);
  c.label = `${c.label}#${c.id}@${c.node?.nodeId ?? c.port}`;
  return c;
}

/** connectOn(nodes[i]), asserting the client stayed on that node (for clusters with --balance off). */
export async function placeOn(nodes, i, opts = {}) {
  const c = await connectOn(nodes[i], opts, nodes);
  assert.equal(c.node, nodes[i], `${c.label} should be on node ${i}, the one it negotiated with (--balance off)`);
  return c;
}

/** The port of the node a client negotiated with last (after any redirects): the node that holds it. */
export function portOfClient(c) {
  const urls = c.logs.map((l) => /Sending negotiation request: (\S+?)\.?$/.exec(l.message)).filter(Boolean).map((m) => m[1]);
  const last = urls[urls.length - 1];
  return last ? Number(new URL(last).port) : undefined;
}

/** The negotiate URLs a client requested, in order (the first is the fixture's). */
export function negotiateUrls(c) {
  return c.logs.map((l) => /Sending negotiation request: (\S+?)\.?$/.exec(l.message)).filter(Boolean).map((m) => m[1]);
}

export async function stopClusterClients() {
  const all = [...clusterClients];
  clusterClients.clear();
  await Promise.all(all.map((c) => c.stop()));
  await stopAllClients();
}

/**
 * node:test hooks for a file: one Redis and an n-node cluster (options as startCluster), handed to
 * onReady({redis, cluster, nodes}); clients stopped after each test; all stopped at the end.
 */
export function useCluster(n, onReady, options = {}) {
  let redis;
  let cluster;
  before(async () => {
    redis = await startRedis(options.redisOptions);
    cluster = await startCluster(n, { ...options, redis });
    onReady({ redis, cluster, nodes: cluster.nodes });
  });
  afterEach(stopClusterClients);
  after(async () => {
    await stopClusterClients();
    await cluster?.stop();
    await redis?.stop();
  });
}
