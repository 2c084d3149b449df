// The Java language worker (workers/java): the seeds' Java functions (examples/seeds/java) compiled with
// javac at start and run end to end with the official client; the programming model (HttpRequestMessage
// bodies, @BindingName from route and query, ExecutionContext and its logger, HttpResponseMessage,
// OutputBinding); the compile cache; start-up errors (the seeds' group example as printed fails with
// javac's message, file and line; a declaration mistake names the function); and worker faults: a
// function that throws, one that never returns (functionTimeout), and the worker killed mid-invocation.
import { test, describe, before, after } from "node:test";
import assert from "node:assert/strict";
import path from "node:path";
import fs from "node:fs";
import { BINARY, freePort, rawRequest, uid, waitFor } from "./helpers.mjs";
import {
  startHost,
  tempDir,
  writeApp,
  copyApp,
  removeTempDirs,
  runToExit,
  callFn,
  expectFnStatus,
  expectFnError,
  connectFn,
  stopClients,
  expectLog,
  logged,
} from "./functions-helpers.mjs";
import { seedsSuite, SEEDS_JAVA_APP, workerPids, waitForWorker, expectHangRestartsWorker, expectProvesSecret } from "./workers-helpers.mjs";

after(removeTempDirs);

seedsSuite("java");

const IMPORTS = `package com.example;

import java.util.*;
import com.microsoft.azure.functions.*;
import com.microsoft.azure.functions.annotation.*;
import com.microsoft.azure.functions.signalr.*;
import com.microsoft.azure.functions.signalr.annotation.*;
`;
const JAVA = "src/main/java/com/example";

/** Functions exercising the programming model and the faults, beside the seeds' anonymous negotiate. */
function faultApp() {
  const dir = path.join(tempDir("sb-javaworker-"), "app");
  fs.cpSync(path.join(SEEDS_JAVA_APP, "src/main/java/com/function/NegotiateAnonymous.java"), path.join(dir, "src/main/java/com/function/NegotiateAnonymous.java"));
  return writeApp(dir, {
    "host.json": { version: "2.0", functionTimeout: "00:00:02" },
    "local.settings.json": { IsEncrypted: false, Values: { FUNCTIONS_WORKER_RUNTIME: "java", MY_SETTING: "from-settings" } },
    "pom.xml": "<project><!-- a Maven project file may be there; it is not read --></project>\n",
    [`${JAVA}/Model.java`]: `${IMPORTS}
public class Model {
    public static class Greeting {
        public String name;
        public int times;
    }

    @FunctionName("echo")
    public HttpResponseMessage echo(
            @HttpTrigger(name = "req", methods = { HttpMethod.GET, HttpMethod.POST }, route = "echo/{id}",
                authLevel = AuthorizationLevel.ANONYMOUS) HttpRequestMessage<Optional<String>> req,
            @BindingName("id") String id,
            @BindingName("tag") String tag,
            final ExecutionContext context) {
        context.getLogger().info("echo " + id);
        context.getLogger().warning("a warning");
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("method", req.getHttpMethod().name());
        out.put("uri", req.getUri().toString());
        out.put("query", req.getQueryParameters());
        out.put("header", req.getHeaders().get("x-test"));
        out.put("body", req.getBody().orElse("(none)"));
        out.put("id", id);
        out.put("tag", tag);
        out.put("function", context.getFunctionName());
        out.put("invocation", !context.getInvocationId().isEmpty());
        out.put("setting", System.getenv("MY_SETTING"));
        out.put("secretVisible", System.getenv().containsKey("SWITCHBOARD_WORKER_SECRET"));
        return req.createResponseBuilder(HttpStatus.ACCEPTED).header("X-Echo", "yes").body(out).build();
    }

    @FunctionName("typed")
    public String typed(
            @HttpTrigger(name = "req", methods = { HttpMethod.POST }, authLevel = AuthorizationLevel.ANONYMOUS)
                HttpRequestMessage<Greeting> req) {
        Greeting g = req.getBody();
        return String.join(" ", Collections.nCopies(g.times, "hello " + g.name));
    }

    @FunctionName("outputs")
    public HttpResponseMessage outputs(
            @HttpTrigger(name = "req", methods = { HttpMethod.POST }, authLevel = AuthorizationLevel.ANONYMOUS)
                HttpRequestMessage<Object> req,
            @SignalROutput(name = "messages", hubName = "chat") OutputBinding<List<SignalRMessage>> messages) {
        String tag = req.getQueryParameters().get("tag");
        messages.setValue(List.of(new SignalRMessage("newMessage", tag, 1), new SignalRMessage("newMessage", tag, 2)));
        return req.createResponseBuilder(HttpStatusType.custom(299)).body("sent " + tag).build();
    }
}
`,
    [`${JAVA}/Faults.java`]: `${IMPORTS}
public class Faults {
    @FunctionName("throws")
    public String fails(
            @HttpTrigger(name = "req", authLevel = AuthorizationLevel.ANONYMOUS) HttpRequestMessage<String> req) {
        throw new IllegalStateException("boom from java");
    }

    @FunctionName("hangs")
    public String hangs(
            @HttpTrigger(name = "req", authLevel = AuthorizationLevel.ANONYMOUS) HttpRequestMessage<String> req)
            throws InterruptedException {
        Thread.sleep(3_600_000);
        return "never";
    }

    @FunctionName("slow")
    public static String slow(
            @HttpTrigger(name = "req", authLevel = AuthorizationLevel.ANONYMOUS) HttpRequestMessage<String> req)
            throws InterruptedException {
        System.out.println("slow invocation started");
        Thread.sleep(1500);
        return "slow done";
    }
}
`,
  });
}

