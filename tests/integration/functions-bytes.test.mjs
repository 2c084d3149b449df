// Functions host: bytes that are not UTF-8 text. Binary and Latin-1 request bodies reach JavaScript and
// Python functions as bytes (req.body / req.rawBody Buffers, req.get_body()), binary response bodies (a
// Buffer, bytes) reach the client byte-exact, and bad bytes in the query, a header or the path are a 400
// naming the part, never a 500.
import { test, describe, before, after } from "node:test";
import assert from "node:assert/strict";
import crypto from "node:crypto";
import net from "node:net";
import path from "node:path";
import { startHost, tempDir, writeApp, removeTempDirs, callFn, expectFnStatus, expectFnError, logged } from "./functions-helpers.mjs";

after(removeTempDirs);

const trigger = { authLevel: "anonymous", type: "httpTrigger", direction: "in", name: "req", methods: ["post"] };
const ret = { type: "http", direction: "out", name: "$return" };
const sha256 = (bytes) => crypto.createHash("sha256").update(bytes).digest("hex");
const ALL_BYTES = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
const LATIN1 = Buffer.from("café crème à la carte, 100 °C", "latin1");

/** An app whose functions answer with the bytes they got, their SHA-256 and how the body arrived. */
function bytesApp() {
  return writeApp(path.join(tempDir("sb-bytes-"), "app"), {
    "host.json": { version: "2.0" },
    "local.settings.json": { IsEncrypted: false, Values: {} },
    "jsEcho/function.json": { bindings: [trigger, ret] },
    "jsEcho/index.js": `const crypto = require("node:crypto");
module.exports = async function (context, req) {
  const bytes = Buffer.isBuffer(req.body) ? req.body : Buffer.from(String(req.rawBody ?? ""), "utf8");
  return {
    status: 200,
    headers: {
      "content-type": "application/octet-stream",
      "x-sha256": crypto.createHash("sha256").update(bytes).digest("hex"),
      "x-body-buffer": String(Buffer.isBuffer(req.body)),
      "x-rawbody-buffer": String(Buffer.isBuffer(req.rawBody)),
    },
    body: bytes,
  };
};`,
    "pyEcho/function.json": { bindings: [trigger, ret] },
    "pyEcho/__init__.py": `import hashlib

import azure.functions as func


def main(req: func.HttpRequest) -> func.HttpResponse:
    body = req.get_body()
    return func.HttpResponse(
        body,
        headers={"x-sha256": hashlib.sha256(body).hexdigest(), "x-type": type(body).__name__},
        mimetype="application/octet-stream",
    )
`,
    // Bytes returned without a content type: a bare Buffer / bytes.
    "jsBare/function.json": { bindings: [trigger, ret] },
    "jsBare/index.js": `module.exports = async function () { return Buffer.from([0xff, 0x00, 0xfe]); };`,
    "pyBare/function.json": { bindings: [trigger, ret] },
    "pyBare/__init__.py": `def main(req: func.HttpRequest) -> bytes:
    return bytes([0xff, 0x00, 0xfe])
`,
  });
}

/** One request written byte for byte on a socket (for bytes Node's HTTP client will not send). */
function rawHttp(port, head) {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: "127.0.0.1", port });
    const chunks = [];
    socket.setTimeout(10000, () => socket.destroy(new Error("raw request timed out")));
    socket.on("connect", () => socket.write(Buffer.concat([Buffer.from(head, "latin1"), Buffer.from("Connection: close\r\n\r\n")])));
    socket.on("data", (c) => chunks.push(c));
    socket.on("error", reject);
    socket.on("close", () => {
      const text = Buffer.concat(chunks).toString("utf8");
      const m = /^HTTP\/1\.1 (\d+)/.exec(text);
      const body = text.slice(text.indexOf("\r\n\r\n") + 4);
      let json;
      try {
        json = JSON.parse(body);
      } catch {
        json = undefined;
      }
      resolve({ status: m ? Number(m[1]) : 0, text, json });
    });
  });
}

