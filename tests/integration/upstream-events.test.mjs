// Connection events through the upstream: the synchronous `connect` (a non-2xx answer rejects the
// client with the reason; no ping before the handshake answer while it waits), `connected` before
// any message, `disconnected` (with the close error) after the end, the order of one client's
// messages, a slow upstream for one client that delays no one else, and the cap on waiting messages.
import { test, describe, before, after, afterEach } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { logged, restCall, p22, expectStatus, RS, sleep } from "./helpers.mjs";
import { connectOfficial, rawWs, TRANSPORTS } from "./transports-helpers.mjs";
import { startUpstream, startServiceWithUpstream, startFixture, echoAnswer, completionFor, invocationOf, assertSigned } from "./upstream-helpers.mjs";

const waitUntil = async (pred, what, timeout = 5000) => {
  const deadline = Date.now() + timeout;
  while (!pred()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
};

describe("upstream connection events", () => {
  let up, svc, fx, settingsDir;
  const clients = [];
  const connect = async (opts) => {
    const c = await connectOfficial(fx, opts);
    clients.push(c);
    return c;
  };

  before(async () => {
    up = await startUpstream();
    settingsDir = fs.mkdtempSync(path.join(os.tmpdir(), "sb-upstream-"));
    const file = path.join(settingsDir, "upstream.json");
    // `connect` goes to the gate (named explicitly); everything else to the webhook.
    fs.writeFileSync(
      file,
      JSON.stringify([
        { urlTemplate: `${up.url}/gate/{hub}/{event}`, categoryPattern: "connections", eventPattern: "connect" },
        { urlTemplate: `${up.url}/runtime/webhooks/signalr`, hubPattern: "*", categoryPattern: "*", eventPattern: "*" },
      ]),
    );
    // (The 100 sends below may all wait at once: above the default limit of 64.)
    svc = await startServiceWithUpstream(["--upstream-settings", file, "--upstream-timeout", "5", "--upstream-max-pending", "1000"], {
      args: ["--keep-alive-interval", "0.2"],
    });
    fx = await startFixture(svc);
  });
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.stop()));
    up.handle = echoAnswer;
  });
  after(async () => {
    await fx?.close();
    await svc?.stop();
    await up?.close();
    fs.rmSync(settingsDir, { recursive: true, force: true });
  });

  for (const [name, transport] of TRANSPORTS) {
    test(
      `${name}: connect, then connected (awaited before any message), messages, then disconnected`,
      logged(async () => {
        up.handle = async (r) => {
          if (r.event === "connected") await sleep(300); // the client's messages must wait for it
          return echoAnswer(r);
        };
        const c = await connect({ user: "alice", transport });
        const invoked = c.connection.invoke("Echo", "first");
        await c.connection.send("Note", "second");
        assert.deepEqual(await invoked, { echo: ["first"], target: "Echo" });
        await up.waitFor((r) => r.connectionId === c.id && r.event === "Note", "the send");
        await c.stop();
        const disconnected = await up.waitFor((r) => r.connectionId === c.id && r.event === "disconnected", "disconnected");

        assert.deepEqual(up.events(c.id), ["connections/connect", "connections/connected", "messages/Echo", "messages/Note", "connections/disconnected"]);
        const [connectReq, connectedReq, echoReq] = up.requests.filter((r) => r.connectionId === c.id);
        assert.equal(connectReq.path, "/gate/chat/connect");
        assert.equal(connectReq.contentType, "application/json");
        assert.deepEqual(connectReq.message, {});
        assert.equal(connectReq.headers["x-asrs-user-id"], "alice");
        assertSigned(connectReq, svc.keys);
        assert.equal(connectedReq.path, "/runtime/webhooks/signalr");
        assert.deepEqual(connectedReq.message, { type: 10 });
        assert.ok(echoReq.at > connectedReq.answeredAt, "the first message reached the upstream after connected was answered");
        // A clean stop: no error.
        assert.deepEqual(disconnected.message, { type: 11 });
        assertSigned(disconnected, svc.keys);
      }),
    );
  }

  test(
    "disconnected carries the close error (a REST close with a reason)",
    logged(async () => {
      const c = await connect({ user: "bob" });
      await up.waitFor((r) => r.connectionId === c.id && r.event === "connected", "connected");
      const res = await restCall(svc, "DELETE", p22("chat", `/connections/${encodeURIComponent(c.id)}`, "reason=Kicked%20by%20admin"));
      expectStatus(res, 200);
      await c.closed;
      const disconnected = await up.waitFor((r) => r.connectionId === c.id && r.event === "disconnected", "disconnected");
      assert.deepEqual(disconnected.message, { type: 11, error: "Kicked by admin" });
    }),
  );

  test(
    "disconnected says when the socket was lost without a WebSocket Close frame, and when the client sent a Close with an error",
    logged(async () => {
      const lost = await rawWs(svc, { user: "lou" });
      await up.waitFor((r) => r.connectionId === lost.connectionId && r.event === "connected", "connected");
      lost.close(); // terminate(): the socket goes without a Close frame
      const d1 = await up.waitFor((r) => r.connectionId === lost.connectionId && r.event === "disconnected", "disconnected");
      assert.deepEqual(d1.message, { type: 11, error: "The connection was lost: the socket closed without a WebSocket Close frame." });

      const closing = await rawWs(svc, { user: "lou" });
      await up.waitFor((r) => r.connectionId === closing.connectionId && r.event === "connected", "connected");
      closing.send(`{"type":7,"error":"client is done"}${RS}`);
      const d2 = await up.waitFor((r) => r.connectionId === closing.connectionId && r.event === "disconnected", "disconnected");
      assert.deepEqual(d2.message, { type: 11, error: "client is done" });
      closing.close();
    }),
  );

  for (const [name, transport] of TRANSPORTS) {
    test(
      `${name}: a non-2xx connect answer rejects the client with the reason`,
      logged(async () => {
        up.handle = async (r) => (r.event === "connect" && r.headers["x-asrs-user-id"] === "mallory" ? { status: 403, body: "Banned user." } : echoAnswer(r));
        let c;
        let startError;
        try {
          c = await connect({ user: "mallory", transport });
        } catch (e) {
          startError = e;
        }
        const error = startError ?? (await c.closed);
        assert.match(String(error), /Connection rejected by the upstream, status code 403: Banned user\./);
        const asked = up.requests.find((r) => r.event === "connect" && r.headers["x-asrs-user-id"] === "mallory" && (!c || r.connectionId === c.id));
        assert.ok(asked, "the upstream was asked");
        await sleep(200);
        assert.deepEqual(up.events(asked.connectionId), ["connections/connect"], "no connected or disconnected for a rejected client");
      }),
    );
  }

  test(
    "no ping before the handshake answer while connect is pending",
    logged(async () => {
      up.handle = async (r) => {
        if (r.event === "connect") await sleep(1200); // six keep-alive intervals
        return echoAnswer(r);
      };
      const ws = await rawWs(svc, { user: "pat", handshake: false });
      ws.send(`{"protocol":"json","version":1}${RS}`);
      await waitUntil(() => ws.handshakeReply !== undefined || ws.isClosed, "the handshake answer", 5000);
      assert.deepEqual(ws.handshakeReply, {}, "the first record is the handshake answer");
      const connect = up.requests.find((r) => r.connectionId === ws.connectionId && r.event === "connect");
      assert.ok(connect.answeredAt, "the connect event was answered first");
      await waitUntil(() => ws.records.some((m) => m.type === 6), "a ping after the answer", 3000);
      ws.close();
    }),
  );

  for (const [name, transport] of [TRANSPORTS[0], TRANSPORTS[2]]) {
    test(
      `${name}: 100 sends reach the upstream in order`,
      logged(async () => {
        const c = await connect({ user: "quinn", transport });
        await Promise.all(Array.from({ length: 100 }, (_, i) => c.connection.send("Seq", i)));
        await waitUntil(() => up.messages(c.id).length >= 100, "100 messages", 15000);
        assert.deepEqual(
          up.messages(c.id).map((r) => invocationOf(r).arguments[0]),
          Array.from({ length: 100 }, (_, i) => i),
        );
      }),
    );
  }

  test(
    "a slow upstream for one client delays neither REST deliveries nor other clients' invocations",
    logged(async () => {
      let release;
      const held = new Promise((r) => (release = r));
      up.handle = async (r) => {
        if (r.event === "Slow") {
          await held;
          return { status: 200, body: completionFor(r, { result: "late" }) };
        }
        return echoAnswer(r);
      };
      const slow = await connect({ user: "slow" });
      const other = await connect({ user: "other" });
      const pending = slow.connection.invoke("Slow");
      let settled = false;
      pending.then(() => (settled = true), () => (settled = true));
      await up.waitFor((r) => r.connectionId === slow.id && r.event === "Slow", "the slow invocation");
      const res = await restCall(svc, "POST", p22("chat", "/:send"), { body: { target: "newMessage", arguments: ["broadcast"] } });
      expectStatus(res, 202);
      await waitUntil(() => other.msgs.some((m) => m.args[0] === "broadcast") && slow.msgs.some((m) => m.args[0] === "broadcast"), "the broadcast at both clients");
      assert.deepEqual(await other.connection.invoke("Echo", "meanwhile"), { echo: ["meanwhile"], target: "Echo" });
      assert.equal(settled, false, "the slow invocation is still waiting for its upstream");
      release();
      assert.equal(await pending, "late");
    }),
  );
});

