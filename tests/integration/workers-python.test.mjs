// The Python language worker (workers/python/worker.py): the seeds' Python functions (examples/seeds/python)
// end to end with the official client, the programming model (parameters bound by name, func.Out[str] with
// json.dumps, $return, func.Context, async def, logging), the seeds' inconsistent negotiate example (a
// parameter function.json does not declare) failing with a clear error, the printed snippets running without
// their imports, and worker faults: a function that raises, one that never returns (functionTimeout), and the
// worker killed in the middle of an invocation.
import { test, describe, before, after } from "node:test";
import assert from "node:assert/strict";
import path from "node:path";
import fs from "node:fs";
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
import { seedsSuite, SEEDS_PY_APP, workerPids, waitForWorker, expectHangRestartsWorker } from "./workers-helpers.mjs";

after(removeTempDirs);

seedsSuite("python");

const trigger = (extra = {}) => ({ authLevel: "anonymous", type: "httpTrigger", direction: "in", name: "req", methods: ["get", "post"], ...extra });
const ret = { type: "http", direction: "out", name: "$return" };

// The seeds' Python negotiate example exactly as printed: its function.json names the binding
// "connectionInfo", its code takes "connectionInfoJson".
const SEED_NEGOTIATE_JSON = {
  bindings: [
    trigger({ methods: ["post"] }),
    ret,
    { type: "signalRConnectionInfo", name: "connectionInfo", hubName: "chat", connectionStringSetting: "AzureSignalRConnectionString", direction: "in" },
  ],
};
const SEED_NEGOTIATE_PY = `def main(req: func.HttpRequest, connectionInfoJson: str) -> func.HttpResponse:
    return func.HttpResponse(
        connectionInfoJson,
        status_code=200,
        headers={
            'Content-type': 'application/json'
        }
    )
`;
// The seeds' broadcast example exactly as printed (no imports).
const SEED_BROADCAST_PY = `def main(req: func.HttpRequest, out_message: func.Out[str]) -> func.HttpResponse:
    message = req.get_json()
    out_message.set(json.dumps({
        'target': 'newMessage',
        'arguments': [ message ]
    }))
`;

