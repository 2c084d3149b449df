// Functions host: apps that must not start, missing connection settings, the service being down, a
// crashing custom handler, CORS, and the committed custom-handler test app end to end.
import { test, describe, after, afterEach } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { BINARY, freePort, stopService, expectDelivery, uid, waitFor, sleep } from "./helpers.mjs";
import {
  SEEDS_BINARY,
  CUSTOM_HANDLER_APP,
  startHost,
  runToExit,
  isListening,
  handlerPids,
  copyApp,
  writeApp,
  patchSettings,
  removeTempDirs,
  callFn,
  expectFnStatus,
  expectFnError,
  checkConnectionInfo,
  identityToken,
  connectFn,
  stopClients,
  expectLog,
  logged,
} from "./functions-helpers.mjs";

after(removeTempDirs);

const trigger = { authLevel: "anonymous", type: "httpTrigger", direction: "in", name: "req", methods: ["post"] };
const httpOut = { type: "http", direction: "out", name: "res" };
const signalROut = { type: "signalR", direction: "out", name: "signalRMessages", hubName: "chat" };

describe("apps that cannot start exit with code 2 and a message naming file, function and field", () => {
  // Each case: a copy of the (valid) functions-matrix app plus one defect.
  const cases = [
    {
      what: "invalid JSON in function.json",
      files: { "broken/function.json": '{ "bindings": [ { "type": "httpTrigger", ' },
      expect: [/broken[\\/]function\.json/, /invalid JSON/i],
    },
    {
      what: "unknown binding type",
      files: { "broken/function.json": { bindings: [trigger, httpOut, { type: "signalRMessage", direction: "out", name: "m", hubName: "chat" }] } },
      expect: [/broken[\\/]function\.json/, /binding 2/, /unknown binding type 'signalRMessage'/],
    },
    {
      what: "signalR binding without hubName",
      files: { "broken/function.json": { bindings: [trigger, httpOut, { type: "signalR", direction: "out", name: "signalRMessages" }] } },
      expect: [/broken[\\/]function\.json/, /binding 2/, /signalR/, /hubName/],
    },
    {
      what: "signalRConnectionInfo without hubName",
      files: { "broken/function.json": { bindings: [trigger, httpOut, { type: "signalRConnectionInfo", direction: "in", name: "connectionInfo" }] } },
      expect: [/broken[\\/]function\.json/, /binding 2/, /signalRConnectionInfo/, /hubName/],
    },
    {
      what: "signalR output with direction in",
      files: { "broken/function.json": { bindings: [trigger, httpOut, { ...signalROut, direction: "in" }] } },
      expect: [/broken[\\/]function\.json/, /binding 2/, /direction/, /'in'/],
    },
    {
      what: "duplicate binding names",
      files: { "broken/function.json": { bindings: [trigger, httpOut, { ...signalROut, name: "res" }] } },
      expect: [/broken[\\/]function\.json/, /binding 2/, /duplicate/i, /'res'/],
    },
    {
      what: "no httpTrigger",
      files: { "broken/function.json": { bindings: [httpOut, signalROut] } },
      expect: [/broken[\\/]function\.json/, /httpTrigger/],
    },
    {
      what: "invalid route template",
      files: { "broken/function.json": { bindings: [{ ...trigger, route: "items/{id" }, httpOut] } },
      expect: [/broken[\\/]function\.json/, /binding 0/, /route/i],
    },
    {
      what: "invalid authLevel",
      files: { "broken/function.json": { bindings: [{ ...trigger, authLevel: "public" }, httpOut] } },
      expect: [/broken[\\/]function\.json/, /binding 0/, /authLevel/, /'public'/],
    },
    {
      what: 'host.json version "1.0"',
      files: { "host.json": { version: "1.0", customHandler: { description: { defaultExecutablePath: "node", arguments: ["handler.mjs"] } } } },
      expect: [/host\.json/, /version/, /1\.0/],
    },
    {
      what: "missing host.json",
      files: { "host.json": null },
      expect: [/host\.json/, /not found|missing|no such/i],
    },
  ];

  for (const c of cases) {
    test(
      c.what,
      logged(async () => {
        const app = writeApp(copyApp(), c.files);
        const port = await freePort();
        const servicePort = await freePort();
        const r = await runToExit(BINARY, ["start", app, "--port", String(port), "--service-port", String(servicePort)], { timeout: 10000 });
        const output = `exit code ${r.code}, signal ${r.signal}, ${r.ms} ms; output:\n${r.log}`;
        assert.equal(r.timedOut, false, `did not exit by itself: ${output}`);
        assert.equal(r.code, 2, `exit code: ${output}`);
        assert.ok(r.ms < 5000, `should fail fast: ${output}`);
        const m = /the function app cannot start: (.*)/.exec(r.stderr);
        assert.ok(m, `stderr should say "the function app cannot start: ...": ${output}`);
        for (const p of c.expect) assert.match(m[1], p, `message: ${m[1]}`);
        assert.doesNotMatch(r.log, /Functions host listening|\[handler\] started/, `nothing half-starts: ${output}`);
        assert.equal(await isListening(port), false, "the functions port is not listening");
        assert.equal(await isListening(servicePort), false, "the service port is not listening");
      }),
    );
  }

  test(
    "functions mode without the connection setting names the function file and the setting",
    logged(async () => {
      const app = copyApp();
      const port = await freePort();
      let r = await runToExit(BINARY, ["functions", app, "--port", String(port)]);
      let output = `exit code ${r.code}, ${r.ms} ms; output:\n${r.log}`;
      assert.equal(r.code, 2, output);
      let m = /the function app cannot start: (.*)/.exec(r.stderr);
      assert.ok(m, output);
      assert.match(m[1], /[\\/]\w+[\\/]function\.json/, `names the function file: ${m[1]}`);
      assert.match(m[1], /AzureSignalRConnectionString/, `names the setting: ${m[1]}`);
      assert.equal(await isListening(port), false);

      // A custom connectionStringSetting that is not defined, while the default one is.
      writeApp(app, {
        "broken/function.json": { bindings: [trigger, httpOut, { ...signalROut, connectionStringSetting: "OtherSignalRConnection" }] },
      });
      r = await runToExit(BINARY, ["functions", app, "--port", String(port)], {
        env: { AzureSignalRConnectionString: `Endpoint=http://localhost;Port=${await freePort()};AccessKey=abc;Version=1.0;` },
      });
      output = `exit code ${r.code}, ${r.ms} ms; output:\n${r.log}`;
      assert.equal(r.code, 2, output);
      m = /the function app cannot start: (.*)/.exec(r.stderr);
      assert.ok(m, output);
      assert.match(m[1], /broken[\\/]function\.json/, m[1]);
      assert.match(m[1], /OtherSignalRConnection/, m[1]);

      // The C++ example too.
      if (fs.existsSync(SEEDS_BINARY)) {
        r = await runToExit(SEEDS_BINARY, ["functions", "--port", String(port)]);
        output = `exit code ${r.code}, ${r.ms} ms; output:\n${r.log}`;
        assert.equal(r.code, 2, output);
        m = /the function app cannot start: (.*)/.exec(r.stderr);
        assert.ok(m, output);
        assert.match(m[1], /function '\w+'/, `names the function: ${m[1]}`);
        assert.match(m[1], /AzureSignalRConnectionString/, m[1]);
        assert.equal(await isListening(port), false);
      }
    }),
  );
});

