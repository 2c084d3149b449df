// The Python programming model v2 (function_app.py with decorators, no function.json), whose functions the
// host reads from the worker at start (workers/python/describe.py):
//   - examples/models/python, the seeds' shapes, end to end with the official client
//   - the model: @app.route with route parameters and auth levels, @app.function_name, HttpRequest /
//     HttpResponse, func.Out[str], logging, a Blueprint, a raised exception, @app.generic_trigger with a
//     signalRTrigger
//   - start-up errors naming the file, the line and the function: a function registered twice, a binding
//     without arg_name, a decorator on a non-function, parameters that do not match the bindings, no
//     FunctionApp, code that raises while importing
import { test, describe, before, after } from "node:test";
import assert from "node:assert/strict";
import path from "node:path";
import { BINARY, REPO_ROOT, freePort } from "./helpers.mjs";
import { startHost, runToExit, tempDir, writeApp, removeTempDirs, callFn, expectFnStatus, expectFnError, expectLog, logged } from "./functions-helpers.mjs";
import { seedsSuite } from "./workers-helpers.mjs";
import { startTriggerHost, webhook, completionOf, jsonInvocation } from "./trigger-helpers.mjs";

const MODELS_PY_APP = path.join(REPO_ROOT, "examples", "models", "python");

after(removeTempDirs);

seedsSuite("python", { app: MODELS_PY_APP, label: "Python v2", sendStatus: 200 });

/** A v2 app in a temp dir: host.json, local.settings.json and the given function_app.py (and files). */
function v2App(functionApp, files = {}) {
  const dir = path.join(tempDir("sb-models-py-"), "app");
  return writeApp(dir, {
    "host.json": { version: "2.0", extensions: { http: { routePrefix: "api" } } },
    "local.settings.json": { IsEncrypted: false, Values: { FUNCTIONS_WORKER_RUNTIME: "python", MY_SETTING: "from-settings", GREETING_ROUTE: "greetings/hello" } },
    "function_app.py": functionApp,
    ...files,
  });
}

const MODEL_APP = `import json
import logging
import os

import azure.functions as func

from more import bp

app = func.FunctionApp()  # http_auth_level defaults to FUNCTION
app.register_functions(bp)


@app.function_name(name="echo")
@app.route(route="items/{id}", methods=[func.HttpMethod.GET, "POST"], auth_level=func.AuthLevel.ANONYMOUS)
def echo_items(req: func.HttpRequest) -> func.HttpResponse:
    logging.info("echo %s", req.route_params["id"])
    logging.warning("a warning")
    body = {
        "method": req.method,
        "id": req.route_params.get("id"),
        "q": req.params.get("q"),
        "header": req.headers.get("x-test"),
        "text": req.get_body().decode(),
        "setting": os.environ.get("MY_SETTING"),
    }
    return func.HttpResponse(json.dumps(body), status_code=201, mimetype="application/json", headers={"x-echo": "yes"})


# A route from an app setting: the host's describe run and the worker see the same settings.
@app.route(route=os.environ.get("GREETING_ROUTE", "setting-missing"), auth_level=func.AuthLevel.ANONYMOUS)
def greet(req: func.HttpRequest) -> str:
    return "hello"


@app.route(route="guarded")
def guarded(req: func.HttpRequest) -> str:
    return "guarded text"


@app.route(route="raises", auth_level="anonymous")
def raises(req: func.HttpRequest):
    raise ValueError("boom from v2")


@app.generic_trigger(arg_name="invocation", type="signalRTrigger", hub_name="chat", category="messages", event="echo")
@app.generic_output_binding(arg_name="messages", type="signalR", hubName="chat")
def echoTrigger(invocation: str, messages: func.Out[str]):
    context = json.loads(invocation)
    return {"echo": context["Arguments"][0], "event": context["Event"], "connectionId": context["ConnectionId"]}
`;

const BLUEPRINT = `import azure.functions as func

bp = func.Blueprint()


@bp.route(route="fromBlueprint", auth_level=func.AuthLevel.ANONYMOUS)
def fromBlueprint(req: func.HttpRequest) -> func.HttpResponse:
    return func.HttpResponse("from the blueprint")
`;

