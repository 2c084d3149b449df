// GET /metrics of the functions host (`switchboard start`): invocations by function and outcome,
// their duration histograms, worker restarts, the embedded service's metrics on its own port,
// --metrics-port serving both together behind --metrics-token; and per-request ids (x-request-id
// honoured or made, in the answer and in the request the function sees).
import { test, describe, before, after } from "node:test";
import assert from "node:assert/strict";
import path from "node:path";
import { rawRequest, freePort, waitFor } from "./helpers.mjs";
import { startHost, tempDir, writeApp, removeTempDirs, callFn, expectFnStatus, logged } from "./functions-helpers.mjs";
import { scrape, metricValue } from "./metrics-helpers.mjs";

const trigger = { authLevel: "anonymous", type: "httpTrigger", direction: "in", name: "req", methods: ["get", "post"] };
const res = { type: "http", direction: "out", name: "res" };

/** A JavaScript app (one function that succeeds, one that throws, one that kills its worker) with
 * one Python function that kills its own worker. */
function metricsApp() {
  const dir = path.join(tempDir("sb-metrics-"), "app");
  return writeApp(dir, {
    "host.json": { version: "2.0" },
    "local.settings.json": { IsEncrypted: false, Values: { FUNCTIONS_WORKER_RUNTIME: "node" } },
    "ok/function.json": { bindings: [trigger, res] },
    "ok/index.js": `module.exports = async function (context, req) {
  context.log("hello from ok");
  context.res = { status: 200, body: { requestId: req.headers["x-request-id"] } };
};`,
    "fails/function.json": { bindings: [trigger, res] },
    "fails/index.js": `module.exports = async function () { throw new Error("failing on purpose"); };`,
    "crash/function.json": { bindings: [trigger, res] },
    "crash/index.js": `module.exports = async function () { process.exit(3); };`,
    "crashpy/function.json": { bindings: [trigger, { type: "http", direction: "out", name: "$return" }] },
    "crashpy/__init__.py": `import os


def main(req):
    os._exit(3)
`,
  });
}

after(removeTempDirs);

