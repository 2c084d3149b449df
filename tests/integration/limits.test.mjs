// The service's limits under abuse (docs/limits.md): the node's connection limit (503 +
// Retry-After at negotiate and at every transport's opening request), the per-address limit and
// the negotiate rate (429 + Retry-After), X-Forwarded-For believed only from --trusted-proxy,
// size limits (431, 413, a hub message over --max-message-size on each transport, WebSocket
// 1009) and the slowloris timeouts (dripped headers and bodies get 408, idle kept-alive
// connections are closed, a WebSocket client silent mid-frame is closed after
// --client-timeout-interval). What a user sees is checked with the official client; the rest
// with raw sockets.
import { test, describe, after } from "node:test";
import assert from "node:assert/strict";
import net from "node:net";
import {
  signalR,
  startService,
  startNegotiateFixture,
  connectClient,
  stopAllClients,
  clientToken,
  rawRequest,
  openRawSocket,
  restCall,
  p22,
  RS,
  sleep,
  waitFor,
  logged,
} from "./helpers.mjs";
import { startHost, writeApp, tempDir, removeTempDirs } from "./functions-helpers.mjs";

after(removeTempDirs);
after(stopAllClients);

/** Negotiate at the service itself, as a client that skips the app's negotiate function. */
function negotiate(svc, { user, headers = {}, hub = "chat" } = {}) {
  return rawRequest({
    port: svc.port,
    method: "POST",
    path: `/client/negotiate?hub=${hub}&negotiateVersion=1`,
    headers: { Authorization: `Bearer ${clientToken(svc, hub, user)}`, ...headers },
  });
}

/** Open a WebSocket with a negotiated token (and the handshake done); rejects with {status, body}. */
async function openWs(svc, n, { user, headers = {}, hub = "chat" } = {}) {
  const url =
    `ws://127.0.0.1:${svc.port}/client/?hub=${hub}&id=${n.json.connectionToken}` +
    `&access_token=${encodeURIComponent(clientToken(svc, hub, user))}`;
  const r = await openRawSocket(url, { headers });
  r.send(`{"protocol":"json","version":1}${RS}`);
  assert.deepEqual(await r.next(() => true, 5000, "handshake reply"), {});
  return r;
}

async function refusedUpgrade(promise) {
  const err = await promise.then(
    (r) => {
      r.close();
      return null;
    },
    (e) => e,
  );
  assert.ok(err && err.status, `the upgrade is refused with an HTTP status (got ${err ? err.message : "an open socket"})`);
  return err;
}

function expectRefusal(res, status, messagePattern, what) {
  assert.equal(res.status, status, `${what}: status (body ${res.text})`);
  assert.match(String(res.headers["retry-after"]), /^[1-9]\d*$/, `${what}: Retry-After`);
  assert.match(res.json?.message ?? "", messagePattern, `${what}: message`);
}

