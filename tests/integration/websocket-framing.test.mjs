// The WebSocket layer itself (RFC 6455), at byte level: the opening handshake, fragmented client
// messages, Ping/Pong, the closing handshake, protocol errors (Close 1002), and what the server's
// frames look like (unmasked, 16/64-bit lengths, records batched into frames, a client that reads
// slowly). Driven by a raw node:net socket: the `ws` package hides framing.
import { test, describe } from "node:test";
import assert from "node:assert/strict";
import crypto from "node:crypto";
import net from "node:net";
import {
  RS,
  serviceNegotiate,
  clientToken,
  restCall,
  p22,
  expectStatus,
  waitFor,
  withTimeout,
  sleep,
  logged,
  uid,
  useServiceWithFixture,
} from "./helpers.mjs";

const enc = encodeURIComponent;
const WS_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
const OP = { CONT: 0x0, TEXT: 0x1, BINARY: 0x2, CLOSE: 0x8, PING: 0x9, PONG: 0xa };
const HUB_HANDSHAKE = `{"protocol":"json","version":1}${RS}`;

/** The Sec-WebSocket-Accept value a server must answer for `key`. */
const acceptFor = (key) => crypto.createHash("sha1").update(key + WS_GUID).digest("base64");
const newKey = () => crypto.randomBytes(16).toString("base64");

/**
 * One client frame. Masked with a random key unless opts.mask is false; opts.fin (default true),
 * opts.rsv (the 3 reserved bits, 0..7). The length uses the shortest form (7, 16 or 64 bits).
 */
function clientFrame(opcode, payload = "", { fin = true, mask = true, rsv = 0 } = {}) {
  const data = Buffer.isBuffer(payload) ? payload : Buffer.from(payload, "utf8");
  const len = data.length;
  const extra = len <= 125 ? 0 : len <= 0xffff ? 2 : 8;
  const head = Buffer.alloc(2 + extra + (mask ? 4 : 0));
  head[0] = (fin ? 0x80 : 0) | ((rsv & 7) << 4) | (opcode & 0x0f);
  head[1] = (mask ? 0x80 : 0) | (extra === 0 ? len : extra === 2 ? 126 : 127);
  if (extra === 2) head.writeUInt16BE(len, 2);
  if (extra === 8) head.writeBigUInt64BE(BigInt(len), 2);
  if (!mask) return Buffer.concat([head, data]);
  const key = crypto.randomBytes(4);
  key.copy(head, 2 + extra);
  const body = Buffer.alloc(len);
  for (let i = 0; i < len; i++) body[i] = data[i] ^ key[i & 3];
  return Buffer.concat([head, body]);
}

const closePayload = (code, reason = "") => {
  const b = Buffer.alloc(2 + Buffer.byteLength(reason));
  b.writeUInt16BE(code, 0);
  b.write(reason, 2);
  return b;
};

const describeFrame = (f) =>
  `{op=0x${f.opcode.toString(16)} fin=${f.fin} rsv=${f.rsv} masked=${f.masked} len=${f.payload.length}` +
  `${f.opcode >= 8 ? ` payload=${JSON.stringify(f.payload.toString("latin1"))}` : ""}}`;

/**
 * A raw TCP connection that sends an HTTP upgrade request and then speaks WebSocket frames by
 * hand. Records the HTTP response (status, headers, body of a refusal), then every server frame
 * (frames[]) and the JSON hub records carried by data frames (records[], split on 0x1e).
 */
