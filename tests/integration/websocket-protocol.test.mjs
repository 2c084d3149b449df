// The WebSockets transport and JSON hub protocol, driven by a raw `ws` client
// (plus a few checks with the official client for client invocations).
import { test, describe, before, after } from "node:test";
import assert from "node:assert/strict";
import {
  WebSocket,
  RS,
  startService,
  connectClient,
  stopAllClients,
  serviceNegotiate,
  rawConnect,
  openRawSocket,
  rawRequest,
  clientToken,
  restCall,
  p22,
  expectStatus,
  expectDelivery,
  waitFor,
  withTimeout,
  sleep,
  logged,
  uid,
  useServiceWithFixture,
} from "./helpers.mjs";

const enc = encodeURIComponent;

describe("WebSocket transport and JSON hub protocol", () => {
  let svc;
  let fx;
  const raws = [];
  useServiceWithFixture(
    (service, fixture) => {
      svc = service;
      fx = fixture;
    },
    {},
    () => {
      for (const r of raws.splice(0)) r.close();
    },
  );

  const raw = async (opts) => {
    const r = await rawConnect(svc, opts);
    raws.push(r);
    return r;
  };
  const bcast = async (tag, hub = "chat") =>
    expectStatus(await restCall(svc, "POST", p22(hub, "/:send"), { body: { target: "newMessage", arguments: [tag, 1] } }), 202);
  const rawRequestNoHub = () =>
    rawRequest({
      port: svc.port,
      method: "POST",
      path: "/client/negotiate?negotiateVersion=1",
      headers: { Authorization: `Bearer ${clientToken(svc, "chat", "nohub")}` },
    });
  const connExists = async (id) => (await restCall(svc, "HEAD", p22("chat", `/connections/${enc(id)}`))).status;

  test(
    "handshake, then REST messages arrive as Invocation records in text frames",
    logged(async () => {
      const r = await raw({ user: "alice", handshake: true });
      assert.equal(r.frames[0].isBinary, false, "JSON travels in text frames");
      const tag = uid("t");
      await bcast(tag);
      const inv = await r.next((m) => m.type === 1, 3000, "invocation");
      assert.equal(inv.target, "newMessage");
      assert.deepEqual(inv.arguments, [tag, 1]);
      assert.equal(inv.invocationId, undefined, "server→client sends carry no invocationId");
      assert.ok(r.frames.every((f) => !f.isBinary), "all frames are text");
      expectStatus(await restCall(svc, "HEAD", p22("chat", `/connections/${enc(r.connectionId)}`)), 200);
      expectStatus(await restCall(svc, "HEAD", p22("chat", `/users/alice`)), 200);
    }),
  );

  test(
    "token in the Authorization header works as well as access_token",
    logged(async () => {
      const r = await raw({ user: "hdr", tokenIn: "header", handshake: true });
      const tag = uid("t");
      expectStatus(await restCall(svc, "POST", p22("chat", "/users/hdr/:send"), { body: { target: "newMessage", arguments: [tag] } }), 202);
      const inv = await r.next((m) => m.type === 1);
      assert.deepEqual(inv.arguments, [tag]);
    }),
  );

  test(
    "connect without a token, with a bad token or with an unknown id is refused",
    logged(async () => {
      const neg = await serviceNegotiate(svc, { user: "x" });
      expectStatus(neg, 200);
      const base = `ws://127.0.0.1:${svc.port}/client/?hub=chat&id=${neg.json.connectionToken}`;
      await assert.rejects(openRawSocket(base), (e) => {
        assert.equal(e.status, 401, `no token: ${e.message}`);
        return true;
      });
      const badTok = clientToken(svc, "chat", "x", { key: "wrong-key-abcdefghijklmnop" });
      await assert.rejects(openRawSocket(`${base}&access_token=${enc(badTok)}`), (e) => {
        assert.equal(e.status, 401, `wrong key: ${e.message}`);
        return true;
      });
      const tok = clientToken(svc, "chat", "x");
      await assert.rejects(
        openRawSocket(`ws://127.0.0.1:${svc.port}/client/?hub=chat&id=unknownconnectiontoken&access_token=${enc(tok)}`),
        (e) => {
          assert.equal(e.status, 404, `unknown id: ${e.message}`);
          return true;
        },
      );
      // The negotiated connection id is still usable with the right token.
      const ok = await openRawSocket(`${base}&access_token=${enc(tok)}`);
      raws.push(ok);
      ok.send(`{"protocol":"json","version":1}${RS}`);
      assert.deepEqual(await ok.next(), {});
    }),
  );

  test(
    "WebSocket connect with an expired token or another hub's token is refused",
    logged(async () => {
      const neg = await serviceNegotiate(svc, { user: "z" });
      expectStatus(neg, 200);
      const base = `ws://127.0.0.1:${svc.port}/client/?hub=chat&id=${neg.json.connectionToken}`;
      const expired = clientToken(svc, "chat", "z", { lifetime: -600 });
      await assert.rejects(openRawSocket(`${base}&access_token=${enc(expired)}`), (e) => {
        assert.equal(e.status, 401, `expired token: ${e.message}`);
        return true;
      });
      const otherHub = clientToken(svc, "otherhub", "z");
      await assert.rejects(openRawSocket(`${base}&access_token=${enc(otherHub)}`), (e) => {
        assert.equal(e.status, 401, `token for another hub: ${e.message}`);
        return true;
      });
    }),
  );

  test(
    "a connection token cannot be reused after its connection ended (client Close, REST close)",
    logged(async () => {
      const problems = [];
      for (const how of ["client Close message", "REST DELETE /connections/{id}"]) {
        const r = await raw({ user: "once", handshake: true });
        if (how.startsWith("client")) r.send(`{"type":7}${RS}`);
        else expectStatus(await restCall(svc, "DELETE", p22("chat", `/connections/${enc(r.connectionId)}`)), 200);
        await withTimeout(r.closed, 3000, "close");
        await sleep(200);
        const tok = clientToken(svc, "chat", "once");
        try {
          const again = await openRawSocket(`ws://127.0.0.1:${svc.port}/client/?hub=chat&id=${r.connectionToken}&access_token=${enc(tok)}`);
          raws.push(again);
          problems.push(`after ${how}: the old connection token was accepted again`);
        } catch (e) {
          if (!(e.status >= 400 && e.status < 500)) problems.push(`after ${how}: ${e.message}`);
        }
      }
      assert.deepEqual(problems, [], "ended connections must not be resurrected with their old token");
    }),
  );

  test(
    "negotiate without a hub is refused with a 4xx",
    logged(async () => {
      const res = await rawRequestNoHub();
      assert.ok(res.status >= 400 && res.status < 500, `negotiate without hub: got ${res.status} ${res.text}`);
    }),
  );

  test(
    "handshake with an unknown protocol gets an error and the socket closes",
    logged(async () => {
      const r = await raw({ user: "p" });
      r.send(`{"protocol":"carrier-pigeon","version":1}${RS}`);
      const reply = await r.next(() => true, 3000, "handshake error");
      assert.equal(typeof reply.error, "string", `expected {"error":...}, got ${JSON.stringify(reply)}`);
      assert.ok(reply.error.length > 0);
      assert.equal(reply.type, undefined, "handshake reply must not contain type");
      await withTimeout(r.closed, 3000, "socket close after a failed handshake");
    }),
  );

  test(
    "handshake with an unsupported version gets an error; protocol names are case-insensitive",
    logged(async () => {
      const r = await raw({ user: "ver" });
      r.send(`{"protocol":"json","version":99}${RS}`);
      const reply = await r.next(() => true, 3000, "handshake error");
      assert.equal(typeof reply.error, "string", `expected an error for version 99, got ${JSON.stringify(reply)}`);
      await withTimeout(r.closed, 3000, "socket close after a failed handshake");
      const r2 = await raw({ user: "upper" });
      r2.send(`{"protocol":"JSON","version":1,"unknownField":true}${RS}`);
      assert.deepEqual(await r2.next(() => true, 3000, "handshake reply"), {});
    }),
  );

  test(
    "negotiate version 0: no connectionToken, the connectionId is the ?id=",
    logged(async () => {
      const tok = clientToken(svc, "chat", "v0user");
      const neg = await rawRequest({ port: svc.port, method: "POST", path: "/client/negotiate?hub=chat", headers: { Authorization: `Bearer ${tok}` } });
      expectStatus(neg, 200, "v0 negotiate");
      assert.equal(neg.json.negotiateVersion, 0);
      assert.equal(neg.json.connectionToken, undefined, "v0 has no connectionToken");
      assert.match(neg.json.connectionId, /^[A-Za-z0-9_-]+$/);
      const r = await openRawSocket(`ws://127.0.0.1:${svc.port}/client/?hub=chat&id=${neg.json.connectionId}&access_token=${enc(tok)}`);
      raws.push(r);
      r.send(`{"protocol":"json","version":1}${RS}`);
      assert.deepEqual(await r.next(() => true, 3000, "handshake reply"), {});
      const tag = uid("t");
      expectStatus(await restCall(svc, "POST", p22("chat", "/users/v0user/:send"), { body: { target: "newMessage", arguments: [tag] } }), 202);
      assert.equal((await r.next((m) => m.type === 1)).arguments[0], tag);
    }),
  );

  test(
    "a client message over the maximum size (32 KB default) gets a Close with an error",
    logged(async () => {
      const r = await raw({ user: "huge", handshake: true });
      const other = await raw({ user: "bystander", handshake: true });
      r.send(`{"type":1,"invocationId":"1","target":"x","arguments":["${"y".repeat(100 * 1024)}"]}${RS}`);
      const close = await r.next((m) => m.type === 7, 3000, "Close after an oversized message");
      assert.equal(typeof close.error, "string");
      await withTimeout(r.closed, 3000, "socket closed");
      const tag = uid("t");
      await bcast(tag);
      assert.equal((await other.next((m) => m.type === 1)).arguments[0], tag);
    }),
  );

  test(
    "handshake split across two WebSocket frames works",
    logged(async () => {
      const r = await raw({ user: "split" });
      r.send('{"protocol":"js');
      await sleep(100);
      r.send(`on","version":1}${RS}`);
      assert.deepEqual(await r.next(() => true, 3000, "handshake reply"), {});
      const tag = uid("t");
      await bcast(tag);
      const inv = await r.next((m) => m.type === 1);
      assert.equal(inv.arguments[0], tag);
    }),
  );

  test(
    "handshake and a ping in one frame; messages split across frames are reassembled",
    logged(async () => {
      const r = await raw({ user: "batch" });
      r.send(`{"protocol":"json","version":1}${RS}{"type":6}${RS}`);
      assert.deepEqual(await r.next(() => true, 3000, "handshake reply"), {});
      r.send('{"type"');
      await sleep(50);
      r.send(`:6}${RS}{"type":6}${RS}`);
      await sleep(100);
      assert.equal(r.isClosed, false, "connection must stay open");
      const tag = uid("t");
      await bcast(tag);
      const inv = await r.next((m) => m.type === 1);
      assert.equal(inv.arguments[0], tag);
    }),
  );

  test(
    "a client Close message closes the connection",
    logged(async () => {
      const r = await raw({ user: "closer", handshake: true });
      r.send(`{"type":7}${RS}`);
      await withTimeout(r.closed, 3000, "server closes the socket after a client Close");
      await waitFor(async () => (await connExists(r.connectionId)) === 404, { message: "connection gone after client Close" });
    }),
  );

  test(
    "a client Close message with an error closes the connection too",
    logged(async () => {
      const r = await raw({ user: "closer2", handshake: true });
      r.send(`{"type":7,"error":"client is leaving"}${RS}`);
      await withTimeout(r.closed, 3000, "server closes the socket after a client Close with error");
      await waitFor(async () => (await connExists(r.connectionId)) === 404, { message: "connection gone after client Close" });
    }),
  );

  test(
    "a dropped socket removes the connection and the user",
    logged(async () => {
      const user = uid("drop");
      const r = await raw({ user, handshake: true });
      expectStatus(await restCall(svc, "HEAD", p22("chat", `/users/${user}`)), 200);
      r.ws.terminate();
      await waitFor(async () => (await connExists(r.connectionId)) === 404, { message: "connection gone after socket drop" });
      await waitFor(async () => (await restCall(svc, "HEAD", p22("chat", `/users/${user}`))).status === 404, {
        message: "user gone after socket drop",
      });
    }),
  );

  test(
    "malformed JSON closes only that connection, with a Close carrying an error",
    logged(async () => {
      const bad = await raw({ user: "bad", handshake: true });
      const good = await raw({ user: "good", handshake: true });
      const official = await connectClient(fx, { user: "official" });
      bad.send(`{this is not json${RS}`);
      const close = await bad.next((m) => m.type === 7, 3000, "Close record");
      assert.equal(typeof close.error, "string", `Close should carry an error: ${JSON.stringify(close)}`);
      assert.ok(close.error.length > 0);
      await withTimeout(bad.closed, 3000, "socket closed after malformed JSON");
      const tag = uid("t");
      await bcast(tag);
      const inv = await good.next((m) => m.type === 1, 3000, "broadcast at the good raw client");
      assert.equal(inv.arguments[0], tag);
      await expectDelivery(svc, { tag, receivers: [official] });
      assert.equal(official.isClosed, false);
    }),
  );

  test(
    "REST close with reason sends a Close record with that error",
    logged(async () => {
      const r = await raw({ user: "rc", handshake: true });
      expectStatus(await restCall(svc, "DELETE", p22("chat", `/connections/${enc(r.connectionId)}`, "reason=bye")), 200);
      const close = await r.next((m) => m.type === 7, 3000, "Close record");
      assert.match(String(close.error), /bye/);
      assert.notEqual(close.allowReconnect, true, "REST close must not invite a reconnect");
      await withTimeout(r.closed, 3000, "socket closed");
    }),
  );

  test(
    "client invocation with an id gets a completion error (no upstream); without id nothing",
    logged(async () => {
      const r = await raw({ user: "inv", handshake: true });
      r.send(`{"type":1,"target":"fireAndForget","arguments":[1]}${RS}`);
      r.send(`{"type":1,"invocationId":"42","target":"doSomething","arguments":["a",2]}${RS}`);
      const completion = await r.next((m) => m.type === 3, 3000, "completion");
      assert.equal(completion.invocationId, "42");
      assert.match(String(completion.error), /upstream/i);
      assert.equal("result" in completion, false, "error completion must not carry result");
      // Nothing for the id-less invocation: no other completion before a sentinel.
      const tag = uid("t");
      await bcast(tag);
      await r.next((m) => m.type === 1 && m.arguments[0] === tag, 3000, "broadcast");
      assert.equal(r.records.filter((m) => m.type === 3).length, 1, "exactly one completion");
      assert.equal(r.isClosed, false);
    }),
  );

  test(
    "official client: invoke rejects with an upstream error; send keeps the connection",
    logged(async () => {
      const c = await connectClient(fx, { user: "alice" });
      await assert.rejects(withTimeout(c.connection.invoke("anything", 1), 5000, "invoke"), (e) => {
        assert.match(String(e?.message ?? e), /upstream/i);
        return true;
      });
      await c.connection.send("anything", { a: 1 });
      await c.connection.send("anythingElse");
      await sleep(100);
      const tag = uid("t");
      await bcast(tag);
      await expectDelivery(svc, { tag, receivers: [c] });
      assert.equal(c.isClosed, false);
      assert.equal(c.connection.state, "Connected");
    }),
  );

  test(
    "a second WebSocket on the same connection token is refused",
    logged(async () => {
      const r = await raw({ user: "dup", handshake: true });
      const tok = clientToken(svc, "chat", "dup");
      await assert.rejects(
        openRawSocket(`ws://127.0.0.1:${svc.port}/client/?hub=chat&id=${r.connectionToken}&access_token=${enc(tok)}`),
        (e) => {
          assert.ok(e.status >= 400 && e.status < 500, `expected a 4xx refusal, got ${e.message}`);
          return true;
        },
      );
      const tag = uid("t");
      await bcast(tag);
      const inv = await r.next((m) => m.type === 1);
      assert.equal(inv.arguments[0], tag);
    }),
  );

  test(
    "the connection id (not the token) is the routing id; using the id as ?id= is refused",
    logged(async () => {
      const neg = await serviceNegotiate(svc, { user: "y" });
      const tok = clientToken(svc, "chat", "y");
      await assert.rejects(
        openRawSocket(`ws://127.0.0.1:${svc.port}/client/?hub=chat&id=${neg.json.connectionId}&access_token=${enc(tok)}`),
        (e) => {
          assert.equal(e.status, 404, `connectionId as id: ${e.message}`);
          return true;
        },
      );
    }),
  );

  test(
    "a plain WebSocket server answers only for /client/",
    logged(async () => {
      const ws = new WebSocket(`ws://127.0.0.1:${svc.port}/somewhere/else`);
      const status = await new Promise((resolve) => {
        ws.on("unexpected-response", (_req, res) => {
          res.resume();
          resolve(res.statusCode);
        });
        ws.on("open", () => resolve("open"));
        ws.on("error", () => resolve("error"));
      });
      try {
        ws.terminate();
      } catch {
        /* ignore */
      }
      assert.equal(status, 404);
    }),
  );
});

