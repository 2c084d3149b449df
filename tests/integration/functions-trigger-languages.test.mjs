// signalRTrigger functions in Python (workers/python), a custom handler and C++ (the chat example
// build/examples/trigger-cpp): the invocation's result is the function's return value, a failure is
// the completion's error, the output bindings reach a client of the service.
import { test, describe, before, after, afterEach } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { BUILD_DIR, REPO_ROOT, connectClient, startNegotiateFixture, stopAllClients, waitFor, uid } from "./helpers.mjs";
import { APPS, copyApp, removeTempDirs, logged } from "./functions-helpers.mjs";
import { startTriggerHost, webhook, expectHook, completionOf, jsonInvocation, msgpackInvocation } from "./trigger-helpers.mjs";

const TRIGGER_CPP = process.env.SWITCHBOARD_TRIGGER_CPP_BIN || path.join(BUILD_DIR, "examples", "trigger-cpp");

after(removeTempDirs);

/** A host for `start()`'s options, a negotiate fixture on its service, everything stopped after. */
function useHost(start) {
  const ctx = {};
  before(
    logged(async () => {
      ctx.host = await startTriggerHost(start());
      ctx.fx = await startNegotiateFixture(ctx.host.service);
    }),
  );
  afterEach(stopAllClients);
  after(async () => {
    await ctx.fx?.close();
    await ctx.host?.stop();
  });
  return ctx;
}

describe("signalRTrigger in Python", () => {
  const ctx = useHost(() => ({ app: copyApp(path.join(APPS, "trigger-python")), mode: "functions" }));

  test(
    "the JSON-string context, the return value as the result, the signalR output",
    logged(async () => {
      const client = await connectClient(ctx.fx, { hub: "chat" });
      const tag = uid("py-");
      const connectionId = uid("conn-");
      const res = await webhook(ctx.host, { connectionId, userId: "ann", body: jsonInvocation("broadcast", [tag], "1") });
      assert.deepEqual(completionOf(res).result, { echo: tag, connectionId, userId: "ann" });
      await waitFor(() => client.count(tag) === 1, { message: "python's broadcast" });
      assert.deepEqual(client.received("newMessage", tag)[0].args, [tag, "from python"]);
    }),
  );

  test(
    "a dict-annotated parameter gets the decoded context; MessagePack in and out",
    logged(async () => {
      const res = await webhook(ctx.host, {
        event: "typed",
        query: "?room=r1",
        contentType: "application/x-msgpack",
        body: msgpackInvocation("typed", [1, 2, 3.5], "2"),
      });
      assert.deepEqual(completionOf(res, "msgpack").result, ["chat", "typed", { room: "r1" }, 6.5]);
    }),
  );

  test(
    "a raised exception is the completion's error; a failing connect is a 403",
    logged(async () => {
      const res = await webhook(ctx.host, { event: "fail", body: jsonInvocation("fail", ["x"], "3") });
      assert.equal(completionOf(res).error, "python says no: x");
      expectHook(
        await webhook(ctx.host, { category: "connections", event: "connect", query: "?deny=eve", body: "{}" }),
        403,
        "python connect",
        /python denies eve/,
      );
      expectHook(await webhook(ctx.host, { category: "connections", event: "connect", body: "{}" }), 200, "connect");
    }),
  );
});

describe("signalRTrigger in a custom handler", () => {
  const ctx = useHost(() => ({ app: copyApp(path.join(APPS, "trigger-custom")), mode: "functions", waitHandler: true }));

  test(
    "Data.invocation, Metadata from parameterNames, ReturnValue as the result, Outputs sent",
    logged(async () => {
      const client = await connectClient(ctx.fx, { hub: "chat" });
      const tag = uid("ch-");
      const connectionId = uid("conn-");
      const res = await webhook(ctx.host, { connectionId, body: jsonInvocation("broadcast", [tag], "1") });
      assert.deepEqual(completionOf(res).result, { echo: tag, connectionId, event: "broadcast" });
      await waitFor(() => client.count(tag) === 1, { message: "the handler's broadcast" });
      assert.deepEqual(client.received("newMessage", tag)[0].args, [tag, "from custom"]);
    }),
  );

  test(
    "a failing handler: its answer is the completion's error; connected failing is a 403",
    logged(async () => {
      const res = await webhook(ctx.host, { event: "fail", body: jsonInvocation("fail", [], "2") });
      assert.equal(completionOf(res).error, "custom handler failure");
      expectHook(
        await webhook(ctx.host, { category: "connections", event: "connected", userId: "refused" }),
        403,
        "connected refused",
        /refused by the handler/,
      );
      expectHook(await webhook(ctx.host, { category: "connections", event: "connected", userId: "ok" }), 200, "connected");
    }),
  );
});

