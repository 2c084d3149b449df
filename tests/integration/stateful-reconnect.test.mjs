// Stateful reconnect (hub protocol version 2): the official client with withStatefulReconnect()
// connects through a TCP proxy that the test cuts mid-stream; the client reconnects to the same
// connection and every message arrives exactly once, in order. A burst does not drop a client
// that reads; one that stops reading loses its socket but resumes with everything it missed, or,
// when more was sent while it was away than the service keeps, is told why it cannot resume.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import {
  signalR, startService, stopService, startNegotiateFixture, restCall, waitFor, logged, p22, sleep,
  mintToken, restAud, startProxy,
} from "./helpers.mjs";

let svc;
let proxy;

before(async () => {
  svc = await startService();
  proxy = await startProxy(svc.port);
});

after(async () => {
  await proxy?.close();
  await stopService(svc);
});

test(
  "a socket cut mid-stream is resumed: every message arrives once, in order",
  logged(async () => {
    const fx = await startNegotiateFixture({ ...svc, base: `http://127.0.0.1:${proxy.port}` });
    const received = [];
    let reconnecting = 0;
    const connection = new signalR.HubConnectionBuilder()
      .withUrl(`http://127.0.0.1:${fx.port}/api?user=stateful`, {
        transport: signalR.HttpTransportType.WebSockets,
      })
      .withStatefulReconnect()
      .configureLogging(signalR.LogLevel.None)
      .build();
    connection.on("seq", (n) => {
      received.push(n);
    });
    connection.onreconnecting(() => reconnecting++);
    try {
      await connection.start();
      const id = connection.connectionId;
      const total = 300;
      let cuts = 0;
      for (let i = 1; i <= total; i++) {
        const res = await restCall(svc, "POST", p22("chat", `/connections/${id}/:send`), {
          body: { target: "seq", arguments: [i] },
        });
        assert.equal(res.status, 202);
        if (i % 100 === 50) {
          cuts += proxy.cut() > 0 ? 1 : 0;
          await sleep(20);
        }
      }
      assert.ok(cuts >= 2, "the proxy cut the connection");
      await waitFor(() => received.length >= total, { timeout: 15000, message: "all messages" });
      await sleep(300);
      assert.deepEqual(received, Array.from({ length: total }, (_, k) => k + 1));
      assert.equal(connection.connectionId, id, "the same connection was resumed");
      assert.equal(reconnecting, 0, "no full reconnect was needed");
      // The connection is still usable and known to the service.
      const check = await restCall(svc, "HEAD", p22("chat", `/connections/${id}`));
      assert.equal(check.status, 200);
    } finally {
      await connection.stop();
      await fx.close();
    }
  }),
);

test(
  "negotiate grants stateful reconnect only when asked",
  logged(async () => {
    const { mintToken, clientAud } = await import("./helpers.mjs");
    const token = mintToken(svc.key, { aud: clientAud("chat") });
    const ask = async (query) => {
      const res = await fetch(`${svc.base}/client/negotiate?hub=chat&negotiateVersion=1${query}`, {
        method: "POST",
        headers: { Authorization: `Bearer ${token}` },
      });
      return res.json();
    };
    assert.equal((await ask("&useStatefulReconnect=true")).useStatefulReconnect, true);
    assert.equal((await ask("")).useStatefulReconnect, undefined);
  }),
);