function faultApp() {
  const dir = path.join(tempDir("sb-pyworker-"), "app");
  fs.cpSync(path.join(SEEDS_PY_APP, "negotiateAnonymous"), path.join(dir, "negotiateAnonymous"), { recursive: true });
  return writeApp(dir, {
    "host.json": { version: "2.0", functionTimeout: "00:00:02" },
    "local.settings.json": { IsEncrypted: false, Values: { FUNCTIONS_WORKER_RUNTIME: "python", MY_SETTING: "from-settings" } },
    "negotiate/function.json": SEED_NEGOTIATE_JSON,
    "negotiate/__init__.py": SEED_NEGOTIATE_PY,
    "verbatim/function.json": { bindings: [trigger(), { type: "signalR", name: "out_message", hubName: "chat", direction: "out" }] },
    "verbatim/__init__.py": SEED_BROADCAST_PY,
    // The request as the function sees it, func.Context, logging, app settings.
    "echo/function.json": { bindings: [trigger({ route: "echo/{id}" }), ret] },
    "echo/__init__.py": `import json
import logging
import os

import azure.functions as func


def main(req: func.HttpRequest, context: func.Context) -> func.HttpResponse:
    logging.info("echo %s", req.route_params.get("id"))
    logging.warning("a warning")
    try:
        body = req.get_json()
    except ValueError as e:
        body = {"invalid": str(e)[:40], "raw": req.get_body().decode()}
    return func.HttpResponse(
        json.dumps({
            "method": req.method, "url": req.url, "params": dict(req.params), "route": dict(req.route_params),
            "header": req.headers.get("X-Test"), "headerLower": req.headers.get("x-test"), "body": body,
            "function": context.function_name, "invocation": bool(context.invocation_id),
            "setting": os.environ.get("MY_SETTING"), "runtime": os.environ.get("FUNCTIONS_WORKER_RUNTIME"),
        }),
        status_code=200,
        headers={"X-Echo": "yes"},
        mimetype="application/json",
    )
`,
    // async def, an input as a dict (no str annotation), two outputs: Out[str] holding a JSON array and $return.
    "multi/function.json": {
      bindings: [
        trigger(),
        ret,
        { type: "signalR", name: "messages", hubName: "chat", direction: "out" },
        { type: "signalRConnectionInfo", name: "info", hubName: "chat", direction: "in" },
      ],
    },
    "multi/__init__.py": `import asyncio
import json

import azure.functions as func


async def main(req: func.HttpRequest, messages: func.Out[str], info) -> func.HttpResponse:
    await asyncio.sleep(0.01)
    tag = req.params["tag"]
    messages.set(json.dumps([
        {"target": "newMessage", "arguments": [tag, 1]},
        {"target": "newMessage", "arguments": [tag, 2]},
    ]))
    return func.HttpResponse(f"sent {tag}; info is {type(info).__name__} with {sorted(info)}", status_code=202)
`,
    // A custom script file and entry point.
    "custom/function.json": { scriptFile: "app.py", entryPoint: "run", bindings: [trigger(), ret] },
    "custom/app.py": `import azure.functions as func


def run(req: func.HttpRequest) -> func.HttpResponse:
    return func.HttpResponse("custom " + req.params.get("v", ""))
`,
    "raises/function.json": { bindings: [trigger(), ret] },
    "raises/__init__.py": `import azure.functions as func


def main(req: func.HttpRequest) -> func.HttpResponse:
    raise ValueError("boom from python")
`,
    "hangs/function.json": { bindings: [trigger(), ret] },
    "hangs/__init__.py": `import time

import azure.functions as func


def main(req: func.HttpRequest) -> func.HttpResponse:
    time.sleep(3600)
`,
    "slow/function.json": { bindings: [trigger(), ret] },
    "slow/__init__.py": `import time

import azure.functions as func


def main(req: func.HttpRequest) -> func.HttpResponse:
    print("slow invocation started", flush=True)
    time.sleep(1.5)
    return func.HttpResponse("slow done")
`,
    // An out binding whose parameter is not annotated func.Out.
    "badOut/function.json": { bindings: [trigger(), ret, { type: "signalR", name: "msg", hubName: "chat", direction: "out" }] },
    "badOut/__init__.py": `import azure.functions as func


def main(req: func.HttpRequest, msg: str) -> func.HttpResponse:
    return func.HttpResponse("unreachable")
`,
  });
}

