// The .NET language worker (workers/dotnet, on Mono): the seeds' C# class-library and C# Script functions
// as printed (examples/seeds/csharp, examples/seeds/csharp-script) end to end with the official client; the
// in-process programming model (HttpRequest, ILogger, async Task<IActionResult>, ClaimsPrincipal, out
// parameters, #r and the default imports of a script); the compile cache; compile errors at start naming the
// file and line; a function that throws, one that never returns (functionTimeout), the worker killed in the
// middle of an invocation; requests that do not come from the host.
import { test, describe, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import path from "node:path";
import { BINARY, expectDelivery, freePort, rawRequest, uid, waitFor } from "./helpers.mjs";
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
  identityToken,
  patchSettings,
  runToExit,
  logged,
  IDENTITY_SECRET,
  IDENTITY_ISSUER,
} from "./functions-helpers.mjs";
import { seedsSuite, SEEDS_CS_APP, SEEDS_CSX_APP, workerPids, waitForWorker, expectHangRestartsWorker, expectProvesSecret } from "./workers-helpers.mjs";

after(removeTempDirs);

seedsSuite("dotnet", { app: SEEDS_CS_APP, label: "C# class library" });
seedsSuite("dotnet", { app: SEEDS_CSX_APP, label: "C# Script" });

const USINGS = `using System;
using System.IO;
using System.Security.Claims;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.WebJobs;
using Microsoft.Azure.WebJobs.Extensions.Http;
using Microsoft.Azure.WebJobs.Extensions.SignalRService;
using Microsoft.Extensions.Logging;
`;

/** One app with class-library functions (Model.cs) and C# Script functions side by side. */
function modelApp() {
  const dir = path.join(tempDir("sb-csworker-"), "app");
  writeApp(dir, {
    "host.json": { version: "2.0", functionTimeout: "00:00:03" },
    "local.settings.json": { IsEncrypted: false, Values: { FUNCTIONS_WORKER_RUNTIME: "dotnet", MY_SETTING: "from-settings" } },
    "Model.cs": `${USINGS}
namespace Model
{
    public class Echo
    {
        public string Method { get; set; }
        public string Path { get; set; }
        public string Name { get; set; }
        public string Header { get; set; }
        public string Body { get; set; }
        public string Id { get; set; }
        public string Setting { get; set; }
        public string User { get; set; }
        public bool Authenticated { get; set; }
    }

    public static class Functions
    {
        [FunctionName("echo")]
        public static async Task<IActionResult> EchoRequest(
            [HttpTrigger(AuthorizationLevel.Anonymous, "get", "post", Route = "echo/{id}")] HttpRequest req,
            ClaimsPrincipal principal, ILogger log, ExecutionContext context)
        {
            log.LogInformation("echo {Id} from {Function}", req.RouteValues["id"], context.FunctionName);
            log.LogWarning("a warning");
            string body = await new StreamReader(req.Body).ReadToEndAsync();
            var user = principal.FindFirst(ClaimTypes.NameIdentifier);
            return new OkObjectResult(new Echo
            {
                Method = req.Method, Path = req.Path.Value, Name = req.Query["name"], Header = req.Headers["X-Test"],
                Body = body, Id = (string)req.RouteValues["id"], Setting = Environment.GetEnvironmentVariable("MY_SETTING"),
                User = user == null ? null : user.Value, Authenticated = principal.Identity.IsAuthenticated,
            });
        }

        [FunctionName("negotiateAnonymous")]
        public static SignalRConnectionInfo Negotiate(
            [HttpTrigger(AuthorizationLevel.Anonymous, Route = "anonymous/negotiate")] HttpRequest req,
            [SignalRConnectionInfo(HubName = "chat")] SignalRConnectionInfo connectionInfo)
        {
            return connectionInfo;
        }

        [FunctionName("throws")]
        public static IActionResult Throws([HttpTrigger(AuthorizationLevel.Anonymous, "post")] HttpRequest req)
        {
            throw new InvalidOperationException("boom from C#");
        }

        [FunctionName("slow")]
        public static async Task<string> Slow([HttpTrigger(AuthorizationLevel.Anonymous, "post")] HttpRequest req, ILogger log)
        {
            Console.WriteLine("slow invocation started");
            await Task.Delay(1500);
            return "slow done";
        }

        [FunctionName("hangs")]
        public static async Task Hangs([HttpTrigger(AuthorizationLevel.Anonymous, "post")] HttpRequest req)
        {
            await Task.Delay(-1);
        }

        [FunctionName("notFound")]
        public static IActionResult NotFound([HttpTrigger(AuthorizationLevel.Anonymous, "get")] HttpRequest req)
        {
            return new NotFoundObjectResult("nothing here");
        }
    }
}
`,
    // A script: the default imports (no using for Task, HttpRequest, ILogger), #r of a framework assembly,
    // an out parameter for the signalR output, a POCO bound from the JSON body.
    "scripted/function.json": {
      bindings: [
        { authLevel: "anonymous", type: "httpTrigger", direction: "in", name: "order", methods: ["post"] },
        { type: "http", direction: "out", name: "$return" },
        { type: "signalR", direction: "out", name: "message", hubName: "chat" },
      ],
    },
    "scripted/run.csx": `/*
 * A header comment before the directives.
 */
#r "System.Runtime.Serialization"
#r "Microsoft.Azure.WebJobs.Extensions.SignalRService"
using System.Runtime.Serialization;
using Microsoft.Azure.WebJobs.Extensions.SignalRService;

public class Order
{
    public string Tag { get; set; }
    public int Count { get; set; }
}

public static string Run(Order order, ILogger log, out SignalRMessage message)
{
    log.LogInformation("order {Tag} x{Count}", order.Tag, order.Count);
    message = new SignalRMessage { Target = "newMessage", Arguments = new object[] { order.Tag, order.Count * 2 } };
    return "ordered " + order.Count;
}
`,
  });
  patchSettings(dir, { values: { SWITCHBOARD_AUTH_SECRET: IDENTITY_SECRET, SWITCHBOARD_AUTH_ISSUER: IDENTITY_ISSUER } });
  return dir;
}