test(
  "a Sequence beyond what the server received closes the connection with the protocol's error",
  logged(async () => {
    const { rawConnect, RS } = await import("./helpers.mjs");
    const r = await rawConnect(svc, {});
    try {
      r.send(`{"protocol":"json","version":2}${RS}`);
      assert.deepEqual(await r.next(() => true, 3000, "handshake reply"), {});
      r.send(`{"type":9,"sequenceId":5}${RS}`);
      const close = await r.next((m) => m.type === 7, 3000, "Close");
      assert.match(close.error, /Sequence ID greater than amount of messages we've received/);
      await r.closed;
    } finally {
      r.close();
    }
  }),
);

// The official stateful client through the proxy; records every "seq" argument and how it ended.
async function statefulClient(svc2, proxy2, user) {
  const fx = await startNegotiateFixture({ ...svc2, base: `http://127.0.0.1:${proxy2.port}` });
  const connection = new signalR.HubConnectionBuilder()
    .withUrl(`http://127.0.0.1:${fx.port}/api?user=${user}`, {
      transport: signalR.HttpTransportType.WebSockets,
    })
    .withStatefulReconnect()
    .configureLogging(signalR.LogLevel.None)
    .build();
  const c = { connection, fx, received: [], closed: false, closeError: undefined };
  connection.on("seq", (n) => c.received.push(n));
  connection.onclose((e) => {
    c.closed = true;
    c.closeError = e;
  });
  await connection.start();
  c.id = connection.connectionId;
  return c;
}

// A REST send of `args` to the "seq" target of one connection.
const sendTo = async (svc2, id, args) =>
  assert.equal(
    (await restCall(svc2, "POST", p22("chat", `/connections/${id}/:send`), { body: { target: "seq", arguments: args } }))
      .status,
    202,
  );

// Sends 60 KB messages to one connection until the service says it dropped the socket of a client
// that does not read (at most `limit`); returns how many were sent.
async function sendUntilDropped(svc2, id, mark, limit = 1500) {
  const filler = "x".repeat(60000);
  for (let i = 1; i <= limit; i++) {
    await sendTo(svc2, id, [i, filler]);
    if (/dropping its socket/.test(svc2.logsSince(mark))) return i;
  }
  assert.fail(`the service never dropped the socket after ${limit} messages:\n${svc2.logsSince(mark)}`);
}

test(
  "a burst of 1,200 broadcasts of 4 KB reaches a stateful client whole, as it reaches a plain one",
  logged(async (t) => {
    const fx = await startNegotiateFixture(svc);
    const build = (stateful) => {
      let b = new signalR.HubConnectionBuilder()
        .withUrl(`http://127.0.0.1:${fx.port}/api?user=burst`, {
          transport: signalR.HttpTransportType.WebSockets,
        })
        .configureLogging(signalR.LogLevel.None);
      if (stateful) b = b.withStatefulReconnect();
      return b.build();
    };
    const clients = [build(true), build(false)].map((connection) => {
      const c = { connection, received: [], closeError: null };
      connection.on("burst", (n) => c.received.push(n));
      connection.onclose((e) => (c.closeError = e ?? new Error("closed")));
      return c;
    });
    try {
      for (const c of clients) await c.connection.start();
      const mark = svc.logMark();
      const total = 1200;
      const payload = "b".repeat(4000);
      // Sixteen senders on keep-alive connections with one token: most of the burst (4.8 MB,
      // several times the 1 MB outbound queue) is out before the client's first Ack (it
      // acknowledges about once a second), as a busy app's would be.
      const path = p22("chat", "/:send");
      const headers = {
        Authorization: `Bearer ${mintToken(svc.key, { aud: restAud(path) })}`,
        "Content-Type": "application/json",
      };
      let next = 1;
      const lane = async () => {
        while (next <= total) {
          const n = next++;
          const res = await fetch(`${svc.base}${path}`, {
            method: "POST",
            headers,
            body: JSON.stringify({ target: "burst", arguments: [n, payload] }),
          });
          assert.equal(res.status, 202);
          await res.arrayBuffer();
        }
      };
      const started = Date.now();
      await Promise.all(Array.from({ length: 16 }, lane));
      t.diagnostic(`the burst took ${Date.now() - started} ms`);
      for (const c of clients) {
        await waitFor(() => c.received.length >= total || c.closeError, {
          timeout: 20000,
          message: "the whole burst",
        });
        assert.equal(c.closeError, null, `no close: ${c.closeError}`);
        assert.equal(c.received.length, total);
        assert.equal(new Set(c.received).size, total, "each message once");
      }
      assert.doesNotMatch(svc.logsSince(mark), /outbound queue over/);
    } finally {
      for (const c of clients) await c.connection.stop();
      await fx.close();
    }
  }),
);

// A service started with `serviceArgs`, the official stateful client `user` connected to it
// through a proxy that then stops reading for it, and messages sent until the service dropped the
// client's socket; `body` gets {svc2, proxy2, c, sent}. Everything is stopped afterwards.
async function withClientThatStoppedReading(serviceArgs, user, body) {
  const svc2 = await startService({ args: serviceArgs });
  const proxy2 = await startProxy(svc2.port);
  let c;
  try {
    c = await statefulClient(svc2, proxy2, user);
    proxy2.pauseReading();
    const sent = await sendUntilDropped(svc2, c.id, svc2.logMark());
    await body({ svc2, proxy2, c, sent });
  } finally {
    await c?.connection.stop();
    await c?.fx.close();
    await proxy2.close();
    await stopService(svc2);
  }
}

test(
  "a stateful client that stops reading loses its socket, not its connection: it resumes with every message",
  logged(() =>
    // A replay buffer larger than what the kernel's socket buffers hold: what was written to the
    // dropped socket and never read is still there to replay.
    withClientThatStoppedReading(
      ["--max-outbound-queue", "200000", "--stateful-reconnect-buffer", String(64 << 20)],
      "slow",
      async ({ svc2, proxy2, c, sent }) => {
        // Messages sent while the client is away are kept for it too.
        for (let i = 0; i < 3; i++) await sendTo(svc2, c.id, [++sent, "while away"]);
        assert.equal((await restCall(svc2, "HEAD", p22("chat", `/connections/${c.id}`))).status, 200,
          "the connection is still known while its client is away");
        assert.ok(proxy2.cut() > 0);
        await waitFor(() => c.received.length >= sent || c.closed, { timeout: 30000, message: "every message" });
        assert.equal(c.closed, false, `the client was not closed: ${c.closeError}`);
        assert.deepEqual(c.received, Array.from({ length: sent }, (_, k) => k + 1));
        assert.equal(c.connection.connectionId, c.id, "the same connection was resumed");
      },
    ),
  ),
);

test(
  "a stateful client that cannot be resumed is told why",
  logged(() =>
    withClientThatStoppedReading(
      ["--max-outbound-queue", "200000", "--stateful-reconnect-buffer", "200000"],
      "gone",
      async ({ svc2, proxy2, c }) => {
        // More than the 400,000 bytes a connection keeps while its client is away.
        for (let i = 0; i < 8; i++) await sendTo(svc2, c.id, [0, "y".repeat(60000)]);
        proxy2.cut();
        await waitFor(() => c.closed, { timeout: 15000, message: "the client closed" });
        assert.match(String(c.closeError?.message), /cannot be resumed.*exceeded the 400000 bytes it keeps/);
        await waitFor(
          async () => (await restCall(svc2, "HEAD", p22("chat", `/connections/${c.id}`))).status === 404,
          { timeout: 5000, message: "the connection is gone" },
        );
      },
    ),
  ),
);

test(
  "a client that comes back after the 15 s window is told why it cannot resume",
  logged(async () => {
    const { rawConnect, openRawSocket, RS } = await import("./helpers.mjs");
    const r = await rawConnect(svc, { user: "late" });
    r.send(`{"protocol":"json","version":2}${RS}`);
    assert.deepEqual(await r.next(() => true, 3000, "handshake reply"), {});
    r.close(); // the socket drops without a Close: the connection waits 15 s for its client
    await sleep(1000);
    assert.equal((await restCall(svc, "HEAD", p22("chat", `/connections/${r.connectionId}`))).status, 200);
    await sleep(15500);
    const again = await openRawSocket(r.url);
    try {
      const sequence = await again.next(() => true, 3000, "Sequence");
      assert.equal(sequence.type, 9);
      const close = await again.next(() => true, 3000, "Close");
      assert.equal(close.type, 7);
      assert.equal(close.error, "The connection cannot be resumed: the client did not reconnect within 15 s.");
      await again.closed;
    } finally {
      again.close();
    }
    assert.equal((await restCall(svc, "HEAD", p22("chat", `/connections/${r.connectionId}`))).status, 404);
  }),
);
