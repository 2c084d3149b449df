// Shared parts of the language-worker tests (tests/integration/workers-*.test.mjs):
//
//   SEEDS_JS_APP / SEEDS_PY_APP / SEEDS_JAVA_APP   the committed seed apps (examples/seeds/js, python, java)
//   seedApp(src)                  a copy of a seed app in a temp dir, with the identity settings added
//   seedsSuite(lang, options)     the seed apps (options.app: another app of the same shapes) end to end with the official client (negotiate both ways,
//                                 broadcast, user, groups), through `switchboard start`
//   workerPids(host, lang)        the language worker processes a host started (children of the host)
//   waitForWorker(host, lang)     wait until a worker runs (and answers) — after a restart
import { test, describe, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { REPO_ROOT, expectDelivery, expectNoDelivery, rawRequest, uid, waitFor } from "./helpers.mjs";
import {
  IDENTITY_SECRET,
  IDENTITY_ISSUER,
  startHost,
  copyApp,
  patchSettings,
  callFn,
  expectFnStatus,
  expectFnError,
  checkConnectionInfo,
  identityToken,
  connectFn,
  stopClients,
  logged,
} from "./functions-helpers.mjs";

export const SEEDS_JS_APP = path.join(REPO_ROOT, "examples", "seeds", "js");
export const SEEDS_PY_APP = path.join(REPO_ROOT, "examples", "seeds", "python");
export const SEEDS_JAVA_APP = path.join(REPO_ROOT, "examples", "seeds", "java");

export const SEEDS_CS_APP = path.join(REPO_ROOT, "examples", "seeds", "csharp");
export const SEEDS_CSX_APP = path.join(REPO_ROOT, "examples", "seeds", "csharp-script");

// What a worker's command line contains (the .NET worker runs from the app's build cache).
export const WORKER_SCRIPT = { node: "workers/node/worker.mjs", python: "workers/python/worker.py", dotnet: "Switchboard.Worker.exe", java: "switchboard.worker.Main serve" };

/**
 * A copy of an app with SWITCHBOARD_AUTH_SECRET / _ISSUER in its local.settings.json. Like the committed
 * app in the repository (whose package.json says "type": "module"), the copy sits below a package.json of
 * an ES-module package: the JavaScript app's own package.json must keep its CommonJS files CommonJS.
 */
export function seedApp(src) {
  const dir = copyApp(src);
  fs.writeFileSync(path.join(path.dirname(dir), "package.json"), JSON.stringify({ name: "outer", type: "module" }));
  patchSettings(dir, { values: { SWITCHBOARD_AUTH_SECRET: IDENTITY_SECRET, SWITCHBOARD_AUTH_ISSUER: IDENTITY_ISSUER } });
  return dir;
}

/** Pids of the `lang` worker processes whose parent is the host. */
export function workerPids(host, lang) {
  let out = "";
  try {
    out = execFileSync("ps", ["-o", "pid=,args=", "--ppid", String(host.proc.pid)], { encoding: "utf8" });
  } catch {
    return []; // ps exits 1 when there is no such process
  }
  return out
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l.includes(WORKER_SCRIPT[lang]))
    .map((l) => Number(l.split(/\s+/)[0]));
}

/** The secret in a process's environment as it was started (/proc/PID/environ: readable by the same user). */
export function secretOf(pid) {
  const env = fs.readFileSync(`/proc/${pid}/environ`, "latin1").split("\0");
  const entry = env.find((e) => e.startsWith("SWITCHBOARD_WORKER_SECRET="));
  return entry?.slice("SWITCHBOARD_WORKER_SECRET=".length);
}

/**
 * The worker on `port` (process `pid`) answers the host's readiness challenge as the host checks it: a
 * GET / without the secret but with x-switchboard-worker-challenge is 403 with x-switchboard-worker-proof
 * = lower-case hex of HMAC-SHA256 keyed with SHA-256(its secret); each challenge gets its own proof.
 */
export async function expectProvesSecret(port, pid) {
  const secret = secretOf(pid);
  assert.ok(secret, `process ${pid} was started with a secret`);
  const key = crypto.createHash("sha256").update(secret, "utf8").digest();
  const proofs = new Set();
  for (const challenge of [crypto.randomBytes(16).toString("base64url"), crypto.randomBytes(16).toString("base64url")]) {
    const res = await rawRequest({ port, method: "GET", path: "/", headers: { "x-switchboard-worker-challenge": challenge } });
    assert.equal(res.status, 403, `a probe without the secret is still refused: ${res.text}`);
    const expected = crypto.createHmac("sha256", key).update(challenge, "utf8").digest("hex");
    assert.equal(res.headers["x-switchboard-worker-proof"], expected, `the proof for challenge ${challenge}`);
    proofs.add(expected);
  }
  assert.equal(proofs.size, 2);
}

