// Client invocations through the upstream (a node:http server playing the function app's webhook),
// with the official client over every transport and both hub protocols: invoke gets the upstream's
// completion, send reaches it and gets nothing back, failures become completion errors naming the
// cause, and every request carries the X-ASRS-* headers (signature checked with node crypto).
import { test, describe, before, after, afterEach } from "node:test";
import assert from "node:assert/strict";
import { logged, restCall, p22, expectStatus, RS, sleep } from "./helpers.mjs";
import { connectOfficial, rawWs, TRANSPORTS } from "./transports-helpers.mjs";
import {
  startUpstream,
  startServiceWithUpstream,
  startFixture,
  echoAnswer,
  completionFor,
  invocationOf,
  assertSigned,
  assertUnframed,
  deadPort,
} from "./upstream-helpers.mjs";

const PROTOCOLS = ["json", "messagepack"];
const CONTENT_TYPE = { json: "application/json", messagepack: "application/x-msgpack" };

describe("upstream invocations", () => {
  let up, svc, fx;
  const clients = [];
  const connect = async (opts) => {
    const c = await connectOfficial(fx, opts);
    clients.push(c);
    return c;
  };

  before(async () => {
    up = await startUpstream();
    svc = await startServiceWithUpstream(["--upstream", `${up.url}/runtime/webhooks/signalr`, "--upstream-timeout", "1"]);
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
  });

  for (const [name, transport] of TRANSPORTS) {
    for (const protocol of PROTOCOLS) {
      if (name === "ServerSentEvents" && protocol === "messagepack") continue; // SSE is text only
      test(
        `${name}/${protocol}: invoke returns the upstream's completion; send reaches it unframed`,
        logged(async () => {
          const c = await connect({ user: "alice", transport, protocol });
          const result = await c.connection.invoke("Echo", "hi", 42, { a: [1, "two"] });
          assert.deepEqual(result, { echo: ["hi", 42, { a: [1, "two"] }], target: "Echo" });

          const request = up.messages(c.id).find((r) => r.event === "Echo");
          assert.ok(request, "the upstream received the invocation");
          assert.equal(request.method, "POST");
          assert.equal(request.path, "/runtime/webhooks/signalr");
          assert.equal(request.contentType, CONTENT_TYPE[protocol]);
          assert.equal(request.category, "messages");
          assert.equal(request.hub, "chat");
          assert.equal(request.connectionId, c.id);
          assert.equal(request.headers["x-asrs-user-id"], "alice");
          assertUnframed(request);
          const inv = invocationOf(request);
          assert.equal(inv.type, 1);
          assert.equal(inv.target, "Echo");
          assert.ok(inv.invocationId, "an invoke carries its invocation id");
          assert.deepEqual(inv.arguments, ["hi", 42, { a: [1, "two"] }]);
          assertSigned(request, svc.keys);

          await c.connection.send("Note", "fire and forget");
          const sent = await up.waitFor((r) => r.connectionId === c.id && r.event === "Note", "the send");
          assert.equal(invocationOf(sent).invocationId, undefined, "a send has no invocation id");
          assert.deepEqual(invocationOf(sent).arguments, ["fire and forget"]);
          assertUnframed(sent);
          // The connection's events so far, in order: connected first.
          assert.deepEqual(up.events(c.id), ["connections/connected", "messages/Echo", "messages/Note"]);
        }),
      );
    }
  }

  test(
    "a send gets nothing back, whatever the upstream answers",
    logged(async () => {
      up.handle = async (r) => {
        if (r.event === "Note") return { status: 500, body: completionFor(r, { result: "not for you" }) };
        return echoAnswer(r);
      };
      const ws = await rawWs(svc, { user: "bob" });
      ws.send(`{"type":1,"target":"Note","arguments":[1]}${RS}`);
      ws.send(`{"type":1,"invocationId":"","target":"Note","arguments":[2]}${RS}`);
      await up.waitFor((r) => r.connectionId === ws.connectionId && r.event === "Note" && invocationOf(r).arguments[0] === 2, "both sends");
      ws.send(`{"type":1,"invocationId":"9","target":"Echo","arguments":[3]}${RS}`);
      await ws.waitRecord((m) => m.type === 3 && m.invocationId === "9", 5000, "the completion of invocation 9");
      await sleep(100);
      assert.deepEqual(
        ws.records.filter((m) => m.type !== 6),
        [{ type: 3, invocationId: "9", result: { echo: [3], target: "Echo" } }],
        "only the invoke was answered",
      );
      ws.close();
    }),
  );

  test(
    "answers that are not a completion: statuses, empty answers, a function's error",
    logged(async () => {
      up.handle = async (r) => {
        switch (r.event) {
          case "Missing":
            return { status: 404, body: "no function" };
          case "Broken":
            return { status: 500 };
          case "Garbage":
            return { status: 200, body: "hello" };
          case "OtherId":
            return { status: 200, body: JSON.stringify({ type: 3, invocationId: "nope", result: 1 }) + RS };
          case "Void":
            return { status: 204 };
          case "Empty":
            return { status: 200 };
          case "Throw":
            return { status: 200, body: completionFor(r, { error: "Function threw: boom" }) };
          default:
            return echoAnswer(r);
        }
      };
      for (const protocol of PROTOCOLS) {
        const c = await connect({ user: "carol", protocol });
        const fails = async (target, pattern) => {
          await assert.rejects(c.connection.invoke(target), pattern, `${protocol} ${target}`);
        };
        await fails("Missing", /^Error: Invocation failed, status code 404$/);
        await fails("Broken", /^Error: Invocation failed, status code 500$/);
        const kind = protocol === "json" ? "JSON" : "MessagePack";
        const notCompletion = new RegExp(`Invocation failed: the upstream's answer was not a ${kind} completion message for this invocation\\.`);
        await fails("Garbage", notCompletion);
        if (protocol === "json") await fails("OtherId", notCompletion);
        await fails("Throw", /^Error: Function threw: boom$/);
        assert.equal(await c.connection.invoke("Void"), undefined, "no result");
        assert.equal(await c.connection.invoke("Empty"), undefined, "no result");
        // Still connected and served.
        assert.deepEqual(await c.connection.invoke("Echo", protocol), { echo: [protocol], target: "Echo" });
      }
    }),
  );

  test(
    "a slow upstream: the invocation fails at --upstream-timeout, the client stays",
    logged(async () => {
      up.handle = async (r) => (r.event === "Slow" ? "hang" : echoAnswer(r));
      const c = await connect({ user: "dave" });
      await assert.rejects(c.connection.invoke("Slow"), /^Error: Invocation failed, status code 500: the upstream did not answer within 1 s\.$/);
      assert.deepEqual(await c.connection.invoke("Echo", 1), { echo: [1], target: "Echo" });
    }),
  );

  test(
    "an answer over 16 MB: response too large",
    logged(async () => {
      up.handle = async (r) => (r.event === "Huge" ? { status: 200, body: Buffer.alloc(16 * 1024 * 1024 + 1, 0x61) } : echoAnswer(r));
      const c = await connect({ user: "erin" });
      await assert.rejects(c.connection.invoke("Huge"), /^Error: Invocation failed, response too large\.$/);
      assert.deepEqual(await c.connection.invoke("Echo", 2), { echo: [2], target: "Echo" });
    }),
  );

  test(
    "streaming invocations are refused without calling the upstream",
    logged(async () => {
      const c = await connect({ user: "frank" });
      const error = await new Promise((resolve) => {
        c.connection.stream("Counter", 3).subscribe({ next: () => {}, complete: () => resolve(undefined), error: resolve });
      });
      assert.match(String(error), /Invocation failed: streaming invocations \('Counter'\) are not supported in serverless mode\./);
      assert.equal(up.messages(c.id).filter((r) => r.event === "Counter").length, 0);
    }),
  );

  for (const [name, transport] of TRANSPORTS) {
    test(
      `${name}: headers name the user, the claims and the query; the signature covers every access key`,
      logged(async () => {
        fx.claims = { name: "Alice A.", role: "admin" };
        fx.query = "room=blue&lang=en";
        try {
          const c = await connect({ user: "alice", transport });
          const connected = await up.waitFor((r) => r.connectionId === c.id && r.event === "connected", "connected");
          const sent = (await c.connection.invoke("Echo"), up.messages(c.id)[0]);
          for (const r of [connected, sent]) {
            assert.equal(r.headers["x-asrs-connection-id"], c.id);
            assert.equal(r.headers["x-asrs-hub"], "chat");
            assert.equal(r.headers["x-asrs-user-id"], "alice");
            assert.equal(r.headers["x-asrs-user-claims"], "name: Alice A., role: admin");
            assert.equal(r.headers["x-asrs-client-query"], "?hub=chat&room=blue&lang=en");
            assertSigned(r, svc.keys);
          }
          assert.equal(connected.contentType, "application/json");
          assert.deepEqual(connected.message, { type: 10 });
          assert.equal(connected.category, "connections");
        } finally {
          fx.claims = {};
          fx.query = "";
        }
        // An anonymous client: no user id, no claims header.
        const anon = await connect({ transport });
        const r = await up.waitFor((q) => q.connectionId === anon.id && q.event === "connected", "anonymous connected");
        assert.equal(r.headers["x-asrs-user-id"], undefined);
        assert.equal(r.headers["x-asrs-user-claims"], undefined);
        assert.equal(r.headers["x-asrs-client-query"], "?hub=chat");
      }),
    );
  }
});

describe("upstream unreachable", () => {
  let svc, fx;
  before(async () => {
    svc = await startServiceWithUpstream(["--upstream", `http://127.0.0.1:${await deadPort()}/api/{event}`]);
    fx = await startFixture(svc);
  });
  after(async () => {
    await fx?.close();
    await svc?.stop();
  });

  test(
    "an invocation fails naming the cause; sends are dropped; the client stays connected",
    logged(async () => {
      const c = await connectOfficial(fx, { user: "gina" });
      try {
        await c.connection.send("Note", 1);
        await assert.rejects(c.connection.invoke("Echo"), /^Error: Invocation failed, status code 500: the upstream could not be reached\.$/);
        await assert.rejects(c.connection.invoke("Echo"), /could not be reached/);
        // REST deliveries still reach it.
        const res = await restCall(svc, "POST", p22("chat", "/:send"), { body: { target: "newMessage", arguments: ["still here"] } });
        expectStatus(res, 202);
        const deadline = Date.now() + 5000;
        while (!c.msgs.some((m) => m.args[0] === "still here") && Date.now() < deadline) await sleep(10);
        assert.ok(c.msgs.some((m) => m.args[0] === "still here"), "the client is still served");
      } finally {
        await c.stop();
      }
    }),
  );
});