describe("Python worker: programming model and faults", () => {
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
    "the seeds' negotiate example as printed (parameter connectionInfoJson, binding connectionInfo) fails with a clear error",
    logged(async () => {
      const r = await callFn(host, "POST", "/api/negotiate");
      expectFnError(
        r,
        500,
        [/FunctionLoadError: cannot load the negotiate function: the following parameters are declared in Python but not in function\.json: \{'connectionInfoJson'\}/],
        "inconsistent negotiate",
      );
      expectFnError(
        await callFn(host, "POST", "/api/badOut"),
        500,
        [/FunctionLoadError: cannot load the badOut function: binding msg is declared to have the \\?"out\\?" direction, but its annotation in Python is not a subclass of azure\.functions\.Out/],
        "out binding not annotated Out",
      );
    }),
  );

  test(
    "the seeds' broadcast snippet as printed (no imports) runs: func.Out[str] with json.dumps",
    logged(async () => {
      const tag = uid("py-verbatim-");
      const r = await callFn(host, "POST", "/api/verbatim", { body: { tag, n: 1 } });
      expectFnStatus(r, 204, "verbatim");
      await expectDelivery(host.service, { tag, receivers: [client], args: [{ tag, n: 1 }] });
    }),
  );

  test(
    "the request, func.Context, logging and app settings as the function sees them",
    logged(async () => {
      const mark = host.logMark();
      let r = await callFn(host, "POST", "/api/echo/42?a=1&b=two", { body: { hello: "world" }, headers: { "X-Test": "t" } });
      expectFnStatus(r, 200, "echo");
      assert.equal(r.headers["x-echo"], "yes");
      assert.match(String(r.headers["content-type"]), /^application\/json/);
      const b = r.json;
      assert.equal(b.method, "POST");
      assert.match(b.url, /\/api\/echo\/42\?a=1&b=two$/);
      assert.deepEqual(b.params, { a: "1", b: "two" });
      assert.deepEqual(b.route, { id: "42" });
      assert.equal(b.header, "t");
      assert.equal(b.headerLower, "t", "headers are case-insensitive");
      assert.deepEqual(b.body, { hello: "world" });
      assert.equal(b.function, "echo");
      assert.equal(b.invocation, true);
      assert.equal(b.setting, "from-settings");
      assert.equal(b.runtime, "python");
      await expectLog(host, /echo 42/, { since: mark });
      await expectLog(host, /a warning/, { since: mark });

      r = await callFn(host, "POST", "/api/echo/1", { body: "not json", headers: { "Content-Type": "text/plain" } });
      expectFnStatus(r, 200, "echo with a text body");
      assert.equal(r.json.body.raw, "not json");
      assert.match(r.json.body.invalid, /valid JSON/, "get_json() raises ValueError");
    }),
  );

  test(
    "async def main, an input as a dict, Out[str] holding a JSON array, $return; scriptFile + entryPoint",
    logged(async () => {
      const tag = uid("py-multi-");
      let r = await callFn(host, "POST", `/api/multi?tag=${tag}`);
      expectFnStatus(r, 202, "multi");
      assert.equal(r.text, `sent ${tag}; info is dict with ['accessToken', 'url']`);
      await waitFor(() => client.count(tag) === 2, { message: () => `two messages: ${JSON.stringify(client.received("newMessage", tag))}` });
      assert.deepEqual(
        client.received("newMessage", tag).map((m) => m.args),
        [
          [tag, 1],
          [tag, 2],
        ],
        "in order",
      );
      r = await callFn(host, "GET", "/api/custom?v=7");
      expectFnStatus(r, 200, "custom");
      assert.equal(r.text, "custom 7");
      assert.match(String(r.headers["content-type"]), /^text\/plain/);
    }),
  );

  test(
    "a function that raises: 500 with the exception, and the worker keeps serving",
    logged(async () => {
      const pid = await waitForWorker(host, "python");
      const err = expectFnError(await callFn(host, "POST", "/api/raises"), 500, [/ValueError: boom from python/], "raises");
      assert.doesNotMatch(err, /Traceback/, "no traceback in the HTTP answer");
      expectFnStatus(await callFn(host, "GET", "/api/custom?v=after"), 200, "after the exception");
      assert.deepEqual(workerPids(host, "python"), [pid], "same worker process");
    }),
  );

  test(
    "a function that never returns: 500 after functionTimeout, the worker is restarted, other functions work",
    logged(async () => {
      await expectHangRestartsWorker(host, "python", { seconds: 2 });
      const ok = await callFn(host, "GET", "/api/custom?v=next");
      expectFnStatus(ok, 200, "another function after the timeout");
      assert.equal(ok.text, "custom next");
    }),
  );

  test(
    "the worker killed in the middle of an invocation: that call fails with 5xx, a later one succeeds",
    logged(async () => {
      const pid = await waitForWorker(host, "python");
      const mark = host.logMark();
      const pending = callFn(host, "POST", "/api/slow", { timeout: 10000 });
      await expectLog(host, /\[python\] slow invocation started/, { since: mark, timeout: 5000 });
      process.kill(pid, "SIGKILL");
      const r = await pending;
      assert.ok(r.status >= 500 && r.status < 600, `5xx expected, got ${r.status} ${r.text}`);
      assert.ok(r.json && typeof r.json.error === "string", `JSON error body: ${r.text}`);
      assert.doesNotMatch(r.json.error, /Timeout value/, "not reported as a timeout");
      await waitForWorker(host, "python", { notPid: pid });
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
