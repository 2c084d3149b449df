// Robustness of the transports: a client that stops reading is dropped at the outbound queue bound
// while memory stays bounded and others keep receiving; oversize and malformed input (JSON and
// MessagePack) closes only the offending connection with a Close error.
import { test, describe, before, after } from "node:test";
import assert from "node:assert/strict";
import crypto from "node:crypto";
import net from "node:net";
import {
  RS,
  startService,
  startNegotiateFixture,
  restCall,
  rawRequest,
  p22,
  expectStatus,
  waitFor,
  sleep,
  logged,
  uid,
} from "./helpers.mjs";
import { T, connectOfficial, rawWs, mpFrame, varint, negotiateRaw, openSse, rssBytes, randomBytesWithout } from "./transports-helpers.mjs";

const enc = encodeURIComponent;

/** A WebSocket client on a plain TCP socket: upgrade, JSON handshake, then it can stop reading. */
async function stubbornClient(svc, user, hub) {
  const n = await negotiateRaw(svc, { user, hub });
  const sock = net.connect(svc.port, "127.0.0.1");
  await new Promise((res, rej) => (sock.once("connect", res), sock.once("error", rej)));
  sock.on("error", () => {});
  const key = crypto.randomBytes(16).toString("base64");
  sock.write(
    `GET ${n.path}&access_token=${enc(n.token)} HTTP/1.1\r\nHost: 127.0.0.1:${svc.port}\r\nUpgrade: websocket\r\n` +
      `Connection: Upgrade\r\nSec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
  );
  let buf = Buffer.alloc(0);
  const onData = (d) => (buf = Buffer.concat([buf, d]));
  sock.on("data", onData);
  await waitFor(() => buf.includes("\r\n\r\n"), { message: "101 response" });
  assert.match(buf.toString("latin1"), /^HTTP\/1\.1 101/);
  // Masked text frame with the handshake request.
  const payload = Buffer.from(`{"protocol":"json","version":1}${RS}`);
  const mask = crypto.randomBytes(4);
  const masked = Buffer.from(payload.map((b, i) => b ^ mask[i % 4]));
  sock.write(Buffer.concat([Buffer.from([0x81, 0x80 | payload.length]), mask, masked]));
  await waitFor(() => buf.includes(`{}${RS}`), { message: "handshake reply on the raw socket" });
  // Stop reading: the kernel buffers fill, then the server's outbound queue.
  sock.off("data", onData);
  sock.pause();
  return { sock, n, connectionId: n.connectionId };
}

describe("robustness: slow consumers, oversize and malformed input", () => {
  let svc;
  let fx;
  let observer; // an official client that must keep receiving through every case
  before(async () => {
    svc = await startService({ args: ["--max-outbound-queue", "200000"] });
    fx = await startNegotiateFixture(svc);
    observer = await connectOfficial(fx, { user: "observer", transport: T.WebSockets });
  });
  after(async () => {
    await observer?.stop();
    await fx?.close();
    await svc?.stop();
  });

  const observerStillReceives = async (what) => {
    const tag = uid("alive");
    expectStatus(await restCall(svc, "POST", p22("chat", "/users/observer/:send"), { body: { target: "newMessage", arguments: [tag] } }), 202);
    await waitFor(() => observer.count(tag) === 1, { timeout: 3000, message: `observer still receives after ${what}` });
    const health = await rawRequest({ port: svc.port, path: "/api/health" });
    expectStatus(health, 200, `health after ${what}`);
    assert.equal(svc.exited, false, "server still running");
  };
  const connExists = async (id, hub = "chat") => (await restCall(svc, "HEAD", p22(hub, `/connections/${enc(id)}`))).status === 200;

  test(
    "a WebSocket client that stops reading is dropped; memory stays bounded; another client gets every message",
    logged(async (t) => {
      // Both in their own hub, so the observer (hub chat) is not part of the flood.
      const stubborn = await stubbornClient(svc, uid("slow"), "flood");
      assert.equal(await connExists(stubborn.connectionId, "flood"), true, "stubborn client connected");
      const reader = await connectOfficial(fx, { user: uid("reader"), hub: "flood", transport: T.WebSockets, targets: ["flood"] });
      let readerBytes = 0;
      let wake = () => {};
      reader.connection.on("flood", (i, s) => {
        readerBytes += s.length;
        wake();
      });
      const rssBefore = rssBytes(svc.proc.pid);

      // 1000 broadcasts of 50 KB = 50 MB in total. The sender stays at most WINDOW messages ahead
      // of the reader, so the reader never has more than WINDOW × 50 KB (< the 200 KB bound) pending:
      // only the client that does not read at all may hit the bound.
      const N = 1000;
      const WINDOW = 2;
      const chunk = "x".repeat(50 * 1024);
      let maxRss = rssBefore;
      for (let i = 0; i < N; i++) {
        while (i - reader.received("flood").length > WINDOW && !reader.isClosed) {
          await new Promise((r) => {
            wake = r;
            setTimeout(r, 50);
          });
        }
        const res = await restCall(svc, "POST", p22("flood", "/:send"), { body: { target: "flood", arguments: [i, chunk] } });
        expectStatus(res, 202, `flood ${i}`);
        if (i % 50 === 0) maxRss = Math.max(maxRss, rssBytes(svc.proc.pid));
      }
      await waitFor(() => reader.received("flood").length === N, {
        timeout: 15000,
        message: () => `reader got all ${N} flood messages (got ${reader.received("flood").length}, closed=${reader.isClosed})`,
      });
      maxRss = Math.max(maxRss, rssBytes(svc.proc.pid));
      const indexes = reader.received("flood").map((m) => m.args[0]);
      assert.deepEqual(new Set(indexes).size, N, "every flood message exactly once");
      assert.equal(readerBytes, N * chunk.length, "every byte arrived");
      assert.equal(reader.isClosed, false, "the reading client was not dropped");

      await waitFor(async () => !(await connExists(stubborn.connectionId, "flood")), {
        timeout: 5000,
        message: "the non-reading client is dropped (HEAD connection → 404)",
      });
      const growth = maxRss - rssBefore;
      t.diagnostic(`server RSS before ${(rssBefore / 1048576).toFixed(1)} MB, peak growth ${(growth / 1048576).toFixed(1)} MB over 50 MB sent`);
      // An ASan build keeps freed memory in its quarantine (256 MB): its RSS says nothing of ours.
      // `make sanitize` sets SWITCHBOARD_SANITIZED; the bound is checked by `make test`'s build.
      if (process.env.SWITCHBOARD_SANITIZED) t.diagnostic("sanitized build: RSS bound not checked");
      else assert.ok(growth < 60 * 1024 * 1024, `RSS grew by ${(growth / 1048576).toFixed(1)} MB (< 60 MB expected)`);
      stubborn.sock.destroy();
      await reader.stop();
      await observerStillReceives("the flood");
    }),
  );

  // Each case: a fresh raw connection sends something bad; it must get a Close with an error and be
  // closed, and only it.
  const expectClosedWithError = async (r, what) => {
    await waitFor(() => r.isClosed, { timeout: 4000, message: () => `${what}: connection closed (records=${JSON.stringify(r.records).slice(0, 300)})` });
    const close = r.records.find((m) => (Array.isArray(m) ? m[0] === 7 : m.type === 7));
    assert.ok(close, `${what}: a Close message before the socket closed; records=${JSON.stringify(r.records).slice(0, 300)}`);
    const error = Array.isArray(close) ? close[1] : close.error;
    assert.equal(typeof error, "string", `${what}: Close carries an error; got ${JSON.stringify(close)}`);
    assert.ok(error.length > 0, `${what}: non-empty Close error`);
    assert.equal(await connExists(r.connectionId), false, `${what}: the connection is gone`);
    await observerStillReceives(what);
  };

  test(
    "oversize messages (over --max-message-size, default 32 KB) close the connection with a Close error",
    logged(async () => {
      const big = "y".repeat(40000);
      let r = await rawWs(svc, { user: uid("big"), protocol: "json" });
      r.send(`{"type":1,"target":"Big","arguments":["${big}"]}${RS}`);
      await expectClosedWithError(r, "JSON record of 40 KB");

      r = await rawWs(svc, { user: uid("big"), protocol: "json" });
      r.send(`{"type":1,"target":"Big","arguments":["${big}`); // never terminated
      await expectClosedWithError(r, "unterminated JSON of 40 KB");

      r = await rawWs(svc, { user: uid("big"), protocol: "messagepack" });
      r.send(mpFrame([1, {}, null, "Big", [big]]));
      await expectClosedWithError(r, "MessagePack record of 40 KB");

      r = await rawWs(svc, { user: uid("big"), protocol: "messagepack" });
      r.send(Buffer.concat([varint(40000), Buffer.alloc(100, 0x90)])); // announced 40 KB, only 100 bytes sent
      await expectClosedWithError(r, "MessagePack length prefix over the limit");

      // Just under the limit is fine.
      r = await rawWs(svc, { user: uid("ok"), protocol: "json" });
      r.send(`{"type":1,"invocationId":"1","target":"Fine","arguments":["${"z".repeat(30000)}"]}${RS}`);
      await r.waitRecord((m) => m.type === 3 && m.invocationId === "1", 3000, "completion for a 30 KB record");
      assert.equal(r.isClosed, false);
      r.close();
    }),
  );

  const jsonCases = [
    ["random bytes then 0x1e", () => Buffer.concat([randomBytesWithout(200, 0x1e), Buffer.from([0x1e])])],
    ["invalid JSON text", () => `garbage, not json${RS}`],
    ["a JSON array record", () => `[1,2,3]${RS}`],
    ["a JSON string record", () => `"just a string"${RS}`],
    ["no type", () => `{"target":"x","arguments":[]}${RS}`],
    ["type is a string", () => `{"type":"1","target":"x","arguments":[]}${RS}`],
    ["target is a number", () => `{"type":1,"target":5,"arguments":[]}${RS}`],
    ["arguments is a string", () => `{"type":1,"target":"x","arguments":"nope"}${RS}`],
    ["invocationId is an object", () => `{"type":1,"invocationId":{},"target":"x","arguments":[]}${RS}`],
    ["truncated JSON then 0x1e", () => `{"type":1,"target":"x","argu${RS}`],
  ];
  const mpCases = [
    ["valid length, garbage body", () => Buffer.concat([varint(12), Buffer.from([0xc1]), crypto.randomBytes(11)])],
    ["varint longer than 5 bytes", () => Buffer.from([0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01, 0x90])],
    ["varint with 5 continuation bytes (truncated)", () => Buffer.from([0xff, 0xff, 0xff, 0xff, 0xff])],
    ["varint announcing 1 GB", () => Buffer.concat([Buffer.from([0x80, 0x80, 0x80, 0x80, 0x04]), crypto.randomBytes(16)])],
    ["varint above 0x7FFFFFFF", () => Buffer.from([0xff, 0xff, 0xff, 0xff, 0x0f, 0x90])],
    ["message type is a string", () => mpFrame(["1", {}, null, "x", []])],
    ["target is a number", () => mpFrame([1, {}, null, 42, []])],
    ["arguments is a string", () => mpFrame([1, {}, null, "x", "nope"])],
    ["headers is an array", () => mpFrame([1, [1, 2], null, "x", []])],
    ["a map instead of an array", () => mpFrame({ type: 1, target: "x" })],
    ["an empty array", () => mpFrame([])],
    ["nil", () => mpFrame(null)],
    ["array declares more elements than present", () => Buffer.concat([varint(3), Buffer.from([0x95, 0x01, 0x80])])],
  ];

  test(
    "malformed JSON input closes only that connection",
    logged(async () => {
      for (const [what, make] of jsonCases) {
        const r = await rawWs(svc, { user: uid("fz"), protocol: "json" });
        const data = make();
        r.send(data);
        await expectClosedWithError(r, `JSON: ${what}`);
      }
      // Random bytes in a binary frame on a JSON connection, too.
      const r = await rawWs(svc, { user: uid("fz"), protocol: "json" });
      r.send(Buffer.concat([crypto.randomBytes(64).map((b) => (b === 0x1e ? 0 : b)), Buffer.from([0x1e])]));
      await expectClosedWithError(r, "JSON: random bytes in a binary frame");
    }),
  );

  test(
    "malformed MessagePack input closes only that connection",
    logged(async () => {
      for (const [what, make] of mpCases) {
        const r = await rawWs(svc, { user: uid("fz"), protocol: "messagepack" });
        r.send(make());
        await expectClosedWithError(r, `MessagePack: ${what}`);
      }
    }),
  );

  test(
    "malformed input over SSE and long polling POSTs ends only that connection",
    logged(async () => {
      // Long polling: handshake, then a garbage POST; the next poll returns the Close error.
      const n = await negotiateRaw(svc, { user: uid("lpfz") });
      const get = () => rawRequest({ port: svc.port, path: n.path, headers: n.auth });
      const post = (body) => rawRequest({ port: svc.port, method: "POST", path: n.path, headers: { ...n.auth, "Content-Type": "text/plain" }, body });
      expectStatus(await get(), 200);
      expectStatus(await post(`{"protocol":"json","version":1}${RS}`), 200);
      expectStatus(await get(), 200);
      await post(`not json${RS}`); // any status; the connection must end with a Close error
      const res = await get();
      expectStatus(res, 200, "poll after a garbage POST");
      const close = JSON.parse(res.text.split(RS)[0]);
      assert.equal(close.type, 7, `Close record; body=${res.text}`);
      assert.equal(typeof close.error, "string");
      await waitFor(async () => !(await connExists(n.connectionId)), { message: "LP connection gone" });
      await observerStillReceives("a garbage long-polling POST");

      // SSE: handshake, then a garbage POST; the stream carries a Close error and ends.
      const m = await negotiateRaw(svc, { user: uid("ssefz") });
      const s = await openSse(svc.port, m.path, m.auth);
      expectStatus(s, 200, "SSE GET");
      const spost = (body) => rawRequest({ port: svc.port, method: "POST", path: m.path, headers: { ...m.auth, "Content-Type": "text/plain" }, body });
      expectStatus(await spost(`{"protocol":"json","version":1}${RS}`), 200);
      await waitFor(() => s.records().length >= 1, { message: "SSE handshake reply" });
      await spost(`{"type":1,"target":5,"arguments":"x"}${RS}`);
      await waitFor(() => s.ended, { timeout: 4000, message: () => `SSE stream ends; text=${JSON.stringify(s.text)}` });
      const sclose = s.records().find((r) => r.type === 7);
      assert.ok(sclose, `SSE Close event; text=${JSON.stringify(s.text)}`);
      assert.equal(typeof sclose.error, "string");
      await waitFor(async () => !(await connExists(m.connectionId)), { message: "SSE connection gone" });
      await observerStillReceives("a garbage SSE POST");
    }),
  );
});

