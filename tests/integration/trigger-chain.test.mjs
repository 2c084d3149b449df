// The whole chain of a client talking back, as a user runs it: `switchboard start` with an app of
// SignalR trigger functions (tests/apps/trigger-chain), the official JavaScript client negotiating
// through the app, then invoke/send over every transport and both protocols. The embedded service
// passes each event to the app's /runtime/webhooks/signalr without any setting; the functions'
// results, errors and output bindings come back to the clients.
import { test, describe, before, after } from "node:test";
import assert from "node:assert/strict";
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { waitFor, logged, uid, freePort, startService } from "./helpers.mjs";
import { TRANSPORTS, connectOfficial } from "./transports-helpers.mjs";
import { startHost, copyApp, removeTempDirs, APPS } from "./functions-helpers.mjs";

const APP = path.join(APPS, "trigger-chain");

describe("SignalR trigger functions behind `switchboard start`", () => {
  let host;
  let fx; // where connectOfficial negotiates: the host (POST /api/negotiate?user=U&hub=chain)
  let watcher; // user "watcher": the connected/disconnected functions report to it
  const clients = [];
  const connect = async (opts) => {
    const c = await connectOfficial(fx, { hub: "chain", targets: ["recorded", "event"], ...opts });
    clients.push(c);
    return c;
  };
  const events = (kind, connectionId) =>
    watcher.received("event").filter((m) => m.args[0].event === kind && m.args[0].connectionId === connectionId);

  before(async () => {
    host = await startHost({ app: copyApp(APP) });
    fx = { port: host.port };
    watcher = await connect({ user: "watcher" });
  });
  after(async () => {
    await Promise.all(clients.map((c) => c.stop()));
    await host?.stop();
    removeTempDirs();
  });

  for (const [transportName, transport] of TRANSPORTS) {
    for (const protocol of ["json", "messagepack"]) {
      if (transportName === "ServerSentEvents" && protocol === "messagepack") continue; // no binary over SSE
      test(
        `${transportName} × ${protocol}: invoke returns the function's result, a throw rejects, send reaches the function, connected/disconnected run`,
        logged(async () => {
          const user = uid("u");
          const c = await connect({ user, transport, protocol });
          // connected ran for this connection (before any message of it is handled).
          const connected = await waitFor(() => events("connected", c.id)[0], {
            message: () => `the connected function for ${c.id}; watcher got ${JSON.stringify(watcher.msgs)}`,
          });
          assert.equal(connected.args[0].userId, user);

          const result = await c.connection.invoke("echo", 42, "text", { nested: [1, 2] }, null, true);
          assert.deepEqual(result.arguments, [42, "text", { nested: [1, 2] }, null, true]);
          assert.equal(result.category, "messages");
          assert.equal(result.event, "echo");
          assert.equal(result.hub, "chain");
          assert.equal(result.connectionId, c.id);
          assert.equal(result.userId, user);
          // The event name matches the function case-insensitively.
          const upper = await c.connection.invoke("ECHO", "loud");
          assert.deepEqual(upper.arguments, ["loud"]);

          await assert.rejects(c.connection.invoke("fail", "on purpose"), (e) => {
            assert.match(e.message, /fail was asked to fail: on purpose/);
            return true;
          });

          // A fire-and-forget send: no completion, but the function ran (its output binding answers).
          const tag = uid("rec");
          await c.connection.send("record", tag);
          await waitFor(() => c.received("recorded", tag)[0], { message: () => `recorded(${tag}) at ${c.label}` });

          // An event no function handles: the invoke is answered with an error naming it.
          await assert.rejects(c.connection.invoke("nobodyHandlesThis"), /nobodyHandlesThis/i);

          await c.stop();
          const gone = await waitFor(() => events("disconnected", c.id)[0], {
            message: () => `the disconnected function for ${c.id}`,
          });
          assert.equal(gone.args[0].userId, user);
          assert.equal(gone.args[0].error, null, "a clean stop has no error");
        }),
      );
    }
  }

  test(
    "a connect function that throws refuses the client, which is closed with the function's message",
    logged(async () => {
      const user = uid("banned");
      let closed;
      await assert.rejects(
        (async () => {
          const c = await connect({ user });
          closed = c;
          await c.closed;
          throw c.closeError;
        })(),
        (e) => {
          assert.match(String(e?.message ?? e), new RegExp(`User ${user} may not connect\\.`));
          return true;
        },
      );
      if (closed) assert.equal(events("connected", closed.id).length, 0, "no connected event for a refused client");
      // Others still connect.
      const ok = await connect({ user: uid("welcome") });
      assert.deepEqual((await ok.connection.invoke("echo", "in")).arguments, ["in"]);
    }),
  );

  test(
    "one client's messages reach the functions in the order it sent them",
    logged(async () => {
      const c = await connect({ user: uid("order") });
      const tags = Array.from({ length: 50 }, (_, i) => `order-${i}`);
      for (const tag of tags) await c.connection.send("record", tag);
      await waitFor(() => c.received("recorded").length === tags.length, {
        timeout: 10000,
        message: () => `50 recorded; got ${c.received("recorded").length}`,
      });
      assert.deepEqual(
        c.received("recorded").map((m) => m.args[0]),
        tags,
      );
    }),
  );

  test(
    "a slow function keeps its own client waiting, not the others",
    logged(async () => {
      const slow = await connect({ user: uid("slow") });
      const other = await connect({ user: uid("other") });
      const pending = slow.connection.invoke("slow", 3000);
      const settled = { done: false };
      pending.then(() => (settled.done = true));
      // While the slow call runs, another client's calls are answered.
      for (let i = 0; i < 5; i++) {
        const r = await other.connection.invoke("echo", i);
        assert.deepEqual(r.arguments, [i]);
      }
      assert.equal(settled.done, false, "the slow call is still running while the other client was served");
      assert.equal(await pending, "slept 3000 ms");
    }),
  );
});

