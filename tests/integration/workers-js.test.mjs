// The JavaScript language worker (workers/node/worker.mjs): the seeds' JavaScript functions unchanged
// (examples/seeds/js) end to end with the official client, the v3 programming model (callback style,
// context.bindings, context.res, $return, logs, request fields), and worker faults: a function that throws,
// one that never returns (functionTimeout), and the worker killed in the middle of an invocation.
import { test, describe, before, after } from "node:test";
import assert from "node:assert/strict";
import { expectDelivery, uid, waitFor } from "./helpers.mjs";
import {
  startHost,
  tempDir,
  writeApp,
  removeTempDirs,
  callFn,
  expectFnStatus,
  expectFnError,
  connectFn,
  stopClients,
  expectLog,
  logged,
} from "./functions-helpers.mjs";
import { seedsSuite, SEEDS_JS_APP, workerPids, waitForWorker, expectHangRestartsWorker } from "./workers-helpers.mjs";
import path from "node:path";
import fs from "node:fs";

after(removeTempDirs);

seedsSuite("node");

const trigger = (extra = {}) => ({ authLevel: "anonymous", type: "httpTrigger", direction: "in", name: "req", methods: ["get", "post"], ...extra });
const res = { type: "http", direction: "out", name: "res" };
const ret = { type: "http", direction: "out", name: "$return" };
const messages = { type: "signalR", direction: "out", name: "signalRMessages", hubName: "chat" };

/** A JavaScript app exercising the programming model and the faults. */
function faultApp() {
  const dir = path.join(tempDir("sb-jsworker-"), "app");
  fs.cpSync(path.join(SEEDS_JS_APP, "negotiateAnonymous"), path.join(dir, "negotiateAnonymous"), { recursive: true });
  return writeApp(dir, {
    "host.json": { version: "2.0", functionTimeout: "00:00:02" },
    "local.settings.json": { IsEncrypted: false, Values: { FUNCTIONS_WORKER_RUNTIME: "node", MY_SETTING: "from-settings" } },
    // The request as the function sees it.
    "echo/function.json": { bindings: [trigger({ route: "echo/{id}" }), res] },
    "echo/index.js": `module.exports = async function (context, req) {
  context.log("echo %s", req.params.id);
  context.log.warn("a warning");
  context.res = {
    status: 200,
    headers: { "x-echo": "yes" },
    body: {
      method: req.method, url: req.url, query: req.query, params: req.params, header: req.headers["x-test"],
      body: req.body, rawBody: req.rawBody, bindingQuery: context.bindingData.query, bindingId: context.bindingData.id,
      functionName: context.executionContext.functionName, invocationId: typeof context.invocationId,
      reqIsBinding: context.bindings.req === req, setting: process.env.MY_SETTING,
      runtime: process.env.FUNCTIONS_WORKER_RUNTIME,
    },
  };
};`,
    // Callback style: a synchronous function that calls context.done().
    "callback/function.json": { bindings: [trigger(), res] },
    "callback/index.js": `module.exports = function (context, req) {
  context.res = { status: 201, body: "done for " + req.query.name };
  context.done();
};`,
    // Callback style, later, with the outputs as done()'s property bag.
    "callbackLater/function.json": { bindings: [trigger(), res, messages] },
    "callbackLater/index.js": `module.exports = function (context, req) {
  setTimeout(() => context.done(null, {
    res: { status: 202, body: "later" },
    signalRMessages: { target: "newMessage", arguments: [req.body] },
  }), 20);
};`,
    "callbackError/function.json": { bindings: [trigger(), res] },
    "callbackError/index.js": `module.exports = function (context, req) { context.done(new TypeError("bad callback")); };`,
    // Outputs through context.bindings (the http one included), from a named export (entryPoint).
    "bindingsOut/function.json": { entryPoint: "send", bindings: [trigger(), res, messages] },
    "bindingsOut/index.js": `module.exports.other = () => { throw new Error("wrong entry point"); };
module.exports.send = async function (context, req) {
  context.bindings.signalRMessages = [{ target: "newMessage", arguments: [req.body, "via bindings"] }];
  context.bindings.res = { statusCode: 203, headers: { "content-type": "application/json" }, body: JSON.stringify({ ok: true }) };
};`,
    // $return: the http response is the return value (scriptFile names the file).
    "returned/function.json": { scriptFile: "impl.js", bindings: [trigger(), ret] },
    "returned/impl.js": `module.exports = async (context, req) => ({ status: 200, body: { returned: req.query.v } });`,
    "throws/function.json": { bindings: [trigger(), res] },
    "throws/index.js": `module.exports = async function (context, req) { throw new RangeError("boom from js"); };`,
    "hangs/function.json": { bindings: [trigger(), res] },
    "hangs/index.js": `module.exports = async function (context, req) { await new Promise(() => {}); };`,
    "slow/function.json": { bindings: [trigger(), res] },
    "slow/index.js": `module.exports = async function (context, req) {
  console.log("slow invocation started");
  await new Promise((r) => setTimeout(r, 1500));
  context.res.body = "slow done";
};`,
  });
}

