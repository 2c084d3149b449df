// Descriptor exhaustion and idle connections, on the service and on the functions host (both use
// the same HTTP server): under a low open-file limit a flood of connections that never send a byte
// must not spin the accept loop or flood the log, the server must answer again without the flood
// being released, connections without a request are closed after --header-timeout, and beyond
// --max-pending-connections the oldest of them are closed at once (those past their first second,
// or any beyond twice the cap); so are the oldest client connections that never complete the hub
// handshake. Without a cap (the default) idle connections are closed only when descriptors run
// short, and a storm of clients far beyond any cap all get in.
import { test, describe, after } from "node:test";
import assert from "node:assert/strict";
import net from "node:net";
import { startService, rawRequest, rawConnect, restCall, p22, RS, sleep, waitFor, logged } from "./helpers.mjs";
import { startHost, writeApp, tempDir, removeTempDirs, logged as hostLogged } from "./functions-helpers.mjs";
import { negotiateRaw, openSse } from "./transports-helpers.mjs";

after(removeTempDirs);

const FD_LIMIT = 256;
// Under `make sanitize` the tests that exhaust the server's descriptors are skipped: UBSan's vptr
// check and the symbolizer need descriptors of their own, and report false errors without them.
const FD_TEST = process.env.SWITCHBOARD_SANITIZED ? { skip: "sanitized build (needs descriptors of its own)" } : {};
const FLOOD = 400; // more idle connections than the server has descriptors
// The storm tests' open-file limit: a count cap of a quarter of it (the default before the rule by
// descriptors) held 1,024 silent connections, a quarter of 4,096.
const STORM_FD_LIMIT = 4096;

/**
 * Open `n` TCP connections that never send a byte. Each records when the server closed it
 * (closedAt); the test never closes them itself until release().
 */
async function openIdle(port, n) {
  const conns = await Promise.all(
    Array.from({ length: n }, () => {
      const conn = { closedAt: null, openedAt: Date.now() };
      return new Promise((resolve, reject) => {
        const sock = net.connect({ host: "127.0.0.1", port });
        conn.sock = sock;
        sock.on("error", () => {}); // a reset is one way the server closes it
        sock.on("close", () => (conn.closedAt = Date.now()));
        sock.on("data", () => {});
        sock.once("connect", () => resolve(conn));
        sock.once("error", reject);
      });
    }),
  );
  const group = {
    conns,
    open: () => conns.filter((c) => c.closedAt === null).length,
    closed: () => conns.filter((c) => c.closedAt !== null).length,
    release: () => conns.forEach((c) => c.sock.destroy()),
  };
  return group;
}

/** Poll `GET path` until it answers 200; resolves with the milliseconds it took, or throws. */
async function answersWithin(port, path, ms) {
  const start = Date.now();
  let last = "no attempt";
  while (Date.now() - start < ms) {
    try {
      const res = await rawRequest({ port, path, timeout: 1000 });
      if (res.status === 200) return Date.now() - start;
      last = `HTTP ${res.status}`;
    } catch (e) {
      last = e.message;
    }
    await sleep(100);
  }
  throw new Error(`GET ${path} did not answer 200 within ${ms} ms (last: ${last})`);
}

const acceptFailureLines = (log) => log.split("\n").filter((l) => /accept failed/.test(l)).length;

/**
 * The flood scenario against one server (`port`, with `log()` and `alive()`), started under
 * FD_LIMIT with a 3 s header timeout and a cap above the descriptor limit, so that descriptors
 * really run out.
 */
async function floodUnderFdLimit({ port, path, log, alive }) {
  const mark = log().length;
  const flood = await openIdle(port, FLOOD);
  try {
    await sleep(1500); // the server is out of descriptors for this while (header timeout: 3 s)
    assert.ok(alive(), "the server is still running while its descriptors are exhausted");
    // The connections it had no descriptor for were closed at once, not left waiting.
    assert.ok(
      flood.closed() >= FLOOD - FD_LIMIT,
      `only ${flood.closed()} of the ${FLOOD} connections were closed while descriptors were exhausted`,
    );
    // It answers again without the client releasing anything: the header timeout closes the idle
    // connections (and the waiting ones were closed unanswered), so descriptors come back.
    const tookMs = await answersWithin(port, path, 8000);
    await waitFor(() => flood.open() === 0, {
      timeout: 8000,
      message: `the server closing all ${FLOOD} idle connections (still open: ${flood.open()})`,
    });
    const lastClose = Math.max(...flood.conns.map((c) => c.closedAt - c.openedAt));
    assert.ok(lastClose < 12000, `the last idle connection was closed after ${lastClose} ms`);
    const lines = acceptFailureLines(log().slice(mark));
    assert.ok(lines >= 1, "the exhaustion is reported in the log");
    assert.ok(lines <= 5, `${lines} "accept failed" log lines for one exhaustion episode`);
    assert.ok(alive(), "the server is still running");
    return tookMs;
  } finally {
    flood.release();
  }
}