/** Wait until exactly one `lang` worker runs under the host (other than `notPid`); resolves with its pid. */
export async function waitForWorker(host, lang, { notPid, timeout = 5000 } = {}) {
  let pids = [];
  await waitFor(
    () => {
      pids = workerPids(host, lang).filter((p) => p !== notPid);
      return pids.length === 1;
    },
    { timeout, interval: 50, message: () => `one ${lang} worker under the host (now: ${JSON.stringify(workerPids(host, lang))}):\n${host.log.slice(-2000)}` },
  );
  return pids[0];
}

/**
 * The `hangs` function (one that never returns) called under functionTimeout = `seconds`: it gets 500
 * with the host's timeout message after about that long, and the `lang` worker is replaced by a new
 * process. Resolves when the new one runs; the caller then checks that other functions work.
 */
export async function expectHangRestartsWorker(host, lang, { seconds, restartTimeout = 5000 }) {
  const pid = await waitForWorker(host, lang);
  const started = Date.now();
  const r = await callFn(host, "POST", "/api/hangs", { timeout: seconds * 1000 + 8000 });
  const ms = Date.now() - started;
  const pattern = new RegExp(`Timeout value of 00:00:0${seconds} was exceeded by function: Functions\\.hangs`);
  expectFnError(r, 500, [pattern], "hangs");
  assert.ok(ms >= seconds * 1000 - 100 && ms < seconds * 2000 + 2000, `answered after the ${seconds} s timeout, took ${ms} ms`);
  const fresh = await waitForWorker(host, lang, { notPid: pid, timeout: restartTimeout });
  assert.notEqual(fresh, pid, "a new worker process");
}

/**
 * The seed app of `lang` ("node" | "python" | "dotnet" | "java") end to end with the official client.
 * The JavaScript and Java group examples take the user from ?userId=; the Python ones always use "userId1"; the
 * C# ones the caller (the ClaimsPrincipal of the bearer identity). `options.app` / `options.label` pick
 * one of the dotnet apps (class library, C# Script, isolated model); `options.anonymousGroup` is what a
 * caller without identity gets from addToGroup there ([status, pattern]; default: the in-process seeds'
 * NullReferenceException). `options.prepare(dir)` runs on the app's copy before the host starts (the
 * Node.js v4 app links its node_modules there); `options.sendStatus` is what the send and group
 * functions answer (204 without an http output; 200 for the newer models' empty http `$return`).
 */