describe("C# worker: programming model, cache and faults", () => {
  let host;
  let app;
  let client;

  before(
    logged(async () => {
      app = modelApp();
      host = await startHost({ app });
      client = await connectFn(host, { base: "/api/anonymous", label: "anon" });
    }),
  );
  after(async () => {
    await stopClients();
    await host?.stop();
  });

  test(
    "HttpRequest, route values, ILogger lines, ExecutionContext, app settings and async Task<IActionResult> (camelCase JSON)",
    logged(async () => {
      const mark = host.logMark();
      let r = await callFn(host, "POST", "/api/echo/42?name=ann", { body: "plain text", headers: { "Content-Type": "text/plain", "X-Test": "t" } });
      expectFnStatus(r, 200, "echo");
      assert.match(String(r.headers["content-type"]), /application\/json/);
      assert.deepEqual(r.json, {
        method: "POST", path: "/api/echo/42", name: "ann", header: "t", body: "plain text", id: "42", setting: "from-settings", authenticated: false,
      });
      await expectLog(host, /echo 42 from echo/, { since: mark });
      await expectLog(host, /\[warning\] a warning/, { since: mark });

      r = await callFn(host, "GET", "/api/echo/7", { token: identityToken({ sub: "alice", name: "Alice" }) });
      expectFnStatus(r, 200, "echo with identity");
      assert.equal(r.json.user, "alice", "the ClaimsPrincipal's NameIdentifier is the caller");
      assert.equal(r.json.authenticated, true);

      r = await callFn(host, "GET", "/api/notFound");
      expectFnStatus(r, 404, "NotFoundObjectResult");
      assert.equal(r.text, "nothing here");
    }),
  );

  test(
    "a C# Script: default imports, #r, a POCO from the JSON body, an out SignalRMessage and a string return",
    logged(async () => {
      const tag = uid("csx-");
      const r = await callFn(host, "POST", "/api/scripted", { body: { tag, count: 3 } });
      expectFnStatus(r, 200, "scripted");
      assert.equal(r.text, "ordered 3");
      assert.match(String(r.headers["content-type"]), /text\/plain/);
      await expectDelivery(host.service, { tag, receivers: [client], args: [tag, 6] });
    }),
  );

  test(
    "the compile cache: the app's build is kept under .switchboard/dotnet, reused as it is, replaced when the code changes",
    logged(async () => {
      const cache = path.join(app, ".switchboard", "dotnet");
      const builds = fs.readdirSync(cache).filter((d) => fs.existsSync(path.join(cache, d, "complete")));
      const runtime = builds.find((d) => d.startsWith("runtime-"));
      const appBuild = builds.find((d) => !d.startsWith("runtime-"));
      assert.ok(runtime && appBuild, `a runtime and an app build in ${cache}: ${builds}`);
      assert.ok(fs.existsSync(path.join(cache, appBuild, "app.dll")) && fs.existsSync(path.join(cache, appBuild, "scripts.dll")));
      const describe = () =>
        JSON.parse(execFileSync("mono", [path.join(cache, runtime, "Switchboard.Worker.exe"), "describe", app], { encoding: "utf8" }));
      let described = describe();
      assert.equal(described.build.compiled, false, "an unchanged app is not compiled again");
      assert.equal(path.basename(described.build.directory), appBuild);
      assert.deepEqual(Object.keys(described.functions).sort(), ["echo", "hangs", "negotiateAnonymous", "notFound", "slow", "throws"]);
      assert.deepEqual(described.functions.echo.bindings[0], {
        type: "httpTrigger", direction: "in", name: "req", authLevel: "anonymous", methods: ["get", "post"], route: "echo/{id}",
      });
      // A changed script is a new build.
      const script = path.join(app, "scripted", "run.csx");
      const text = fs.readFileSync(script, "utf8");
      fs.writeFileSync(script, text + "\n// changed\n");
      try {
        described = describe();
        assert.equal(described.build.compiled, true);
        assert.notEqual(path.basename(described.build.directory), appBuild);
        assert.deepEqual(fs.readdirSync(cache).sort(), [path.basename(described.build.directory), runtime].sort(), "the older build is removed");
      } finally {
        fs.writeFileSync(script, text);
      }
    }),
  );

  test(
    "a function that throws: 500 with the exception, and the worker keeps serving",
    logged(async () => {
      const pid = await waitForWorker(host, "dotnet");
      const err = expectFnError(await callFn(host, "POST", "/api/throws"), 500, [/System\.InvalidOperationException: boom from C#/], "throws");
      assert.doesNotMatch(err, /at Model\.Functions/, "no stack trace in the HTTP answer");
      expectFnStatus(await callFn(host, "GET", "/api/echo/1"), 200, "after the throw");
      assert.deepEqual(workerPids(host, "dotnet"), [pid], "same worker process");
    }),
  );

  test(
    "a request to the worker's port without the host's secret is 403 (a challenge gets the proof of its secret); a huge one is cut off; the worker lives on",
    logged(async () => {
      const pid = await waitForWorker(host, "dotnet");
      const m = [...host.log.matchAll(/dotnet worker listening on 127\.0\.0\.1:(\d+)/g)].pop(); // each start has its own port
      assert.ok(m, "the worker's port in the log");
      const port = Number(m[1]);
      for (const headers of [{}, { "x-switchboard-worker-secret": "guessed" }]) {
        const res = await rawRequest({ port, method: "POST", path: "/echo", headers: { "Content-Type": "application/json", ...headers }, body: { Data: {} } });
        assert.equal(res.status, 403, res.text);
        assert.match(res.text, /Forbidden/);
      }
      await expectProvesSecret(port, pid);
      // A refused request announcing 2 GB: the worker closes the connection without reading (or storing) it.
      const closed = await new Promise((resolve, reject) => {
        const socket = net.connect({ host: "127.0.0.1", port }, () => socket.write("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 2000000000\r\n\r\n"));
        let answer = "";
        socket.on("data", (d) => (answer += d));
        socket.on("error", () => resolve(answer));
        socket.on("close", () => resolve(answer));
        setTimeout(() => reject(new Error("the worker kept the connection open")), 5000);
      });
      assert.doesNotMatch(closed, /HTTP\/1\.1 200/);
      expectFnStatus(await callFn(host, "GET", "/api/echo/2"), 200, "the host's calls still work");
      assert.deepEqual(workerPids(host, "dotnet"), [pid], "same worker process");
    }),
  );

  test(
    "a function that never returns: 500 after functionTimeout, the worker is restarted, other functions work",
    logged(async () => {
      await expectHangRestartsWorker(host, "dotnet", { seconds: 3, restartTimeout: 10000 });
      let ok;
      await waitFor(
        async () => {
          ok = await callFn(host, "GET", "/api/echo/3");
          return ok.status === 200;
        },
        { timeout: 10000, interval: 200, message: () => `echo after the restart: ${ok?.status} ${ok?.text}` },
      );
    }),
  );

  test(
    "the worker killed in the middle of an invocation: that call fails with 5xx, a later one succeeds",
    logged(async () => {
      const pid = await waitForWorker(host, "dotnet");
      const mark = host.logMark();
      const pending = callFn(host, "POST", "/api/slow", { timeout: 10000 });
      await expectLog(host, /\[dotnet\] slow invocation started/, { since: mark, timeout: 5000 });
      process.kill(pid, "SIGKILL");
      const r = await pending;
      assert.ok(r.status >= 500 && r.status < 600, `5xx expected, got ${r.status} ${r.text}`);
      const fresh = await waitForWorker(host, "dotnet", { notPid: pid, timeout: 10000 });
      assert.notEqual(fresh, pid);
      let ok;
      await waitFor(
        async () => {
          ok = await callFn(host, "POST", "/api/slow", { timeout: 10000 });
          return ok.status === 200;
        },
        { timeout: 10000, interval: 200, message: () => `slow after the restart: ${ok?.status} ${ok?.text}` },
      );
      assert.equal(ok.text, "slow done");
    }),
  );
});

describe("C# errors stop the start naming the file and line (mcs's message) or the function", () => {
  for (const [what, files, pattern] of [
    [
      "class library",
      { "Broken.cs": `${USINGS}\npublic static class Broken\n{\n    [FunctionName("broken")]\n    public static string Run([HttpTrigger] HttpRequest req) { return 1 }\n}\n` },
      /Broken\.cs\(15,\d+\): error CS\d+/,
    ],
    [
      "C# Script",
      {
        "broken/function.json": { bindings: [{ type: "httpTrigger", direction: "in", name: "req", authLevel: "anonymous" }] },
        "broken/run.csx": `#r "Microsoft.Azure.WebJobs.Extensions.SignalRService"\nusing Microsoft.Azure.WebJobs.Extensions.SignalRService;\n\npublic static void Run(HttpRequest req)\n{\n    int x = "text";\n}\n`,
      },
      /broken\/run\.csx\(6,\d+\): error CS0029/,
    ],
    [
      "a #r of a NuGet package",
      {
        "json/function.json": { bindings: [{ type: "httpTrigger", direction: "in", name: "req", authLevel: "anonymous" }] },
        "json/run.csx": `using System.Net;\n#r "Newtonsoft.Json"\n\npublic static void Run(HttpRequest req) { }\n`,
      },
      /json\/run\.csx\(2\): #r "Newtonsoft\.Json": no such assembly here/,
    ],
    [
      "a parameter with no binding",
      { "Unbound.cs": `${USINGS}\npublic static class Unbound\n{\n    [FunctionName("unbound")]\n    public static void Run([HttpTrigger] HttpRequest req, string extra) { }\n}\n` },
      /function 'unbound' \(Unbound\.Run\): parameter 'extra' \(String\) has no binding attribute/,
    ],
  ]) {
    test(
      what,
      logged(async () => {
        const dir = path.join(tempDir("sb-csbroken-"), "app");
        writeApp(dir, { "host.json": { version: "2.0" }, "local.settings.json": { IsEncrypted: false, Values: {} }, ...files });
        // A build of earlier worker sources, as an upgrade leaves behind: replaced by this one's.
        const stale = path.join(dir, ".switchboard", "dotnet", "runtime-000000000000000000000000");
        fs.mkdirSync(stale, { recursive: true });
        fs.writeFileSync(path.join(stale, "complete"), "ok\n");
        const run = await runToExit(BINARY, ["start", dir, "--port", String(await freePort()), "--service-port", String(await freePort())], { timeout: 30000 });
        assert.notEqual(run.code, 0, `start must fail:\n${run.log}`);
        assert.match(run.stderr, pattern);
        assert.doesNotMatch(run.stderr, /at Switchboard\.Worker/, "no stack trace of the worker");
        const runtimes = fs.readdirSync(path.join(dir, ".switchboard", "dotnet")).filter((d) => d.startsWith("runtime-"));
        assert.equal(runtimes.length, 1, `one runtime build: ${runtimes}`);
        assert.notEqual(runtimes[0], path.basename(stale), "the stale runtime build is removed");
      }),
    );
  }
});