function openUpgrade(port, { path, headers }) {
  const sock = net.connect({ host: "127.0.0.1", port });
  sock.setNoDelay(true);
  const c = {
    sock,
    response: undefined, // {status, statusLine, headers, body}
    frames: [],
    records: [],
    rawRecords: [],
    recordText: "",
    pending: Buffer.alloc(0),
    frameCursor: 0,
    recordCursor: 0,
    isClosed: false,
    ended: false,
    error: undefined,
  };
  let headDone = false;
  let contentLength;
  let resolveResponse;
  c.responseReady = new Promise((r) => (resolveResponse = r));
  c.closed = new Promise((resolve) => {
    sock.on("close", () => {
      c.isClosed = true;
      if (c.response && c.response.body === undefined) c.response.body = c.pending.toString("utf8");
      resolveResponse();
      resolve();
    });
  });
  sock.on("end", () => (c.ended = true));
  sock.on("error", (e) => (c.error = e));

  const parseFrames = () => {
    for (;;) {
      const b = c.pending;
      if (b.length < 2) return;
      const code7 = b[1] & 0x7f;
      const masked = (b[1] & 0x80) !== 0;
      let off = 2;
      let len = code7;
      if (code7 === 126) {
        if (b.length < 4) return;
        len = b.readUInt16BE(2);
        off = 4;
      } else if (code7 === 127) {
        if (b.length < 10) return;
        len = Number(b.readBigUInt64BE(2));
        off = 10;
      }
      let key;
      if (masked) {
        if (b.length < off + 4) return;
        key = b.subarray(off, off + 4);
        off += 4;
      }
      if (b.length < off + len) return;
      const payload = Buffer.from(b.subarray(off, off + len));
      if (key) for (let i = 0; i < len; i++) payload[i] ^= key[i & 3];
      const frame = { fin: (b[0] & 0x80) !== 0, rsv: (b[0] >> 4) & 7, opcode: b[0] & 0x0f, masked, lengthCode: code7, payload };
      c.frames.push(frame);
      c.pending = b.subarray(off + len);
      if (frame.opcode <= OP.BINARY) {
        c.recordText += payload.toString("utf8");
        let i;
        while ((i = c.recordText.indexOf(RS)) >= 0) {
          const rec = c.recordText.slice(0, i);
          c.recordText = c.recordText.slice(i + 1);
          c.rawRecords.push(rec);
          let parsed;
          try {
            parsed = JSON.parse(rec);
          } catch {
            parsed = { __unparsable: rec };
          }
          c.records.push(parsed);
        }
      }
    }
  };

  sock.on("data", (chunk) => {
    c.pending = c.pending.length ? Buffer.concat([c.pending, chunk]) : chunk;
    if (!headDone) {
      const end = c.pending.indexOf("\r\n\r\n");
      if (end < 0) return;
      const lines = c.pending.subarray(0, end).toString("latin1").split("\r\n");
      const statusLine = lines.shift();
      const hdrs = {};
      for (const line of lines) {
        const i = line.indexOf(":");
        if (i > 0) hdrs[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim();
      }
      const m = /^HTTP\/1\.1 (\d{3})/.exec(statusLine);
      c.response = { status: m ? Number(m[1]) : 0, statusLine, headers: hdrs, body: undefined };
      c.pending = c.pending.subarray(end + 4);
      headDone = true;
      if (c.response.status === 101) {
        c.response.body = "";
        resolveResponse();
      } else if (hdrs["content-length"] !== undefined) {
        contentLength = Number(hdrs["content-length"]);
      }
    }
    if (c.response.status === 101) {
      parseFrames();
    } else if (contentLength !== undefined && c.pending.length >= contentLength && c.response.body === undefined) {
      c.response.body = c.pending.subarray(0, contentLength).toString("utf8");
      resolveResponse();
    }
  });

  const headerText = Object.entries(headers)
    .map(([k, v]) => `${k}: ${v}\r\n`)
    .join("");
  sock.write(`GET ${path} HTTP/1.1\r\n${headerText}\r\n`);

  c.send = (buf) => sock.write(buf);
  c.sendText = (text, opts) => sock.write(clientFrame(OP.TEXT, text, opts));
  c.summary = () =>
    `frames=[${c.frames.map(describeFrame).join(", ")}] records=${JSON.stringify(c.rawRecords).slice(0, 600)} closed=${c.isClosed}`;
  /** The next server frame (after those already consumed) matching pred; earlier ones are consumed. */
  c.nextFrame = async (pred = () => true, timeout = 3000, what = "frame") => {
    const deadline = Date.now() + timeout;
    for (;;) {
      while (c.frameCursor < c.frames.length) {
        const f = c.frames[c.frameCursor++];
        if (pred(f)) return f;
      }
      if (c.isClosed) throw new Error(`socket closed while waiting for ${what}; ${c.summary()}`);
      if (Date.now() > deadline) throw new Error(`timed out after ${timeout} ms waiting for ${what}; ${c.summary()}`);
      await sleep(5);
    }
  };
  /** The next hub record matching pred (earlier ones are consumed). */
  c.nextRecord = async (pred = () => true, timeout = 3000, what = "record") => {
    const deadline = Date.now() + timeout;
    for (;;) {
      while (c.recordCursor < c.records.length) {
        const r = c.records[c.recordCursor++];
        if (pred(r)) return r;
      }
      if (c.isClosed) throw new Error(`socket closed while waiting for ${what}; ${c.summary()}`);
      if (Date.now() > deadline) throw new Error(`timed out after ${timeout} ms waiting for ${what}; ${c.summary()}`);
      await sleep(5);
    }
  };
  c.destroy = () => sock.destroy();
  return c;
}

/**
 * The per-suite tools: `getSvc()` is the suite's service, `socks` collects every raw socket so the
 * suite's cleanup can destroy them.
 */
function framingTools(getSvc, socks) {
  /** Negotiate; returns {connectionId, connectionToken, path} for the upgrade request. */
  const negotiate = async (user) => {
    const tok = clientToken(getSvc(), "chat", user);
    const neg = await serviceNegotiate(getSvc(), { user, token: tok });
    expectStatus(neg, 200, "service negotiate");
    const { connectionId, connectionToken } = neg.json;
    return { connectionId, connectionToken, path: `/client/?hub=chat&id=${enc(connectionToken)}&access_token=${enc(tok)}` };
  };

  const upgradeHeaders = (key, overrides = {}) => {
    const h = {
      Host: `127.0.0.1:${getSvc().port}`,
      Upgrade: "websocket",
      Connection: "Upgrade",
      "Sec-WebSocket-Key": key,
      "Sec-WebSocket-Version": "13",
      ...overrides,
    };
    for (const k of Object.keys(h)) if (h[k] === undefined) delete h[k];
    return h;
  };

  /** Send an upgrade request with `headers` and wait for the whole HTTP response. */
  const upgrade = async (path, headers) => {
    const c = openUpgrade(getSvc().port, { path, headers });
    socks.push(c);
    await withTimeout(c.responseReady, 5000, `HTTP response to the upgrade request ${path}`);
    assert.ok(c.response, `no HTTP response to the upgrade request (socket closed: ${c.isClosed}, error: ${c.error?.message})`);
    return c;
  };

  /** Negotiate and open a WebSocket (asserting 101); with handshake: true, also the JSON hub handshake. */
  const connect = async ({ user = uid("fr"), handshake = true } = {}) => {
    const n = await negotiate(user);
    const key = newKey();
    const c = await upgrade(n.path, upgradeHeaders(key));
    assert.equal(c.response.status, 101, `upgrade: ${c.response.statusLine} ${c.response.body}`);
    assert.equal(c.response.headers["sec-websocket-accept"], acceptFor(key));
    c.connectionId = n.connectionId;
    c.connectionToken = n.connectionToken;
    c.user = user;
    if (handshake) {
      c.sendText(HUB_HANDSHAKE);
      assert.deepEqual(await c.nextRecord(() => true, 3000, "hub handshake reply"), {});
    }
    return c;
  };

  const connStatus = async (id) => (await restCall(getSvc(), "HEAD", p22("chat", `/connections/${enc(id)}`))).status;
  const sendTo = async (c, args) =>
    expectStatus(
      await restCall(getSvc(), "POST", p22("chat", `/connections/${enc(c.connectionId)}/:send`), { body: { target: "newMessage", arguments: args } }),
      202,
      "REST send to the raw connection",
    );

  /** Expect a Close frame with `code`, and then the TCP connection to end. */
  const expectCloseFrame = async (c, code, what) => {
    const close = await c.nextFrame((f) => f.opcode === OP.CLOSE, 3000, `Close frame (${what})`);
    assert.equal(close.masked, false, `${what}: server frames must not be masked`);
    assert.equal(close.fin, true, `${what}: a control frame is final`);
    assert.ok(close.payload.length >= 2, `${what}: the Close frame should carry a status code; ${c.summary()}`);
    assert.equal(close.payload.readUInt16BE(0), code, `${what}: Close status code; reason=${JSON.stringify(close.payload.subarray(2).toString())}`);
    await withTimeout(c.closed, 3000, `${what}: the server closes the TCP connection after its Close frame`);
    assert.equal(c.frames.at(-1), close, `${what}: nothing may follow the Close frame; ${c.summary()}`);
    return close;
  };

  return { negotiate, upgradeHeaders, upgrade, connect, connStatus, sendTo, expectCloseFrame };
}

describe("WebSocket framing (RFC 6455) on a raw socket", () => {
  let svc;
  const socks = [];
  useServiceWithFixture(
    (service) => {
      svc = service;
    },
    {},
    () => {
      for (const c of socks.splice(0)) c.destroy();
    },
  );
  const { negotiate, upgradeHeaders, upgrade, connect, connStatus, sendTo, expectCloseFrame } = framingTools(() => svc, socks);

  // --- 1. Opening handshake -----------------------------------------------------------------

  test(
    "a valid upgrade gets 101 Switching Protocols with the RFC's Sec-WebSocket-Accept",
    logged(async () => {
      const n = await negotiate("hs-ok");
      const key = newKey();
      const c = await upgrade(n.path, upgradeHeaders(key));
      assert.equal(c.response.statusLine, "HTTP/1.1 101 Switching Protocols");
      assert.equal(c.response.headers.upgrade?.toLowerCase(), "websocket");
      assert.match(c.response.headers.connection ?? "", /\bupgrade\b/i);
      assert.equal(c.response.headers["sec-websocket-accept"], acceptFor(key));
      // The RFC's own example (section 1.3) as a check of the computation above.
      assert.equal(acceptFor("dGhlIHNhbXBsZSBub25jZQ=="), "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
      assert.equal(c.frames.length, 0, `no frame before the client speaks; ${c.summary()}`);
      // It is a working hub connection.
      c.sendText(HUB_HANDSHAKE);
      assert.deepEqual(await c.nextRecord(), {});
      expectStatus(await restCall(svc, "HEAD", p22("chat", `/connections/${enc(n.connectionId)}`)), 200);
    }),
  );

  test(
    "Sec-WebSocket-Version: 8 is refused with 426, Sec-WebSocket-Version: 13 and a JSON error",
    logged(async () => {
      const n = await negotiate("hs-v8");
      const c = await upgrade(n.path, upgradeHeaders(newKey(), { "Sec-WebSocket-Version": "8" }));
      assert.equal(c.response.status, 426, `got ${c.response.statusLine}`);
      assert.equal(c.response.headers["sec-websocket-version"], "13");
      assert.match(c.response.headers["content-type"] ?? "", /application\/json/);
      const body = JSON.parse(c.response.body);
      assert.equal(body.code, "InvalidArgument", `body=${c.response.body}`);
      assert.match(body.message, /Sec-WebSocket-Version/, `body=${c.response.body}`);
      await withTimeout(c.closed, 3000, "the server closes the refused connection");
      assert.equal(c.frames.length, 0);
      // A refused handshake costs no connection: the negotiated token still opens one.
      const key = newKey();
      const ok = await upgrade(n.path, upgradeHeaders(key));
      assert.equal(ok.response.status, 101, `retry with version 13: ${ok.response.statusLine} ${ok.response.body}`);
      assert.equal(ok.response.headers["sec-websocket-accept"], acceptFor(key));
    }),
  );

  test(
    "a missing Sec-WebSocket-Key, or one that is not 16 bytes of base64, is refused with 400",
    logged(async () => {
      const n = await negotiate("hs-key");
      const cases = [
        ["missing", undefined, /Sec-WebSocket-Key/],
        ["15 bytes", crypto.randomBytes(15).toString("base64"), /16 bytes/],
        ["17 bytes", crypto.randomBytes(17).toString("base64"), /16 bytes/],
        ["not base64", "this is not base64!!!!==", /Sec-WebSocket-Key/],
      ];
      for (const [what, key, message] of cases) {
        const c = await upgrade(n.path, upgradeHeaders(key));
        assert.equal(c.response.status, 400, `${what} key: got ${c.response.statusLine} ${c.response.body}`);
        assert.equal(c.response.headers["sec-websocket-accept"], undefined, `${what} key: no accept value`);
        let body;
        assert.doesNotThrow(() => (body = JSON.parse(c.response.body)), `${what} key: JSON body expected, got ${c.response.body}`);
        assert.equal(body.code, "InvalidArgument", `${what} key: body=${c.response.body}`);
        assert.match(body.message, message, `${what} key: body=${c.response.body}`);
        await withTimeout(c.closed, 3000, `${what} key: the server closes the refused connection`);
      }
      const ok = await upgrade(n.path, upgradeHeaders(newKey()));
      assert.equal(ok.response.status, 101, "the negotiated token still works after refused handshakes");
    }),
  );

  // --- 2. Fragmented client messages ----------------------------------------------------------

  test(
    "the hub handshake split over a fragmented message (Text FIN=0, Continuation…, FIN=1) is answered",
    logged(async () => {
      const c = await connect({ handshake: false });
      c.send(clientFrame(OP.TEXT, '{"protocol":', { fin: false }));
      await sleep(20);
      c.send(clientFrame(OP.CONT, '"json","vers', { fin: false }));
      c.send(clientFrame(OP.CONT, "", { fin: false })); // an empty fragment is legal
      await sleep(20);
      c.send(clientFrame(OP.CONT, `ion":1}${RS}`, { fin: true }));
      const reply = await c.nextFrame(() => true, 3000, "handshake reply frame");
      assert.equal(reply.opcode, OP.TEXT, `JSON travels in a Text frame: ${describeFrame(reply)}`);
      assert.equal(reply.fin, true);
      assert.equal(reply.rsv, 0);
      assert.equal(reply.masked, false, "server frames are not masked");
      assert.equal(reply.payload.toString(), `{}${RS}`);
      // A new (unfragmented) message after the fragmented one works.
      c.send(clientFrame(OP.PING, "after"));
      const pong = await c.nextFrame((f) => f.opcode === OP.PONG, 3000, "Pong");
      assert.equal(pong.payload.toString(), "after");
      assert.equal(c.isClosed, false);
    }),
  );

  test(
    "the hub handshake sent one byte per frame (fragmented and as separate messages) is answered",
    logged(async () => {
      const bytes = Buffer.from(HUB_HANDSHAKE);
      // One fragmented message, one byte per fragment, all in one TCP write.
      const a = await connect({ handshake: false });
      const frames = [...bytes].map((byte, i) =>
        clientFrame(i === 0 ? OP.TEXT : OP.CONT, Buffer.from([byte]), { fin: i === bytes.length - 1 }),
      );
      a.send(Buffer.concat(frames));
      const ra = await a.nextFrame(() => true, 3000, "handshake reply (one fragment per byte)");
      assert.equal(ra.opcode, OP.TEXT);
      assert.equal(ra.masked, false);
      assert.equal(ra.payload.toString(), `{}${RS}`);

      // One complete Text message per byte, each written to TCP separately (and the first frame's
      // own header split across writes).
      const b = await connect({ handshake: false });
      for (let i = 0; i < bytes.length; i++) {
        const f = clientFrame(OP.TEXT, Buffer.from([bytes[i]]));
        if (i === 0) {
          for (const byte of f) {
            b.send(Buffer.from([byte]));
            await sleep(5);
          }
        } else {
          b.send(f);
        }
        if (i % 8 === 0) await sleep(2);
      }
      const rb = await b.nextFrame(() => true, 3000, "handshake reply (one message per byte)");
      assert.equal(rb.opcode, OP.TEXT);
      assert.equal(rb.masked, false);
      assert.equal(rb.payload.toString(), `{}${RS}`);
    }),
  );

  // --- 3. Ping / Pong ---------------------------------------------------------------------------

  test(
    "a Ping with a payload gets a Pong with the same payload; an unsolicited Pong is ignored",
    logged(async () => {
      const c = await connect();
      c.send(clientFrame(OP.PING, "hello"));
      const pong = await c.nextFrame((f) => f.opcode !== OP.TEXT, 3000, "Pong");
      assert.equal(pong.opcode, OP.PONG, `expected a Pong: ${describeFrame(pong)}`);
      assert.equal(pong.fin, true);
      assert.equal(pong.masked, false);
      assert.equal(pong.payload.toString(), "hello");
      // An empty Ping gets an empty Pong; a 125-byte one (the maximum) comes back whole.
      c.send(clientFrame(OP.PING, ""));
      assert.equal((await c.nextFrame((f) => f.opcode === OP.PONG, 3000, "empty Pong")).payload.length, 0);
      const max = Buffer.from(crypto.randomBytes(125));
      c.send(clientFrame(OP.PING, max));
      assert.deepEqual((await c.nextFrame((f) => f.opcode === OP.PONG, 3000, "125-byte Pong")).payload, max);

      const before = c.frames.length;
      c.send(clientFrame(OP.PONG, "unsolicited"));
      await sleep(100);
      const tag = uid("t");
      await sendTo(c, [tag]);
      const inv = await c.nextRecord((m) => m.type === 1, 3000, "message after an unsolicited Pong");
      assert.deepEqual(inv.arguments, [tag]);
      const after = c.frames.slice(before);
      assert.ok(
        after.every((f) => f.opcode === OP.TEXT),
        `nothing but the message may answer an unsolicited Pong; got ${after.map(describeFrame).join(", ")}`,
      );
      assert.equal(c.isClosed, false);
    }),
  );

  // --- 4. Closing handshake -----------------------------------------------------------------

  test(
    "a client Close (1000) is answered with a Close frame, the TCP connection ends, the connection is gone",
    logged(async () => {
      const c = await connect();
      expectStatus(await restCall(svc, "HEAD", p22("chat", `/connections/${enc(c.connectionId)}`)), 200);
      c.send(clientFrame(OP.CLOSE, closePayload(1000, "bye")));
      await expectCloseFrame(c, 1000, "client Close 1000");
      await waitFor(async () => (await connStatus(c.connectionId)) === 404, {
        message: "HEAD /connections/{id} is 404 after the closing handshake",
      });
    }),
  );

  test(
    "a client Close with no payload is answered with a Close frame too",
    logged(async () => {
      const c = await connect();
      c.send(clientFrame(OP.CLOSE, ""));
      const close = await c.nextFrame((f) => f.opcode === OP.CLOSE, 3000, "Close frame");
      assert.equal(close.masked, false);
      await withTimeout(c.closed, 3000, "TCP closed after the closing handshake");
      await waitFor(async () => (await connStatus(c.connectionId)) === 404, { message: "connection gone" });
    }),
  );

  // --- 5. Protocol errors -------------------------------------------------------------------

  const protocolErrors = [
    ["an unmasked client frame", () => clientFrame(OP.TEXT, `{"type":6}${RS}`, { mask: false })],
    ["a frame with RSV1 set", () => clientFrame(OP.TEXT, `{"type":6}${RS}`, { rsv: 4 })],
    ["an unknown opcode (0x3)", () => clientFrame(0x3, "data")],
    ["a Continuation frame with no message started", () => clientFrame(OP.CONT, `{"type":6}${RS}`)],
    ["a Ping with a 126-byte payload", () => clientFrame(OP.PING, "p".repeat(126))],
    ["a fragmented Ping (FIN=0)", () => clientFrame(OP.PING, "frag", { fin: false })],
    [
      "a new Text frame inside a fragmented message",
      () => Buffer.concat([clientFrame(OP.TEXT, '{"type"', { fin: false }), clientFrame(OP.TEXT, `:6}${RS}`)]),
    ],
    // RFC 6455 7.4: codes a Close frame may not carry.
    ...[999, 1004, 1005, 1006, 1015, 2000].map((code) => [
      `a Close with the invalid code ${code}`,
      () => clientFrame(OP.CLOSE, Buffer.from([code >> 8, code & 0xff])),
    ]),
    // RFC 6455 8.1: text that is not UTF-8 is invalid payload data.
    ["a Text frame that is not UTF-8", () => clientFrame(OP.TEXT, Buffer.from([0x7b, 0xff, 0x7d, 0x1e])), 1007],
    [
      "a fragmented Text message that ends inside a UTF-8 sequence",
      () => Buffer.concat([clientFrame(OP.TEXT, "ok", { fin: false }), clientFrame(OP.CONT, Buffer.from([0xe2, 0x82]))]),
      1007,
    ],
    [
      "a Close whose reason is not UTF-8",
      () => clientFrame(OP.CLOSE, Buffer.from([0x03, 0xe8, 0xc0, 0xaf])),
      1007,
    ],
  ];
  for (const [what, frame, code = 1002] of protocolErrors) {
    test(
      `protocol error: ${what} → Close ${code} and the connection closes`,
      logged(async () => {
        const c = await connect();
        c.send(frame());
        await expectCloseFrame(c, code, what);
        await waitFor(async () => (await connStatus(c.connectionId)) === 404, { message: `connection gone after ${what}` });
      }),
    );
  }

  test(
    "a Text message whose UTF-8 characters are split across frames is accepted",
    logged(async () => {
      const c = await connect();
      // "€" is e2 82 ac: the frames cut it after its first byte.
      const record = Buffer.from(`{"type":1,"target":"x","arguments":["€"]}${RS}`, "utf8");
      const cut = record.indexOf(0xe2) + 1;
      c.send(Buffer.concat([clientFrame(OP.TEXT, record.subarray(0, cut), { fin: false }), clientFrame(OP.CONT, record.subarray(cut))]));
      await sendTo(c, ["after the split"]);
      const msg = await c.nextRecord((m) => m.type === 1, 3000, "the message sent after");
      assert.deepEqual(msg.arguments, ["after the split"]);
      assert.equal(await connStatus(c.connectionId), 200);
    }),
  );

  test(
    "protocol error: an unmasked frame with an empty payload (2 bytes) → Close 1002",
    logged(async () => {
      // RFC 6455 5.1: the server MUST close the connection upon receiving an unmasked frame. Its
      // header alone is 2 bytes here; nothing else follows.
      const c = await connect();
      c.send(clientFrame(OP.PING, "", { mask: false }));
      await expectCloseFrame(c, 1002, "an unmasked empty Ping");
    }),
  );

  // --- 6. Server → client frames ------------------------------------------------------------

  test(
    "50 REST sends back to back all arrive, complete and in order, in unmasked Text frames",
    logged(async () => {
      const c = await connect();
      const tag = uid("seq");
      for (let i = 0; i < 50; i++) await sendTo(c, [tag, i, `payload-${i}-${"x".repeat(i * 7)}`]);
      await waitFor(() => c.records.filter((m) => m.type === 1).length >= 50, {
        timeout: 5000,
        message: () => `50 invocations (got ${c.records.filter((m) => m.type === 1).length}); ${c.summary()}`,
      });
      const invs = c.records.filter((m) => m.type === 1);
      assert.equal(invs.length, 50);
      invs.forEach((m, i) => {
        assert.equal(m.target, "newMessage");
        assert.deepEqual(m.arguments, [tag, i, `payload-${i}-${"x".repeat(i * 7)}`], `message #${i} in order and intact`);
      });
      assert.deepEqual(
        c.records.filter((m) => m.__unparsable !== undefined),
        [],
        "every record is valid JSON",
      );
      for (const f of c.frames) {
        assert.equal(f.masked, false, `server frames are not masked: ${describeFrame(f)}`);
        assert.equal(f.rsv, 0, `no reserved bits: ${describeFrame(f)}`);
        assert.equal(f.fin, true, `server messages are not fragmented: ${describeFrame(f)}`);
        if (f.opcode <= OP.BINARY) assert.equal(f.opcode, OP.TEXT, `JSON in Text frames: ${describeFrame(f)}`);
      }
      assert.equal(c.recordText, "", "every data frame ends on a record boundary");
    }),
  );

  test(
    "a 200 KB argument arrives intact in a frame with a 64-bit length",
    logged(async () => {
      const c = await connect();
      const big = crypto.randomBytes(150 * 1024).toString("base64"); // 200 KB of text
      await sendTo(c, ["big", big]);
      const inv = await c.nextRecord((m) => m.type === 1, 5000, "the 200 KB message");
      assert.equal(inv.arguments[0], "big");
      assert.equal(inv.arguments[1].length, big.length, "length of the big argument");
      assert.ok(inv.arguments[1] === big, "the big argument arrives byte for byte");
      const frame = c.frames.find((f) => f.opcode === OP.TEXT && f.payload.length > 0xffff);
      assert.ok(frame, `a Text frame over 64 KB; ${c.summary()}`);
      assert.equal(frame.lengthCode, 127, "a payload over 65535 bytes uses the 64-bit length form");
      // Medium: 16-bit length form.
      await sendTo(c, ["medium", "m".repeat(1000)]);
      const inv2 = await c.nextRecord((m) => m.type === 1, 3000, "the 1 KB message");
      assert.equal(inv2.arguments[1], "m".repeat(1000));
      const mframe = c.frames.at(-1);
      assert.equal(mframe.lengthCode, 126, `a ~1 KB payload uses the 16-bit length form: ${describeFrame(mframe)}`);
      assert.equal(c.isClosed, false);
    }),
  );

  test(
    "a client that pauses reading gets every message intact and in order once it resumes",
    logged(async () => {
      const c = await connect();
      const other = await connect();
      // 20 messages of 50 KB: ~1000 KB in all, just under the 1 MiB per-connection outbound limit
      // even if the kernel buffered nothing, and more than the loopback socket buffers take (about
      // 880 KB here, measured with ss), so the server must write partially and wait for the
      // socket to become writable.
      const size = 50 * 1024;
      const payloads = Array.from({ length: 20 }, (_, i) => `${i}:`.padEnd(size, String.fromCharCode(97 + (i % 26))));
      c.sock.pause();
      for (let i = 0; i < payloads.length; i++) await sendTo(c, ["slow", i, payloads[i]]);
      await sleep(300);
      expectStatus(await restCall(svc, "HEAD", p22("chat", `/connections/${enc(c.connectionId)}`)), 200, "the paused connection is kept");
      // The server is not blocked by it: another connection is served meanwhile.
      await sendTo(other, ["other"]);
      assert.deepEqual((await other.nextRecord((m) => m.type === 1, 3000, "message to another connection")).arguments, ["other"]);
      c.sock.resume();
      await waitFor(() => c.records.filter((m) => m.type === 1).length >= payloads.length, {
        timeout: 10000,
        message: () => `${payloads.length} messages after resuming (got ${c.records.filter((m) => m.type === 1).length}); closed=${c.isClosed}`,
      });
      const invs = c.records.filter((m) => m.type === 1);
      assert.equal(invs.length, payloads.length);
      invs.forEach((m, i) => {
        assert.equal(m.arguments[1], i, `message #${i} in order`);
        assert.ok(m.arguments[2] === payloads[i], `message #${i} intact (length ${m.arguments[2]?.length} vs ${payloads[i].length})`);
      });
      assert.ok(c.frames.every((f) => !f.masked && f.fin && f.rsv === 0), `well-formed frames; ${c.frames.map(describeFrame).join(", ")}`);
      // Still a healthy connection.
      c.send(clientFrame(OP.PING, "still-there"));
      assert.equal((await c.nextFrame((f) => f.opcode === OP.PONG, 3000, "Pong after the backlog")).payload.toString(), "still-there");
    }),
  );

  // --- 7. Client messages with extended lengths ---------------------------------------------

  test(
    "a ~1 KB client message (16-bit length) is accepted; the connection stays usable",
    logged(async () => {
      const c = await connect();
      const msg = `{"type":1,"target":"fireAndForget","arguments":["${"k".repeat(1000)}"]}${RS}`;
      const frame = clientFrame(OP.TEXT, msg);
      assert.equal(frame[1] & 0x7f, 126, "the test frame uses the 16-bit length form");
      c.send(frame);
      // And one split over TCP writes in the middle of its extended length and its mask.
      const frame2 = clientFrame(OP.TEXT, msg);
      c.send(frame2.subarray(0, 3));
      await sleep(20);
      c.send(frame2.subarray(3, 6));
      await sleep(20);
      c.send(frame2.subarray(6, 500));
      await sleep(20);
      c.send(frame2.subarray(500));
      c.send(clientFrame(OP.PING, "after-16bit"));
      const pong = await c.nextFrame((f) => f.opcode === OP.PONG || f.opcode === OP.CLOSE, 3000, "Pong after a 16-bit-length message");
      assert.equal(pong.opcode, OP.PONG, `expected a Pong, got ${describeFrame(pong)}; ${c.summary()}`);
      assert.equal(pong.payload.toString(), "after-16bit");
      const tag = uid("t");
      await sendTo(c, [tag]);
      assert.deepEqual((await c.nextRecord((m) => m.type === 1, 3000, "message after")).arguments, [tag]);
      assert.deepEqual(
        c.records.filter((m) => m.type === 7 || m.type === 3),
        [],
        "no Close and no completion for an id-less invocation",
      );
      assert.equal(c.isClosed, false);
    }),
  );
});

describe("WebSocket framing with a backlog beyond the socket buffers (8 MiB outbound limit)", () => {
  let svc;
  const socks = [];
  useServiceWithFixture(
    (service) => {
      svc = service;
    },
    { args: ["--max-outbound-queue", String(8 << 20)] },
    () => {
      for (const c of socks.splice(0)) c.destroy();
    },
  );
  const { connect, sendTo } = framingTools(() => svc, socks);

  // 60 messages of 100 KB (6 MB) to a client that does not read: far more than the loopback
  // socket buffers hold (about 1 MB), so most of it waits in the server for writability.
  const COUNT = 60;
  const payloadFor = (i) => `${i}:`.padEnd(100 * 1024, String.fromCharCode(97 + (i % 26)));
  const fillBacklog = async (c) => {
    c.sock.pause();
    for (let i = 0; i < COUNT; i++) await sendTo(c, ["backlog", i, payloadFor(i)]);
    await sleep(200);
  };

  test(
    "a 6 MB backlog to a paused client arrives whole and in order once it reads again",
    logged(async () => {
      const c = await connect();
      await fillBacklog(c);
      c.sock.resume();
      await waitFor(() => c.records.filter((m) => m.type === 1).length >= COUNT, {
        timeout: 15000,
        message: () => `${COUNT} messages after resuming (got ${c.records.filter((m) => m.type === 1).length}); closed=${c.isClosed}`,
      });
      const invs = c.records.filter((m) => m.type === 1);
      assert.equal(invs.length, COUNT);
      invs.forEach((m, i) => {
        assert.equal(m.arguments[1], i, `message #${i} in order`);
        assert.ok(m.arguments[2] === payloadFor(i), `message #${i} intact`);
      });
      assert.equal(c.recordText, "", "every data frame ends on a record boundary");
      c.send(clientFrame(OP.PING, "after-backlog"));
      assert.equal((await c.nextFrame((f) => f.opcode === OP.PONG, 3000, "Pong after the backlog")).payload.toString(), "after-backlog");
    }),
  );

  test(
    "a client Close while the server is still writing a backlog is answered with a Close frame",
    logged(async () => {
      const c = await connect();
      await fillBacklog(c);
      // The server cannot have written everything (the client is not reading); the client ends.
      c.send(clientFrame(OP.CLOSE, closePayload(1000)));
      await sleep(200);
      c.sock.resume();
      // RFC 6455 5.5.1: the server answers a Close with a Close (it MAY first finish the message
      // it is sending); a frame cut in the middle and no Close is not a clean close (a browser
      // reports code 1006).
      await withTimeout(c.closed, 10000, "TCP closed after the closing handshake");
      const close = c.frames.find((f) => f.opcode === OP.CLOSE);
      assert.ok(
        close,
        `no Close frame came back: ${c.frames.length} frames, then ${c.pending.length} bytes of an unfinished frame, then the ` +
          `TCP connection ended (${c.error ? c.error.code : "FIN"}); ${c.records.filter((m) => m.type === 1).length} of ${COUNT} messages arrived`,
      );
      assert.equal(close.payload.readUInt16BE(0), 1000);
      assert.equal(c.frames.at(-1), close, "the Close frame is the last frame");
      assert.equal(c.pending.length, 0, "no partial frame at the end of the connection");
    }),
  );

  test(
    "a client that sends Close and then never reads loses its socket after the 5 s linger, without the rest",
    logged(async () => {
      const c = await connect();
      await fillBacklog(c);
      c.send(clientFrame(OP.CLOSE, closePayload(1000)));
      // The server's write is stuck on this client; it keeps the socket 5 s for it, then closes.
      await sleep(6500);
      c.sock.resume();
      await withTimeout(c.closed, 10000, "TCP closed by the server after the linger time");
      const delivered = c.records.filter((m) => m.type === 1).length;
      assert.ok(delivered < COUNT, `the backlog was cut short (got ${delivered} of ${COUNT})`);
      assert.equal(
        c.frames.find((f) => f.opcode === OP.CLOSE),
        undefined,
        "the Close frame queued behind the stuck write never went out",
      );
    }),
  );
});