describe("upstream pending limit", () => {
  let up, svc, fx;
  before(async () => {
    up = await startUpstream({ handle: async (r) => (r.event === "Hold" ? "hang" : echoAnswer(r)) });
    svc = await startServiceWithUpstream(["--upstream", up.url, "--upstream-max-pending", "3", "--upstream-timeout", "2"]);
    fx = await startFixture(svc);
  });
  after(async () => {
    await fx?.close();
    await svc?.stop();
    await up?.close();
  });

  test(
    "one message more than --upstream-max-pending closes the client with the reason",
    logged(async () => {
      const c = await connectOfficial(fx, { user: "flood" });
      try {
        for (let i = 0; i < 5; i++) await c.connection.send("Hold", i).catch(() => {});
        const error = await c.closed;
        assert.match(String(error), /Too many messages are waiting for the upstream \(more than 3\)\./);
        // The first is sent (after connected); the others wait for it.
        await up.waitFor((r) => r.connectionId === c.id && r.event === "Hold", "the first Hold");
        assert.deepEqual(up.messages(c.id).map((r) => invocationOf(r).arguments[0]), [0]);
        // The upstream hears about the end with the reason, after the messages that waited.
        const disconnected = await up.waitFor((r) => r.connectionId === c.id && r.event === "disconnected", "disconnected", 15000);
        assert.deepEqual(disconnected.message, { type: 11, error: "Too many messages are waiting for the upstream (more than 3)." });
        assert.deepEqual(up.events(c.id), ["connections/connected", "messages/Hold", "messages/Hold", "messages/Hold", "connections/disconnected"]);
      } finally {
        await c.stop();
      }
    }),
  );
});

