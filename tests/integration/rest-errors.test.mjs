// Health, REST auth (401), validation (400), unknown routes (404) and the body limit (413).
import { test, describe, before, after } from "node:test";
import assert from "node:assert/strict";
import {
  startService,
  restCall,
  rawRequest,
  mintToken,
  restAud,
  clientAud,
  p22,
  pv1,
  expectStatus,
  expectError,
  logged,
  sleep,
} from "./helpers.mjs";

const KEY = "rest-errors-key-0123456789abcdefghijklmnop";
const KEY2 = "rest-errors-secondary-key-zyxwvutsrqponm";

describe("REST errors", () => {
  let svc;
  before(async () => {
    svc = await startService({ keys: [KEY, KEY2] });
  });
  after(async () => {
    await svc?.stop();
  });

  const body = { target: "newMessage", arguments: ["x"] };

  test(
    "health answers 200 without auth (HEAD and GET, both forms)",
    logged(async () => {
      for (const path of ["/api/health", "/api/v1/health", "/api/health?api-version=2022-06-01"]) {
        for (const method of ["HEAD", "GET"]) {
          const res = await rawRequest({ port: svc.port, method, path });
          expectStatus(res, 200, `${method} ${path}`);
        }
      }
    }),
  );

  const authTargets = [
    ["POST", p22("chat", "/:send")],
    ["POST", pv1("chat")],
    ["POST", p22("chat", "/users/alice/:send")],
    ["HEAD", p22("chat", "/connections/abc")],
    ["GET", pv1("chat", "/users/alice")],
    ["PUT", p22("chat", "/users/alice/groups/g1")],
    ["DELETE", pv1("chat", "/groups/g1/users/alice")],
    ["POST", p22("chat", "/:closeConnections")],
  ];

  // HEAD responses have no body; check the status (and body when there is one).
  const expect401 = (res, message, what) => {
    if (res.status === 401 && res.text === "") return; // HEAD
    expectError(res, 401, { code: "Unauthorized", message, what });
  };

  test(
    "401 when the token is missing",
    logged(async () => {
      for (const [method, path] of authTargets) {
        const res = await restCall(svc, method, path, { token: null, body: method === "POST" ? body : undefined });
        expect401(res, undefined, `${method} ${path}`);
      }
    }),
  );

  test(
    "401 when the token is expired",
    logged(async () => {
      for (const [method, path] of authTargets) {
        const token = mintToken(KEY, { aud: restAud(path), lifetime: -600 });
        const res = await restCall(svc, method, path, { token, body: method === "POST" ? body : undefined });
        expect401(res, method === "HEAD" ? undefined : /expired/i, `${method} ${path}`);
      }
    }),
  );

  test(
    "a token that worked is refused once it expires (the service's verified-token cache re-checks exp)",
    logged(async () => {
      // Expired 298 s ago: still inside the 300 s clock skew the service allows, for 2 more seconds.
      const path = p22("chat", "/:send");
      const token = mintToken(KEY, { aud: restAud(path), lifetime: -298 });
      const first = await restCall(svc, "POST", path, { token, body });
      expectStatus(first, 202, "inside the skew");
      const second = await restCall(svc, "POST", path, { token, body });
      expectStatus(second, 202, "again, from the cache");
      await sleep(3500);
      const late = await restCall(svc, "POST", path, { token, body });
      expect401(late, /expired/i, "after the skew");
    }),
  );

  test(
    "401 when the token is signed with another key",
    logged(async () => {
      for (const [method, path] of authTargets) {
        const token = mintToken("definitely-not-the-key-123456", { aud: restAud(path) });
        const res = await restCall(svc, method, path, { token, body: method === "POST" ? body : undefined });
        expect401(res, method === "HEAD" ? undefined : /signature/i, `${method} ${path}`);
      }
    }),
  );

  test(
    "401 when the audience is wrong (client URL, another hub, another path)",
    logged(async () => {
      const path = p22("chat", "/:send");
      for (const aud of [
        clientAud("chat"),
        restAud(p22("otherhub", "/:send")),
        `http://localhost/api/v1/hubs/otherhub`,
        `http://localhost/something/else`,
      ]) {
        const token = mintToken(KEY, { aud });
        const res = await restCall(svc, "POST", path, { token, body });
        expectError(res, 401, { code: "Unauthorized", message: /audience/i, what: `aud ${aud}` });
      }
    }),
  );

  test(
    "a Host header cannot re-shape the expected audience: a client token stays a client token",
    logged(async () => {
      // Built into "http://<Host>/api/...", a Host of "localhost/client/?hub=chat#" would have made
      // the expected audience the client URL, and a browser's client token a REST token.
      const path = p22("chat", "/:send");
      const token = mintToken(KEY, { aud: clientAud("chat") });
      for (const host of ["localhost/client/?hub=chat#", "localhost/client/?hub=chat", "x@localhost"]) {
        const res = await rawRequest({
          port: svc.port,
          method: "POST",
          path,
          headers: { Host: host, Authorization: `Bearer ${token}`, "Content-Type": "application/json" },
          body,
        });
        expectError(res, 401, {
          code: "Unauthorized",
          message: /does not match 'http:\/\/localhost\/api\/hubs\/chat\/:send' \(the Host header was ignored: a host\[:port\] has no '[\/@]'/,
          what: `Host ${host}`,
        });
      }
      // A bare host[:port] in any case is still used: a REST token for it is accepted.
      const rest = mintToken(KEY, { aud: `http://node-b.example${path}` });
      const ok = await rawRequest({
        port: svc.port,
        method: "POST",
        path,
        headers: { Host: "Node-B.Example:8080", Authorization: `Bearer ${rest}`, "Content-Type": "application/json" },
        body,
      });
      expectStatus(ok, 202, "a REST token for the Host named");
    }),
  );

  test(
    "a token accepted once is checked again for another hub, path or Host (each thread remembers only what it accepted)",
    logged(async () => {
      const path = p22("chat", "/:send");
      const withHost = (host, token, target = path) =>
        rawRequest({
          port: svc.port,
          method: "POST",
          path: target,
          headers: { Host: host, Authorization: `Bearer ${token}`, "Content-Type": "application/json" },
          body,
        });
      // The same token, one connection after another (the service runs one shard here or a few:
      // every call repeats, so each shard sees the accepted form before the refused ones).
      const hubToken = mintToken(KEY, { aud: restAud(p22("chat", "")) });
      const hostToken = mintToken(KEY, { aud: `http://node-b.example${path}` });
      for (let round = 0; round < 4; ++round) {
        expectStatus(await restCall(svc, "POST", path, { token: hubToken, body }), 202, "hub-level token on its hub");
        expectError(await restCall(svc, "POST", p22("otherhub", "/:send"), { token: hubToken, body }), 401, {
          code: "Unauthorized",
          message: /audience/i,
          what: "the same token on another hub",
        });
        expectStatus(await withHost("node-b.example", hostToken), 202, "a token for the Host named");
        expectError(await withHost("node-c.example", hostToken), 401, {
          code: "Unauthorized",
          message: /audience/i,
          what: "the same token with another Host",
        });
        expectError(await withHost("node-b.example", hostToken, p22("chat", "/groups/g/:send")), 401, {
          code: "Unauthorized",
          message: /audience/i,
          what: "the same token on another path of the hub",
        });
      }
    }),
  );

  test(
    "401 for a malformed token or a non-Bearer scheme",
    logged(async () => {
      const path = p22("chat", "/:send");
      expectError(await restCall(svc, "POST", path, { token: "garbage", body }), 401, { code: "Unauthorized" });
      const good = mintToken(KEY, { aud: restAud(path) });
      const res = await rawRequest({
        port: svc.port,
        method: "POST",
        path,
        headers: { Authorization: `Basic ${good}`, "Content-Type": "application/json" },
        body,
      });
      expectError(res, 401, { code: "Unauthorized" });
      // A token without exp is rejected (exp is required).
      const noExp = mintToken(KEY, { aud: restAud(path), claims: { exp: undefined } });
      expectStatus(await restCall(svc, "POST", path, { token: noExp, body }), 401, "token without exp");
    }),
  );

  test(
    "accepted REST audiences: SDK style (no port, query), with port, v1 style, secondary key",
    logged(async () => {
      const path = p22("chat", "/:send");
      for (const aud of [
        restAud(path),
        `http://localhost:${svc.port}${path}`,
        `http://127.0.0.1:${svc.port}${path}`,
        `http://localhost/api/hubs/chat/:send`,
      ]) {
        expectStatus(await restCall(svc, "POST", path, { aud, body }), 202, `aud ${aud}`);
      }
      expectStatus(await restCall(svc, "POST", path, { key: KEY2, body }), 202, "secondary key");
      const v1 = pv1("chat");
      expectStatus(await restCall(svc, "POST", v1, { aud: `http://127.0.0.1:${svc.port}/api/v1/hubs/chat`, body }), 202, "v1 aud with port");
      expectStatus(await restCall(svc, "POST", v1, { aud: `http://localhost/api/v1/hubs/chat`, body }), 202, "v1 aud without port");
      const v1user = pv1("chat", "/users/alice");
      expectStatus(await restCall(svc, "POST", v1user, { aud: `http://localhost:${svc.port}${v1user}`, body }), 202, "v1 user aud = request URL");
    }),
  );

  test(
    "400 InvalidArgument for invalid hub names",
    logged(async () => {
      const longHub = `h${"a".repeat(128)}`; // 129 chars
      for (const hub of ["1abc", longHub, "bad-hub", "_x"]) {
        const res = await restCall(svc, "POST", p22(hub, "/:send"), { body });
        expectError(res, 400, { code: "InvalidArgument", what: `hub ${hub}` });
        const res1 = await restCall(svc, "POST", pv1(hub), { body });
        expectError(res1, 400, { code: "InvalidArgument", what: `v1 hub ${hub}` });
      }
      const okHub = `h${"a".repeat(127)}`; // 128 chars: allowed
      expectStatus(await restCall(svc, "POST", p22(okHub, "/:send"), { body }), 202, "128-char hub");
      expectStatus(await restCall(svc, "POST", p22("Hub_1.x,y`[z]", "/:send"), { body }), 202, "hub with all allowed punctuation");
    }),
  );

  test(
    "400 InvalidArgument for whitespace-only or over-long group names",
    logged(async () => {
      for (const g of ["%20", "%20%20%09"]) {
        expectError(await restCall(svc, "POST", p22("chat", `/groups/${g}/:send`), { body }), 400, { code: "InvalidArgument", what: `send to group '${g}'` });
        expectError(await restCall(svc, "PUT", p22("chat", `/users/alice/groups/${g}`)), 400, { code: "InvalidArgument", what: `add user to group '${g}'` });
      }
      const long = "g".repeat(1025);
      expectError(await restCall(svc, "POST", p22("chat", `/groups/${long}/:send`), { body }), 400, { code: "InvalidArgument", what: "1025-char group" });
      expectStatus(await restCall(svc, "POST", p22("chat", `/groups/${"g".repeat(1024)}/:send`), { body }), 202, "1024-char group");
    }),
  );

  test(
    "400 InvalidArgument for bad bodies",
    logged(async () => {
      const path = p22("chat", "/:send");
      const cases = [
        ["missing target", JSON.stringify({ arguments: [1] })],
        ["empty target", JSON.stringify({ target: "", arguments: [1] })],
        ["target not a string", JSON.stringify({ target: 5, arguments: [1] })],
        ["non-JSON body", "this is not json"],
        ["truncated JSON", '{"target":"x","arguments":[1,'],
        ["arguments not an array (string)", JSON.stringify({ target: "x", arguments: "nope" })],
        ["arguments not an array (object)", JSON.stringify({ target: "x", arguments: { a: 1 } })],
        ["body is an array", JSON.stringify([{ target: "x" }])],
        ["empty body", ""],
      ];
      for (const [what, text] of cases) {
        const res = await restCall(svc, "POST", path, { body: text });
        expectError(res, 400, { code: "InvalidArgument", what });
      }
      // Same validation on the other send kinds and a chunked body.
      expectError(await restCall(svc, "POST", p22("chat", "/users/alice/:send"), { body: "{" }), 400, { code: "InvalidArgument", what: "user send" });
      expectError(await restCall(svc, "POST", p22("chat", "/groups/g/:send"), { body: { arguments: [] } }), 400, { code: "InvalidArgument", what: "group send" });
      expectError(await restCall(svc, "POST", pv1("chat", "/connections/c1"), { body: { target: "" } }), 400, { code: "InvalidArgument", what: "v1 connection send" });
      expectError(await restCall(svc, "POST", path, { body: "not json at all", chunked: true }), 400, { code: "InvalidArgument", what: "chunked non-JSON" });
    }),
  );

  test(
    "404 for unknown routes",
    logged(async () => {
      for (const [method, path] of [
        ["GET", "/nope"],
        ["POST", "/api/hubs/chat/whatever/x/y/z?api-version=2022-06-01"],
        ["POST", "/api/v2/hubs/chat"],
        ["GET", "/api/unknown"],
      ]) {
        const res = await restCall(svc, method, path, { body: method === "POST" ? body : undefined });
        expectError(res, 404, { what: `${method} ${path}` });
      }
    }),
  );

  const bigBody = () => JSON.stringify({ target: "newMessage", arguments: ["x".repeat(1100 * 1024)] });
  const okBody = () => JSON.stringify({ target: "newMessage", arguments: ["x".repeat(900 * 1024)] });

  test(
    "413 stays readable for a much larger body (4 MB, Content-Length and chunked)",
    logged(async () => {
      // A server that answers 413 and closes without draining or half-closing the socket makes the
      // client's kernel receive a TCP reset while it is still sending, so the client never reads the
      // 413 (it sees EPIPE/ECONNRESET instead). Repeated, because it is a race.
      const path = p22("chat", "/:send");
      const huge = JSON.stringify({ target: "newMessage", arguments: ["x".repeat(4 * 1024 * 1024)] });
      for (let i = 0; i < 5; i++) {
        expectError(await restCall(svc, "POST", path, { body: huge }), 413, { what: `4 MB body (#${i})` });
        expectError(await restCall(svc, "POST", path, { body: huge, chunked: true }), 413, { what: `4 MB chunked body (#${i})` });
      }
      expectStatus(await restCall(svc, "POST", path, { body }), 202, "server still works");
    }),
  );

  test(
    "413 for a chunked body over 1 MB; 900 KB chunked is fine",
    logged(async () => {
      const path = p22("chat", "/:send");
      for (let i = 0; i < 3; i++) {
        expectError(await restCall(svc, "POST", path, { body: bigBody(), chunked: true }), 413, { what: `1.1 MB chunked body (#${i})` });
      }
      expectStatus(await restCall(svc, "POST", path, { body: okBody(), chunked: true }), 202, "900 KB chunked body");
      expectStatus(await restCall(svc, "POST", path, { body }), 202, "server still works");
    }),
  );

  test(
    "413 for a body over 1 MB with Content-Length (the client must be able to read the 413); 900 KB is fine",
    logged(async () => {
      const path = p22("chat", "/:send");
      expectStatus(await restCall(svc, "POST", path, { body: okBody() }), 202, "900 KB body");
      for (let i = 0; i < 3; i++) {
        expectError(await restCall(svc, "POST", path, { body: bigBody() }), 413, { what: `1.1 MB body (#${i})` });
      }
      expectStatus(await restCall(svc, "POST", path, { body }), 202, "server still works");
    }),
  );

  test(
    "request headers over 16 KB get 431 with a JSON error, and the server keeps serving",
    logged(async () => {
      const res = await rawRequest({
        port: svc.port,
        method: "GET",
        path: "/api/health",
        headers: { "X-Padding": "p".repeat(20 * 1024) },
      });
      expectStatus(res, 431, "oversized headers");
      assert.equal(res.json?.code, "HeadersTooLarge");
      expectStatus(await rawRequest({ port: svc.port, method: "GET", path: "/api/health" }), 200);
    }),
  );
});
