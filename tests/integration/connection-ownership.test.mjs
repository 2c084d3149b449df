// Who may use a connection token, and which id addresses a connection.
// - A connection token belongs to the identity (user and hub) whose access token negotiated it:
//   with any other access token it is "No Connection with that ID" (404) on every transport —
//   WebSocket upgrades, Server-Sent Events POSTs, long-polling polls, sends and DELETEs — and the
//   owner's connection is undisturbed.
// - The 1.x client (@aspnet/signalr, negotiate version 0) connects with `id=<connectionId>`, the
//   only id it knows: that id addresses its connection in the REST API (sends, groups, existence,
//   close), on every transport.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createRequire } from "node:module";
import {
  useServiceWithFixture, clientToken, restCall, p22, pv1, waitFor, logged, openRawSocket, rawRequest,
  expectStatus,
} from "./helpers.mjs";
import { negotiateRaw, lpGet, lpPost, lpDelete, openSse } from "./transports-helpers.mjs";

const require = createRequire(import.meta.url);
const aspnet = require("@aspnet/signalr"); // the 1.x client, CommonJS

let svc;
let fx;
useServiceWithFixture((s, f) => {
  svc = s;
  fx = f;
});

const RS = "\x1e";
const bearer = (token) => ({ Authorization: `Bearer ${token}` });
const wsUrl = (n, token) =>
  `ws://127.0.0.1:${svc.port}${n.path}&access_token=${encodeURIComponent(token)}`;

// Tokens of other identities than alice@chat.
function intruders() {
  return {
    "bob (another user)": clientToken(svc, "chat", "bob"),
    "an anonymous token": clientToken(svc, "chat"),
    "alice on another hub": clientToken(svc, "other", "alice"),
  };
}

test(
  "WebSocket: another identity's access token cannot open or take over a connection token",
  logged(async () => {
    const alice = await negotiateRaw(svc, { user: "alice" });
    for (const [who, token] of Object.entries(intruders())) {
      const url = wsUrl(alice, token).replace("hub=chat", who.includes("other hub") ? "hub=other" : "hub=chat");
      await assert.rejects(openRawSocket(url), (e) => e.status === 404, who);
    }
    // The owner still connects, and it is her connection.
    const r = await openRawSocket(wsUrl(alice, alice.token));
    try {
      r.send(`{"protocol":"json","version":1}${RS}`);
      assert.deepEqual(await r.next(() => true, 3000, "handshake"), {});
      const res = await restCall(svc, "HEAD", p22("chat", `/users/alice`));
      expectStatus(res, 200, "alice is connected");
      // A second socket with Bob's token on her live connection: refused, hers is untouched.
      await assert.rejects(openRawSocket(wsUrl(alice, intruders()["bob (another user)"])), (e) => e.status === 404);
      await restCall(svc, "POST", p22("chat", `/connections/${alice.connectionId}/:send`), {
        body: { target: "hello", arguments: ["still alice"] },
      });
      const msg = await r.next((m) => m.type === 1, 3000, "the message");
      assert.deepEqual(msg.arguments, ["still alice"]);
    } finally {
      r.close();
    }
  }),
);

test(
  "long polling: another identity can neither poll, send to nor delete a connection",
  logged(async () => {
    const alice = await negotiateRaw(svc, { user: "alice" });
    const first = await lpGet(svc, alice); // opens the connection
    expectStatus(first, 200, "first poll");
    for (const [who, token] of Object.entries(intruders())) {
      const path = who.includes("other hub") ? alice.path.replace("hub=chat", "hub=other") : alice.path;
      const n = { ...alice, path };
      expectStatus(await lpGet(svc, n, { headers: bearer(token), timeout: 5000 }), 404, `${who}: poll`);
      expectStatus(
        await lpPost(svc, n, `{"protocol":"json","version":1}${RS}`, {
          headers: { ...bearer(token), "Content-Type": "text/plain" },
        }),
        404,
        `${who}: send`,
      );
      expectStatus(await lpDelete(svc, n, { headers: bearer(token) }), 404, `${who}: delete`);
    }
    // Alice's connection is intact: her handshake goes through and she can poll it.
    expectStatus(await lpPost(svc, alice, `{"protocol":"json","version":1}${RS}`), 200, "alice sends");
    const answer = await lpGet(svc, alice, { timeout: 5000 });
    expectStatus(answer, 200, "alice polls");
    assert.equal(answer.text, `{}${RS}`);
    expectStatus(await restCall(svc, "HEAD", p22("chat", `/connections/${alice.connectionId}`)), 200);
    expectStatus(await lpDelete(svc, alice), 202, "alice ends it");
  }),
);

