// The Node.js programming model v4 (workers/node/v4, no function.json): apps that use the real
// `@azure/functions` package from npm (installed here with `npm ci` from examples/models/node's lockfile),
// whose functions the host reads from the worker at start (workers/node/describe.mjs).
//   - examples/models/node, the seeds' shapes, end to end with the official client
//   - the model: the request, HttpResponse and plain responses, cookies, route parameters, auth levels,
//     context.log, hooks, a thrown error, app.generic with a signalRTrigger
//   - start-up errors naming the file and the function: "main" naming no file, a function registered twice,
//     a file that throws while loading
import { test, describe, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { BINARY, REPO_ROOT, freePort } from "./helpers.mjs";
import { startHost, runToExit, tempDir, writeApp, removeTempDirs, callFn, expectFnStatus, expectFnError, expectLog, logged } from "./functions-helpers.mjs";
import { seedsSuite } from "./workers-helpers.mjs";
import { startTriggerHost, webhook, completionOf, jsonInvocation } from "./trigger-helpers.mjs";

const MODELS_NODE_APP = path.join(REPO_ROOT, "examples", "models", "node");

after(removeTempDirs);

// One `npm ci` of the example's lockfile per run; every app here links its node_modules to it.
let installed;
function installedModules() {
  installed ??= (() => {
    const dir = tempDir("sb-models-npm-");
    for (const f of ["package.json", "package-lock.json"]) fs.copyFileSync(path.join(MODELS_NODE_APP, f), path.join(dir, f));
    execFileSync("npm", ["ci", "--prefer-offline", "--no-audit", "--no-fund", "--loglevel=error"], { cwd: dir, stdio: ["ignore", "ignore", "inherit"] });
    return path.join(dir, "node_modules");
  })();
  return installed;
}
const linkModules = (dir) => {
  fs.rmSync(path.join(dir, "node_modules"), { recursive: true, force: true });
  fs.symlinkSync(installedModules(), path.join(dir, "node_modules"), "dir");
};

seedsSuite("node", { app: MODELS_NODE_APP, label: "Node.js v4", prepare: linkModules, sendStatus: 200 });

/** A v4 app in a temp dir: package.json with `main`, host.json, the given files, @azure/functions linked. */
function v4App(files, { main = "src/*.js" } = {}) {
  const dir = path.join(tempDir("sb-models-node-"), "app");
  writeApp(dir, {
    "package.json": { name: "v4-test", private: true, type: "commonjs", main, dependencies: { "@azure/functions": "4.16.5" } },
    "host.json": { version: "2.0", extensions: { http: { routePrefix: "api" } } },
    "local.settings.json": { IsEncrypted: false, Values: { FUNCTIONS_WORKER_RUNTIME: "node", MY_SETTING: "from-settings" } },
    ...files,
  });
  linkModules(dir);
  return dir;
}

const MODEL_APP = {
  "src/functions/http/http.js": `const { app, HttpResponse, output } = require("@azure/functions");
app.http("echo", {
  methods: ["GET", "POST"],
  authLevel: "anonymous",
  route: "items/{id}",
  handler: async (request, context) => {
    context.log("echo", request.params.id);
    context.warn("a warning");
    const text = await request.text();
    return new HttpResponse({
      status: 201,
      headers: { "x-echo": "yes" },
      cookies: [{ name: "session", value: "abc", path: "/", httpOnly: true }],
      jsonBody: {
        method: request.method,
        url: request.url,
        id: request.params.id,
        q: request.query.get("q"),
        header: request.headers.get("x-test"),
        text,
        functionName: context.functionName,
        invocationId: typeof context.invocationId,
        setting: process.env.MY_SETTING,
        hooked: context.extraInputs.get("hooked") ?? null,
      },
    });
  },
});
// A name from an app setting: the host's describe run and the worker see the same settings.
app.get(process.env.GREETING_FUNCTION ?? "settingMissing", { authLevel: "anonymous", handler: async () => ({ body: "hello" }) });
app.get("plain", { authLevel: "function", handler: async () => ({ status: 202, body: "plain text", headers: { "content-type": "text/plain" } }) });
app.post("throws", { authLevel: "anonymous", handler: async () => { throw new RangeError("boom from v4"); } });
app.generic("echoTrigger", {
  trigger: { type: "signalRTrigger", name: "invocation", hubName: "chat", category: "messages", event: "echo", parameterNames: ["text"] },
  extraOutputs: [output.generic({ type: "signalR", name: "signalR", hubName: "chat" })],
  handler: async (invocation, context) => {
    return { echo: invocation.Arguments[0], event: invocation.Event, connectionId: invocation.ConnectionId };
  },
});
`,
  "src/hooks.js": `const { app } = require("@azure/functions");
app.hook.appStart(() => console.log("appStart hook ran"));
app.hook.appTerminate(() => require("node:fs").writeFileSync(process.env.TERMINATE_FILE, "appTerminate hook ran"));
app.hook.preInvocation((ctx) => {
  if (ctx.invocationContext.functionName === "echo") ctx.invocationContext.extraInputs.set("hooked", "pre");
});
app.hook.postInvocation((ctx) => {
  if (ctx.invocationContext.functionName === "plain") ctx.result = { status: 202, body: "plain text, after the hook" };
});
`,
};

describe("Node.js v4 programming model", () => {
  let host;
  let terminateFile;
  before(
    logged(async () => {
      // "main" as Azure's templates write it: braces and a wildcard (a "**" for the nested folder).
      const dir = v4App(MODEL_APP, { main: "src/{hooks.js,functions/**/*.js}" });
      terminateFile = path.join(path.dirname(dir), "terminated.txt");
      writeApp(dir, {
        "local.settings.json": { IsEncrypted: false, Values: { FUNCTIONS_WORKER_RUNTIME: "node", MY_SETTING: "from-settings", GREETING_FUNCTION: "greet", TERMINATE_FILE: terminateFile } },
      });
      host = await startTriggerHost({ app: dir });
    }),
  );
  after(async () => {
    await host?.stop();
  });

  test(
    "the host lists the functions it read from the worker; the appStart hook ran",
    logged(async () => {
      for (const name of ["echo", "greet", "plain", "throws", "echoTrigger"]) assert.match(host.stdout, new RegExp(`\\b${name}\\b`), `${name} in the banner`);
      await expectLog(host, /appStart hook ran/);
      const r = await callFn(host, "GET", "/api/greet");
      expectFnStatus(r, 200, "the function named by an app setting");
      assert.equal(r.text, "hello");
    }),
  );

  test(
    "the request and an HttpResponse with jsonBody, headers and a cookie; context.log lines; a preInvocation hook",
    logged(async () => {
      const mark = host.logMark();
      const r = await callFn(host, "POST", "/api/items/42?q=find", { body: "hello v4", headers: { "X-Test": "t", "Content-Type": "text/plain" } });
      expectFnStatus(r, 201, "echo");
      assert.match(String(r.headers["content-type"]), /application\/json/);
      assert.equal(r.headers["x-echo"], "yes");
      assert.match(String(r.headers["set-cookie"]), /^session=abc; Path=\/; HttpOnly/);
      assert.deepEqual(r.json, {
        method: "POST",
        url: `http://127.0.0.1:${host.port}/api/items/42?q=find`,
        id: "42",
        q: "find",
        header: "t",
        text: "hello v4",
        functionName: "echo",
        invocationId: "string",
        setting: "from-settings",
        hooked: "pre",
      });
      await expectLog(host, /echo 42/, { since: mark });
      await expectLog(host, /a warning/, { since: mark });
    }),
  );

  test(
    "authLevel function needs a key; a plain object response; a postInvocation hook replaces the result",
    logged(async () => {
      expectFnStatus(await callFn(host, "GET", "/api/plain"), 401, "plain without a key");
      const r = await callFn(host, "GET", `/api/plain?code=${host.keys.function}`);
      expectFnStatus(r, 202, "plain with the key");
      assert.equal(r.text, "plain text, after the hook");
    }),
  );

  test(
    "a thrown error is a 500 naming it; the function's method list is enforced",
    logged(async () => {
      expectFnError(await callFn(host, "POST", "/api/throws"), 500, [/RangeError: boom from v4/], "throws");
      expectFnError(await callFn(host, "GET", "/api/throws"), 405, [/Method GET is not allowed/], "GET on a POST-only function");
    }),
  );

  test(
    "app.generic with a signalRTrigger: the return value is the invocation's result",
    logged(async () => {
      const connectionId = "conn-v4";
      const res = await webhook(host, { event: "echo", connectionId, body: jsonInvocation("echo", ["hi"], "7") });
      assert.deepEqual(completionOf(res).result, { echo: "hi", event: "echo", connectionId });
    }),
  );

  test(
    "stopping the host runs the appTerminate hook",
    logged(async () => {
      assert.equal(fs.existsSync(terminateFile), false);
      await host.stop();
      assert.equal(fs.readFileSync(terminateFile, "utf8"), "appTerminate hook ran");
    }),
  );
});

describe("Node.js v4 apps that cannot start name the file and the function", () => {
  const cases = [
    {
      what: '"main" naming no file',
      app: () => v4App({}, { main: "dist/index.js" }),
      expect: [/package\.json/, /"main" is "dist\/index\.js", which does not exist/],
    },
    {
      what: "a function registered twice",
      app: () =>
        v4App({
          "src/a.js": `const { app } = require("@azure/functions");\napp.http("twice", { handler: async () => ({}) });`,
          "src/b.js": `const { app } = require("@azure/functions");\napp.http("twice", { handler: async () => ({}) });`,
        }),
      expect: [/src[\\/]b\.js/, /function 'twice': registered twice \(first in .*src[\\/]a\.js\)/],
    },
    {
      what: "a handler that is not a function",
      app: () => v4App({ "src/a.js": `const { app } = require("@azure/functions");\napp.http("notCode", { handler: "index.run" });` }),
      expect: [/src[\\/]a\.js/, /function 'notCode': its handler is not a function/],
    },
    {
      what: "HTTP streaming asked for",
      app: () =>
        v4App({
          "src/index.js": `const { app } = require("@azure/functions");\napp.setup({ enableHttpStream: true });\napp.http("streamed", { handler: async () => ({}) });`,
        }),
      expect: [/package\.json/, /enableHttpStream: true/, /not supported/],
    },
    {
      what: "a file that throws while loading",
      app: () => v4App({ "src/bad.js": `const { app } = require("@azure/functions");\nthrow new Error("cannot configure");` }),
      expect: [/src[\\/]bad\.js/, /Error: cannot configure/],
    },
  ];
  for (const c of cases) {
    test(
      c.what,
      logged(async () => {
        const r = await runToExit(BINARY, ["start", c.app(), "--port", String(await freePort()), "--service-port", String(await freePort())]);
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
