// Keep-alive pings, client timeout and handshake timeout, with short intervals.
import { test, describe } from "node:test";
import assert from "node:assert/strict";
import {
  RS,
  connectClient,
  stopAllClients,
  rawConnect,
  restCall,
  p22,
  expectStatus,
  expectDelivery,
  waitFor,
  withTimeout,
  sleep,
  logged,
  uid,
  useServiceWithFixture,
} from "./helpers.mjs";

const enc = encodeURIComponent;

describe("keep-alive and timeouts", () => {
  let svc;
  let fx;
  const raws = [];
  useServiceWithFixture(
    (service, fixture) => {
      svc = service;
      fx = fixture;
    },
    {
      args: ["--keep-alive-interval", "0.5", "--client-timeout-interval", "1.5", "--handshake-timeout", "1"],
    },
    () => {
      for (const r of raws.splice(0)) r.close();
    },
  );

  const raw = async (opts) => {
    const r = await rawConnect(svc, opts);
    raws.push(r);
    return r;
  };
  const pings = (r) => r.records.filter((m) => m.type === 6);

  test(
    "server pings repeatedly while the client keeps pinging, and the connection stays open",
    logged(async () => {
      const r = await raw({ user: "pinger", handshake: true });
      const start = Date.now();
      const timer = setInterval(() => r.send(`{"type":6}${RS}`), 300);
      try {
        await sleep(3000);
      } finally {
        clearInterval(timer);
      }
      const n = pings(r).length;
      assert.ok(n >= 3, `expected several pings in 3 s with a 0.5 s keep-alive, got ${n}`);
      assert.ok(n <= 12, `too many pings (${n}) in 3 s for a 0.5 s keep-alive`);
      for (const p of pings(r)) assert.deepEqual(p, { type: 6 });
      assert.ok(r.rawRecords.includes('{"type":6}'), "ping record is exactly {\"type\":6}");
      assert.equal(r.isClosed, false, `socket closed after ${Date.now() - start} ms`);
      assert.equal(r.records.filter((m) => m.type === 7).length, 0, "no Close while pinging");
    }),
  );

  test(
    "a client that pings once and then stays silent gets a Close with an error and is dropped",
    logged(async () => {
      const r = await raw({ user: "silent", handshake: true });
      r.send(`{"type":6}${RS}`);
      const start = Date.now();
      const close = await r.next((m) => m.type === 7, 6000, "Close after the client timeout");
      const elapsed = Date.now() - start;
      assert.equal(typeof close.error, "string", `Close should carry an error: ${JSON.stringify(close)}`);
      assert.ok(close.error.length > 0);
      assert.ok(elapsed >= 1000, `timed out after ${elapsed} ms, before the 1.5 s client timeout`);
      await withTimeout(r.closed, 3000, "socket close after the timeout Close");
      assert.ok(pings(r).length >= 1, "pings were sent before the timeout");
      await waitFor(async () => (await restCall(svc, "HEAD", p22("chat", `/connections/${enc(r.connectionId)}`))).status === 404, {
        message: "timed-out connection removed",
      });
    }),
  );

  test(
    "data from the client resets the timeout (invocations count, not only pings)",
    logged(async () => {
      const r = await raw({ user: "chatty", handshake: true });
      r.send(`{"type":6}${RS}`);
      const timer = setInterval(() => r.send(`{"type":1,"target":"noop","arguments":[]}${RS}`), 400);
      try {
        await sleep(2500);
      } finally {
        clearInterval(timer);
      }
      assert.equal(r.isClosed, false, "connection must survive while the client sends data");
      assert.ok(pings(r).length >= 2, "server keeps pinging even while receiving data");
    }),
  );

  test(
    "no handshake within the handshake timeout closes the socket",
    logged(async () => {
      const r = await raw({ user: "mute" });
      const start = Date.now();
      await withTimeout(r.closed, 5000, "socket close after the handshake timeout");
      const elapsed = Date.now() - start;
      assert.ok(elapsed >= 500, `closed after ${elapsed} ms, earlier than the 1 s handshake timeout`);
      assert.equal(r.records.filter((m) => m.type === 6).length, 0, "no pings before a handshake");
    }),
  );

  test(
    "official client with a short keep-alive stays connected past the client timeout and a short server timeout",
    logged(async () => {
      const c = await connectClient(fx, {
        user: "official",
        configure: (conn) => {
          conn.keepAliveIntervalInMilliseconds = 300;
          conn.serverTimeoutInMilliseconds = 1500; // relies on the server's 0.5 s pings
        },
      });
      await sleep(3500);
      assert.equal(c.isClosed, false, `official client closed: ${c.closeError}`);
      const tag = uid("t");
      expectStatus(await restCall(svc, "POST", p22("chat", "/:send"), { body: { target: "newMessage", arguments: [tag] } }), 202);
      await expectDelivery(svc, { tag, receivers: [c] });
    }),
  );

  test(
    "official client with the default 15 s keep-alive is timed out by a 1.5 s client timeout",
    logged(async () => {
      const c = await connectClient(fx, { user: "lazy" });
      const err = await withTimeout(c.closed, 6000, "official client dropped by the server");
      assert.ok(err instanceof Error, `onclose should get an error, got ${err}`);
      await waitFor(async () => (await restCall(svc, "HEAD", p22("chat", `/connections/${enc(c.id)}`))).status === 404, {
        message: "timed-out official connection removed",
      });
    }),
  );
});
