// --log-format json: every log line is one JSON object (time, level, message, fields); the
// service's connection lines carry the connection id, hub and user, its REST lines the request id
// (the caller's x-request-id, also in the answer) and hub; the host's invocation lines carry the
// request id, the function and the invocation id.
import { test, describe, before, after } from "node:test";
import assert from "node:assert/strict";
import path from "node:path";
import {
  startService,
  startNegotiateFixture,
  connectClient,
  stopAllClients,
  restCall,
  p22,
  expectStatus,
  waitFor,
  logged,
  uid,
} from "./helpers.mjs";
import { startHost, tempDir, writeApp, removeTempDirs, callFn, expectFnStatus } from "./functions-helpers.mjs";

const TEXT_LOG_LINE = /^\[\d\d:\d\d:\d\d\.\d{3}\] \[/;

/** The JSON log lines of `text`, each parsed; asserts that no line is a text-format log line and every "{" line parses. */
function jsonLines(text) {
  const lines = [];
  for (const line of text.split("\n")) {
    assert.doesNotMatch(line, TEXT_LOG_LINE, `a text-format log line under --log-format json: ${line}`);
    if (!line.startsWith("{")) continue;  // the start banner
    let entry;
    assert.doesNotThrow(() => (entry = JSON.parse(line)), `not JSON: ${line}`);
    assert.match(entry.time, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/, `time of ${line}`);
    assert.ok(["trace", "debug", "info", "warning", "error", "critical"].includes(entry.level), `level of ${line}`);
    assert.equal(typeof entry.message, "string", `message of ${line}`);
    lines.push(entry);
  }
  return lines;
}

after(removeTempDirs);

describe("--log-format json on the service", () => {
  let svc;
  let fx;
  before(async () => {
    svc = await startService({ args: ["--log-format", "json", "--log-level", "debug"] });
    fx = await startNegotiateFixture(svc);
  });
  after(async () => {
    await stopAllClients();
    await fx?.close();
    await svc?.stop();
  });

  test(
    "connection lines are JSON objects with the connection id, hub and user",
    logged(async () => {
      const hub = uid("loghub").toLowerCase();
      const client = await connectClient(fx, { hub, user: "alice" });
      const id = client.id;
      await client.stop();
      const entries = await waitFor(() => {
        const all = jsonLines(svc.log);
        const mine = all.filter((e) => e.connection_id === id);
        return mine.some((e) => /ended/.test(e.message)) ? mine : null;
      }, { timeout: 5000, message: "the connection's ended line" });
      const connected = entries.find((e) => /connected to hub/.test(e.message));
      assert.ok(connected, `a 'connected' line for ${id}: ${JSON.stringify(entries)}`);
      assert.equal(connected.hub, hub);
      assert.equal(connected.user, "alice");
      assert.equal(connected.level, "debug");
      assert.match(connected.message, new RegExp(`^connection ${id}: connected to hub ${hub} over WebSockets \\(json\\)$`));
    }),
  );

  test(
    "REST calls answer x-request-id (the caller's when sane, else a new one) and log it with the hub",
    logged(async () => {
      const hub = uid("resthub").toLowerCase();
      const given = await restCall(svc, "POST", p22(hub, "/:send"), {
        headers: { "x-request-id": "rest-req-1" },
        body: { target: "x", arguments: [] },
      });
      expectStatus(given, 202, "broadcast with x-request-id");
      assert.equal(given.headers["x-request-id"], "rest-req-1");
      const made = await restCall(svc, "POST", p22(hub, "/:send"), {
        headers: { "x-request-id": "has spaces" },
        body: { target: "x", arguments: [] },
      });
      assert.match(made.headers["x-request-id"] ?? "", /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/, "a new id for one that is not sane");
      const denied = await restCall(svc, "POST", p22(hub, "/:send"), { token: "bad", body: { target: "x", arguments: [] } });
      expectStatus(denied, 401, "bad token");
      assert.match(denied.headers["x-request-id"] ?? "", /^[0-9a-f-]{36}$/, "a refusal has an id too");

      const line = (id) => jsonLines(svc.log).find((e) => e.request_id === id);
      await waitFor(() => line("rest-req-1") && line(made.headers["x-request-id"]) && line(denied.headers["x-request-id"]), {
        timeout: 5000,
        message: "the REST lines with their request ids",
      });
      const ok = line("rest-req-1");
      assert.equal(ok.level, "debug");
      assert.equal(ok.hub, hub);
      assert.match(ok.message, new RegExp(`^REST POST /api/hubs/${hub}/:send: 202 \\(request rest-req-1\\)$`));
      // Refused before its hub was checked: no hub field.
      const refused = line(denied.headers["x-request-id"]);
      assert.equal(refused.hub, undefined);
      assert.match(refused.message, / 401 /);
    }),
  );

  test("--log-format refuses another format", async () => {
    await assert.rejects(startService({ args: ["--log-format", "xml"] }), /log-format|xml/);
  });
});

describe("--log-format json on the functions host", () => {
  let host;
  before(async () => {
    const dir = path.join(tempDir("sb-jsonlog-"), "app");
    writeApp(dir, {
      "host.json": { version: "2.0" },
      "local.settings.json": { IsEncrypted: false, Values: { FUNCTIONS_WORKER_RUNTIME: "node" } },
      "hello/function.json": {
        bindings: [
          { authLevel: "anonymous", type: "httpTrigger", direction: "in", name: "req", methods: ["get"] },
          { type: "http", direction: "out", name: "res" },
        ],
      },
      "hello/index.js": `module.exports = async function (context) { context.log("said \\"hello\\"\\nover two lines"); context.res = { body: "hi" }; };`,
    });
    host = await startHost({ app: dir, mode: "start", extraArgs: ["--log-format", "json"] });
  });
  after(async () => {
    await host?.stop();
  });

  test(
    "the invocation's lines carry its request id, function and invocation id",
    logged(async () => {
      const r = await callFn(host, "GET", "/api/hello", { headers: { "x-request-id": "req-json-1" } });
      expectFnStatus(r, 200, "hello");
      const entries = await waitFor(() => {
        const mine = jsonLines(host.log).filter((e) => e.request_id === "req-json-1");
        return mine.some((e) => /^Executed 'Functions.hello' \(Succeeded/.test(e.message)) ? mine : null;
      }, { timeout: 5000, message: "the Executed line with the request id" });
      const executed = entries.find((e) => /^Executed/.test(e.message));
      assert.equal(executed.function, "hello");
      assert.match(executed.invocation_id, /^[0-9a-f-]{36}$/);
      assert.ok(executed.message.includes(`Id=${executed.invocation_id}`), "the invocation id of the message");
      const own = entries.find((e) => e.message.includes("said"));
      assert.ok(own, `the function's own log line with the request id: ${JSON.stringify(entries)}`);
      assert.equal(own.message, '[Functions.hello] said "hello"\nover two lines');
      assert.equal(own.invocation_id, executed.invocation_id);
      // Worker lines (started, ...) are JSON too.
      assert.ok(jsonLines(host.log).some((e) => /^\[node\] started/.test(e.message)), "the worker's start line");
    }),
  );
});
