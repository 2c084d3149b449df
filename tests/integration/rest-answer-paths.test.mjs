// The REST API's two answer paths give the same answers and deliveries. A send whose request is
// whole in the server's buffer (one write), on HTTP/1.1 kept alive, is answered at once from its
// bytes (HttpHandler::answer_now: no coroutine, no Beast message); the same request written in two
// parts (head, then body) goes through Beast's parser and the coroutine handler. Each case sends
// both forms on raw keep-alive sockets and compares the answers byte for byte (the same
// x-request-id is sent, so it is echoed) and what the official clients receive. Requests the fast
// path must leave to the other (errors, non-sends, HTTP/1.0, Connection: close, many fields) are
// checked the same way.
import { test, describe } from "node:test";
import assert from "node:assert/strict";
import net from "node:net";
import {
  connectClient,
  mintToken,
  restAud,
  p22,
  pv1,
  uid,
  logged,
  expectDelivery,
  useServiceWithFixture,
  sleep,
  splitHttpAnswers,
} from "./helpers.mjs";

/** One keep-alive connection that writes requests (each as one or several writes) and reads answers. */
class RawConnection {
  constructor(port) {
    this.text = "";
    this.closed = false;
    this.socket = net.connect({ host: "127.0.0.1", port });
    this.socket.setEncoding("latin1");
    this.socket.on("data", (d) => (this.text += d));
    this.socket.on("error", () => {});
    this.socket.on("close", () => (this.closed = true));
    this.ready = new Promise((resolve) => this.socket.once("connect", resolve));
  }

  /** Write `parts` (strings) with `gapMs` between them, then wait for `count` more whole answers. */
  async exchange(parts, { gapMs = 60, count = 1 } = {}) {
    await this.ready;
    const before = splitHttpAnswers(this.text).length;
    for (let i = 0; i < parts.length; i++) {
      if (i > 0) await sleep(gapMs);
      this.socket.write(parts[i], "latin1");
    }
    const deadline = Date.now() + 5000;
    for (;;) {
      const answers = splitHttpAnswers(this.text).map((a) => a.raw);
      if (answers.length >= before + count) return answers.slice(before, before + count);
      if (this.closed || Date.now() > deadline)
        throw new Error(`expected ${count} answer(s); got so far:\n${this.text}`);
      await sleep(10);
    }
  }

  close() {
    this.socket.destroy();
  }
}

const status = (answer) => Number(/^HTTP\/1\.[01] (\d{3})/.exec(answer)[1]);
const header = (answer, name) => {
  const m = new RegExp(`\r\n${name}: ([^\r]*)`, "i").exec(answer);
  return m ? m[1] : undefined;
};

/**
 * A request's bytes: the head (request line, Host, the given fields, Content-Length when there is
 * a body) and the body, for writing whole or in parts.
 */
function request(method, path, { token, fields = [], body, version = "1.1" } = {}) {
  const lines = [`${method} ${path} HTTP/${version}`, "Host: localhost"];
  if (token) lines.push(`Authorization: Bearer ${token}`);
  for (const [name, value] of fields) lines.push(`${name}: ${value}`);
  const payload = body === undefined ? "" : typeof body === "string" ? body : JSON.stringify(body);
  if (body !== undefined) lines.push(`Content-Length: ${Buffer.byteLength(payload)}`);
  const head = lines.join("\r\n") + "\r\n\r\n";
  return { head, body: Buffer.from(payload, "utf8").toString("latin1") };
}

