// The .NET isolated worker model (issue 15) in the .NET worker: the seeds' app shape written with
// [Function], HttpRequestData / HttpResponseData, [SignalRConnectionInfoInput] and [SignalROutput]
// (examples/models/dotnet-isolated) end to end with the official client, and what else the model
// offers: a connection info as a JSON string, FunctionContext and its logger, instance methods,
// the request's URL, query, headers and body, a type with several outputs.
import { test, describe, before, after } from "node:test";
import assert from "node:assert/strict";
import path from "node:path";
import { REPO_ROOT, expectDelivery, uid } from "./helpers.mjs";
import {
  startHost,
  tempDir,
  writeApp,
  removeTempDirs,
  callFn,
  expectFnStatus,
  checkConnectionInfo,
  connectFn,
  stopClients,
  expectLog,
  logged,
} from "./functions-helpers.mjs";
import { seedsSuite } from "./workers-helpers.mjs";

after(removeTempDirs);

seedsSuite("dotnet", {
  app: path.join(REPO_ROOT, "examples", "models", "dotnet-isolated"),
  label: ".NET isolated",
  anonymousGroup: [401, /sign in first/],
});

function isolatedApp() {
  const dir = path.join(tempDir("sb-isolated-"), "app");
  return writeApp(dir, {
    "host.json": { version: "2.0" },
    "local.settings.json": { IsEncrypted: false, Values: { FUNCTIONS_WORKER_RUNTIME: "dotnet-isolated" } },
    "Functions.cs": `using System.Net;
using System.Threading.Tasks;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Http;
using Microsoft.Extensions.Logging;

namespace Isolated
{
    public class Functions
    {
        private readonly string greeting = "hello";

        [Function("negotiateAnonymous")]
        public static string Negotiate(
            [HttpTrigger(AuthorizationLevel.Anonymous, Route = "anonymous/negotiate")] HttpRequestData req,
            [SignalRConnectionInfoInput(HubName = "chat")] string connectionInfo)
        {
            return connectionInfo;
        }

        [Function("inspect")]
        public async Task<HttpResponseData> Inspect(
            [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "inspect/{id}")] HttpRequestData req, FunctionContext context)
        {
            var log = context.GetLogger("inspect");
            log.LogInformation("inspecting {Id} in {Function}", context.BindingContextId(), context.FunctionDefinition.Name);
            var response = req.CreateResponse(HttpStatusCode.Accepted);
            response.Headers.Add("x-greeting", greeting);
            await response.WriteAsJsonAsync(new
            {
                Method = req.Method, Path = req.Url.AbsolutePath, Name = req.Query["name"],
                Header = string.Join("|", req.Headers.GetValues("X-Test")), Body = await req.ReadAsStringAsync(),
            }, HttpStatusCode.Accepted);
            return response;
        }

        [Function("broadcastAndAnswer")]
        public static Both BroadcastAndAnswer([HttpTrigger(AuthorizationLevel.Anonymous, "post")] HttpRequestData req)
        {
            var response = req.CreateResponse(HttpStatusCode.OK);
            response.WriteString("sent");
            return new Both { Message = new SignalRMessageAction("newMessage", new object[] { req.ReadAsString() }), Response = response };
        }
    }

    public class Both
    {
        [SignalROutput(HubName = "chat")]
        public SignalRMessageAction Message { get; set; }
        [HttpResult]
        public HttpResponseData Response { get; set; }
    }

    static class Ids
    {
        public static string BindingContextId(this FunctionContext context) { return context.InvocationId.Length > 0 ? "an-id" : "none"; }
    }
}
`,
  });
}

describe(".NET isolated model: inputs, context, several outputs", () => {
  let host;
  let client;
  before(
    logged(async () => {
      host = await startHost({ app: isolatedApp() });
      client = await connectFn(host, { base: "/api/anonymous", label: "anon" });
    }),
  );
  after(async () => {
    await stopClients();
    await host?.stop();
  });

  test(
    "a connection info bound as a JSON string, returned as it is",
    logged(async () => {
      const res = await callFn(host, "POST", "/api/anonymous/negotiate");
      expectFnStatus(res, 200, "negotiate");
      checkConnectionInfo(JSON.parse(res.text), { servicePort: host.service.port, key: host.service.key });
    }),
  );

  test(
    "HttpRequestData (URL, query, headers, body), FunctionContext's logger, an instance method, WriteAsJsonAsync",
    logged(async () => {
      const mark = host.logMark();
      const res = await callFn(host, "POST", "/api/inspect/5?name=ann", { body: "text body", headers: { "Content-Type": "text/plain", "X-Test": "t" } });
      expectFnStatus(res, 202, "inspect");
      assert.equal(res.headers["x-greeting"], "hello");
      assert.match(String(res.headers["content-type"]), /application\/json/);
      assert.deepEqual(res.json, { method: "POST", path: "/api/inspect/5", name: "ann", header: "t", body: "text body" });
      await expectLog(host, /inspecting an-id in inspect/, { since: mark });
    }),
  );

  test(
    "a returned type with a [SignalROutput] property and an HttpResponseData: both are sent",
    logged(async () => {
      const tag = uid("iso-");
      const res = await callFn(host, "POST", "/api/broadcastAndAnswer", { body: tag, headers: { "Content-Type": "text/plain" } });
      expectFnStatus(res, 200, "broadcastAndAnswer");
      assert.equal(res.text, "sent");
      await expectDelivery(host.service, { tag, receivers: [client], args: [tag] });
    }),
  );
});