describe("/metrics of the functions host", () => {
  let host;
  before(async () => {
    host = await startHost({ app: metricsApp(), mode: "start" });
  });
  after(async () => {
    await host?.stop();
  });

  const hostMetrics = async () => {
    const r = await scrape(host.port);
    expectFnStatus(r, 200, "GET /metrics on the host's port");
    return r.families;
  };

  test(
    "counts invocations by function and outcome with a duration histogram, and worker restarts",
    logged(async () => {
      const before = await hostMetrics();
      for (const fn of ["ok", "fails", "crash", "crashpy"])
        for (const outcome of ["succeeded", "failed"])
          assert.equal(metricValue(before, "switchboard_functions_invocations_total", { function: fn, outcome }), 0, `${fn} ${outcome} at 0`);
      assert.equal(metricValue(before, "switchboard_functions_invocation_duration_seconds_count", { function: "ok" }), 0);
      assert.equal(before.get("switchboard_functions_invocation_duration_seconds")?.type, "histogram");
      for (const worker of ["node", "python"])
        assert.equal(metricValue(before, "switchboard_functions_worker_restarts_total", { worker }), 0, `${worker} worker restarts at 0`);
      assert.ok(metricValue(before, "process_resident_memory_bytes") > 0, "process metrics on the host's port");
      assert.equal(before.has("switchboard_connections"), false, "the service's metrics are on the service's port");

      for (let i = 0; i < 3; i++) expectFnStatus(await callFn(host, "GET", "/api/ok"), 200, "ok");
      for (let i = 0; i < 2; i++) expectFnStatus(await callFn(host, "GET", "/api/fails"), 500, "fails");
      const m = await hostMetrics();
      const v = (name, labels) => metricValue(m, name, labels);
      assert.equal(v("switchboard_functions_invocations_total", { function: "ok", outcome: "succeeded" }), 3);
      assert.equal(v("switchboard_functions_invocations_total", { function: "ok", outcome: "failed" }), 0);
      assert.equal(v("switchboard_functions_invocations_total", { function: "fails", outcome: "failed" }), 2);
      assert.equal(v("switchboard_functions_invocations_total", { function: "fails", outcome: "succeeded" }), 0);
      assert.equal(v("switchboard_functions_invocation_duration_seconds_count", { function: "ok" }), 3);
      assert.equal(v("switchboard_functions_invocation_duration_seconds_count", { function: "fails" }), 2);
      assert.equal(v("switchboard_functions_invocation_duration_seconds_bucket", { function: "ok", le: "+Inf" }), 3);
      const sum = v("switchboard_functions_invocation_duration_seconds_sum", { function: "ok" });
      assert.ok(sum > 0 && sum < 30, `duration sum ${sum} s`);
      // A request over a limit of the host's port is counted under that limit.
      const big = await rawRequest({ port: host.port, method: "GET", path: "/api/ok", headers: { "X-Big": "x".repeat(20000) } });
      assert.equal(big.status, 431);
      assert.equal(metricValue((await hostMetrics()), "switchboard_functions_limit_refusals_total", { limit: "max_header_size" }), 1);

      // The worker dies: the invocation fails, the worker is restarted and counted.
      const crashed = await callFn(host, "GET", "/api/crash");
      assert.equal(crashed.status, 500, "a function whose worker died");
      const restarted = await waitFor(async () => {
        const now = await hostMetrics();
        return metricValue(now, "switchboard_functions_worker_restarts_total", { worker: "node" }) >= 1 ? now : null;
      }, { timeout: 10000, message: "the node worker's restart counted" });
      assert.equal(metricValue(restarted, "switchboard_functions_worker_restarts_total", { worker: "node" }), 1);
      assert.equal(metricValue(restarted, "switchboard_functions_invocations_total", { function: "crash", outcome: "failed" }), 1);
      // After the restart the functions run again.
      await waitFor(async () => (await callFn(host, "GET", "/api/ok")).status === 200, { timeout: 10000, message: "ok after the restart" });

      // Every language worker is counted under its own name: the Python worker dies too.
      assert.equal((await callFn(host, "GET", "/api/crashpy")).status, 500, "a Python function whose worker died");
      const pyRestarted = await waitFor(async () => {
        const now = await hostMetrics();
        return metricValue(now, "switchboard_functions_worker_restarts_total", { worker: "python" }) >= 1 ? now : null;
      }, { timeout: 10000, message: "the python worker's restart counted" });
      assert.equal(metricValue(pyRestarted, "switchboard_functions_worker_restarts_total", { worker: "python" }), 1);
      assert.equal(metricValue(pyRestarted, "switchboard_functions_worker_restarts_total", { worker: "node" }), 1, "the node worker's count unchanged");
    }),
  );

  test(
    "the embedded service answers its own /metrics on the service port",
    logged(async () => {
      const r = await scrape(host.service.port);
      expectFnStatus(r, 200, "GET /metrics on the service's port");
      assert.equal(r.families.get("switchboard_connections")?.type, "gauge");
      assert.equal(r.families.has("switchboard_functions_invocations_total"), false, "no host metrics there");
    }),
  );

  test(
    "every answer carries x-request-id: the caller's when sane, else a new one; the function sees it",
    logged(async () => {
      const given = await callFn(host, "GET", "/api/ok", { headers: { "x-request-id": "trace-42.a" } });
      expectFnStatus(given, 200, "ok with x-request-id");
      assert.equal(given.headers["x-request-id"], "trace-42.a");
      assert.equal(given.json.requestId, "trace-42.a", "the function's req.headers");
      const made = await callFn(host, "GET", "/api/ok", { headers: { "x-request-id": "no spaces allowed" } });
      assert.match(made.headers["x-request-id"], /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
      assert.equal(made.json.requestId, made.headers["x-request-id"]);
      const missing = await rawRequest({ port: host.port, method: "GET", path: "/no-such-function" });
      assert.equal(missing.status, 404);
      assert.match(missing.headers["x-request-id"] ?? "", /^[0-9a-f-]{36}$/, "a 404 has an id too");
    }),
  );
});

describe("start --metrics-port --metrics-token", () => {
  let host;
  let metricsPort;
  const token = "tok-" + Math.random().toString(36).slice(2);
  before(async () => {
    metricsPort = await freePort();
    host = await startHost({ app: metricsApp(), mode: "start", extraArgs: ["--metrics-port", String(metricsPort), "--metrics-token", token] });
  });
  after(async () => {
    await host?.stop();
  });

  test(
    "one port serves the service's, the host's and the process's metrics, with the token only",
    logged(async () => {
      assert.match(host.stdout, new RegExp(`Metrics \\(service and host\\): http://localhost:${metricsPort}/metrics \\(needs --metrics-token\\)`));
      expectFnStatus(await scrape(metricsPort), 401, "no token");
      expectFnStatus(await scrape(host.port), 404, "/metrics moved off the host's port");
      expectFnStatus(await scrape(host.service.port), 404, "/metrics moved off the service's port");
      expectFnStatus(await callFn(host, "GET", "/api/ok"), 200, "ok");
      const r = await scrape(metricsPort, { headers: { Authorization: `Bearer ${token}` } });
      expectFnStatus(r, 200, "with the token");
      for (const name of ["switchboard_connections", "switchboard_functions_invocations_total", "process_open_fds"])
        assert.ok(r.families.has(name), `${name} on the metrics port`);
      assert.equal(r.families.get("process_open_fds").samples.length, 1, "the process metrics once");
      assert.equal(metricValue(r.families, "switchboard_functions_invocations_total", { function: "ok", outcome: "succeeded" }), 1);
    }),
  );
});