describe("Java worker: programming model, cache and faults", () => {
  let host;
  let client;
  let app;

  before(
    logged(async () => {
      app = faultApp();
      host = await startHost({ app });
      client = await connectFn(host, { base: "/api/anonymous", label: "anon" });
    }),
  );
  after(async () => {
    await stopClients();
    await host?.stop();
  });

  test(
    "the request, @BindingName (route, query, JSON body), ExecutionContext, its logger and app settings as the function sees them",
    logged(async () => {
      const mark = host.logMark();
      let r = await callFn(host, "POST", "/api/echo/42?tag=t1&b=two", { body: "plain text", headers: { "X-Test": "t", "Content-Type": "text/plain" } });
      expectFnStatus(r, 202, "echo");
      assert.equal(r.headers["x-echo"], "yes");
      assert.match(String(r.headers["content-type"]), /application\/json/);
      assert.deepEqual(r.json, {
        method: "POST",
        uri: r.json.uri,
        query: { tag: "t1", b: "two" },
        header: "t",
        body: "plain text",
        id: "42",
        tag: "t1",
        function: "echo",
        invocation: true,
        setting: "from-settings",
        secretVisible: false,
      });
      assert.match(r.json.uri, /\/api\/echo\/42\?tag=t1&b=two$/);
      await expectLog(host, /echo 42/, { since: mark });
      await expectLog(host, /\[warning\] a warning/, { since: mark });

      r = await callFn(host, "GET", "/api/echo/7");
      expectFnStatus(r, 202, "echo without a body");
      assert.equal(r.json.body, "(none)", "Optional<String> is empty without a body");
      assert.equal(r.json.tag, null, "a binding name with no value is null");

      r = await callFn(host, "POST", "/api/echo/8", { body: { tag: "from-body" } });
      expectFnStatus(r, 202, "echo with a JSON body");
      assert.equal(r.json.tag, "from-body", "@BindingName falls back to a property of a JSON body");
      assert.equal(r.json.body, JSON.stringify({ tag: "from-body" }), "Optional<String> holds the posted text");
      r = await callFn(host, "POST", "/api/echo/8?tag=from-query", { body: { tag: "from-body" } });
      assert.equal(r.json.tag, "from-query", "the query comes before the body");
    }),
  );

  test(
    "the worker answers only its host: without the secret, or with a wrong one, 403 and nothing runs; a challenge gets the proof of its secret",
    logged(async () => {
      const m = [...host.log.matchAll(/java worker listening on 127\.0\.0\.1:(\d+)/g)].pop();
      assert.ok(m, `the worker's port in the log:\n${host.log}`);
      const port = Number(m[1]);
      const mark = host.logMark();
      for (const headers of [{}, { "x-switchboard-worker-secret": "guessed" }]) {
        const res = await rawRequest({ port, method: "POST", path: "/slow", headers: { "Content-Type": "application/json", ...headers }, body: { Data: {}, Metadata: {} } });
        assert.equal(res.status, 403, res.text);
        assert.match(res.text, /Forbidden: only the functions host may call this worker/);
        assert.equal((await rawRequest({ port, method: "GET", path: "/", headers })).status, 403);
      }
      await expectProvesSecret(port, await waitForWorker(host, "java"));
      await new Promise((r) => setTimeout(r, 200));
      assert.doesNotMatch(host.logsSince(mark), /slow invocation started/, "the function did not run");
    }),
  );

  test(
    "a JSON body into a class (HttpRequestMessage<Greeting>); a returned String is the response body",
    logged(async () => {
      let r = await callFn(host, "POST", "/api/typed", { body: { name: "ada", times: 2 } });
      expectFnStatus(r, 200, "typed");
      assert.equal(r.text, "hello ada hello ada");
      r = await callFn(host, "POST", "/api/typed", { body: { name: "ada", times: "many" } });
      expectFnError(r, 500, [/cannot bind 'req' of the typed function: the request body is not a com\.example\.Model\$Greeting/], "typed with a bad body");
    }),
  );

  test(
    "an OutputBinding<List<SignalRMessage>> sends every message in order; a custom status",
    logged(async () => {
      const tag = uid("java-out-");
      const r = await callFn(host, "POST", `/api/outputs?tag=${tag}`, { body: {} });
      expectFnStatus(r, 299, "outputs");
      assert.equal(r.text, `sent ${tag}`);
      await waitFor(() => client.count(tag) === 2, { message: () => `two messages: ${JSON.stringify(client.received("newMessage", tag))}` });
      assert.deepEqual(
        client.received("newMessage", tag).map((m) => m.args),
        [
          [tag, 1],
          [tag, 2],
        ],
      );
    }),
  );

  test(
    "a function that throws: 500 naming the exception, and the worker keeps serving",
    logged(async () => {
      const pid = await waitForWorker(host, "java");
      const err = expectFnError(await callFn(host, "POST", "/api/throws"), 500, [/java\.lang\.IllegalStateException: boom from java/], "throws");
      assert.doesNotMatch(err, /\tat /, "no stack trace in the HTTP answer");
      await expectLog(host, /Functions\.throws \(Id=[^)]+\) failed/);
      expectFnStatus(await callFn(host, "POST", "/api/typed", { body: { name: "b", times: 1 } }), 200, "after the exception");
      assert.deepEqual(workerPids(host, "java"), [pid], "same worker process");
    }),
  );

  test(
    "a function that never returns: 500 after functionTimeout, the worker is restarted, other functions work",
    logged(async () => {
      await expectHangRestartsWorker(host, "java", { seconds: 2, restartTimeout: 10000 });
      let ok;
      await waitFor(
        async () => {
          ok = await callFn(host, "POST", "/api/typed", { body: { name: "c", times: 1 } });
          return ok.status === 200;
        },
        { timeout: 10000, interval: 200, message: () => `typed after the restart: ${ok?.status} ${ok?.text}` },
      );
      assert.equal(ok.text, "hello c");
    }),
  );

  test(
    "the worker killed in the middle of an invocation: that call fails with 5xx, a later one succeeds",
    logged(async () => {
      const pid = await waitForWorker(host, "java", { timeout: 10000 });
      const mark = host.logMark();
      const pending = callFn(host, "POST", "/api/slow", { timeout: 10000 });
      await expectLog(host, /\[java\] slow invocation started/, { since: mark, timeout: 5000 });
      process.kill(pid, "SIGKILL");
      const r = await pending;
      assert.ok(r.status >= 500 && r.status < 600, `5xx expected, got ${r.status} ${r.text}`);
      assert.ok(r.json && typeof r.json.error === "string", `JSON error body: ${r.text}`);
      assert.doesNotMatch(r.json.error, /Timeout value/, "not reported as a timeout");
      await waitForWorker(host, "java", { notPid: pid, timeout: 10000 });
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

  test(
    "the build is cached by content: a second start of the same app does not run javac",
    logged(async () => {
      assert.match(host.log, /Java: compiled \d+ source files/, "the first start compiled");
      const builds = fs.readdirSync(path.join(app, ".switchboard", "java"));
      assert.equal(builds.length, 1, `one build folder: ${builds}`);
      await stopClients();
      await host.stop();
      host = await startHost({ app });
      assert.match(host.log, /Java: using the cached build/);
      assert.doesNotMatch(host.log, /Java: compiled/);
      expectFnStatus(await callFn(host, "POST", "/api/typed", { body: { name: "d", times: 1 } }), 200, "after the restart");
    }),
  );
});

describe("Java start-up errors", () => {
  /** `switchboard start` of an app that must not start: its exit and output. */
  async function startFails(dir) {
    const port = await freePort();
    const r = await runToExit(BINARY, ["start", dir, "--port", String(port), "--service-port", String(await freePort())], { timeout: 30000 });
    assert.equal(r.timedOut, false, `exits by itself:\n${r.log}`);
    assert.notEqual(r.code, 0, `exit status:\n${r.log}`);
    return r;
  }

  test(
    "the seeds' group example as printed (return action;) stops start-up with javac's message, file and line",
    logged(async () => {
      const dir = copyApp(SEEDS_JAVA_APP);
      const file = path.join(dir, "src/main/java/com/function/AddToGroup.java");
      const fixed = fs.readFileSync(file, "utf8");
      const printed = fixed.replace(/return groupAction;.*$/m, "return action;");
      assert.notEqual(printed, fixed);
      fs.writeFileSync(file, printed);
      const line = printed.split("\n").findIndex((l) => l.includes("return action;")) + 1;
      const r = await startFails(dir);
      assert.match(r.stderr, /the Java sources do not compile \(javac\)/);
      assert.ok(r.stderr.includes(`src/main/java/com/function/AddToGroup.java:${line}: error: cannot find symbol`), r.stderr);
      assert.match(r.stderr, /return action;/);
      assert.match(r.stderr, /symbol: +variable action/);
      assert.doesNotMatch(r.stderr, /\tat |Exception/, "no stack trace");
      assert.doesNotMatch(r.log, /Functions host listening/);
    }),
  );

  test(
    "two methods with one @FunctionName, and a parameter without a binding, name the function and methods",
    logged(async () => {
      const dir = path.join(tempDir("sb-javabad-"), "app");
      const fn = (name, method, params = "") => `
    @FunctionName("${name}")
    public String ${method}(@HttpTrigger(name = "req", authLevel = AuthorizationLevel.ANONYMOUS) HttpRequestMessage<String> req${params}) {
        return "x";
    }`;
      writeApp(dir, {
        "host.json": { version: "2.0" },
        "local.settings.json": { IsEncrypted: false, Values: {} },
        [`${JAVA}/Twice.java`]: `${IMPORTS}\npublic class Twice {${fn("same", "one")}${fn("same", "two")}\n}\n`,
      });
      let r = await startFails(dir);
      assert.match(r.stderr, /the function name 'same' is declared twice: by com\.example\.Twice\.one and by com\.example\.Twice\.two/);
      writeApp(dir, { [`${JAVA}/Twice.java`]: `${IMPORTS}\npublic class Twice {${fn("lonely", "one", ", String stray")}\n}\n` });
      r = await startFails(dir);
      assert.match(r.stderr, /parameter 2 of function 'lonely' \(com\.example\.Twice\.one\) \(java\.lang\.String\) has no binding annotation/);
      assert.doesNotMatch(r.stderr, /\tat /, "no stack trace");
    }),
  );
});