describe("`switchboard functions` behind a separately running `switchboard service --upstream`", () => {
  let svc;
  let host;
  const clients = [];
  before(async () => {
    // The webhook's URL names the host's port and key before the host runs: the key is put in the
    // app's keys file first (the host keeps the keys it finds there).
    const app = copyApp(APP);
    const hostPort = await freePort();
    const key = (n) => crypto.randomBytes(24).toString("base64url").slice(0, n);
    const systemKey = key(32);
    fs.mkdirSync(path.join(app, ".switchboard"), { recursive: true });
    fs.writeFileSync(
      path.join(app, ".switchboard", "host-keys.json"),
      JSON.stringify({ masterKey: key(32), functionKey: key(32), systemKeys: { signalr_extension: systemKey } }),
    );
    svc = await startService({ args: ["--upstream", `http://127.0.0.1:${hostPort}/runtime/webhooks/signalr?code=${systemKey}`] });
    host = await startHost({ app, mode: "functions", port: hostPort, connectionString: svc.connectionString });
    assert.match(host.stdout, new RegExp(`signalr_extension key: ${systemKey}`), "the host uses the key of its keys file");
  });
  after(async () => {
    await Promise.all(clients.map((c) => c.stop()));
    await host?.stop();
    await svc?.stop();
    removeTempDirs();
  });

  for (const protocol of ["json", "messagepack"]) {
    test(
      `${protocol}: invoke returns the function's result through the service's signed upstream call; a throw rejects`,
      logged(async () => {
        const user = uid("sep");
        const c = await connectOfficial({ port: host.port }, { hub: "chain", user, protocol, targets: ["recorded"] });
        clients.push(c);
        const result = await c.connection.invoke("echo", "over", 2);
        assert.deepEqual(result.arguments, ["over", 2]);
        assert.equal(result.userId, user);
        assert.equal(result.connectionId, c.id);
        await assert.rejects(c.connection.invoke("fail", "separately"), /fail was asked to fail: separately/);
        const tag = uid("rec");
        await c.connection.send("record", tag);
        await waitFor(() => c.received("recorded", tag)[0], { message: `recorded(${tag})` });
      }),
    );
  }
});
