// REST sends (broadcast, user, connection) reaching exactly the right official clients.
import { test, describe } from "node:test";
import assert from "node:assert/strict";
import http from "node:http";
import {
  connectClient,
  stopAllClients,
  restCall,
  mintToken,
  restAud,
  p22,
  pv1,
  excludedQuery,
  expectStatus,
  expectDelivery,
  logged,
  uid,
  useServiceWithFixture,
} from "./helpers.mjs";

const enc = encodeURIComponent;

describe("REST sends", () => {
  let svc;
  let fx;
  useServiceWithFixture((service, fixture) => {
    svc = service;
    fx = fixture;
  });

  const send = (method, path, body, opts = {}) => restCall(svc, method, path, { body, ...opts });

  test(
    "broadcast (2022-06-01) reaches every connection of the hub and none of another hub, with all JSON types",
    logged(async () => {
      const a = await connectClient(fx, { user: "alice" });
      const b = await connectClient(fx, { user: "bob" });
      const anon = await connectClient(fx, {});
      const other = await connectClient(fx, { user: "alice", hub: "otherhub" });
      const tag = uid("bc");
      const args = [tag, 42, -3.5, true, false, { a: { b: [1, 2, { c: "d" }] }, e: null }, [1, "x", null, []], null, "héllo wörld 🌍 日本語 \"quoted\" \\ \n"];
      const res = await send("POST", p22("chat", "/:send"), { target: "newMessage", arguments: args });
      expectStatus(res, 202, "broadcast");
      await expectDelivery(svc, { tag, receivers: [a, b, anon], nonReceivers: [other], args });
    }),
  );

  test(
    "broadcast v1 form and 2022 form without :send",
    logged(async () => {
      const a = await connectClient(fx, { user: "alice" });
      const other = await connectClient(fx, { user: "zed", hub: "otherhub" });
      const t1 = uid("v1");
      expectStatus(await send("POST", pv1("chat"), { target: "newMessage", arguments: [t1, 1] }), 202, "v1 broadcast");
      await expectDelivery(svc, { tag: t1, receivers: [a], nonReceivers: [other], args: [t1, 1] });
      const t2 = uid("nosend");
      expectStatus(await send("POST", p22("chat"), { target: "newMessage", arguments: [t2] }), 202, "broadcast without :send");
      await expectDelivery(svc, { tag: t2, receivers: [a], nonReceivers: [other] });
      // v1 audience in the old style: the request URL with 127.0.0.1 and the port, no query.
      const t3 = uid("v1aud");
      const res = await send("POST", pv1("chat"), { target: "newMessage", arguments: [t3] }, { aud: `http://127.0.0.1:${svc.port}/api/v1/hubs/chat` });
      expectStatus(res, 202, "v1 broadcast with v1-style audience");
      await expectDelivery(svc, { tag: t3, receivers: [a], nonReceivers: [other] });
    }),
  );

  test(
    "broadcast with repeated excluded skips exactly those connections",
    logged(async () => {
      const c1 = await connectClient(fx, { user: "u1" });
      const c2 = await connectClient(fx, { user: "u2" });
      const c3 = await connectClient(fx, { user: "u3" });
      const c4 = await connectClient(fx, { user: "u1" });
      const tag = uid("ex");
      const res = await send("POST", p22("chat", "/:send", excludedQuery([c1.id, c3.id])), { target: "newMessage", arguments: [tag] });
      expectStatus(res, 202);
      await expectDelivery(svc, { tag, receivers: [c2, c4], nonReceivers: [c1, c3] });
      // v1 form honours excluded too.
      const tag2 = uid("exv1");
      const res2 = await send("POST", pv1("chat", "", excludedQuery([c2.id])), { target: "newMessage", arguments: [tag2] });
      expectStatus(res2, 202);
      await expectDelivery(svc, { tag: tag2, receivers: [c1, c3, c4], nonReceivers: [c2] });
    }),
  );

  test(
    "hub names are case-insensitive",
    logged(async () => {
      const lower = await connectClient(fx, { user: "alice", hub: "chat" });
      const mixed = await connectClient(fx, { user: "bob", hub: "ChAt" });
      const other = await connectClient(fx, { user: "carl", hub: "otherhub" });
      const tag = uid("case");
      expectStatus(await send("POST", p22("CHAT", "/:send"), { target: "newMessage", arguments: [tag] }), 202);
      await expectDelivery(svc, { tag, receivers: [lower, mixed], nonReceivers: [other] });
      const tag2 = uid("case");
      expectStatus(await send("POST", pv1("Chat", "/users/bob"), { target: "newMessage", arguments: [tag2] }), 202);
      await expectDelivery(svc, { tag: tag2, receivers: [mixed], nonReceivers: [lower, other] });
    }),
  );

  test(
    "PascalCase Target/Arguments in a chunked body (like the Management SDK)",
    logged(async () => {
      const a = await connectClient(fx, { user: "alice" });
      const tag = uid("chunk");
      const path = p22("chat", "/:send");
      const res = await send("POST", path, JSON.stringify({ Target: "newMessage", Arguments: [tag, { x: 1 }] }), { chunked: true });
      expectStatus(res, 202, "chunked PascalCase broadcast");
      await expectDelivery(svc, { tag, receivers: [a], args: [tag, { x: 1 }] });
      // Mixed casing too.
      const tag2 = uid("chunk");
      const res2 = await send("POST", p22("chat", "/users/alice/:send"), JSON.stringify({ TARGET: "newMessage", arguments: [tag2] }), { chunked: true });
      expectStatus(res2, 202, "chunked user send");
      await expectDelivery(svc, { tag: tag2, receivers: [a] });
    }),
  );

  test(
    "JSON escapes in the body (\\u escapes, surrogate pairs, control characters) arrive decoded",
    logged(async () => {
      const a = await connectClient(fx, { user: "alice" });
      const tag = uid("esc");
      const text = `{"target":"newMessage","arguments":["${tag}","\\u00e9\\ud83c\\udf0d\\n\\t\\"\\\\\\/\\u0000",1e3,-0.5,12345678,{"k\\u00e9":[true,null]}]}`;
      expectStatus(await send("POST", p22("chat", "/:send"), text), 202);
      await expectDelivery(svc, { tag, receivers: [a], args: [tag, "é🌍\n\t\"\\/\u0000", 1000, -0.5, 12345678, { "ké": [true, null] }] });
    }),
  );

  test(
    "empty arguments and a large (512 KB) argument are delivered",
    logged(async () => {
      const a = await connectClient(fx, { user: "alice", targets: ["noArgs"] });
      expectStatus(await send("POST", p22("chat", "/:send"), { target: "noArgs", arguments: [] }), 202);
      const big = "x".repeat(512 * 1024);
      const tag = uid("big");
      expectStatus(await send("POST", p22("chat", "/:send"), { target: "newMessage", arguments: [tag, big] }), 202, "512 KB broadcast");
      await expectDelivery(svc, { tag, receivers: [a] });
      assert.equal(a.received("newMessage", tag)[0].args[1].length, big.length);
      const noArgs = a.received("noArgs");
      assert.equal(noArgs.length, 1, "noArgs received once");
      assert.deepEqual(noArgs[0].args, []);
    }),
  );

  test(
    "send to user reaches both connections of that user and nobody else",
    logged(async () => {
      const a1 = await connectClient(fx, { user: "alice" });
      const a2 = await connectClient(fx, { user: "alice" });
      const b = await connectClient(fx, { user: "bob" });
      const anon = await connectClient(fx, {});
      const aliceOther = await connectClient(fx, { user: "alice", hub: "otherhub" });
      const tag = uid("user");
      const args = [tag, { n: 1 }, ["é", 2]];
      expectStatus(await send("POST", p22("chat", "/users/alice/:send"), { target: "newMessage", arguments: args }), 202);
      await expectDelivery(svc, { tag, receivers: [a1, a2], nonReceivers: [b, anon, aliceOther], args });
      // v1 form
      const tag2 = uid("userv1");
      expectStatus(await send("POST", pv1("chat", "/users/bob"), { target: "newMessage", arguments: [tag2] }), 202, "v1 user send");
      await expectDelivery(svc, { tag: tag2, receivers: [b], nonReceivers: [a1, a2, anon, aliceOther] });
      // without :send
      const tag3 = uid("usernosend");
      expectStatus(await send("POST", p22("chat", "/users/alice"), { target: "newMessage", arguments: [tag3] }), 202, "user send without :send");
      await expectDelivery(svc, { tag: tag3, receivers: [a1, a2], nonReceivers: [b, anon, aliceOther] });
      // unknown user: accepted, nobody gets it
      const tag4 = uid("nouser");
      expectStatus(await send("POST", p22("chat", "/users/nobody-here/:send"), { target: "newMessage", arguments: [tag4] }), 202, "send to unknown user");
      await expectDelivery(svc, { tag: tag4, receivers: [], nonReceivers: [a1, a2, b, anon, aliceOther] });
    }),
  );

  test(
    "user ids with special characters are routed",
    logged(async () => {
      const user = "jane.doe+test@example.com é";
      const j = await connectClient(fx, { user });
      const b = await connectClient(fx, { user: "bob" });
      const tag = uid("special");
      expectStatus(await send("POST", p22("chat", `/users/${enc(user)}/:send`), { target: "newMessage", arguments: [tag] }), 202);
      await expectDelivery(svc, { tag, receivers: [j], nonReceivers: [b] });
    }),
  );

  test(
    "send to connection reaches only that connection",
    logged(async () => {
      const a1 = await connectClient(fx, { user: "alice" });
      const a2 = await connectClient(fx, { user: "alice" });
      const b = await connectClient(fx, { user: "bob" });
      const tag = uid("conn");
      expectStatus(await send("POST", p22("chat", `/connections/${enc(a1.id)}/:send`), { target: "newMessage", arguments: [tag, "only-a1"] }), 202);
      await expectDelivery(svc, { tag, receivers: [a1], nonReceivers: [a2, b], args: [tag, "only-a1"] });
      const tag2 = uid("connv1");
      expectStatus(await send("POST", pv1("chat", `/connections/${enc(b.id)}`), { target: "newMessage", arguments: [tag2] }), 202, "v1 connection send");
      await expectDelivery(svc, { tag: tag2, receivers: [b], nonReceivers: [a1, a2] });
      const tag3 = uid("connnosend");
      expectStatus(await send("POST", p22("chat", `/connections/${enc(a2.id)}`), { target: "newMessage", arguments: [tag3] }), 202, "connection send without :send");
      await expectDelivery(svc, { tag: tag3, receivers: [a2], nonReceivers: [a1, b] });
      // A connection of hub chat is not reachable through hub otherhub.
      const tag4 = uid("connwronghub");
      const r4 = await send("POST", p22("otherhub", `/connections/${enc(a1.id)}/:send`), { target: "newMessage", arguments: [tag4] });
      assert.ok(r4.status === 202 || r4.status === 404, `send to a connection of another hub: got ${r4.status}`);
      await expectDelivery(svc, { tag: tag4, receivers: [], nonReceivers: [a1, a2, b] });
    }),
  );

  test(
    "30 clients x 20 broadcasts: everyone gets everything, in order",
    logged(async () => {
      const clients = [];
      for (let i = 0; i < 30; i++) clients.push(await connectClient(fx, { user: `load${i % 7}` }));
      const tags = [];
      await Promise.all(
        Array.from({ length: 20 }, async (_, i) => {
          tags[i] = `load-${i}-${uid()}`;
        }),
      );
      for (const tag of tags) expectStatus(await send("POST", p22("chat", "/:send"), { target: "newMessage", arguments: [tag] }), 202);
      await expectDelivery(svc, { tag: tags[19], receivers: clients });
      for (const c of clients) assert.deepEqual(c.received("newMessage").map((m) => m.args[0]), tags, `${c.label} order`);
    }),
  );

  test(
    "REST over one keep-alive HTTP connection (as HttpClient does), chunked and Content-Length mixed",
    logged(async () => {
      const a = await connectClient(fx, { user: "alice" });
      const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
      const sockets = new Set();
      const one = (body, chunked, path = p22("chat", "/:send")) =>
        new Promise((resolve, reject) => {
          const payload = Buffer.from(typeof body === "string" ? body : JSON.stringify(body));
          const headers = {
            Authorization: `Bearer ${mintToken(svc.key, { aud: restAud(path) })}`,
            "Content-Type": "application/json; charset=utf-8",
          };
          if (!chunked) headers["Content-Length"] = payload.length;
          const req = http.request({ host: "127.0.0.1", port: svc.port, method: "POST", path, headers, agent }, (res) => {
            res.resume();
            res.on("end", () => resolve(res.statusCode));
          });
          req.on("socket", (s) => sockets.add(s));
          req.on("error", reject);
          if (chunked) {
            req.write(payload.subarray(0, 5));
            req.write(payload.subarray(5));
          } else req.write(payload);
          req.end();
        });
      try {
        const tags = [];
        for (let i = 0; i < 12; i++) {
          const tag = uid("ka");
          tags.push(tag);
          const status = await one({ Target: "newMessage", Arguments: [tag, i] }, i % 2 === 0);
          assert.equal(status, 202, `request #${i} on a kept-alive connection`);
        }
        // an error response must not break the connection's framing either
        assert.equal(await one("not json", true), 400);
        const last = uid("ka");
        assert.equal(await one({ target: "newMessage", arguments: [last] }, false), 202);
        await expectDelivery(svc, { tag: last, receivers: [a] });
        assert.deepEqual(a.received("newMessage").map((m) => m.args[0]).slice(0, 12), tags);
        assert.ok(sockets.size < 14, `keep-alive: ${sockets.size} sockets for 14 requests`);
      } finally {
        agent.destroy();
      }
    }),
  );

  test(
    "unknown body fields are ignored",
    logged(async () => {
      const a = await connectClient(fx, { user: "alice" });
      const tag = uid("extra");
      expectStatus(await send("POST", p22("chat", "/:send"), { target: "newMessage", arguments: [tag], extra: { x: 1 }, headers: {} }), 202);
      await expectDelivery(svc, { tag, receivers: [a] });
    }),
  );

  test(
    "messages to one connection arrive in order",
    logged(async () => {
      const a = await connectClient(fx, { user: "alice" });
      const tags = [];
      for (let i = 0; i < 20; i++) {
        const tag = `order-${i}-${uid()}`;
        tags.push(tag);
        expectStatus(await send("POST", p22("chat", "/users/alice/:send"), { target: "newMessage", arguments: [tag, i] }), 202);
      }
      await expectDelivery(svc, { tag: tags[19], receivers: [a] });
      const got = a.received("newMessage").map((m) => m.args[0]);
      assert.deepEqual(got, tags);
    }),
  );
});