describe("functions mode: where the connection string comes from", () => {
  const hosts = [];
  after(async () => {
    await stopClients();
    for (const h of hosts) await h.stop();
  });

  test(
    "local.settings.json Values works; the environment variable of the same name overrides it",
    logged(async () => {
      // Settings name a dead port; the environment (set by startHost) names the live service.
      const app = copyApp();
      const dead = `Endpoint=http://localhost;Port=${await freePort()};AccessKey=dead-key-0123456789;Version=1.0;`;
      patchSettings(app, { values: { AzureSignalRConnectionString: dead } });
      const host = await startHost({ app, mode: "functions" });
      hosts.push(host);
      let res = await callFn(host, "POST", "/api/anon/negotiate");
      expectFnStatus(res, 200, "negotiate");
      checkConnectionInfo(res.json, { servicePort: host.service.port, key: host.service.key });
      const client = await connectFn(host, { base: "/api/anon" });
      let tag = uid("env-");
      expectFnStatus(await callFn(host, "POST", "/api/messages/x", { body: { target: "newMessage", arguments: [tag] } }), 200, "send (env)");
      await expectDelivery(host.service, { tag, receivers: [client] });
      await stopClients();

      // Settings only (no environment variable): the live service named in local.settings.json.
      const app2 = copyApp();
      patchSettings(app2, {
        values: { AzureSignalRConnectionString: `Endpoint=http://localhost;Port=${host.service.port};AccessKey=${host.service.key};Version=1.0;` },
      });
      const host2 = await startHost({ app: app2, mode: "functions", connectionString: null });
      hosts.push(host2);
      res = await callFn(host2, "POST", "/api/anon/negotiate");
      checkConnectionInfo(res.json, { servicePort: host.service.port, key: host.service.key });
      const client2 = await connectFn(host2, { base: "/api/anon" });
      tag = uid("settings-");
      expectFnStatus(await callFn(host2, "POST", "/api/messages/x", { body: { target: "newMessage", arguments: [tag] } }), 200, "send (settings)");
      await expectDelivery(host.service, { tag, receivers: [client2] });
    }),
  );
});