describe("functions host: bytes that are not UTF-8", () => {
  let host;
  before(
    logged(async () => {
      host = await startHost({ app: bytesApp() });
    }),
  );
  after(async () => {
    await host?.stop();
  });

  for (const [lang, fn] of [
    ["JavaScript", "jsEcho"],
    ["Python", "pyEcho"],
  ]) {
    test(
      `${lang}: a binary body (bytes 0x00-0xFF) reaches the function as bytes and comes back byte-exact`,
      logged(async () => {
        const res = await callFn(host, "POST", `/api/${fn}`, { body: ALL_BYTES, headers: { "Content-Type": "application/octet-stream" } });
        expectFnStatus(res, 200, fn);
        assert.equal(res.headers["x-sha256"], sha256(ALL_BYTES), "the function hashed the exact bytes");
        assert.deepEqual(res.bytes, ALL_BYTES, "the response body is the exact bytes");
        assert.match(res.headers["content-type"], /^application\/octet-stream/);
        if (fn === "jsEcho") {
          assert.equal(res.headers["x-body-buffer"], "true", "req.body is a Buffer");
          assert.equal(res.headers["x-rawbody-buffer"], "true", "req.rawBody is a Buffer");
        } else {
          assert.equal(res.headers["x-type"], "bytes");
        }
      }),
    );

    test(
      `${lang}: a Latin-1 text body (not UTF-8) reaches the function as its bytes`,
      logged(async () => {
        const res = await callFn(host, "POST", `/api/${fn}`, { body: LATIN1, headers: { "Content-Type": "text/plain; charset=iso-8859-1" } });
        expectFnStatus(res, 200, fn);
        assert.equal(res.headers["x-sha256"], sha256(LATIN1));
        assert.deepEqual(res.bytes, LATIN1);
      }),
    );

    test(
      `${lang}: a UTF-8 text body still arrives as text`,
      logged(async () => {
        const text = Buffer.from("grüße, 你好", "utf8");
        const res = await callFn(host, "POST", `/api/${fn}`, { body: text, headers: { "Content-Type": "text/plain; charset=utf-8" } });
        expectFnStatus(res, 200, fn);
        assert.deepEqual(res.bytes, text);
        if (fn === "jsEcho") assert.equal(res.headers["x-body-buffer"], "false", "a text body is a string");
      }),
    );
  }

  test(
    "a Buffer / bytes returned without a content type reaches the client byte-exact as application/octet-stream",
    logged(async () => {
      for (const fn of ["jsBare", "pyBare"]) {
        const res = await callFn(host, "POST", `/api/${fn}`);
        expectFnStatus(res, 200, fn);
        assert.deepEqual(res.bytes, Buffer.from([0xff, 0x00, 0xfe]), fn);
        assert.equal(res.headers["content-type"], "application/octet-stream", fn);
      }
    }),
  );

  test(
    "a query parameter that is not UTF-8 is a 400 naming the parameter",
    logged(async () => {
      expectFnError(await callFn(host, "POST", "/api/jsEcho?ok=1&x=%FF"), 400, [/query parameter 'x'/, /UTF-8/], "?x=%FF");
      expectFnError(await callFn(host, "POST", "/api/pyEcho?name%FE=1"), 400, [/query parameter 'name%FE'/], "bad name");
      const raw = await rawHttp(host.port, `POST /api/jsEcho?y=\xff HTTP/1.1\r\nHost: localhost\r\nContent-Length: 0\r\n`);
      assert.equal(raw.status, 400, raw.text);
      assert.match(raw.json?.error ?? "", /query parameter 'y'/);
      // A raw byte that is not UTF-8 but decodes to good text with what follows (0xE2 then
      // %82%AC is "€" once decoded): the raw target, which travels as the request's Url, is bad.
      const target = await rawHttp(host.port, `POST /api/jsEcho?z=\xe2%82%AC HTTP/1.1\r\nHost: localhost\r\nContent-Length: 0\r\n`);
      assert.equal(target.status, 400, target.text);
      assert.match(target.json?.error ?? "", /request target is not valid UTF-8/);
    }),
  );

  test(
    "a header value that is not UTF-8 is a 400 naming the header",
    logged(async () => {
      const raw = await rawHttp(host.port, `POST /api/pyEcho HTTP/1.1\r\nHost: localhost\r\nX-Bin: a\xffb\r\nContent-Length: 0\r\n`);
      assert.equal(raw.status, 400, raw.text);
      assert.match(raw.json?.error ?? "", /header 'x-bin'/i);
      assert.match(raw.json.error, /UTF-8/);
    }),
  );

  test(
    "a path that is not UTF-8 is a 400",
    logged(async () => {
      expectFnError(await callFn(host, "POST", "/api/jsEcho%FF"), 400, [/path/, /UTF-8/], "%FF in the path");
      expectFnError(await callFn(host, "GET", "/%C3%28"), 400, [/path/], "a bad sequence in a static path");
      const raw = await rawHttp(host.port, `GET /api/\xfe\xff HTTP/1.1\r\nHost: localhost\r\n`);
      assert.equal(raw.status, 400, raw.text);
      assert.match(raw.json?.error ?? "", /path/);
    }),
  );
});