describe("connection limits", () => {
  test(
    "--max-connections: the client over the limit is refused with 503 + Retry-After at negotiate (the official client shows why) and at every transport's opening request; a freed place is taken again",
    logged(async () => {
      const svc = await startService({ args: ["--max-connections", "2"] });
      const fx = await startNegotiateFixture(svc);
      const sockets = [];
      try {
        // Tokens negotiated while there was room: clients that go straight to the transport.
        const spare = [];
        for (let i = 0; i < 3; i++) spare.push(await negotiate(svc, { user: `spare${i}` }));
        const a = await connectClient(fx, { user: "a" });
        const b = await connectClient(fx, { user: "b" });
        const refused = await connectClient(fx, { user: "c" }).then(
          () => null,
          (e) => e,
        );
        assert.ok(refused, "the third official client does not connect");
        assert.match(refused.message, /connection limit \(2 connections\)/, "the client's error says why");

        const res = await negotiate(svc, { user: "d" });
        expectRefusal(res, 503, /^The service has reached its connection limit \(2 connections\); try again later\.$/, "negotiate");
        assert.equal(res.headers["retry-after"], "5");

        const ws = await refusedUpgrade(openWs(svc, spare[0], { user: "spare0" }));
        assert.equal(ws.status, 503, "WebSocket upgrade");
        assert.match(ws.body, /connection limit/);
        const lp = await rawRequest({
          port: svc.port,
          path: `/client/?hub=chat&id=${spare[1].json.connectionToken}`,
          headers: { Authorization: `Bearer ${clientToken(svc, "chat", "spare1")}` },
        });
        expectRefusal(lp, 503, /connection limit/, "first long poll");
        const sse = await rawRequest({
          port: svc.port,
          path: `/client/?hub=chat&id=${spare[2].json.connectionToken}`,
          headers: { Authorization: `Bearer ${clientToken(svc, "chat", "spare2")}`, Accept: "text/event-stream" },
        });
        expectRefusal(sse, 503, /connection limit/, "event stream");

        // One leaves: its place is given back.
        await a.stop();
        await waitFor(async () => (await negotiate(svc, { user: "e" })).status === 200, { message: "negotiate admitted again" });
        const c = await connectClient(fx, { user: "c" });
        assert.ok(c.id);
        await b.stop();
        await c.stop();
      } finally {
        for (const s of sockets) s.close();
        await stopAllClients();
        await fx.close();
        await svc.stop();
      }
    }),
  );

  test(
    "--max-connections-per-ip: 429 + Retry-After for one address over its limit, others unaffected; X-Forwarded-For counts only from a --trusted-proxy",
    logged(async () => {
      const svc = await startService({ args: ["--max-connections-per-ip", "2", "--trusted-proxy", "127.0.0.0/8"] });
      const plain = await startService({ args: ["--max-connections-per-ip", "2"] });
      const sockets = [];
      try {
        const from = (ip) => ({ "X-Forwarded-For": `6.6.6.6, ${ip}` });
        for (let i = 0; i < 2; i++) {
          const n = await negotiate(svc, { user: `x${i}`, headers: from("198.51.100.1") });
          assert.equal(n.status, 200);
          sockets.push(await openWs(svc, n, { user: `x${i}`, headers: from("198.51.100.1") }));
        }
        const spare = await negotiate(svc, { user: "x2", headers: from("198.51.100.2") });
        const res = await negotiate(svc, { user: "x3", headers: from("198.51.100.1") });
        expectRefusal(res, 429, /^Too many connections from your address \(at most 2\)\.$/, "negotiate from the full address");
        const ws = await refusedUpgrade(openWs(svc, spare, { user: "x2", headers: from("198.51.100.1") }));
        assert.equal(ws.status, 429, "an upgrade from the full address (skipping negotiate)");
        // Another client behind the same proxy is another address.
        sockets.push(await openWs(svc, spare, { user: "x2", headers: from("198.51.100.2") }));

        // Without --trusted-proxy the header is the client's own claim: every connection here is
        // 127.0.0.1's, whatever it says.
        for (let i = 0; i < 2; i++) {
          const n = await negotiate(plain, { user: `y${i}`, headers: from(`203.0.113.${i}`) });
          sockets.push(await openWs(plain, n, { user: `y${i}`, headers: from(`203.0.113.${i}`) }));
        }
        expectRefusal(await negotiate(plain, { user: "y2", headers: from("203.0.113.9") }), 429, /at most 2/, "spoofed X-Forwarded-For");
        // A connection that ends gives its place back.
        sockets.shift().close();
        await waitFor(async () => (await negotiate(svc, { user: "x4", headers: from("198.51.100.1") })).status === 200, {
          message: "the address admitted again",
        });
      } finally {
        for (const s of sockets) s.close();
        await svc.stop();
        await plain.stop();
      }
    }),
  );

  test(
    "--negotiate-rate/--negotiate-burst: a burst is allowed, then 429 + Retry-After per address; the official client shows it",
    logged(async () => {
      const svc = await startService({ args: ["--negotiate-rate", "0.2", "--negotiate-burst", "3"] });
      const fx = await startNegotiateFixture(svc);
      try {
        for (let i = 0; i < 3; i++) assert.equal((await negotiate(svc, { user: `n${i}` })).status, 200, `negotiate ${i} within the burst`);
        const res = await negotiate(svc, { user: "n3" });
        expectRefusal(res, 429, /^Too many negotiate requests from your address \(at most 0\.2 a second\)\.$/, "negotiate past the burst");
        assert.ok(Number(res.headers["retry-after"]) <= 5, "Retry-After is the time to the next token (5 s at most)");
        const err = await connectClient(fx, { user: "official" }).then(
          () => null,
          (e) => e,
        );
        assert.ok(err, "the official client is refused too");
        assert.match(err.message, /Too many negotiate requests/);
      } finally {
        await fx.close();
        await svc.stop();
      }
    }),
  );
});

