// Language workers answer only their host: the host gives each worker start a random secret
// (SWITCHBOARD_WORKER_SECRET) and sends it on every request (x-switchboard-worker-secret). A request to a
// worker's port without it, or with a wrong one, is a 403 and runs nothing; the host's own invocations
// work; the secret is not in the host's log nor visible to function code. The host's readiness probe
// carries no secret but a challenge that the worker answers with a proof of its secret; a program that
// holds the worker's port without proving it gets no request and no secret (503, a precise error), and the
// worker's next start moves to a new port (a worker that cannot listen ends at once). Custom handlers get
// the variable and the header too, and a proof one gives is checked (a wrong one gets it nothing).
import { test, describe, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import path from "node:path";
import { REPO_ROOT, rawRequest, waitFor } from "./helpers.mjs";
import { startHost, tempDir, writeApp, removeTempDirs, callFn, expectFnStatus, logged } from "./functions-helpers.mjs";
import { expectProvesSecret, secretOf, waitForWorker } from "./workers-helpers.mjs";

after(removeTempDirs);

const trigger = { authLevel: "admin", type: "httpTrigger", direction: "in", name: "req", methods: ["get", "post"] };
const ret = { type: "http", direction: "out", name: "$return" };

/** Admin-level functions that leave a file behind when they run and report what they can see. */
function secretApp() {
  const dir = path.join(tempDir("sb-secret-"), "app");
  return writeApp(dir, {
    "host.json": { version: "2.0" },
    "local.settings.json": { IsEncrypted: false, Values: {} },
    "jsAdmin/function.json": { bindings: [trigger, ret] },
    "jsAdmin/index.js": `const fs = require("node:fs");
module.exports = async function (context, req) {
  fs.appendFileSync("ran-jsAdmin.txt", (req.headers["x-ms-client-principal-id"] || "-") + "\\n");
  return { status: 200, body: { ran: true, secretVisible: "SWITCHBOARD_WORKER_SECRET" in process.env } };
};`,
    "pyAdmin/function.json": { bindings: [trigger, ret] },
    "pyAdmin/__init__.py": `import json
import os

import azure.functions as func


def main(req: func.HttpRequest) -> func.HttpResponse:
    with open("ran-pyAdmin.txt", "a") as f:
        f.write((req.headers.get("x-ms-client-principal-id") or "-") + "\\n")
    return func.HttpResponse(json.dumps({"ran": True, "secretVisible": "SWITCHBOARD_WORKER_SECRET" in os.environ}),
                             mimetype="application/json")
`,
  });
}

/** The port a worker printed last ("node worker listening on 127.0.0.1:PORT"; each start has its own). */
async function workerPort(host, lang) {
  const re = new RegExp(`${lang} worker listening on 127\\.0\\.0\\.1:(\\d+)`, "g");
  const last = () => [...host.log.matchAll(re)].pop();
  await waitFor(last, { timeout: 10000, message: () => `the ${lang} worker's port in the log:\n${host.log}` });
  return Number(last()[1]);
}


const spoofedInvocation = (fn) => ({
  Data: {
    req: {
      Url: `http://localhost/api/${fn}`,
      Method: "POST",
      Query: {},
      Headers: { "x-ms-client-principal-id": ["admin"] },
      Body: "{}",
    },
  },
  Metadata: {},
});

describe("language workers refuse requests that do not come from their host", () => {
  let host;
  let app;
  before(
    logged(async () => {
      app = secretApp();
      host = await startHost({ app });
    }),
  );
  after(async () => {
    await host?.stop();
  });

  for (const [lang, fn] of [
    ["node", "jsAdmin"],
    ["python", "pyAdmin"],
  ]) {
    test(
      `${lang}: a POST to the worker's port without the secret, or with a wrong one, is 403 and runs nothing`,
      logged(async () => {
        const port = await workerPort(host, lang);
        const marker = path.join(app, `ran-${fn}.txt`);
        const attempts = [
          { what: "no secret", headers: {} },
          { what: "a wrong secret", headers: { "x-switchboard-worker-secret": "guessed-secret" } },
          { what: "an empty secret", headers: { "x-switchboard-worker-secret": "" } },
        ];
        for (const { what, headers } of attempts) {
          const res = await rawRequest({
            port,
            method: "POST",
            path: `/${fn}`,
            headers: { "Content-Type": "application/json", "X-Azure-Functions-InvocationId": "spoofed", ...headers },
            body: spoofedInvocation(fn),
          });
          assert.equal(res.status, 403, `${what}: ${res.text}`);
          assert.match(res.text, /Forbidden/);
          const probe = await rawRequest({ port, method: "GET", path: "/", headers });
          assert.equal(probe.status, 403, `${what} (GET /): ${probe.text}`);
        }
        await new Promise((r) => setTimeout(r, 200));
        assert.equal(fs.existsSync(marker), false, `${fn} ran for a request that did not come from the host`);
      }),
    );

    test(
      `${lang}: a probe with a challenge and no secret is 403 with the proof of the worker's secret`,
      logged(async () => {
        await expectProvesSecret(await workerPort(host, lang), await waitForWorker(host, lang));
      }),
    );

    test(
      `${lang}: the host's invocations work, the secret is not logged, and function code does not see it`,
      logged(async () => {
        const res = await callFn(host, "POST", `/api/${fn}`, { key: host.keys.master, body: {} });
        expectFnStatus(res, 200, fn);
        assert.deepEqual(res.json, { ran: true, secretVisible: false });
        const marker = path.join(app, `ran-${fn}.txt`);
        assert.equal(fs.readFileSync(marker, "utf8"), "-\n", "the function ran once, for the host, with no principal");
        const secret = secretOf(await waitForWorker(host, lang));
        assert.ok(secret && secret.length >= 32, "the worker was started with a long random secret");
        assert.ok(!host.log.includes(secret), "the secret is not in the host's output");
      }),
    );
  }

  test(
    "each worker start gets its own secret",
    logged(async () => {
      const node = secretOf(await waitForWorker(host, "node"));
      const python = secretOf(await waitForWorker(host, "python"));
      assert.notEqual(node, python);
      const pid = await waitForWorker(host, "node");
      process.kill(pid, "SIGKILL");
      const restarted = await waitForWorker(host, "node", { notPid: pid, timeout: 10000 });
      assert.notEqual(secretOf(restarted), node, "a restarted worker has a new secret");
      const res = await callFn(host, "POST", "/api/jsAdmin", { key: host.keys.master, body: {} });
      expectFnStatus(res, 200, "after the restart");
    }),
  );
});

describe("a program holding a worker's port gets nothing, and the worker's next start moves to a new port", () => {
  let host;
  let seen;
  let impostorPid;
  let workers;
  before(
    logged(async () => {
      // A workers folder whose node worker, on its first start, has another program take its port (a
      // detached server that answers every request 200, never uses a secret and writes down what each
      // request carried), stays up 3 s as a worker that cannot listen, and exits; on its next start it
      // is the real node worker.
      workers = tempDir("sb-impostor-");
      seen = path.join(workers, "seen.txt");
      fs.mkdirSync(path.join(workers, "node"));
      fs.writeFileSync(
        path.join(workers, "impostor.mjs"),
        `import http from "node:http";
import fs from "node:fs";
http.createServer((req, res) => {
  req.resume();
  fs.appendFileSync(${JSON.stringify(seen)}, JSON.stringify({ method: req.method, url: req.url, secret: req.headers["x-switchboard-worker-secret"] ?? null, challenge: Boolean(req.headers["x-switchboard-worker-challenge"]) }) + "\\n");
  res.writeHead(200, { "content-type": "application/json" });
  res.end("{}");
}).listen(Number(process.argv[2]), "127.0.0.1", () => fs.writeFileSync(${JSON.stringify(path.join(workers, "impostor.pid"))}, String(process.pid)));
`,
      );
      fs.writeFileSync(
        path.join(workers, "node", "worker.mjs"),
        `import fs from "node:fs";
import { spawn } from "node:child_process";
import { pathToFileURL } from "node:url";
const marker = ${JSON.stringify(path.join(workers, "first-start"))};
if (fs.existsSync(marker)) {
  await import(pathToFileURL(${JSON.stringify(path.join(REPO_ROOT, "workers", "node", "worker.mjs"))}).href);
} else {
  fs.writeFileSync(marker, process.env.FUNCTIONS_CUSTOMHANDLER_PORT);
  spawn(process.execPath, [${JSON.stringify(path.join(workers, "impostor.mjs"))}, process.env.FUNCTIONS_CUSTOMHANDLER_PORT], { detached: true, stdio: "ignore" }).unref();
  setTimeout(() => { console.error("node worker: the port is taken"); process.exit(1); }, 3000);
}
`,
      );
      const dir = path.join(tempDir("sb-impostor-app-"), "app");
      writeApp(dir, {
        "host.json": { version: "2.0" },
        "local.settings.json": { IsEncrypted: false, Values: {} },
        "hello/function.json": { bindings: [{ ...trigger, authLevel: "anonymous" }, ret] },
        "hello/index.js": `module.exports = async function () { return { status: 200, body: "hello" }; };`,
      });
      host = await startHost({ app: dir, env: { SWITCHBOARD_WORKERS_DIR: workers } });
      await waitFor(() => fs.existsSync(path.join(workers, "impostor.pid")), { timeout: 10000, message: () => `the other program is up:\n${host.log}` });
      impostorPid = Number(fs.readFileSync(path.join(workers, "impostor.pid"), "utf8"));
    }),
  );
  after(async () => {
    await host?.stop();
    if (impostorPid) process.kill(impostorPid, "SIGKILL");
  });

  test(
    "a call is 503 naming the port while the other program answers there; it only ever sees challenges, never the secret; then calls work",
    logged(async () => {
      const taken = fs.readFileSync(path.join(workers, "first-start"), "utf8");
      const res = await callFn(host, "POST", "/api/hello", { body: {} });
      expectFnStatus(res, 503, "hello, while the other program holds the port");
      assert.match(res.text, new RegExp(`The program answering on port ${taken} did not prove it is the node process this host started \\(x-switchboard-worker-proof\\): another program holds the port`));
      await waitFor(() => /did not prove it is the process this host started/.test(host.log), { timeout: 5000, message: () => host.log });
      // The worker exits; its next start listens on another port and serves.
      let last;
      await waitFor(
        async () => {
          last = await callFn(host, "POST", "/api/hello", { body: {} });
          return last.status === 200;
        },
        { timeout: 20000, interval: 250, message: () => `a call that works after the restart (last: ${last?.status} ${last?.text})\n${host.log}` },
      );
      assert.equal(last.text, "hello");
      const requests = fs.readFileSync(seen, "utf8").trim().split("\n").map((l) => JSON.parse(l));
      assert.ok(requests.length >= 1, "the host probed the other program");
      for (const r of requests) {
        assert.deepEqual(r, { method: "GET", url: "/", secret: null, challenge: true }, "only probes, each with a challenge and no secret");
      }
    }),
  );
});

describe("a worker whose port is taken ends at once, so that its next start can go elsewhere", () => {
  for (const [lang, cmd] of [
    ["node", ["node", path.join(REPO_ROOT, "workers", "node", "worker.mjs")]],
    ["python", ["python3", path.join(REPO_ROOT, "workers", "python", "worker.py")]],
  ]) {
    test(
      `${lang}: exit code 1 and the reason on stderr`,
      logged(async () => {
        const taken = net.createServer();
        await new Promise((resolve) => taken.listen(0, "127.0.0.1", resolve));
        const port = taken.address().port;
        try {
          const child = spawn(cmd[0], cmd.slice(1), {
            env: { ...process.env, SWITCHBOARD_WORKER_SECRET: "s".repeat(43), FUNCTIONS_CUSTOMHANDLER_PORT: String(port), FUNCTIONS_APP_ROOT_PATH: tempDir("sb-taken-") },
            stdio: ["ignore", "ignore", "pipe"],
          });
          let stderr = "";
          child.stderr.on("data", (d) => (stderr += d));
          const code = await new Promise((resolve, reject) => {
            const timer = setTimeout(() => { child.kill("SIGKILL"); reject(new Error(`the ${lang} worker still runs on a taken port`)); }, 15000);
            child.on("exit", (c) => { clearTimeout(timer); resolve(c); });
          });
          assert.equal(code, 1, stderr);
          assert.match(stderr, new RegExp(`${lang} worker: cannot listen on 127\\.0\\.0\\.1:${port}: .*(EADDRINUSE|Address already in use)`));
        } finally {
          taken.close();
        }
      }),
    );
  }
});

describe("custom handlers get the secret (not forced to check it)", () => {
  let host;
  before(
    logged(async () => {
      const dir = path.join(tempDir("sb-secret-ch-"), "app");
      writeApp(dir, {
        "host.json": { version: "2.0", customHandler: { description: { defaultExecutablePath: "node", arguments: ["handler.mjs"] } } },
        "local.settings.json": { IsEncrypted: false, Values: {} },
        "check/function.json": { bindings: [{ ...trigger, authLevel: "anonymous" }, { type: "http", direction: "out", name: "res" }] },
        "handler.mjs": `import http from "node:http";
const secret = process.env.SWITCHBOARD_WORKER_SECRET;
http.createServer((req, res) => {
  const sent = req.headers["x-switchboard-worker-secret"];
  const body = JSON.stringify({ Outputs: { res: { statusCode: 200, body: { hasSecret: Boolean(secret), matches: sent === secret } } } });
  res.writeHead(200, { "content-type": "application/json" });
  res.end(body);
}).listen(Number(process.env.FUNCTIONS_CUSTOMHANDLER_PORT), "127.0.0.1", () => console.log("handler listening"));
`,
      });
      host = await startHost({ app: dir, waitHandler: true });
    }),
  );
  after(async () => {
    await host?.stop();
  });

  test(
    "SWITCHBOARD_WORKER_SECRET is in a custom handler's environment and every request carries it",
    logged(async () => {
      const res = await callFn(host, "POST", "/api/check", { body: {} });
      expectFnStatus(res, 200, "check");
      assert.deepEqual(res.json, { hasSecret: true, matches: true });
    }),
  );
});

describe("a custom handler that answers the challenge with a wrong proof gets nothing", () => {
  let host;
  let seen;
  before(
    logged(async () => {
      const dir = path.join(tempDir("sb-secret-badproof-"), "app");
      seen = path.join(dir, "seen.txt");
      writeApp(dir, {
        "host.json": { version: "2.0", customHandler: { description: { defaultExecutablePath: "node", arguments: ["handler.mjs"] } } },
        "local.settings.json": { IsEncrypted: false, Values: {} },
        "check/function.json": { bindings: [{ ...trigger, authLevel: "anonymous" }, { type: "http", direction: "out", name: "res" }] },
        "handler.mjs": `import http from "node:http";
import fs from "node:fs";
http.createServer((req, res) => {
  req.resume();
  fs.appendFileSync("seen.txt", JSON.stringify({ url: req.url, secret: req.headers["x-switchboard-worker-secret"] ?? null }) + "\\n");
  res.writeHead(200, { "content-type": "application/json", "x-switchboard-worker-proof": "0".repeat(64) });
  res.end(JSON.stringify({ Outputs: { res: { statusCode: 200, body: "ran" } } }));
}).listen(Number(process.env.FUNCTIONS_CUSTOMHANDLER_PORT), "127.0.0.1", () => console.log("handler listening"));
`,
      });
      host = await startHost({ app: dir, waitHandler: true });
    }),
  );
  after(async () => {
    await host?.stop();
  });

  test(
    "a proof a custom handler gives is checked: a wrong one is a 503 and the handler sees only probes without the secret",
    logged(async () => {
      const res = await callFn(host, "POST", "/api/check", { body: {} });
      expectFnStatus(res, 503, "check");
      assert.match(res.text, /did not prove it is the .* process this host started \(x-switchboard-worker-proof\)/);
      const requests = fs.readFileSync(seen, "utf8").trim().split("\n").map((l) => JSON.parse(l));
      assert.ok(requests.length >= 1);
      for (const r of requests) assert.deepEqual(r, { url: "/", secret: null }, "only probes, never the secret");
    }),
  );
});