describe("JavaScript worker: programming model and faults", () => {
  let host;
  let client;

  before(
    logged(async () => {
      host = await startHost({ app: faultApp() });
      client = await connectFn(host, { base: "/api/anonymous", label: "anon" });
    }),
  );
  after(async () => {
    await stopClients();
    await host?.stop();
  });

  test(
    "the request, bindingData, executionContext and app settings as the function sees them; context.log lines",
    logged(async () => {
      const mark = host.logMark();
      const r = await callFn(host, "POST", "/api/echo/42?a=1&b=two", { body: { hello: "world" }, headers: { "X-Test": "t" } });
      expectFnStatus(r, 200, "echo");
      assert.equal(r.headers["x-echo"], "yes");
      const b = r.json;
      assert.equal(b.method, "POST");
      assert.match(b.url, /\/api\/echo\/42\?a=1&b=two$/);
      assert.deepEqual(b.query, { a: "1", b: "two" });
      assert.deepEqual(b.params, { id: "42" });
      assert.equal(b.header, "t", "req.headers are lower-case");
      assert.deepEqual(b.body, { hello: "world" }, "a JSON body is parsed");
      assert.equal(b.rawBody, JSON.stringify({ hello: "world" }));
      assert.deepEqual(b.bindingQuery, { a: "1", b: "two" });
      assert.equal(b.bindingId, "42", "route params are binding data");
      assert.equal(b.functionName, "echo");
      assert.equal(b.invocationId, "string");
      assert.equal(b.reqIsBinding, true);
      assert.equal(b.setting, "from-settings", "local.settings.json Values are in the environment");
      assert.equal(b.runtime, "node");
      await expectLog(host, /echo 42/, { since: mark });
      await expectLog(host, /a warning/, { since: mark });

      const text = await callFn(host, "POST", "/api/echo/7", { body: "plain text", headers: { "Content-Type": "text/plain" } });
      expectFnStatus(text, 200, "echo text");
      assert.equal(text.json.body, "plain text", "a non-JSON body stays a string");
      assert.deepEqual(text.json.params, { id: "7" });
    }),
  );

  test(
    "callback style: context.done() from a synchronous function, later with a property bag, and with an error",
    logged(async () => {
      let r = await callFn(host, "GET", "/api/callback?name=ann");
      expectFnStatus(r, 201, "callback");
      assert.equal(r.text, "done for ann");

      const tag = uid("js-later-");
      r = await callFn(host, "POST", "/api/callbackLater", { body: { tag } });
      expectFnStatus(r, 202, "callbackLater");
      assert.equal(r.text, "later");
      await expectDelivery(host.service, { tag, receivers: [client], args: [{ tag }] });

      expectFnError(await callFn(host, "POST", "/api/callbackError"), 500, [/TypeError: bad callback/], "context.done(err)");
    }),
  );

  test(
    "outputs set in context.bindings (entryPoint export) and a $return response (scriptFile)",
    logged(async () => {
      const tag = uid("js-bindings-");
      let r = await callFn(host, "POST", "/api/bindingsOut", { body: { tag } });
      expectFnStatus(r, 203, "bindingsOut");
      assert.deepEqual(r.json, { ok: true });
      await expectDelivery(host.service, { tag, receivers: [client], args: [{ tag }, "via bindings"] });

      r = await callFn(host, "GET", "/api/returned?v=x1");
      expectFnStatus(r, 200, "returned");
      assert.deepEqual(r.json, { returned: "x1" });
    }),
  );

  test(
    "a function that throws: 500 with the error, and the worker keeps serving",
    logged(async () => {
      const pid = workerPids(host, "node")[0];
      const err = expectFnError(await callFn(host, "POST", "/api/throws"), 500, [/RangeError: boom from js/], "throws");
      assert.doesNotMatch(err, /at .*index\.js/, "no stack trace in the HTTP answer");
      expectFnStatus(await callFn(host, "GET", "/api/callback?name=after"), 201, "after the throw");
      assert.deepEqual(workerPids(host, "node"), [pid], "same worker process");
    }),
  );

  test(
    "a function that never returns: 500 after functionTimeout, the worker is restarted, other functions work",
    logged(async () => {
      await expectHangRestartsWorker(host, "node", { seconds: 2 });
      const ok = await callFn(host, "GET", "/api/callback?name=next");
      expectFnStatus(ok, 201, "another function after the timeout");
    }),
  );

  test(
    "the worker killed in the middle of an invocation: that call fails with 5xx, a later one succeeds",
    logged(async () => {
      const pid = await waitForWorker(host, "node");
      const mark = host.logMark();
      const pending = callFn(host, "POST", "/api/slow", { timeout: 10000 });
      await expectLog(host, /\[node\] slow invocation started/, { since: mark, timeout: 5000 });
      process.kill(pid, "SIGKILL");
      const r = await pending;
      assert.ok(r.status >= 500 && r.status < 600, `5xx expected, got ${r.status} ${r.text}`);
      assert.ok(r.json && typeof r.json.error === "string", `JSON error body: ${r.text}`);
      assert.doesNotMatch(r.json.error, /Timeout value/, "not reported as a timeout");
      const fresh = await waitForWorker(host, "node", { notPid: pid });
      assert.notEqual(fresh, pid);
      let ok;
      await waitFor(
        async () => {
          ok = await callFn(host, "POST", "/api/slow", { timeout: 10000 });
          return ok.status === 200;
        },
        { timeout: 8000, interval: 200, message: () => `slow after the restart: ${ok?.status} ${ok?.text}` },
      );
      assert.equal(ok.text, "slow done");
    }),
  );
});