describe("signalRTrigger in C++ (examples/trigger-cpp)", { skip: fs.existsSync(TRIGGER_CPP) ? false : `${TRIGGER_CPP} not built` }, () => {
  const ctx = useHost(() => ({ binary: TRIGGER_CPP, mode: "functions" }));

  test(
    "broadcast: the typed result, the message to everyone, an exception as the error",
    logged(async () => {
      const client = await connectClient(ctx.fx, { hub: "chat" });
      const tag = uid("cpp-");
      const connectionId = uid("conn-");
      let res = await webhook(ctx.host, { connectionId, body: jsonInvocation("broadcast", [tag], "1") });
      assert.deepEqual(completionOf(res).result, { sent: tag, from: connectionId });
      await waitFor(() => client.count(connectionId) === 1, { message: "the C++ broadcast" });
      assert.deepEqual(client.received("newMessage", connectionId)[0].args, [connectionId, tag]);
      res = await webhook(ctx.host, { contentType: "application/x-msgpack", body: msgpackInvocation("broadcast", [""], "2") });
      assert.equal(completionOf(res, "msgpack").error, "the message is empty");
    }),
  );

  test(
    "connected and disconnected tell everyone who is online",
    logged(async () => {
      const client = await connectClient(ctx.fx, { hub: "chat", targets: ["online", "offline"] });
      const id = uid("conn-");
      expectHook(await webhook(ctx.host, { category: "connections", event: "connected", connectionId: id, userId: "ann" }), 200, "connected");
      await waitFor(() => client.received("online", id).length === 1, { message: "online" });
      assert.deepEqual(client.received("online", id)[0].args, [id, "ann"]);
      expectHook(
        await webhook(ctx.host, {
          category: "connections",
          event: "disconnected",
          connectionId: id,
          body: JSON.stringify({ type: 11, error: "bye" }),
        }),
        200,
        "disconnected",
      );
      await waitFor(() => client.received("offline", id).length === 1, { message: "offline" });
      assert.deepEqual(client.received("offline", id)[0].args, [id, "bye"]);
    }),
  );
});

for (const example of ["trigger", "trigger-python"]) {
  describe(`the example examples/${example}`, () => {
    const ctx = useHost(() => ({ app: copyApp(path.join(REPO_ROOT, "examples", example)), mode: "functions" }));

    test(
      "broadcast answers the invoke and reaches everyone; connected announces the client",
      logged(async () => {
        const client = await connectClient(ctx.fx, { hub: "chat", targets: ["online"] });
        const tag = uid("ex-");
        const connectionId = uid("conn-");
        const res = await webhook(ctx.host, { connectionId, body: jsonInvocation("broadcast", [tag], "1") });
        assert.equal(completionOf(res).result.sent, tag);
        await waitFor(() => client.count(connectionId) === 1, { message: "the example's broadcast" });
        assert.deepEqual(client.received("newMessage", connectionId)[0].args, [connectionId, tag]);
        const empty = await webhook(ctx.host, { body: jsonInvocation("broadcast", ["  "], "2") });
        assert.equal(completionOf(empty).error, "the message is empty");
        expectHook(await webhook(ctx.host, { category: "connections", event: "connected", connectionId }), 200, "connected");
        await waitFor(() => client.received("online", connectionId).length === 1, { message: "online" });
        const negotiated = await fetch(`http://127.0.0.1:${ctx.host.port}/api/negotiate`, { method: "POST" });
        assert.equal(negotiated.status, 200);
        assert.match((await negotiated.json()).url, /\/client\/\?hub=chat$/);
      }),
    );
  });
}