describe("Python v2 programming model", () => {
  let host;
  before(
    logged(async () => {
      host = await startTriggerHost({ app: v2App(MODEL_APP, { "more.py": BLUEPRINT }) });
    }),
  );
  after(async () => {
    await host?.stop();
  });

  test(
    "the host lists the functions it read from the worker (the blueprint's too)",
    logged(async () => {
      for (const name of ["echo", "guarded", "raises", "echoTrigger", "fromBlueprint"])
        assert.match(host.stdout, new RegExp(`\\b${name}\\b`), `${name} in the banner`);
      assert.doesNotMatch(host.stdout, /echo_items/, "@app.function_name names the function");
    }),
  );

  test(
    "@app.route: the request, route parameters, an HttpResponse, logging lines",
    logged(async () => {
      const mark = host.logMark();
      const r = await callFn(host, "POST", "/api/items/42?q=find", { body: "hello v2", headers: { "X-Test": "t", "Content-Type": "text/plain" } });
      expectFnStatus(r, 201, "echo");
      assert.match(String(r.headers["content-type"]), /application\/json/);
      assert.equal(r.headers["x-echo"], "yes");
      assert.deepEqual(r.json, { method: "POST", id: "42", q: "find", header: "t", text: "hello v2", setting: "from-settings" });
      await expectLog(host, /echo 42/, { since: mark });
      await expectLog(host, /a warning/, { since: mark });
      expectFnStatus(await callFn(host, "GET", "/api/items/7"), 201, "GET is listed too");
      const greeting = await callFn(host, "GET", "/api/greetings/hello");
      expectFnStatus(greeting, 200, "the route named by an app setting");
      assert.equal(greeting.text, "hello");
      const bp = await callFn(host, "GET", "/api/fromBlueprint");
      expectFnStatus(bp, 200, "the blueprint's function");
      assert.equal(bp.text, "from the blueprint");
    }),
  );

  test(
    "the app's http_auth_level (FUNCTION by default) needs a key; a str return value is the body",
    logged(async () => {
      expectFnStatus(await callFn(host, "GET", "/api/guarded"), 401, "guarded without a key");
      const r = await callFn(host, "GET", `/api/guarded?code=${host.keys.function}`);
      expectFnStatus(r, 200, "guarded with the key");
      assert.equal(r.text, "guarded text");
    }),
  );

  test(
    "a raised exception is a 500 naming it",
    logged(async () => {
      expectFnError(await callFn(host, "POST", "/api/raises"), 500, [/ValueError: boom from v2/], "raises");
    }),
  );

  test(
    "@app.generic_trigger with a signalRTrigger: the return value is the invocation's result",
    logged(async () => {
      const connectionId = "conn-v2";
      const res = await webhook(host, { event: "echo", connectionId, body: jsonInvocation("echo", ["hi"], "7") });
      assert.deepEqual(completionOf(res).result, { echo: "hi", event: "echo", connectionId });
    }),
  );
});

describe("Python v2 apps that cannot start name the file, the line and the function", () => {
  const route = (name, extra = "") => `@app.route(route="${name}"${extra})\ndef ${name}(req: func.HttpRequest) -> str:\n    return "x"\n`;
  const head = "import azure.functions as func\n\napp = func.FunctionApp()\n\n";
  const cases = [
    {
      what: "a function registered twice",
      code: head + route("one") + `\n\n@app.function_name(name="one")\n` + route("other"),
      expect: [/function_app\.py:\d+/, /function 'one' is registered twice \(also at .*function_app\.py:5\)/],
    },
    {
      what: "a binding without arg_name",
      code: head + `@app.route(route="neg")\n@app.generic_input_binding(type="signalRConnectionInfo", hubName="chat")\ndef neg(req: func.HttpRequest, connectionInfo: str) -> str:\n    return connectionInfo\n`,
      expect: [/function_app\.py:6/, /function 'neg'/, /signalRConnectionInfo binding .* has no arg_name/],
    },
    {
      what: "a decorator on a non-function",
      code: head + `@app.route(route="thing")\nclass Thing:\n    pass\n`,
      expect: [/function_app\.py:5/, /@app\.route decorates 'Thing', which is not a function/],
    },
    {
      what: "a parameter no binding declares",
      code: head + `@app.route(route="neg")\ndef neg(req: func.HttpRequest, connectionInfo: str) -> str:\n    return connectionInfo\n`,
      expect: [/function_app\.py:5/, /function 'neg'/, /declared in Python but not in function\.json: \{'connectionInfo'\}/],
    },
    {
      what: "no FunctionApp at the top level",
      code: "import azure.functions as func\n",
      expect: [/function_app\.py/, /no FunctionApp at the top level/],
    },
    {
      what: "code that raises while importing",
      code: head + "raise RuntimeError('cannot configure')\n",
      expect: [/function_app\.py:5/, /RuntimeError: cannot configure/],
    },
  ];
  for (const c of cases) {
    test(
      c.what,
      logged(async () => {
        const r = await runToExit(BINARY, ["start", v2App(c.code), "--port", String(await freePort()), "--service-port", String(await freePort())]);
        const output = `exit code ${r.code}; output:\n${r.log}`;
        assert.equal(r.code, 2, output);
        const m = /the function app cannot start: (.*)/.exec(r.stderr);
        assert.ok(m, output);
        for (const p of c.expect) assert.match(m[1], p, `message: ${m[1]}`);
        assert.doesNotMatch(r.log, /Functions host listening/, output);
      }),
    );
  }
});