describe("the SignalR service is down (functions mode)", () => {
  const hosts = [];
  after(async () => {
    await stopClients();
    for (const h of hosts) await h.stop();
  });

  const checkDown = async (host, what) => {
    const mark = host.logMark();
    let res = await callFn(host, "POST", "/api/broadcast", { key: host.keys.function, body: { text: "x" } });
    expectFnError(res, 503, [/service/i], `${what}: broadcast`);
    await expectLog(host, /Executed 'Functions\.broadcast' \(Failed, .*\) 503/, { since: mark });
    res = await callFn(host, "POST", "/api/messages/x", { body: { target: "newMessage", arguments: ["x"], userId: "u" } });
    expectFnError(res, 503, [/service/i], `${what}: second request`);
    res = await callFn(host, "POST", "/api/groups/x", { body: { action: "add", userId: "u", groupName: "g" } });
    expectFnError(res, 503, [/service/i], `${what}: group action`);
    // Functions that need no service still work.
    res = await callFn(host, "POST", "/api/anon/negotiate");
    expectFnStatus(res, 200, `${what}: negotiate`);
    res = await callFn(host, "GET", "/api/whoami");
    expectFnStatus(res, 200, `${what}: whoami`);
    assert.equal(host.exited, false, "the host keeps running");
  };

  test(
    "nothing listens at the connection string's port: clear 503, the host keeps serving",
    logged(async () => {
      const deadPort = await freePort();
      const key = "down-service-key-0123456789";
      const host = await startHost({
        app: copyApp(),
        mode: "functions",
        connectionString: `Endpoint=http://localhost;Port=${deadPort};AccessKey=${key};Version=1.0;`,
      });
      hosts.push(host);
      await checkDown(host, "never up");
      const res = await callFn(host, "POST", "/api/anon/negotiate");
      checkConnectionInfo(res.json, { servicePort: deadPort, key });
    }),
  );

  test(
    "the service stops while the host runs: sends turn into 503, the host keeps serving",
    logged(async () => {
      const host = await startHost({ app: copyApp(), mode: "functions" });
      hosts.push(host);
      const client = await connectFn(host, { base: "/api/anon" });
      const tag = uid("before-down-");
      expectFnStatus(await callFn(host, "POST", "/api/messages/x", { body: { target: "newMessage", arguments: [tag] } }), 200, "send while up");
      await expectDelivery(host.service, { tag, receivers: [client] });
      await stopClients();
      await stopService(host.serviceProcess);
      await checkDown(host, "stopped");
    }),
  );
});

describe("custom handler process", () => {
  let host;
  after(async () => {
    await host?.stop();
  });

  test(
    "its output is logged as [handler]; it is restarted when it dies; it stops with the host",
    logged(async () => {
      host = await startHost({ app: copyApp(), waitHandler: true });
      await expectLog(host, /\[handler\] matrix handler listening on \d+/);
      const [firstPid] = handlerPids(host);
      assert.ok(firstPid > 0, "the host logs the handler's pid");
      expectFnStatus(await callFn(host, "GET", "/api/whoami"), 200, "before the crash");

      const mark = host.logMark();
      const res = await callFn(host, "POST", "/api/crash");
      assert.ok(res.status >= 500 && res.status < 600, `the invocation in flight fails with a 5xx, got ${res.status} ${res.text}`);
      assert.ok(res.json && typeof res.json.error === "string", `JSON error expected, got ${res.text}`);
      await expectLog(host, /\[handler\] crash requested: exiting/, { since: mark });
      await expectLog(host, /Executed 'Functions\.crash' \(Failed, .*\) 5\d\d/, { since: mark });

      // A later invocation succeeds once the handler is back (poll up to 10 s).
      const deadline = Date.now() + 10000;
      let last;
      for (;;) {
        last = await callFn(host, "GET", "/api/whoami");
        if (last.status === 200) break;
        assert.ok(Date.now() < deadline, `no successful invocation within 10 s after the crash; last: ${last.status} ${last.text}`);
        await sleep(200);
      }
      const pids = handlerPids(host);
      assert.ok(pids.length >= 2, `a new handler process was started: ${pids}`);
      assert.notEqual(pids.at(-1), firstPid);
      let alive = true;
      try {
        process.kill(firstPid, 0);
      } catch {
        alive = false;
      }
      assert.equal(alive, false, "the crashed handler is gone");
      expectFnStatus(await callFn(host, "POST", "/api/anon/negotiate"), 200, "negotiate after the restart");

      const leftovers = await host.stop();
      assert.deepEqual(leftovers, [], `handler processes left running after the host stopped: ${leftovers}`);
    }),
  );
});