describe("--max-message-size is configurable", () => {
  let svc;
  before(async () => {
    svc = await startService({ args: ["--max-message-size", "1000"] });
  });
  after(async () => {
    await svc?.stop();
  });

  for (const protocol of ["json", "messagepack"]) {
    test(
      `${protocol}: a 900-byte message is accepted, a 1500-byte one closes the connection with a Close error`,
      logged(async () => {
        const ok = await rawWs(svc, { user: uid("m"), protocol });
        const other = await rawWs(svc, { user: uid("o"), protocol: "json" });
        const isCompletion = (m) => (Array.isArray(m) ? m[0] === 3 : m.type === 3);
        const record = (id, len) =>
          protocol === "json"
            ? `{"type":1,"invocationId":"${id}","target":"M","arguments":["${"a".repeat(len)}"]}${RS}`
            : mpFrame([1, {}, id, "M", ["a".repeat(len)]]);
        ok.send(record("1", 850));
        await ok.waitRecord(isCompletion, 3000, "completion for a message under the limit");
        ok.send(record("2", 1500));
        await waitFor(() => ok.isClosed, { timeout: 4000, message: "closed after an oversize message" });
        const close = ok.records.find((m) => (Array.isArray(m) ? m[0] === 7 : m.type === 7));
        assert.ok(close, `Close before the socket closed: ${JSON.stringify(ok.records)}`);
        assert.equal(typeof (Array.isArray(close) ? close[1] : close.error), "string", `Close error: ${JSON.stringify(close)}`);
        // The other connection is unaffected.
        const tag = uid("still");
        expectStatus(await restCall(svc, "POST", p22("chat", "/:send"), { body: { target: "x", arguments: [tag] } }), 202);
        await other.waitRecord((m) => m.type === 1 && m.arguments[0] === tag, 3000, "other connection still receives");
        other.close();
      }),
    );
  }
});