describe("slow consumers", () => {
  let svc;
  const raws = [];
  before(async () => {
    svc = await startService();
  });
  after(async () => {
    for (const r of raws) r.close();
    await svc?.stop();
  });

  test(
    "a client that stops reading is dropped; the service and the other clients carry on",
    logged(async () => {
      const slow = await rawConnect(svc, { user: "slow", handshake: true });
      const fast = await rawConnect(svc, { user: "fast", handshake: true });
      raws.push(slow, fast);
      slow.ws._socket.pause(); // stop reading: the kernel buffers fill, then the server's outbound queue
      const big = "z".repeat(100 * 1024);
      let sent = 0;
      let slowGone = false;
      for (let i = 0; i < 150 && !slowGone; i++) {
        const res = await restCall(svc, "POST", p22("chat", "/:send"), { body: { target: "newMessage", arguments: [i, big] } });
        expectStatus(res, 202, `broadcast #${i} while a client is not reading`);
        sent += 1;
        if (i % 5 === 4) slowGone = (await restCall(svc, "HEAD", p22("chat", `/connections/${enc(slow.connectionId)}`))).status === 404;
      }
      assert.equal(svc.exited, false, `switchboard died (signal ${svc.exitSignal}, code ${svc.exitCode})`);
      assert.ok(slowGone, `the non-reading connection was not dropped after ${sent} x 100 KB`);
      for (let k = 0; k < 3; k++) {
        const res = await restCall(svc, "POST", p22("chat", "/:send"), { body: { target: "newMessage", arguments: [`after-${k}`, "x"] } });
        expectStatus(res, 202, "broadcast after the slow client was dropped");
      }
      await waitFor(() => fast.records.filter((m) => m.type === 1).length === sent + 3, {
        timeout: 10000,
        message: () => `fast client got all ${sent + 3} broadcasts (has ${fast.records.filter((m) => m.type === 1).length})`,
      });
      assert.equal(fast.isClosed, false);
      expectStatus(await rawRequest({ port: svc.port, method: "GET", path: "/api/health" }), 200, "health");
      slow.ws._socket.resume();
      await withTimeout(slow.closed, 5000, "the slow client's socket is closed");
    }),
  );
});
