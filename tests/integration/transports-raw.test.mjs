// Raw wire checks of the three transports and the MessagePack hub protocol: binary WebSocket frames,
// the SSE stream format with POSTed records, and the long-polling request/response flow.
import { test, describe, before, after, afterEach } from "node:test";
import assert from "node:assert/strict";
import {
  RS,
  startService,
  restCall,
  rawRequest,
  p22,
  expectStatus,
  waitFor,
  sleep,
  logged,
  uid,
  openRawSocket,
} from "./helpers.mjs";
import { rawWs, mpFrame, mpParse, negotiateRaw, openSse, lpGet, lpPost, lpDelete, getBytes, encode, decode } from "./transports-helpers.mjs";

const enc = encodeURIComponent;

describe("raw transports", () => {
  let svc;
  const open = [];
  before(async () => {
    svc = await startService({ args: ["--long-polling-timeout", "2"] });
  });
  after(async () => {
    for (const o of open) o.close();
    await svc?.stop();
  });
  afterEach(() => {
    for (const o of open.splice(0)) o.close();
  });
  const track = (o) => (open.push(o), o);
  const bcast = async (args, target = "newMessage") =>
    expectStatus(await restCall(svc, "POST", p22("chat", "/:send"), { body: { target, arguments: args } }), 202, "broadcast");

  // ---------------------------------------------------------------------------- MessagePack / WS

  for (const handshakeAsBinary of [false, true]) {
    test(
      `MessagePack over WebSockets (handshake request in a ${handshakeAsBinary ? "binary" : "text"} frame): binary frames only`,
      logged(async () => {
        const r = track(await rawWs(svc, { user: uid("mp"), protocol: "messagepack", handshakeAsBinary }));
        assert.deepEqual(r.handshakeReply, {}, "handshake reply {}");
        assert.equal(r.frames[0].isBinary, true, "the handshake reply travels in a binary frame");
        assert.equal(r.frames[0].bytes.toString("utf8"), `{}${RS}`, "handshake reply bytes");

        const tag = uid("m");
        await bcast([tag, 1, 2.5, "é", null, true, { k: [1] }]);
        const inv = await r.waitRecord((m) => m[0] === 1 && m[4]?.[0] === tag, 3000, "invocation");
        assert.equal(inv.length >= 5, true, `invocation array ${JSON.stringify(inv)}`);
        assert.deepEqual(inv[1], {}, "headers map");
        assert.equal(inv[2], null, "no invocation id");
        assert.equal(inv[3], "newMessage");
        assert.deepEqual(inv[4], [tag, 1, 2.5, "é", null, true, { k: [1] }]);
        if (inv.length === 6) assert.deepEqual(inv[5], [], "empty stream ids");
        assert.ok(r.frames.every((f) => f.isBinary), "every frame is binary");

        // Ping from the client is accepted; an invocation with an id gets a MessagePack completion error.
        r.send(mpFrame([6]));
        r.send(mpFrame([1, {}, "7", "SomeMethod", ["x"]]));
        const completion = await r.waitRecord((m) => m[0] === 3, 3000, "completion");
        assert.equal(completion[2], "7", "completion id");
        assert.equal(completion[3], 1, "completion kind 1 = error");
        assert.equal(typeof completion[4], "string");
        assert.ok(completion[4].length > 0);

        // Several records in one binary frame are all processed (two pings + an invocation with id).
        r.send(Buffer.concat([mpFrame([6]), mpFrame([6]), mpFrame([1, {}, "8", "Other", []])]));
        await r.waitRecord((m) => m[0] === 3 && m[2] === "8", 3000, "completion for id 8");

        // A record split over two frames is reassembled.
        const split = mpFrame([1, {}, "9", "Split", ["abcdef"]]);
        r.send(split.subarray(0, 3));
        await sleep(50);
        r.send(split.subarray(3));
        await r.waitRecord((m) => m[0] === 3 && m[2] === "9", 3000, "completion for the split record");

        // Close from the client ([7, nil], the JS client's form) ends the connection normally.
        r.send(mpFrame([7, null]));
        await waitFor(() => r.isClosed, { message: "socket closed after client Close" });
        assert.ok(r.records.filter((m) => m[0] === 7).every((m) => !m[1]), `no Close error expected: ${JSON.stringify(r.records)}`);
      }),
    );
  }

  test(
    "MessagePack over WebSockets: unsupported protocol and version get JSON handshake errors",
    logged(async () => {
      const n = await negotiateRaw(svc, { user: uid("hs") });
      const r = track(await openRawSocket(`ws://127.0.0.1:${svc.port}${n.path}&access_token=${enc(n.token)}`));
      r.send(`{"protocol":"messagepack","version":3}${RS}`);
      const reply = await r.next(() => true, 3000, "handshake error");
      assert.match(String(reply.error), /does not support version 3 of the 'messagepack' protocol/);
      await waitFor(() => r.isClosed, { message: "closed after handshake error" });
    }),
  );

  test(
    "a JSON and a MessagePack client get the same REST message, each in its own format",
    logged(async () => {
      const j = track(await rawWs(svc, { user: uid("j"), protocol: "json" }));
      const m = track(await rawWs(svc, { user: uid("m"), protocol: "messagepack" }));
      const tag = uid("both");
      const args = [tag, { nested: [1, "a", null] }, -12, 0.125, "ü"];
      await bcast(args);
      const ji = await j.waitRecord((x) => x.type === 1 && x.arguments[0] === tag);
      const mi = await m.waitRecord((x) => x[0] === 1 && x[4][0] === tag);
      assert.deepEqual(ji.arguments, args);
      assert.deepEqual(mi[4], args);
      assert.ok(j.frames.every((f) => !f.isBinary), "JSON in text frames");
      assert.ok(m.frames.every((f) => f.isBinary), "MessagePack in binary frames");
    }),
  );

  // ---------------------------------------------------------------------------- SSE

  test(
    "SSE raw stream: headers, ':\\r\\n' first, data events, POSTed records",
    logged(async () => {
      const n = await negotiateRaw(svc, { user: uid("sse") });
      const s = track(await openSse(svc.port, n.path, n.auth));
      expectStatus(s, 200, "SSE GET");
      assert.match(String(s.headers["content-type"]), /^text\/event-stream/);
      assert.match(String(s.headers["cache-control"]), /no-cache/);
      await waitFor(() => s.text.length >= 3, { message: "SSE preamble" });
      assert.equal(s.text.slice(0, 3), ":\r\n", "the stream starts with ':\\r\\n'");

      const hs = await lpPost(svc, n, `{"protocol":"json","version":1}${RS}`);
      expectStatus(hs, 200, "handshake POST");
      await waitFor(() => s.events().length >= 1, { message: () => `handshake event; text=${JSON.stringify(s.text)}` });
      assert.equal(s.text.slice(3, 3 + `data: {}${RS}\r\n\r\n`.length), `data: {}${RS}\r\n\r\n`, "handshake reply event");

      const tag = uid("s");
      await bcast([tag, "line1\nline2", "😀"]);
      await waitFor(() => s.records().some((r) => r.type === 1 && r.arguments[0] === tag), { message: "broadcast event" });
      const rec = s.records().find((r) => r.type === 1 && r.arguments[0] === tag);
      assert.deepEqual(rec.arguments, [tag, "line1\nline2", "😀"]);
      // Every line of the body after the preamble is a data line or an event separator.
      for (const line of s.text.slice(3).split("\r\n")) assert.ok(line === "" || line.startsWith("data: "), `bad SSE line ${JSON.stringify(line)}`);

      // Several records in one POST body: a ping and an invocation with an id → completion error.
      const post = await lpPost(svc, n, `{"type":6}${RS}{"type":1,"invocationId":"5","target":"Echo","arguments":[1]}${RS}`);
      expectStatus(post, 200, "POST of two records");
      await waitFor(() => s.records().some((r) => r.type === 3 && r.invocationId === "5"), { message: "completion over SSE" });

      // POST without a token is refused; a long poll to an SSE connection is refused; a second SSE GET is refused.
      const noTok = await lpPost(svc, n, `{"type":6}${RS}`, { headers: { "Content-Type": "text/plain" } });
      expectStatus(noTok, 401, "POST without token");
      const poll = await lpGet(svc, n);
      expectStatus(poll, 400, "GET poll on an SSE connection");
      assert.match(poll.text, /Cannot change transports mid-connection/);
      const second = await openSse(svc.port, n.path, n.auth);
      track(second);
      expectStatus(second, 409, "second SSE GET on the same id");

      // A server-side close ends the stream after a Close event.
      const del = await restCall(svc, "DELETE", p22("chat", `/connections/${enc(n.connectionId)}`, "reason=bye-sse"));
      expectStatus(del, 200);
      await waitFor(() => s.ended, { message: "SSE response ended" });
      const close = s.records().find((r) => r.type === 7);
      assert.ok(close, `Close event; records=${JSON.stringify(s.records())}`);
      assert.match(String(close.error), /bye-sse/);

      // A send that crosses the end (the official client's first ping after a handshake answer
      // that a Close follows) is answered 200 and dropped, so the Close's reason is what the client
      // reports; sends more than 5 s after the end get the 404.
      const crossing = await lpPost(svc, n, `{"type":6}${RS}`);
      expectStatus(crossing, 200, "POST just after the service ended the connection");
      await sleep(5500);
      const late = await lpPost(svc, n, `{"type":6}${RS}`);
      expectStatus(late, 404, "POST 5 s after the end");
      assert.match(late.text, /No Connection with that ID/);
    }),
  );

  test(
    "POST to a WebSocket connection id is 405; SSE GET with a query access_token is accepted",
    logged(async () => {
      const r = track(await rawWs(svc, { user: uid("w") }));
      const post = await lpPost(svc, r.n, `{"type":6}${RS}`);
      expectStatus(post, 405, "POST to a WebSocket connection");
      const poll = await lpGet(svc, r.n);
      expectStatus(poll, 400, "GET poll on a WebSocket connection");
      assert.match(poll.text, /Cannot change transports mid-connection/);

      const n = await negotiateRaw(svc, { user: uid("q") });
      const s = track(await openSse(svc.port, `${n.path}&access_token=${enc(n.token)}`));
      expectStatus(s, 200, "SSE with access_token in the query");
    }),
  );

  // ---------------------------------------------------------------------------- Long polling

  test(
    "long polling raw flow: first poll 200 at once, timeout 200 empty, replaced poll 204, DELETE 202, then 204",
    logged(async () => {
      const n = await negotiateRaw(svc, { user: uid("lp") });
      let t0 = Date.now();
      let r = await lpGet(svc, n, { query: "&_=1" });
      expectStatus(r, 200, "first poll");
      assert.equal(r.text, "", "first poll is empty");
      assert.ok(Date.now() - t0 < 1000, `first poll returned at once (${Date.now() - t0} ms)`);
      assert.match(String(r.headers["cache-control"]), /no-cache/);

      expectStatus(await lpPost(svc, n, `{"protocol":"json","version":1}${RS}`), 200, "handshake POST");
      r = await lpGet(svc, n, { query: `&_=${Date.now()}` });
      expectStatus(r, 200, "poll for the handshake reply");
      assert.equal(r.text, `{}${RS}`);

      // Nothing to send: the poll waits for the poll timeout (2 s) and answers 200 empty.
      t0 = Date.now();
      r = await lpGet(svc, n, { query: `&_=${Date.now()}` });
      const waited = Date.now() - t0;
      expectStatus(r, 200, "poll timeout");
      assert.equal(r.text, "");
      assert.ok(waited >= 1500 && waited < 4500, `poll timeout answered after ${waited} ms (timeout 2 s)`);

      // Several queued messages go out together in one poll response.
      const tags = [uid("q"), uid("q"), uid("q")];
      for (const tag of tags) await bcast([tag]);
      await sleep(50);
      r = await lpGet(svc, n);
      expectStatus(r, 200);
      const recs = r.text.split(RS).slice(0, -1).map((x) => JSON.parse(x));
      assert.deepEqual(
        recs.map((x) => x.arguments[0]),
        tags,
        `one poll returns every queued message in order; body=${JSON.stringify(r.text)}`,
      );

      // A newer poll ends the older one with 204; the newer one gets the data.
      const older = lpGet(svc, n);
      await sleep(200);
      const newer = lpGet(svc, n);
      const olderRes = await older;
      expectStatus(olderRes, 204, "replaced poll");
      const tag = uid("n");
      await bcast([tag]);
      const newerRes = await newer;
      expectStatus(newerRes, 200, "newer poll");
      assert.match(newerRes.text, new RegExp(tag));

      // Token checks: poll and POST without a valid token → 401.
      expectStatus(await lpGet(svc, n, { headers: {} }), 401, "poll without a token");
      expectStatus(await lpGet(svc, n, { headers: { Authorization: "Bearer not.a.jwt" } }), 401, "poll with a bad token");
      expectStatus(await lpPost(svc, n, `{"type":6}${RS}`, { headers: {} }), 401, "POST without a token");

      // DELETE while a poll is pending: 202, and the pending poll gets 204.
      const pending = lpGet(svc, n);
      await sleep(200);
      const del = await lpDelete(svc, n);
      expectStatus(del, 202, "DELETE");
      expectStatus(await pending, 204, "poll pending during DELETE");
      await waitFor(async () => (await restCall(svc, "HEAD", p22("chat", `/connections/${enc(n.connectionId)}`))).status === 404, {
        message: "connection gone after DELETE",
      });
      // A poll after the DELETE: the connection has ended, so 204 (the transport contract of this server).
      expectStatus(await lpGet(svc, n), 204, "poll after DELETE");

      // Unknown id → 404.
      const unknown = await rawRequest({ port: svc.port, path: "/client/?hub=chat&id=doesnotexist", headers: n.auth });
      expectStatus(unknown, 404, "unknown id");
      assert.match(unknown.text, /No Connection with that ID/);
    }),
  );

  test(
    "long polling: after a server-side close the pending poll returns the Close record, then polls get 204",
    logged(async () => {
      const n = await negotiateRaw(svc, { user: uid("lpc") });
      expectStatus(await lpGet(svc, n), 200);
      expectStatus(await lpPost(svc, n, `{"protocol":"json","version":1}${RS}`), 200);
      expectStatus(await lpGet(svc, n), 200);
      const pending = lpGet(svc, n);
      await sleep(100);
      expectStatus(await restCall(svc, "DELETE", p22("chat", `/connections/${enc(n.connectionId)}`, "reason=lp-bye")), 200);
      const res = await pending;
      expectStatus(res, 200, "pending poll gets the Close");
      const close = JSON.parse(res.text.split(RS)[0]);
      assert.equal(close.type, 7);
      assert.match(String(close.error), /lp-bye/);
      const next = await lpGet(svc, n);
      expectStatus(next, 204, "poll after the connection ended");
    }),
  );

  test(
    "long polling with MessagePack: binary poll bodies of varint-framed messages",
    logged(async () => {
      const n = await negotiateRaw(svc, { user: uid("lpm") });
      expectStatus(await lpGet(svc, n), 200);
      expectStatus(await lpPost(svc, n, `{"protocol":"messagepack","version":1}${RS}`), 200, "handshake POST");
      let r = await getBytes(svc.port, n.path, n.auth);
      assert.equal(r.status, 200);
      assert.equal(r.body.toString("utf8"), `{}${RS}`, "handshake reply");
      const tags = [uid("a"), uid("b")];
      for (const tag of tags) await bcast([tag, new Array(3).fill(1.5)]);
      await sleep(50);
      r = await getBytes(svc.port, n.path, n.auth);
      assert.equal(r.status, 200);
      const { messages, rest } = mpParse(r.body);
      assert.equal(rest.length, 0, "no trailing bytes");
      assert.deepEqual(
        messages.map((m) => [m[0], m[3], m[4]]),
        tags.map((t) => [1, "newMessage", [t, [1.5, 1.5, 1.5]]]),
      );
      // A binary POST (Ping + invocation with id) → a MessagePack completion on the next poll.
      const post = await lpPost(svc, n, Buffer.concat([mpFrame([6]), mpFrame([1, {}, "1", "X", []])]), {
        contentType: "application/octet-stream",
      });
      expectStatus(post, 200, "binary POST");
      r = await getBytes(svc.port, n.path, n.auth);
      const c = mpParse(r.body).messages.find((m) => m[0] === 3);
      assert.ok(c, `completion; got ${r.body.toString("hex")}`);
      assert.equal(c[2], "1");
      assert.equal(c[3], 1);
      expectStatus(await lpDelete(svc, n), 202);
    }),
  );

  test(
    "the REST binary body with only one entry reaches the matching protocol",
    logged(async () => {
      const j = track(await rawWs(svc, { user: uid("j"), protocol: "json" }));
      const m = track(await rawWs(svc, { user: uid("m"), protocol: "messagepack" }));
      const tag = uid("only");
      const body = Buffer.from(encode({ messagepack: mpFrame([1, {}, null, "newMessage", [tag, new Uint8Array([0, 255, 7])]]) }));
      const res = await restCall(svc, "POST", p22("chat", "/:send"), { body, headers: { "Content-Type": "application/octet-stream" } });
      expectStatus(res, 202, "binary body with a messagepack entry only");
      const mi = await m.waitRecord((x) => x[0] === 1 && x[4][0] === tag, 3000, "messagepack-only message");
      assert.deepEqual(Buffer.from(mi[4][1]), Buffer.from([0, 255, 7]));

      const tag2 = uid("onlyjson");
      const body2 = Buffer.from(
        encode({ json: Buffer.from(JSON.stringify({ type: 1, target: "newMessage", arguments: [tag2, { x: 1 }] }) + RS) }),
      );
      expectStatus(
        await restCall(svc, "POST", p22("chat", "/:send"), { body: body2, headers: { "Content-Type": "application/octet-stream" } }),
        202,
        "binary body with a json entry only",
      );
      const ji = await j.waitRecord((x) => x.type === 1 && x.arguments[0] === tag2, 3000, "json-only message");
      assert.deepEqual(ji.arguments, [tag2, { x: 1 }]);
      // Sanity: decode() of the body we sent round-trips (the test's own encoder).
      assert.ok(decode(body2).json instanceof Uint8Array);
    }),
  );
});