export function seedsSuite(lang, options = {}) {
  const app = options.app ?? { node: SEEDS_JS_APP, java: SEEDS_JAVA_APP }[lang] ?? SEEDS_PY_APP;
  const label = options.label ?? { node: "JavaScript", java: "Java" }[lang] ?? "Python";
  const groupsBy = lang === "node" || lang === "java" ? "query" : lang === "python" ? "userId1" : "caller";
  const sendStatus = options.sendStatus ?? 204;
  describe(`${label} seeds (${path.relative(REPO_ROOT, app)}) through switchboard start`, () => {
    let host;
    let u1, u2, anon, all;
    const user2 = uid("user2-");
    const token1 = identityToken({ sub: "userId1", name: "User One" });
    const token2 = identityToken({ sub: user2, name: "User Two" });

    before(
      logged(async () => {
        const dir = seedApp(app);
        await options.prepare?.(dir);
        host = await startHost({ app: dir });
        u1 = await connectFn(host, { base: "/api", token: token1, label: "userId1" });
        u2 = await connectFn(host, { base: "/api", token: token2, label: "user2" });
        anon = await connectFn(host, { base: "/api/anonymous", label: "anon" });
        all = [u1, u2, anon];
      }),
    );
    after(async () => {
      await stopClients();
      await host?.stop();
    });

    test(
      `one ${lang} worker runs the app; its output reaches the host log`,
      logged(async () => {
        await waitForWorker(host, lang);
        await waitFor(() => new RegExp(`\\[${lang}\\] ${lang} worker listening`).test(host.log), {
          message: () => `the worker's stdout in the host log:\n${host.log}`,
        });
        assert.deepEqual(workerPids(host, lang === "node" ? "python" : "node"), [], "no worker for the other language");
      }),
    );

    test(
      "negotiate: anonymous (no user) and authenticated (user from the bearer identity)",
      logged(async () => {
        let res = await callFn(host, "POST", "/api/anonymous/negotiate");
        expectFnStatus(res, 200, "anonymous negotiate");
        assert.match(String(res.headers["content-type"]), /application\/json/);
        checkConnectionInfo(res.json, { servicePort: host.service.port, key: host.service.key });
        res = await callFn(host, "POST", "/api/negotiate", { token: token1 });
        expectFnStatus(res, 200, "negotiate");
        checkConnectionInfo(res.json, { servicePort: host.service.port, key: host.service.key, user: "userId1" });
        // Without an identity the userId expression has no value: the host refuses before the worker runs.
        expectFnError(await callFn(host, "POST", "/api/negotiate"), 400, [/x-ms-client-principal-id/], "negotiate without identity");
        // The clients connected through the functions (before()) are on the service.
        for (const c of all) assert.ok(c.id, `${c.label} connected`);
      }),
    );

    test(
      "SendMessage broadcasts the request body; SendToUser reaches only userId1",
      logged(async () => {
        let tag = uid(`${lang}-all-`);
        let res = await callFn(host, "POST", "/api/SendMessage", { body: { tag, text: "hello" } });
        expectFnStatus(res, sendStatus, "SendMessage");
        await expectDelivery(host.service, { tag, receivers: all, args: [{ tag, text: "hello" }] });

        tag = uid(`${lang}-user-`);
        res = await callFn(host, "POST", "/api/SendToUser", { body: { tag } });
        expectFnStatus(res, sendStatus, "SendToUser");
        await expectDelivery(host.service, { tag, receivers: [u1], nonReceivers: [u2, anon], args: [{ tag }] });
      }),
    );

    test(
      {
        query: "addToGroup?userId= / removeFromGroup?userId= and SendToGroup reaching myGroup only",
        userId1: "addToGroup / removeFromGroup (userId1) and SendToGroup reaching myGroup only",
        caller: "addToGroup / removeFromGroup (the caller's identity from the bearer token) and SendToGroup reaching myGroup only",
      }[groupsBy],
      logged(async () => {
        const member = groupsBy === "userId1" ? u1 : u2;
        const others = all.filter((c) => c !== member);
        const query = groupsBy === "query" ? `?userId=${encodeURIComponent(user2)}` : "";
        const token = groupsBy === "caller" ? token2 : undefined;
        let tag = uid(`${lang}-grp-`);
        expectFnStatus(await callFn(host, "POST", "/api/SendToGroup", { body: { tag } }), sendStatus, "SendToGroup (empty group)");
        await expectNoDelivery(host.service, { tag, clients: all });

        if (groupsBy === "caller") {
          // Without an identity the principal is empty: FindFirst(...) is null and the printed code throws.
          const [status, pattern] = options.anonymousGroup ?? [500, /System\.NullReferenceException/];
          const res = await callFn(host, "POST", "/api/addToGroup");
          assert.equal(res.status, status, `addToGroup without identity: ${res.text}`);
          assert.match(res.text, pattern);
        }
        expectFnStatus(await callFn(host, "POST", `/api/addToGroup${query}`, { token }), sendStatus, "addToGroup");
        tag = uid(`${lang}-grp-`);
        expectFnStatus(await callFn(host, "POST", "/api/SendToGroup", { body: { tag } }), sendStatus, "SendToGroup");
        await expectDelivery(host.service, { tag, receivers: [member], nonReceivers: others, args: [{ tag }] });

        expectFnStatus(await callFn(host, "POST", `/api/removeFromGroup${query}`, { token }), sendStatus, "removeFromGroup");
        tag = uid(`${lang}-grp-`);
        await callFn(host, "POST", "/api/SendToGroup", { body: { tag } });
        await expectNoDelivery(host.service, { tag, clients: all });
      }),
    );

    test(
      "stopping the host stops its worker",
      logged(async () => {
        const pids = workerPids(host, lang);
        assert.equal(pids.length, 1);
        await stopClients();
        await host.stop();
        const alive = (pid) => {
          try {
            process.kill(pid, 0);
            return true;
          } catch {
            return false;
          }
        };
        try {
          await waitFor(() => !alive(pids[0]), { timeout: 3000, interval: 50, message: `the ${lang} worker (pid ${pids[0]}) exits with the host` });
        } catch (e) {
          if (alive(pids[0])) process.kill(pids[0], "SIGKILL"); // left behind by the host: ours to clean up
          throw e;
        }
      }),
    );
  });
}
