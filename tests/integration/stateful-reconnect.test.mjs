// Stateful reconnect (hub protocol version 2): the official client with withStatefulReconnect()
// connects through a TCP proxy that the test cuts mid-stream; the client reconnects to the same
// connection and every message arrives exactly once, in order.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import net from "node:net";
import {
  signalR, startService, stopService, startNegotiateFixture, restCall, waitFor, logged, p22, sleep,
} from "./helpers.mjs";

let svc;
let proxy;

// A loopback TCP proxy whose live connections can be cut.
function startProxy(targetPort) {
  return new Promise((resolve) => {
    const sockets = new Set();
    const server = net.createServer((client) => {
      const upstream = net.connect(targetPort, "127.0.0.1");
      sockets.add(client);
      sockets.add(upstream);
      client.pipe(upstream);
      upstream.pipe(client);
      const drop = () => {
        client.destroy();
        upstream.destroy();
        sockets.delete(client);
        sockets.delete(upstream);
      };
      client.on("error", drop).on("close", drop);
      upstream.on("error", drop).on("close", drop);
    });
    server.listen(0, "127.0.0.1", () =>
      resolve({
        port: server.address().port,
        cut: () => {
          const n = sockets.size;
          for (const s of sockets) s.destroy();
          sockets.clear();
          return n;
        },
        close: () => new Promise((r) => server.close(() => r())),
      }),
    );
  });
}

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
