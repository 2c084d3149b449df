// A custom handler with signalRTrigger functions: Data.invocation is the InvocationContext,
// Metadata holds the parameterNames values, ReturnValue is the invocation's result.
import http from "node:http";

const handlers = {
  broadcast: (data, metadata) => ({
    Outputs: { signalRMessages: [{ target: "newMessage", arguments: [metadata.text, "from custom"] }] },
    ReturnValue: { echo: metadata.text, connectionId: data.invocation.ConnectionId, event: data.invocation.Event },
    Logs: [`broadcast ${metadata.text}`],
  }),
  connected: (data) => (data.invocation.UserId === "refused" ? null : { Outputs: {}, ReturnValue: null }),
};

http
  .createServer((req, res) => {
    let text = "";
    req.on("data", (chunk) => (text += chunk));
    req.on("end", () => {
      const name = decodeURIComponent(req.url.slice(1));
      if (name === "fail") {
        res.writeHead(500, { "content-type": "text/plain" }).end("custom handler failure");
        return;
      }
      const handler = handlers[name];
      if (!handler) {
        res.writeHead(req.url === "/" ? 200 : 404).end();
        return;
      }
      const payload = JSON.parse(text);
      const result = handler(payload.Data, payload.Metadata);
      if (result === null) {
        res.writeHead(500, { "content-type": "application/json" }).end(JSON.stringify({ error: "refused by the handler" }));
        return;
      }
      res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(result));
    });
  })
  .listen(Number(process.env.FUNCTIONS_CUSTOMHANDLER_PORT), "127.0.0.1", () => console.log("trigger handler listening"));
