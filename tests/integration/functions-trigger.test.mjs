// signalRTrigger functions in JavaScript behind `switchboard functions APP` (REST to a `switchboard
// service`): the test plays the service and POSTs signed upstream events to the webhook, and an
// official client connected to the service sees what the functions' output bindings send.
import { test, describe, before, after, afterEach } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { connectClient, startNegotiateFixture, stopAllClients, waitFor, uid } from "./helpers.mjs";
import { APPS, copyApp, removeTempDirs, stopHost, logged } from "./functions-helpers.mjs";
import {
  startTriggerHost,
  webhook,
  expectHook,
  completionOf,
  jsonInvocation,
  msgpackInvocation,
  signature,
} from "./trigger-helpers.mjs";

const TRIGGER_JS_APP = path.join(APPS, "trigger-js");

after(removeTempDirs);

describe("signalRTrigger (JavaScript, switchboard functions)", () => {
  let host, fx, appDir;
  before(
    logged(async () => {
      appDir = copyApp(TRIGGER_JS_APP);
      host = await startTriggerHost({ app: appDir, mode: "functions" });
      fx = await startNegotiateFixture(host.service);
    }),
  );
  afterEach(stopAllClients);
  after(async () => {
    await fx?.close();
    await host?.stop();
  });

  test(
    "the banner lists the trigger functions and the webhook URL with the signalr_extension key",
    logged(async () => {
      assert.match(host.stdout, /broadcast: \[signalRTrigger\] hub 'chat', messages\/broadcast/);
      assert.match(host.stdout, /connected: \[signalRTrigger\] hub 'chat', connections\/connected/);
      assert.ok(
        host.stdout.includes(`http://localhost:${host.port}/runtime/webhooks/signalr?code=${host.keys.signalr}`),
        host.stdout,
      );
      const saved = JSON.parse(fs.readFileSync(path.join(appDir, ".switchboard", "host-keys.json"), "utf8"));
      assert.equal(saved.systemKeys.signalr_extension, host.keys.signalr);
    }),
  );

  test(
    "the key: signalr_extension in code or x-functions-key, or the master key; anything else 401",
    logged(async () => {
      expectHook(await webhook(host, { keyIn: "code" }), 200, "system key in code");
      expectHook(await webhook(host, { keyIn: "header" }), 200, "system key in x-functions-key");
      expectHook(await webhook(host, { key: host.keys.master }), 200, "master key");
      expectHook(await webhook(host, { key: null }), 401, "no key", /signalr_extension/);
      expectHook(await webhook(host, { key: host.keys.function }), 401, "the function key", /not valid/);
      expectHook(await webhook(host, { key: "x" + host.keys.signalr }), 401, "a wrong key", /not valid/);
      // The key is checked first: a bad key with a bad content type is a 401.
      expectHook(await webhook(host, { key: "wrong", contentType: "text/plain" }), 401, "bad key + bad type");
      expectHook(await webhook(host, { path: "/runtime/webhooks/durabletask" }), 404, "another extension", /durabletask/);
      expectHook(await webhook(host, { method: "GET" }), 405, "GET");
    }),
  );

  test(
    "the validation order: 415, 400, 404, 400 connection id, 401 signature, each before the next",
    logged(async () => {
      const bad = { sig: "sha256=00" };
      // 415: content type, even with every later check failing too.
      for (const contentType of ["text/plain", "application/xml", null]) {
        expectHook(
          await webhook(host, { contentType, hub: "", event: "nope", connectionId: null, ...bad }),
          415,
          `content type ${contentType}`,
          /application\/json or application\/x-msgpack/,
        );
      }
      expectHook(await webhook(host, { contentType: "application/json; charset=utf-8" }), 200, "json with a charset");
      // 400: an empty or missing routing header, before 404 and 401.
      expectHook(await webhook(host, { hub: "", event: "nope", ...bad }), 400, "empty hub", /X-ASRS-Hub/);
      expectHook(await webhook(host, { category: null, ...bad }), 400, "no category header", /X-ASRS-Category/);
      expectHook(await webhook(host, { event: " ", ...bad }), 400, "blank event", /X-ASRS-Event/);
      // 404: no function for (hub, category, event), before the signature.
      expectHook(await webhook(host, { event: "nope", ...bad }), 404, "unknown event", /event 'nope'/);
      expectHook(await webhook(host, { hub: "other", ...bad }), 404, "unknown hub", /hub 'other'/);
      expectHook(await webhook(host, { category: "connections", event: "broadcast", ...bad }), 404, "wrong category");
      // 400: no connection id, before the signature.
      expectHook(await webhook(host, { connectionId: null, ...bad }), 400, "no connection id", /X-ASRS-Connection-Id/);
      // 401: the signature.
      expectHook(await webhook(host, bad), 401, "bad signature", /Signature/);
      expectHook(await webhook(host, { sig: null }), 401, "no signature");
      expectHook(await webhook(host, { accessKey: "another-key" }), 401, "signed with another key");
      const id = uid("conn-");
      const good = signature(host.service.key, id);
      expectHook(await webhook(host, { connectionId: id, sig: `sha256=AB, ${good.toLowerCase()}` }), 200, "one of a list, any case");
      expectHook(await webhook(host, { connectionId: "other", sig: good }), 401, "the signature of another connection");
      // After the signature: the body.
      expectHook(await webhook(host, { body: "{not json" }), 400, "a body that is not a message", /not a hub protocol message/);
      expectHook(await webhook(host, { body: JSON.stringify({ type: 6 }) }), 400, "a ping", /not an Invocation/);
      expectHook(await webhook(host, { body: jsonInvocation("whoami", [], "1") }), 500, "target != event", /does not match/);
    }),
  );

  test(
    "invoke: the return value is a framed JSON completion; the output binding reaches clients",
    logged(async () => {
      const client = await connectClient(fx, { hub: "chat" });
      const connectionId = uid("caller-");
      const res = await webhook(host, {
        connectionId,
        userId: "ann",
        body: jsonInvocation("broadcast", ["hello all"], "17"),
      });
      const completion = completionOf(res);
      assert.equal(completion.invocationId, "17");
      assert.equal(completion.error, undefined);
      assert.deepEqual(completion.result, {
        echo: "hello all",
        connectionId,
        userId: "ann",
        hub: "chat",
        event: "broadcast",
        arguments: ["hello all"],
        sameAsBinding: true,
      });
      await waitFor(() => client.count("hello all") === 1, { message: "the broadcast" });
      assert.deepEqual(client.received("newMessage", "hello all")[0].args, ["hello all", connectionId]);
      // A send (no invocation id) runs the function and answers 200 with nothing.
      const sent = await webhook(host, { body: jsonInvocation("broadcast", ["sent one"]) });
      expectHook(sent, 200, "send");
      assert.equal(sent.bytes.length, 0);
      await waitFor(() => client.count("sent one") === 1, { message: "the send's broadcast" });
    }),
  );

  test(
    "events and targets match ignoring case",
    logged(async () => {
      const res = await webhook(host, { hub: "CHAT", event: "BroadCast", body: jsonInvocation("BROADCAST", ["x"], "2") });
      assert.equal(completionOf(res).result.echo, "x");
      expectHook(
        await webhook(host, { category: "Connections", event: "CONNECTED", body: JSON.stringify({ type: 10 }) }),
        200,
        "connections/CONNECTED",
      );
    }),
  );

  test(
    "a thrown error is the completion's error, with the exception's message",
    logged(async () => {
      const res = await webhook(host, { event: "fail", body: jsonInvocation("fail", ["42"], "5") });
      const completion = completionOf(res);
      assert.equal(completion.invocationId, "5");
      assert.equal(completion.error, "no way: 42");
      assert.equal(completion.result, undefined);
      // A send that fails: 200, nothing to answer.
      const sent = await webhook(host, { event: "fail", body: jsonInvocation("fail", ["x"]) });
      expectHook(sent, 200, "failed send");
      assert.equal(sent.bytes.length, 0);
    }),
  );

  test(
    "MessagePack: the arguments reach the function as JSON and the completion is MessagePack",
    logged(async () => {
      const res = await webhook(host, {
        contentType: "application/x-msgpack",
        body: msgpackInvocation("broadcast", ["packed", 7], "9"),
      });
      // parameterNames has one name and the client sent two arguments: the invocation fails.
      let completion = completionOf(res, "msgpack");
      assert.equal(completion.invocationId, "9");
      assert.match(completion.error, /names 1 parameters \(parameterNames\) but the invocation has 2 arguments/);
      const ok = await webhook(host, {
        contentType: "application/x-msgpack",
        event: "whoami",
        body: msgpackInvocation("whoami", ["packed", 7, { deep: [true, null] }], "10"),
      });
      completion = completionOf(ok, "msgpack");
      assert.equal(completion.invocationId, "10");
      assert.deepEqual(completion.result.Arguments, ["packed", 7, { deep: [true, null] }]);
      const failed = await webhook(host, {
        contentType: "application/x-msgpack",
        event: "fail",
        body: msgpackInvocation("fail", ["m"], "11"),
      });
      assert.equal(completionOf(failed, "msgpack").error, "no way: m");
    }),
  );

  test(
    "context.bindings.$return is the result too (callback style)",
    logged(async () => {
      const res = await webhook(host, { event: "viaBindings", body: jsonInvocation("viaBindings", [1, 2], "3") });
      assert.deepEqual(completionOf(res).result, { via: "context.bindings.$return", n: 2 });
    }),
  );

  test(
    "the InvocationContext: user, claims, query and headers as the extension builds them",
    logged(async () => {
      const connectionId = uid("who-");
      const res = await webhook(host, {
        event: "whoami",
        connectionId,
        userId: "ann",
        claims: "name: Ann Lee, role: admin, role: ignored",
        query: "?room=r%201&tag=a&tag=b",
        body: jsonInvocation("whoami", ["a", { b: 1 }], "4"),
      });
      const context = completionOf(res).result;
      assert.deepEqual(context.Arguments, ["a", { b: 1 }]);
      assert.equal(context.Error, null);
      assert.equal(context.Category, "messages");
      assert.equal(context.Event, "whoami");
      assert.equal(context.Hub, "chat");
      assert.equal(context.ConnectionId, connectionId);
      assert.equal(context.UserId, "ann");
      assert.deepEqual(context.Claims, { name: "Ann Lee", role: "admin" });
      assert.deepEqual(context.Query, { room: "r 1", tag: "a,b" });
      const headers = Object.fromEntries(Object.entries(context.Headers).map(([k, v]) => [k.toLowerCase(), v]));
      assert.equal(headers["x-asrs-connection-id"], connectionId);
      assert.equal(headers["x-asrs-user-id"], "ann");
      assert.equal(headers["x-asrs-signature"], signature(host.service.key, connectionId));
      const anonymous = completionOf(await webhook(host, { event: "whoami", body: jsonInvocation("whoami", [], "6") })).result;
      assert.equal(anonymous.UserId, null);
      assert.deepEqual(anonymous.Claims, {});
      assert.deepEqual(anonymous.Query, {});
    }),
  );

  test(
    "connections: connected runs its outputs; connect/connected failures are 403; disconnected is always 200",
    logged(async () => {
      const client = await connectClient(fx, { hub: "chat", targets: ["connected", "disconnected"] });
      const connectionId = uid("arrived-");
      const res = await webhook(host, {
        category: "connections",
        event: "connected",
        connectionId,
        userId: "bob",
        query: "?room=lobby",
        claims: "name: Bob",
        body: JSON.stringify({ type: 10 }),
      });
      expectHook(res, 200, "connected");
      assert.equal(res.bytes.length, 0);
      await waitFor(() => client.received("connected").some((m) => m.args[0] === connectionId), { message: "connected message" });
      const seen = client.received("connected").find((m) => m.args[0] === connectionId).args;
      assert.deepEqual(seen, [connectionId, "bob", { room: "lobby" }, { name: "Bob" }, null]);

      expectHook(
        await webhook(host, { category: "connections", event: "connected", userId: "fail" }),
        403,
        "connected that throws",
        /connected failed on purpose/,
      );
      const denied = await webhook(host, { category: "connections", event: "connect", query: "?deny=banned", body: "{}" });
      expectHook(denied, 403, "connect refused", /denied by the function: banned/);
      assert.match(denied.statusText, /denied by the function: banned/, "the reason phrase carries the reason");
      expectHook(await webhook(host, { category: "connections", event: "connect", body: "{}" }), 200, "connect allowed");

      const left = uid("left-");
      expectHook(
        await webhook(host, {
          category: "connections",
          event: "disconnected",
          connectionId: left,
          body: JSON.stringify({ type: 11, error: "Connection closed with an error." }),
        }),
        200,
        "disconnected",
      );
      await waitFor(() => client.received("disconnected").some((m) => m.args[0] === left), { message: "disconnected message" });
      assert.deepEqual(client.received("disconnected").find((m) => m.args[0] === left).args, [left, "Connection closed with an error."]);
      expectHook(
        await webhook(host, { category: "connections", event: "disconnected", query: "?throw=1", body: JSON.stringify({ type: 11 }) }),
        200,
        "disconnected that throws",
      );
    }),
  );

  test(
    "parameterNames are binding data: {room} names the signalR output's hub",
    logged(async () => {
      const inRoom = await connectClient(fx, { hub: "r1" });
      const inChat = await connectClient(fx, { hub: "chat" });
      const tag = uid("room-");
      const res = await webhook(host, { event: "toRoom", body: jsonInvocation("toRoom", ["r1", tag], "8") });
      assert.equal(completionOf(res).result, null, "no return value: a null result");
      await waitFor(() => inRoom.count(tag) === 1, { message: "the message in hub r1" });
      await new Promise((r) => setTimeout(r, 200));
      assert.equal(inChat.count(tag), 0, "not sent to the chat hub");
    }),
  );
});