describe("size limits", () => {
  test(
    "--max-header-size (431) and --max-request-body (413) on REST calls and long-polling sends",
    logged(async () => {
      const svc = await startService({ args: ["--max-header-size", "2048", "--max-request-body", "1000"] });
      try {
        const big = await rawRequest({ port: svc.port, path: "/api/health", headers: { "X-Big": "x".repeat(3000) } });
        assert.equal(big.status, 431);
        assert.match(big.json.message, /limit of 2048 bytes/);
        assert.equal((await rawRequest({ port: svc.port, path: "/api/health", headers: { "X-Ok": "x".repeat(1500) } })).status, 200);

        const body = { target: "m", arguments: ["x".repeat(1200)] };
        const rest = await restCall(svc, "POST", p22("chat", "/:send"), { body });
        assert.equal(rest.status, 413);
        assert.match(rest.json.message, /limit of 1000 bytes/);
        assert.equal((await restCall(svc, "POST", p22("chat", "/:send"), { body: { target: "m", arguments: ["ok"] } })).status, 202);

        const n = await negotiate(svc, { user: "lp" });
        const auth = { Authorization: `Bearer ${clientToken(svc, "chat", "lp")}` };
        const path = `/client/?hub=chat&id=${n.json.connectionToken}`;
        const first = rawRequest({ port: svc.port, path, headers: auth });  // opens the connection
        await sleep(200);
        const post = await rawRequest({ port: svc.port, method: "POST", path, headers: auth, body: "x".repeat(1500) });
        assert.equal(post.status, 413, "a long-polling send over the limit");
        await first.catch(() => {});
      } finally {
        await svc.stop();
      }
    }),
  );

  test(
    "--max-request-body holds on the functions host (413)",
    logged(async () => {
      const app = writeApp(tempDir(), {
        "host.json": { version: "2.0" },
        "local.settings.json": { IsEncrypted: false, Values: {} },
        "wwwroot/index.html": "<!doctype html><title>limits</title>",
      });
      const host = await startHost({
        app,
        mode: "functions",
        connectionString: "Endpoint=http://localhost;Port=9;AccessKey=unused-key-0123456789abcdef;Version=1.0;",
        extraArgs: ["--max-request-body", "1000"],
      });
      try {
        const res = await rawRequest({ port: host.port, method: "POST", path: "/", body: "x".repeat(2000) });
        assert.equal(res.status, 413);
        assert.match(res.json.message, /limit of 1000 bytes/);
      } finally {
        await host.stop();
      }
    }),
  );

  for (const transport of ["WebSockets", "ServerSentEvents", "LongPolling"]) {
    test(
      `a hub message over --max-message-size closes the ${transport} connection with an error the official client shows`,
      logged(async () => {
        const svc = await startService({ args: ["--max-message-size", "1000"] });
        const fx = await startNegotiateFixture(svc);
        try {
          const c = await connectClient(fx, { user: "big", transport: signalR.HttpTransportType[transport] });
          await c.connection.send("echo", "x".repeat(2000)).catch(() => {});
          const err = await Promise.race([c.closed, sleep(10000).then(() => "still open")]);
          assert.notEqual(err, "still open", "the connection is closed");
          assert.match(String(err?.message), /Message exceeds the maximum size of 1000 bytes/);
        } finally {
          await stopAllClients();
          await fx.close();
          await svc.stop();
        }
      }),
    );
  }

  test(
    "a WebSocket message over --max-message-size: the hub protocol's Close, then WebSocket close code 1009",
    logged(async () => {
      const svc = await startService({ args: ["--max-message-size", "1000"] });
      try {
        const n = await negotiate(svc, { user: "raw" });
        const r = await openWs(svc, n, { user: "raw" });
        r.send(`{"type":1,"target":"echo","arguments":["${"x".repeat(2000)}"]}${RS}`);
        const close = await r.next((rec) => rec.type === 7, 5000, "Close record");
        assert.match(close.error, /Message exceeds the maximum size of 1000 bytes/);
        await r.closed;
        assert.equal(r.closeCode, 1009);
      } finally {
        await svc.stop();
      }
    }),
  );
});

/** A raw TCP connection recording what it receives and when it is closed. */
function connect(port) {
  return new Promise((resolve, reject) => {
    const sock = net.connect({ host: "127.0.0.1", port });
    const c = { sock, data: "", closedAt: null, openedAt: Date.now() };
    sock.setEncoding("latin1");
    sock.on("data", (d) => (c.data += d));
    sock.on("error", () => {});
    sock.on("close", () => (c.closedAt = Date.now()));
    sock.once("connect", () => resolve(c));
    sock.once("error", reject);
  });
}