describe("the committed custom-handler app (tests/apps/custom-handler): CORS and its functions", () => {
  let host;
  after(async () => {
    await stopClients();
    await host?.stop();
  });
  afterEach(stopClients);

  test(
    "CORS: listed origin gets Allow-Origin and Allow-Credentials, an unlisted one gets none",
    logged(async () => {
      host = await startHost({ app: copyApp(CUSTOM_HANDLER_APP), waitHandler: true });
      const origin = "http://localhost:5173";
      let res = await callFn(host, "OPTIONS", "/api/negotiate?negotiateVersion=1", {
        headers: { Origin: origin, "Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "authorization,x-requested-with,x-signalr-user-agent" },
      });
      expectFnStatus(res, 204, "preflight");
      assert.equal(res.headers["access-control-allow-origin"], origin);
      assert.equal(res.headers["access-control-allow-credentials"], "true");
      assert.match(String(res.headers["access-control-allow-methods"]), /POST/);
      assert.match(String(res.headers["access-control-allow-headers"]).toLowerCase(), /authorization/);

      res = await callFn(host, "OPTIONS", "/api/negotiate", { headers: { Origin: "http://evil.example", "Access-Control-Request-Method": "POST" } });
      assert.equal(res.headers["access-control-allow-origin"], undefined, `unlisted origin preflight: ${JSON.stringify(res.headers)}`);
      assert.equal(res.headers["access-control-allow-credentials"], undefined);

      const token = identityToken({ sub: "cors-user" });
      res = await callFn(host, "POST", "/api/negotiate", { headers: { Origin: origin }, token });
      expectFnStatus(res, 200, "negotiate from the listed origin");
      assert.equal(res.headers["access-control-allow-origin"], origin);
      assert.equal(res.headers["access-control-allow-credentials"], "true");
      res = await callFn(host, "POST", "/api/negotiate", { headers: { Origin: "http://evil.example" }, token });
      expectFnStatus(res, 200, "negotiate from an unlisted origin (CORS is the browser's business)");
      assert.equal(res.headers["access-control-allow-origin"], undefined);
      // Error answers carry CORS headers too, so that a browser can read them.
      res = await callFn(host, "POST", "/api/broadcast", { headers: { Origin: origin }, body: { text: "x" } });
      expectFnStatus(res, 401, "broadcast without a key");
      assert.equal(res.headers["access-control-allow-origin"], origin);
    }),
  );

  test(
    "negotiate (bearer), broadcast (function key), messages/{kind} and groups/{action} with official clients",
    logged(async () => {
      host ??= await startHost({ app: copyApp(CUSTOM_HANDLER_APP), waitHandler: true });
      const user = uid("ch-user-");
      const a = await connectFn(host, { base: "/api", token: identityToken({ sub: user }), label: user });
      const b = await connectFn(host, { base: "/api", token: identityToken({ sub: uid("ch-other-") }), label: "other" });
      let tag = uid("ch-bc-");
      expectFnStatus(await callFn(host, "POST", "/api/broadcast", { key: host.keys.function, body: { text: tag } }), 202, "broadcast");
      await expectDelivery(host.service, { tag, receivers: [a, b], args: [tag] });

      tag = uid("ch-user-msg-");
      let res = await callFn(host, "POST", "/api/messages/user", { body: [{ target: "newMessage", arguments: [tag], userId: user }] });
      expectFnStatus(res, 200, "messages");
      assert.equal(res.text, "sent");
      await expectDelivery(host.service, { tag, receivers: [a], nonReceivers: [b] });

      const g = uid("ch-grp-");
      expectFnStatus(await callFn(host, "POST", "/api/groups/add", { body: { action: "add", connectionId: b.id, groupName: g } }), 200, "groups add");
      tag = uid("ch-grp-msg-");
      await callFn(host, "POST", "/api/messages/group", { body: { target: "newMessage", arguments: [tag], groupName: g } });
      await expectDelivery(host.service, { tag, receivers: [b], nonReceivers: [a] });
      expectFnStatus(await callFn(host, "POST", "/api/groups/remove", { body: { action: "remove", connectionId: b.id, groupName: g } }), 200, "groups remove");
      tag = uid("ch-grp-msg-");
      await callFn(host, "POST", "/api/messages/group", { body: { target: "newMessage", arguments: [tag], groupName: g } });
      await expectDelivery(host.service, { tag, receivers: [], nonReceivers: [a, b] });
    }),
  );
});