/** The cap scenario: 20 old idle connections, then 20 newer ones, with a cap of 20. */
async function oldestShedBeyondCap({ port, path, log }) {
  const old = await openIdle(port, 20);
  // All admitted, and older than the grace a new connection gets beyond the cap (1 s: in a storm
  // the newest are real clients whose first bytes are on their way).
  await sleep(1200);
  const newer = await openIdle(port, 20);
  try {
    await waitFor(() => old.open() === 0, {
      timeout: 3000,
      message: `the 20 oldest idle connections being closed (still open: ${old.open()})`,
    });
    await sleep(500);
    assert.equal(newer.open(), 20, "the 20 newest idle connections stay open (within the cap)");
    assert.match(log(), /closed the oldest \d+ connections? still waiting for a request/);
    await answersWithin(port, path, 2000);
  } finally {
    old.release();
    newer.release();
  }
}

describe("connection limits (service)", () => {
  test(
    "under a low open-file limit, a flood of idle connections does not spin the accept loop, and /api/health answers again without the flood being released",
    FD_TEST,
    logged(async () => {
      const svc = await startService({
        fdLimit: FD_LIMIT,
        args: ["--header-timeout", "3", "--max-pending-connections", "100000"],
      });
      try {
        await floodUnderFdLimit({ port: svc.port, path: "/api/health", log: () => svc.log, alive: () => !svc.exited });
      } finally {
        await svc.stop();
      }
    }),
  );

  test(
    "with the default limits under a low open-file limit, /api/health answers at once during a flood of idle connections",
    FD_TEST,
    logged(async () => {
      const svc = await startService({ fdLimit: FD_LIMIT });
      const flood = await openIdle(svc.port, FLOOD);
      try {
        await sleep(500);
        // By default the oldest idle connections are closed when descriptors run short: from
        // seven eighths of the limit one for each new connection, whatever its age, so
        // descriptors never run out and a new client is served at once, long before the 10 s
        // header timeout; idle connections are held up to that point, not beyond.
        const tookMs = await answersWithin(svc.port, "/api/health", 3000);
        assert.ok(flood.open() > 0, "some idle connections are still open");
        assert.ok(
          flood.closed() >= FLOOD - (FD_LIMIT * 7) / 8,
          `only ${flood.closed()} idle connections were closed`,
        );
        assert.equal(acceptFailureLines(svc.log), 0, "descriptors never ran out");
        assert.ok(tookMs < 3000);
      } finally {
        flood.release();
        await svc.stop();
      }
    }),
  );

  test(
    "idle connections beyond --max-pending-connections are closed, oldest first",
    logged(async () => {
      const svc = await startService({ args: ["--max-pending-connections", "20"] });
      try {
        await oldestShedBeyondCap({ port: svc.port, path: "/api/health", log: () => svc.log });
      } finally {
        await svc.stop();
      }
    }),
  );

  test(
    "a connection that sends nothing or trickles its headers is closed after --header-timeout (the trickler with 408); a kept-alive one waits longer between requests",
    logged(async () => {
      const svc = await startService({ args: ["--header-timeout", "1"] });
      const socks = [];
      try {
        const connect = () =>
          new Promise((resolve, reject) => {
            const s = net.connect({ host: "127.0.0.1", port: svc.port });
            const c = { sock: s, data: "", closedAt: null, openedAt: Date.now() };
            socks.push(s);
            s.setEncoding("latin1");
            s.on("data", (d) => (c.data += d));
            s.on("error", () => {});
            s.on("close", () => (c.closedAt = Date.now()));
            s.once("connect", () => resolve(c));
            s.once("error", reject);
          });
        const silent = await connect();
        const trickler = await connect();
        trickler.sock.write("GET /api/health HTTP/1.1\r\nHost: 127.0.0.1\r\n");
        const trickle = setInterval(() => !trickler.sock.destroyed && trickler.sock.write("X-Slow: 1\r\n"), 200);
        const kept = await connect();
        kept.sock.write("GET /api/health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
        try {
          await waitFor(() => silent.closedAt !== null && trickler.closedAt !== null, {
            timeout: 5000,
            message: "the silent and the trickling connections being closed",
          });
        } finally {
          clearInterval(trickle);
        }
        assert.ok(silent.closedAt - silent.openedAt >= 800, "not closed before the header timeout");
        assert.equal(silent.data, "", "nothing is answered to a connection that sent nothing");
        assert.match(trickler.data, /^HTTP\/1\.1 408 /, "headers that never end get 408 (limits.test.mjs has the details)");
        assert.match(kept.data, /^HTTP\/1\.1 200/);
        await sleep(2500); // longer than the header timeout, between two requests
        assert.equal(kept.closedAt, null, "a kept-alive connection waits for its next request");
        kept.data = "";
        kept.sock.write("GET /api/health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
        await waitFor(() => /^HTTP\/1\.1 200/.test(kept.data), { message: "the second answer on the kept-alive connection" });
      } finally {
        for (const s of socks) s.destroy();
        await svc.stop();
      }
    }),
  );

  test(
    "a storm: with the default limits, 1,500 connections silent past their first second (beyond what a count cap of a quarter of the descriptors held) are all served once their requests come",
    FD_TEST,
    logged(async () => {
      const svc = await startService({ fdLimit: STORM_FD_LIMIT });
      const storm = await openIdle(svc.port, 1500);
      try {
        await sleep(1500); // all of them past the grace, as a busy crowd's late requests
        assert.equal(storm.closed(), 0, "no silent connection is closed while descriptors are plentiful");
        const answers = await Promise.all(
          storm.conns.map(
            (c) =>
              new Promise((resolve) => {
                let data = "";
                c.sock.setEncoding("latin1");
                c.sock.removeAllListeners("data");
                c.sock.on("data", (d) => {
                  data += d;
                  if (data.includes("\r\n\r\n")) resolve(data.slice(0, 12));
                });
                c.sock.on("close", () => resolve(data.slice(0, 12) || "closed"));
                c.sock.write("GET /api/health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
              }),
          ),
        );
        const ok = answers.filter((a) => a === "HTTP/1.1 200").length;
        assert.equal(ok, 1500, `${ok} of 1,500 answered 200 (others: ${[...new Set(answers)].join(", ")})`);
        assert.doesNotMatch(svc.log, /closed the oldest/);
      } finally {
        storm.release();
        await svc.stop();
      }
    }),
  );

  test(
    "a storm: with the default limits, 300 client connections that handshake only after their first second are all kept",
    FD_TEST,
    logged(async () => {
      // Under 1,024 descriptors a count cap of a quarter of them held 256 awaiting the handshake.
      const svc = await startService({ fdLimit: 1024, args: ["--negotiate-rate", "0"] });
      const sockets = [];
      try {
        for (let i = 0; i < 300; i++) sockets.push(await rawConnect(svc, { user: `late${i}` }));
        await sleep(1200);
        assert.equal(sockets.filter((r) => r.isClosed).length, 0, "none closed before its handshake");
        await Promise.all(
          sockets.map(async (r) => {
            r.send(`{"protocol":"json","version":1}${RS}`);
            assert.deepEqual(await r.next(() => true, 5000, "handshake reply"), {});
          }),
        );
        assert.doesNotMatch(svc.log, /closed the oldest/);
      } finally {
        for (const r of sockets) r.close();
        await svc.stop();
      }
    }),
  );

  test(
    "with the default limits, event streams that never send the hub handshake are closed, oldest first, once descriptors run short",
    FD_TEST,
    logged(async () => {
      const svc = await startService({ fdLimit: FD_LIMIT, args: ["--negotiate-rate", "0"] });
      const open = async (count, prefix) => {
        const streams = [];
        for (let i = 0; i < count; i++) {
          const n = await negotiateRaw(svc, { user: `${prefix}${i}` });
          const s = await openSse(svc.port, n.path, n.auth);
          assert.equal(s.status, 200);
          streams.push(s);
        }
        return streams;
      };
      const old = await open(120, "old");
      const newer = [];
      try {
        await sleep(1200); // past their first second, and three quarters of the descriptors still free
        assert.equal(old.filter((s) => s.ended).length, 0, "none closed while descriptors are plentiful");
        // Each new stream holds a descriptor: past three quarters of the limit (192) the old ones,
        // silent for more than a second, are closed to make room.
        newer.push(...(await open(80, "new")));
        await waitFor(() => old.every((s) => s.ended), {
          timeout: 5000,
          message: () => `the old streams being closed (still open: ${old.filter((s) => !s.ended).length})`,
        });
        assert.equal(newer.filter((s) => s.ended).length, 0, "the streams within their first second stay");
        assert.match(svc.log, /closed the oldest \d+ connections? still waiting for the hub handshake: descriptors are running short/);
      } finally {
        for (const s of [...old, ...newer]) s.close();
        await svc.stop();
      }
    }),
  );

  test(
    "client connections that never complete the hub handshake are capped too: beyond --max-pending-connections the oldest are closed",
    logged(async () => {
      const svc = await startService({ args: ["--max-pending-connections", "5"] });
      const sockets = [];
      try {
        // Negotiated and upgraded with a valid token (anyone can get one from an anonymous
        // negotiate function), then silent: without the cap each would be held 15 s.
        for (let i = 0; i < 12; i++) {
          // The first 6 grow older than the 1 s grace before the next 6 come.
          if (i === 6) await sleep(1200);
          const r = await rawConnect(svc, { user: `idle${i}` });
          sockets.push(r);
        }
        await waitFor(() => sockets.filter((r) => r.isClosed).length >= 6, {
          timeout: 5000,
          message: () => `the 6 oldest closed (closed: ${sockets.map((r) => (r.isClosed ? 1 : 0)).join("")})`,
        });
        await sleep(300);
        assert.deepEqual(
          sockets.map((r) => r.isClosed),
          [...Array(6).fill(true), ...Array(6).fill(false)],
          "the 6 older than the grace went, oldest first; the 6 newest (one beyond the cap, within their first second) are still open",
        );
        assert.match(svc.log, /closed the oldest \d+ connections? still waiting for the hub handshake/);
        // A newest one completes its handshake and is a connection like any other; a new client
        // still gets in.
        const last = sockets.at(-1);
        last.send(`{"protocol":"json","version":1}${RS}`);
        assert.deepEqual(await last.next(() => true, 3000, "handshake reply"), {});
        const fresh = await rawConnect(svc, { user: "fresh", handshake: true });
        sockets.push(fresh);
        const res = await restCall(svc, "HEAD", p22("chat", `/connections/${fresh.connectionId}`));
        assert.equal(res.status, 200);
      } finally {
        for (const r of sockets) r.close();
        await svc.stop();
      }
    }),
  );
});

describe("connection limits (functions host)", () => {
  // A function app with no functions, only a static page: the host serves GET / from wwwroot.
  const app = () =>
    writeApp(tempDir(), {
      "host.json": { version: "2.0" },
      "local.settings.json": { IsEncrypted: false, Values: {} },
      "wwwroot/index.html": "<!doctype html><title>limits</title>",
    });
  // No function calls the service: its connection string names a port nothing listens on.
  const connectionString = "Endpoint=http://localhost;Port=9;AccessKey=unused-key-0123456789abcdef;Version=1.0;";

  test(
    "under a low open-file limit, a flood of idle connections does not spin the host's accept loop, and it serves again without the flood being released",
    FD_TEST,
    hostLogged(async () => {
      const host = await startHost({
        app: app(),
        mode: "functions",
        connectionString,
        fdLimit: FD_LIMIT,
        extraArgs: ["--header-timeout", "3", "--max-pending-connections", "100000"],
      });
      try {
        await floodUnderFdLimit({ port: host.port, path: "/", log: () => host.log, alive: () => !host.exited });
      } finally {
        await host.stop();
      }
    }),
  );

  test(
    "idle connections beyond --max-pending-connections are closed by the host, oldest first",
    hostLogged(async () => {
      const host = await startHost({
        app: app(),
        mode: "functions",
        connectionString,
        extraArgs: ["--max-pending-connections", "20"],
      });
      try {
        await oldestShedBeyondCap({ port: host.port, path: "/", log: () => host.log });
      } finally {
        await host.stop();
      }
    }),
  );
});