describe("slowloris", () => {
  test(
    "headers dripped slower than --header-timeout in total get 408, also on a kept-alive connection; a slow body gets 408 after --body-timeout",
    logged(async () => {
      const svc = await startService({ args: ["--header-timeout", "1.5", "--body-timeout", "1.5", "--keep-alive-timeout", "30"] });
      const socks = [];
      const timers = [];
      try {
        // A new connection that drips a header line every 300 ms: each read is quick, the whole is not.
        const dripper = await connect(svc.port);
        socks.push(dripper);
        dripper.sock.write("GET /api/health HTTP/1.1\r\nHost: 127.0.0.1\r\n");
        timers.push(setInterval(() => !dripper.sock.destroyed && dripper.sock.write("X-Drip: 1\r\n"), 300));
        // A kept-alive connection whose second request is dripped.
        const kept = await connect(svc.port);
        socks.push(kept);
        kept.sock.write("GET /api/health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
        await waitFor(() => /^HTTP\/1\.1 200/.test(kept.data), { message: "the first answer" });
        await sleep(2000); // idle longer than the header timeout: the keep-alive timeout applies
        assert.equal(kept.closedAt, null, "idle between requests is not a header timeout");
        kept.data = "";
        const secondStart = Date.now();
        kept.sock.write("GET /api/health HTTP/1.1\r\n");
        timers.push(setInterval(() => !kept.sock.destroyed && kept.sock.write("X-Drip: 1\r\n"), 300));
        // A body promised with Content-Length and dripped.
        const slowBody = await connect(svc.port);
        socks.push(slowBody);
        slowBody.sock.write(`POST ${p22("chat", "/:send")} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{`);
        const bodyStart = Date.now();
        timers.push(setInterval(() => !slowBody.sock.destroyed && slowBody.sock.write(" "), 300));

        await waitFor(() => /^HTTP\/1\.1 408/.test(dripper.data) && /^HTTP\/1\.1 408/.test(kept.data) && /^HTTP\/1\.1 408/.test(slowBody.data), {
          timeout: 6000,
          message: () => `three 408 answers (got ${JSON.stringify([dripper.data, kept.data, slowBody.data].map((d) => d.slice(0, 20)))})`,
        });
        assert.match(dripper.data, /The request's headers did not arrive within 1\.5 s\./);
        assert.match(slowBody.data, /The request's body did not arrive within 1\.5 s\./);
        assert.ok(Date.now() - secondStart >= 1400, "the kept-alive request had the header timeout from its first byte");
        assert.ok(Date.now() - bodyStart >= 1400, "the body had the body timeout");
        await waitFor(() => dripper.closedAt !== null && kept.closedAt !== null && slowBody.closedAt !== null, {
          timeout: 10000,
          message: "the three connections closed after their 408",
        });
      } finally {
        for (const t of timers) clearInterval(t);
        for (const s of socks) s.sock.destroy();
        await svc.stop();
      }
    }),
  );

  test(
    "an idle kept-alive connection is closed after --keep-alive-timeout, without an answer",
    logged(async () => {
      const svc = await startService({ args: ["--keep-alive-timeout", "1"] });
      try {
        const kept = await connect(svc.port);
        kept.sock.write("GET /api/health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
        await waitFor(() => /^HTTP\/1\.1 200/.test(kept.data), { message: "the answer" });
        const answered = Date.now();
        kept.data = "";
        await waitFor(() => kept.closedAt !== null, { timeout: 4000, message: "the idle connection closed" });
        assert.ok(kept.closedAt - answered >= 800, "not before the keep-alive timeout");
        assert.equal(kept.data, "", "nothing is sent to an idle connection");
      } finally {
        await svc.stop();
      }
    }),
  );

  test(
    "a WebSocket client silent mid-frame is closed after --client-timeout-interval: the bytes of a frame that never ends do not keep it alive",
    logged(async () => {
      const svc = await startService({ args: ["--client-timeout-interval", "2", "--keep-alive-interval", "1"] });
      let drip;
      try {
        const n = await negotiate(svc, { user: "midframe" });
        const r = await openWs(svc, n, { user: "midframe" });
        r.send(`{"type":6}${RS}`); // a message: the client timeout runs from here
        // A masked text frame announcing 1000 bytes, then a payload byte every 250 ms (never a
        // complete hub message). The ws library cannot send half a frame: write to its socket.
        const header = Buffer.from([0x81, 0xfe, 0x03, 0xe8, 0, 0, 0, 0]); // FIN text, masked, 1000 bytes, zero mask
        r.ws._socket.write(header);
        const started = Date.now();
        drip = setInterval(() => !r.ws._socket.destroyed && r.ws._socket.write(Buffer.from("x")), 250);
        const close = await r.next((rec) => rec.type === 7, 8000, "Close record");
        assert.match(close.error, /ClientTimeoutInterval/);
        const elapsed = Date.now() - started;
        assert.ok(elapsed >= 1500, `closed after the client timeout, not before (${elapsed} ms)`);
      } finally {
        clearInterval(drip);
        await svc.stop();
      }
    }),
  );
});