describe("REST answers at once and through the handler", () => {
  let svc;
  let fx;
  useServiceWithFixture((service, fixture) => {
    svc = service;
    fx = fixture;
  });

  const token = (path) => mintToken(svc.key, { aud: restAud(path) });
  const json = { "Content-Type": "application/json" };

  /**
   * Sends `make(tag)` (a request) once whole and once in two parts (head, then body), each on its
   * own keep-alive connection, with the same x-request-id; returns [whole, parts] answers and tags.
   */
  async function bothForms(make, { id = uid("req-") } = {}) {
    const out = [];
    for (const form of ["whole", "parts"]) {
      const tag = uid(`${form}-`);
      const r = make(tag, id);
      const conn = new RawConnection(svc.port);
      try {
        const parts = form === "whole" || !r.body ? [r.head + r.body] : [r.head, r.body];
        const [answer] = await conn.exchange(parts);
        out.push({ answer, tag, connection: conn });
      } catch (e) {
        conn.close();
        throw e;
      }
    }
    return out;
  }

  /**
   * bothForms(make), then: both answers have the status `expected` and are the same bytes; `then`
   * runs with [whole, parts]; the connections are closed whatever happens.
   */
  async function sameBothWays(what, expected, make, then = async () => {}) {
    const results = await bothForms(make);
    try {
      const [whole, parts] = results;
      assert.equal(status(whole.answer), expected, `${what}: ${whole.answer}`);
      assert.equal(whole.answer, parts.answer, `${what}: the same answer, byte for byte`);
      await then(results);
    } finally {
      results.forEach((r) => r.connection.close());
    }
  }

  test(
    "a user send: the same 202 bytes both ways (no Connection field, kept alive), delivered to the user only",
    logged(async () => {
      const alice = await connectClient(fx, { user: "alice" });
      const bob = await connectClient(fx, { user: "bob" });
      const path = p22("chat", "/users/alice/:send");
      const make = (tag, id) =>
        request("POST", path, {
          token: token(path),
          fields: [["Content-Type", "application/json"], ["x-request-id", id]],
          body: { target: "newMessage", arguments: [tag, { n: 1 }] },
        });
      await sameBothWays("a user send", 202, make, async (results) => {
        const { answer } = results[0];
        assert.equal(header(answer, "connection"), undefined, answer);
        assert.equal(header(answer, "content-length"), "0", answer);
        for (const r of results)
          await expectDelivery(svc, { tag: r.tag, receivers: [alice], nonReceivers: [bob], args: [r.tag, { n: 1 }] });
        // Both connections are still open and answer again.
        for (const r of results) {
          const again = await r.connection.exchange([request("GET", "/api/health").head]);
          assert.equal(status(again[0]), 200, again[0]);
        }
      });
    }),
  );

  test(
    "broadcast with excluded, group and connection sends, v1 and 2022 forms: the same answers and recipients both ways",
    logged(async () => {
      const a = await connectClient(fx, { user: "ga" });
      const b = await connectClient(fx, { user: "gb" });
      const c = await connectClient(fx, { user: "gc" });
      const group = uid("g-");
      const join = p22("chat", `/groups/${group}/connections/${a.id}`);
      const joining = new RawConnection(svc.port);
      const joined = await joining.exchange([request("PUT", join, { token: token(join) }).head]);
      joining.close();
      assert.equal(status(joined[0]), 200, joined[0]);
      const cases = [
        { path: p22("chat", "/:send", `excluded=${encodeURIComponent(b.id)}`), receivers: [a, c], non: [b] },
        { path: pv1("chat"), receivers: [a, b, c], non: [] },
        { path: p22("chat", `/groups/${group}/:send`), receivers: [a], non: [b, c] },
        { path: pv1("chat", `/groups/${group}`), receivers: [a], non: [b, c] },
        { path: p22("chat", `/connections/${encodeURIComponent(c.id)}/:send`), receivers: [c], non: [a, b] },
        { path: pv1("chat", "/users/gb"), receivers: [b], non: [a, c] },
      ];
      for (const k of cases) {
        const make = (tag, id) =>
          request("POST", k.path, {
            token: token(k.path),
            fields: [["Content-Type", "application/json"], ["x-request-id", id]],
            body: { target: "newMessage", arguments: [tag] },
          });
        await sameBothWays(k.path, 202, make, async (results) => {
          for (const r of results) await expectDelivery(svc, { tag: r.tag, receivers: k.receivers, nonReceivers: k.non });
        });
      }
    }),
  );

  test(
    "a browser's send (Origin) gets the same CORS fields both ways; Connection: keep-alive is answered like none",
    logged(async () => {
      const alice = await connectClient(fx, { user: "alice" });
      const path = p22("chat", "/users/alice/:send");
      for (const fields of [
        [["Origin", "https://app.example"]],
        [["Connection", "keep-alive"]],
        [["Connection", "keep-alive"], ["Origin", "https://other.example"]],
      ]) {
        const what = JSON.stringify(fields);
        const make = (tag, id) =>
          request("POST", path, {
            token: token(path),
            fields: [...fields, ["Content-Type", "application/json"], ["x-request-id", id]],
            body: { target: "newMessage", arguments: [tag] },
          });
        await sameBothWays(what, 202, make, async (results) => {
          const { answer } = results[0];
          const origin = fields.find(([n]) => n === "Origin");
          assert.equal(header(answer, "access-control-allow-origin"), origin?.[1], `${what}: ${answer}`);
          assert.equal(header(answer, "connection"), undefined, `${what}: ${answer}`);
          for (const r of results) await expectDelivery(svc, { tag: r.tag, receivers: [alice] });
        });
      }
    }),
  );

  test(
    "refusals and requests left to the handler answer the same whole as in parts, and deliver nothing",
    logged(async () => {
      const alice = await connectClient(fx, { user: "alice" });
      const path = p22("chat", "/users/alice/:send");
      const send = (tag) => ({ target: "newMessage", arguments: [tag] });
      const many = Array.from({ length: 60 }, (_, i) => [`x-extra-${i}`, `v${i}`]);
      const cases = [
        { what: "no token", status: 401, make: (tag) => request("POST", path, { body: send(tag) }) },
        { what: "a token for another path", status: 401, make: (tag) => request("POST", path, { token: token(p22("chat", "/users/bob/:send")), body: send(tag) }) },
        { what: "a token signed with another key", status: 401, make: (tag) => request("POST", path, { token: mintToken("another-key-0123456789abcdefghijklmnopqrstu", { aud: restAud(path) }), body: send(tag) }) },
        { what: "a body that is not JSON", status: 400, make: () => request("POST", path, { token: token(path), body: "{not json" }) },
        { what: "a body without a target", status: 400, make: (tag) => request("POST", path, { token: token(path), body: { arguments: [tag] } }) },
        { what: "an invalid hub name", status: 400, make: (tag) => request("POST", p22("1bad", "/:send"), { token: token(p22("1bad", "/:send")), body: send(tag) }) },
        { what: "an unknown path", status: 404, make: (tag) => request("POST", "/api/nothing/here", { token: token(path), body: send(tag) }) },
        { what: "a method the path does not take", status: 405, make: (tag) => request("PUT", path, { token: token(path), body: send(tag) }) },
      ];
      for (const k of cases) {
        const make = (tag, id) => {
          const r = k.make(tag);
          r.head = r.head.replace("\r\n\r\n", `\r\nx-request-id: ${id}\r\n\r\n`);
          return r;
        };
        await sameBothWays(k.what, k.status, make, async (results) => {
          for (const r of results) await expectDelivery(svc, { tag: r.tag, receivers: [], nonReceivers: [alice] });
        });
      }
      // Sends the fast path leaves to the handler (more fields than it holds; HTTP/1.0; close):
      // answered and delivered all the same, each as its form asks.
      const left = [
        { what: "60 extra fields", fields: many, version: "1.1", connection: undefined },
        { what: "HTTP/1.0 kept alive", fields: [["Connection", "keep-alive"]], version: "1.0", connection: "keep-alive" },
        { what: "Connection: close", fields: [["Connection", "close"]], version: "1.1", connection: "close" },
        // Two Connection fields are one list (RFC 9110): "keep-alive, close" closes.
        { what: "two Connection fields, keep-alive then close", fields: [["Connection", "keep-alive"], ["Connection", "close"]], version: "1.1", connection: "close" },
        { what: "one Connection field listing keep-alive and close", fields: [["Connection", "keep-alive, close"]], version: "1.1", connection: "close" },
      ];
      for (const k of left) {
        const make = (tag, id) =>
          request("POST", path, {
            token: token(path),
            version: k.version,
            fields: [...k.fields, ["x-request-id", id]],
            body: send(tag),
          });
        await sameBothWays(k.what, 202, make, async (results) => {
          const { answer } = results[0];
          assert.equal(header(answer, "connection"), k.connection, `${k.what}: ${answer}`);
          for (const r of results) await expectDelivery(svc, { tag: r.tag, receivers: [alice] });
        });
      }
    }),
  );

  test(
    "pipelined sends in one write are each answered, in order, and delivered in order",
    logged(async () => {
      const alice = await connectClient(fx, { user: "alice" });
      const path = p22("chat", "/users/alice/:send");
      const tags = Array.from({ length: 20 }, () => uid("pipe-"));
      const bytes = tags
        .map((tag, i) => {
          const r = request("POST", path, {
            token: token(path),
            fields: [["x-request-id", `pipe-${i}`]],
            body: { target: "newMessage", arguments: [tag, i] },
          });
          return r.head + r.body;
        })
        .join("") + request("GET", "/api/health").head;
      const conn = new RawConnection(svc.port);
      try {
        const answers = await conn.exchange([bytes], { count: tags.length + 1 });
        answers.slice(0, tags.length).forEach((a, i) => {
          assert.equal(status(a), 202, a);
          assert.equal(header(a, "x-request-id"), `pipe-${i}`, a);
        });
        assert.equal(status(answers[tags.length]), 200, answers[tags.length]);
        await expectDelivery(svc, { tag: tags[tags.length - 1], receivers: [alice] });
        const order = alice.received("newMessage").map((m) => m.args[0]).filter((t) => tags.includes(t));
        assert.deepEqual(order, tags, "delivered once each, in the order sent");
      } finally {
        conn.close();
      }
    }),
  );
});