describe("upstream at shutdown", () => {
  test(
    "SIGTERM with upstream calls in flight: exit code 0; nothing jumps a held queue",
    logged(async () => {
      const up = await startUpstream({ handle: async (r) => (r.event === "Hold" ? "hang" : echoAnswer(r)) });
      const svc = await startServiceWithUpstream(["--upstream", up.url]);
      const fx = await startFixture(svc);
      const clients = [];
      try {
        for (let i = 0; i < 4; i++) {
          const c = await connectOfficial(fx, { user: `s${i}` });
          clients.push(c);
          await up.waitFor((r) => r.connectionId === c.id && r.event === "connected", "connected");
          if (i % 2 === 0) {
            c.connection.invoke("Hold").catch(() => {});
            await up.waitFor((r) => r.connectionId === c.id && r.event === "Hold", "the held invocation");
          }
        }
        await svc.stop();
        assert.equal(svc.exitCode, 0, `exit code (signal ${svc.exitSignal})`);
        const disconnected = (c) => up.requests.some((r) => r.connectionId === c.id && r.event === "disconnected");
        // (Whether the free clients' disconnected made it within the 300 ms grace is not asserted.)
        assert.deepEqual([clients[0], clients[2]].map(disconnected), [false, false], "disconnected waits behind the held invocation");
      } finally {
        await Promise.all(clients.map((c) => c.stop()));
        await fx.close();
        await svc.stop();
        await up.close();
      }
    }),
  );
});