describe("signalRTrigger: the signalr_extension key is kept across restarts", () => {
  test(
    "a second start prints the same key, and the first one still works",
    logged(async () => {
      const appDir = copyApp(TRIGGER_JS_APP);
      const first = await startTriggerHost({ app: appDir, mode: "functions" });
      const key = first.keys.signalr;
      await stopHost(first);
      const second = await startTriggerHost({ app: appDir, mode: "functions" });
      try {
        assert.equal(second.keys.signalr, key);
        expectHook(await webhook(second, { key }), 200, "the kept key");
      } finally {
        await stopHost(second);
      }
    }),
  );
});

describe("signalRTrigger under switchboard start (the embedded service's connection string)", () => {
  test(
    "the webhook checks signatures with the embedded service's key and sends outputs in-process",
    logged(async () => {
      const host = await startTriggerHost({ app: copyApp(TRIGGER_JS_APP), mode: "start" });
      const fx = await startNegotiateFixture(host.service);
      try {
        const client = await connectClient(fx, { hub: "chat" });
        const tag = uid("start-");
        const res = await webhook(host, { body: jsonInvocation("broadcast", [tag], "1") });
        assert.equal(completionOf(res).result.echo, tag);
        await waitFor(() => client.count(tag) === 1, { message: "the in-process broadcast" });
        expectHook(await webhook(host, { accessKey: "not-the-embedded-key" }), 401, "another key");
      } finally {
        await stopAllClients();
        await fx.close();
        await stopHost(host);
      }
    }),
  );
});
