// Custom handlers with enableForwardingHttpRequest: a function made only of an httpTrigger and an
// http output gets the original request (method, path, query, headers, body) and its answer goes
// back as it is; a function with other bindings still uses the payload protocol.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { copyApp, writeApp, startHost, stopHost, callFn, logged, removeTempDirs, CUSTOM_HANDLER_APP } from "./functions-helpers.mjs";

const handler = `
import http from 'node:http';
http.createServer((req, res) => {
  let body = '';
  req.on('data', (c) => (body += c));
  req.on('end', () => {
    if (req.url === '/') return res.end();
    if (req.url.startsWith('/api/echo')) {
      // Forwarded: the original request, answered in the handler's own words.
      res.writeHead(418, { 'content-type': 'text/x-echo', 'x-handler': 'forwarded' });
      return res.end(JSON.stringify({ method: req.method, url: req.url, header: req.headers['x-test'], body }));
    }
    if (req.url === '/withSignalR') {
      const payload = JSON.parse(body);
      res.writeHead(200, { 'content-type': 'application/json' });
      return res.end(JSON.stringify({ Outputs: { res: { statusCode: 200, body: { payload: Object.keys(payload) } } } }));
    }
    if (req.url === '/garbage') return res.writeHead(200, { 'content-type': 'text/plain' }).end('not json');
    res.writeHead(404).end();
  });
}).listen(Number(process.env.FUNCTIONS_CUSTOMHANDLER_PORT), '127.0.0.1');
`;

after(() => removeTempDirs());

test(
  "forwarded and payload-protocol functions side by side",
  logged(async () => {
    const dir = copyApp(CUSTOM_HANDLER_APP);
    writeApp(dir, {
      "handler.mjs": handler,
      "host.json": {
        version: "2.0",
        customHandler: { description: { defaultExecutablePath: "node", arguments: ["handler.mjs"] }, enableForwardingHttpRequest: true },
      },
      "negotiate": null, "broadcast": null, "messages": null, "groups": null,
      "echo/function.json": {
        bindings: [
          { type: "httpTrigger", direction: "in", name: "req", authLevel: "anonymous", methods: ["put"], route: "echo/{id}" },
          { type: "http", direction: "out", name: "res" },
        ],
      },
      "garbage/function.json": {
        bindings: [
          { type: "httpTrigger", direction: "in", name: "req", authLevel: "anonymous", methods: ["post"] },
          { type: "http", direction: "out", name: "res" },
          { type: "signalR", direction: "out", name: "out", hubName: "chat" },
        ],
      },
      "withSignalR/function.json": {
        bindings: [
          { type: "httpTrigger", direction: "in", name: "req", authLevel: "anonymous", methods: ["post"] },
          { type: "http", direction: "out", name: "res" },
          { type: "signalR", direction: "out", name: "out", hubName: "chat" },
        ],
      },
    });
    const host = await startHost({ app: dir });
    try {
      const echo = await callFn(host, "PUT", "/api/echo/7?x=1", { headers: { "x-test": "yes" }, body: "raw body" });
      assert.equal(echo.status, 418);
      assert.equal(echo.headers["x-handler"], "forwarded");
      assert.match(echo.headers["content-type"], /text\/x-echo/);
      assert.deepEqual(JSON.parse(echo.text), { method: "PUT", url: "/api/echo/7?x=1", header: "yes", body: "raw body" });

      const payload = await callFn(host, "POST", "/api/withSignalR", { body: { a: 1 } });
      assert.equal(payload.status, 200);
      assert.deepEqual(JSON.parse(payload.text), { payload: ["Data", "Metadata"] });

      // A handler answer that is not the payload protocol's JSON fails the invocation clearly.
      const garbage = await callFn(host, "POST", "/api/garbage", { body: {} });
      assert.equal(garbage.status, 500);
      assert.match(garbage.text, /Functions\.garbage.*not a JSON object/);
    } finally {
      await stopHost(host);
    }
  }),
);
