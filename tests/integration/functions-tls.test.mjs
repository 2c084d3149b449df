// The functions host reaches a SignalR service over HTTPS (as it would reach Azure): output
// bindings go through a TLS reverse proxy in front of a `switchboard service`; the certificate is
// verified (trusted through OpenSSL's SSL_CERT_FILE), and an untrusted one is refused clearly.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import https from "node:https";
import http from "node:http";
import path from "node:path";
import {
  startService, stopService, startNegotiateFixture, connectClient, stopAllClients, waitFor, logged,
} from "./helpers.mjs";
import { copyApp, startHost, stopHost, callFn, tempDir, removeTempDirs, CUSTOM_HANDLER_APP } from "./functions-helpers.mjs";

let svc;
let proxy;
let certFile;

before(async () => {
  svc = await startService();
  const dir = tempDir("sb-tls-");
  certFile = path.join(dir, "cert.pem");
  const keyFile = path.join(dir, "key.pem");
  execFileSync("openssl", [
    "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", keyFile, "-out", certFile,
    "-days", "1", "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
  ], { stdio: "ignore" });
  // A TLS-terminating reverse proxy to the service's REST API.
  const server = https.createServer({ key: fs.readFileSync(keyFile), cert: fs.readFileSync(certFile) }, (req, res) => {
    const upstream = http.request(
      { host: "127.0.0.1", port: svc.port, method: req.method, path: req.url, headers: req.headers },
      (answer) => {
        res.writeHead(answer.statusCode, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on("error", () => res.writeHead(502).end());
    req.pipe(upstream);
  });
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  proxy = { port: server.address().port, close: () => new Promise((r) => server.close(() => r())) };
});

after(async () => {
  await stopAllClients();
  await proxy?.close();
  await stopService(svc);
  removeTempDirs();
});

test(
  "output bindings reach the service over HTTPS with a verified certificate",
  logged(async () => {
    const fx = await startNegotiateFixture(svc);
    const client = await connectClient(fx, { user: "tls-user", targets: ["newMessage"] });
    const host = await startHost({
      app: copyApp(CUSTOM_HANDLER_APP),
      mode: "functions",
      connectionString: `Endpoint=https://localhost;Port=${proxy.port};AccessKey=${svc.key};Version=1.0;`,
      env: { SSL_CERT_FILE: certFile },
    });
    try {
      const res = await callFn(host, "POST", "/api/messages/x", {
        body: { target: "newMessage", arguments: ["over tls"] },
      });
      assert.equal(res.status, 200, res.text);
      await waitFor(() => client.count("over tls") === 1, {
        timeout: 5000,
        message: "the message sent over HTTPS",
      });
    } finally {
      await stopHost(host);
      await fx.close();
    }
  }),
);

test(
  "an untrusted certificate fails the invocation with a clear 5xx",
  logged(async () => {
    const host = await startHost({
      app: copyApp(CUSTOM_HANDLER_APP),
      mode: "functions",
      connectionString: `Endpoint=https://localhost;Port=${proxy.port};AccessKey=${svc.key};Version=1.0;`,
      env: { SSL_CERT_FILE: "/nonexistent-ca.pem", SSL_CERT_DIR: "/nonexistent-ca-dir" },
    });
    try {
      const res = await callFn(host, "POST", "/api/messages/x", {
        body: { target: "newMessage", arguments: ["refused"] },
      });
      assert.equal(res.status, 503, res.text);
      assert.match(res.text, /TLS handshake|certificate/i);
    } finally {
      await stopHost(host);
    }
  }),
);