test(
  "Server-Sent Events: another identity cannot open the stream or send on it",
  logged(async () => {
    const alice = await negotiateRaw(svc, { user: "alice" });
    const bob = intruders()["bob (another user)"];
    const refused = await openSse(svc.port, alice.path, bearer(bob));
    assert.equal(refused.status, 404);
    refused.close();
    const stream = await openSse(svc.port, alice.path, alice.auth);
    try {
      assert.equal(stream.status, 200);
      expectStatus(
        await lpPost(svc, alice, `{"protocol":"json","version":1}${RS}`, {
          headers: { ...bearer(bob), "Content-Type": "text/plain" },
        }),
        404,
        "bob posts on alice's stream",
      );
      expectStatus(await lpPost(svc, alice, `{"protocol":"json","version":1}${RS}`), 200, "alice posts");
      await waitFor(() => stream.records().length > 0, { message: "handshake answer" });
      assert.deepEqual(stream.records()[0], {});
    } finally {
      stream.close();
    }
  }),
);

// The 1.x client, started through the negotiate fixture (it follows the {url, accessToken}
// redirect). Its connection id is the `id=` of the URLs it logs.
async function startLegacyClient(transport, user) {
  let connectionId;
  const logger = {
    log(_level, message) {
      const m = /[?&]id=([A-Za-z0-9_-]+)/.exec(String(message));
      if (m) connectionId ??= m[1];
    },
  };
  const connection = new aspnet.HubConnectionBuilder()
    .withUrl(`http://127.0.0.1:${fx.port}/api?user=${user}`, { transport })
    .configureLogging(logger)
    .build();
  const received = [];
  connection.on("newMessage", (m) => received.push(m));
  let closed = false;
  connection.onclose(() => (closed = true));
  await connection.start();
  assert.ok(connectionId, "the client used an id");
  return { connection, connectionId, received, isClosed: () => closed };
}

for (const [name, transport] of [
  ["WebSockets", aspnet.HttpTransportType.WebSockets],
  ["ServerSentEvents", aspnet.HttpTransportType.ServerSentEvents],
  ["LongPolling", aspnet.HttpTransportType.LongPolling],
]) {
  test(
    `the 1.x client over ${name}: the id it connected with addresses its connection`,
    logged(async () => {
      const c = await startLegacyClient(transport, `legacy-${name}`);
      try {
        const id = encodeURIComponent(c.connectionId);
        expectStatus(await restCall(svc, "HEAD", pv1("chat", `/connections/${id}`)), 200, "exists (v1)");
        expectStatus(await restCall(svc, "HEAD", p22("chat", `/connections/${id}`)), 200, "exists");
        expectStatus(
          await restCall(svc, "POST", pv1("chat", `/connections/${id}`), {
            body: { target: "newMessage", arguments: ["direct"] },
          }),
          202,
        );
        await waitFor(() => c.received.includes("direct"), { message: "the direct message" });
        expectStatus(await restCall(svc, "PUT", p22("chat", `/groups/old-clients/connections/${id}`)), 200, "join");
        expectStatus(
          await restCall(svc, "POST", p22("chat", "/groups/old-clients/:send"), {
            body: { target: "newMessage", arguments: ["group"] },
          }),
          202,
        );
        await waitFor(() => c.received.includes("group"), { message: "the group message" });
        expectStatus(await restCall(svc, "DELETE", p22("chat", `/connections/${id}`)), 200, "close");
        await waitFor(() => c.isClosed(), { timeout: 10000, message: "the client closed" });
        expectStatus(await restCall(svc, "HEAD", p22("chat", `/connections/${id}`)), 404, "gone");
      } finally {
        await c.connection.stop().catch(() => {});
      }
    }),
  );
}

test(
  "a version-0 connection id is bound to its identity like a token",
  logged(async () => {
    const token = clientToken(svc, "chat", "carol");
    const neg = await rawRequest({
      port: svc.port,
      method: "POST",
      path: "/client/negotiate?hub=chat",
      headers: bearer(token),
    });
    expectStatus(neg, 200, "v0 negotiate");
    assert.equal(neg.json.negotiateVersion, 0);
    assert.equal(neg.json.connectionToken, undefined);
    const n = { path: `/client/?hub=chat&id=${neg.json.connectionId}` };
    await assert.rejects(openRawSocket(wsUrl(n, intruders()["bob (another user)"])), (e) => e.status === 404);
    const r = await openRawSocket(wsUrl(n, token));
    try {
      r.send(`{"protocol":"json","version":1}${RS}`);
      assert.deepEqual(await r.next(() => true, 3000, "handshake"), {});
      expectStatus(await restCall(svc, "HEAD", p22("chat", `/connections/${neg.json.connectionId}`)), 200);
    } finally {
      r.close();
    }
  }),
);
