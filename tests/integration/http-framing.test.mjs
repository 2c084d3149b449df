// Request targets and message framing over raw sockets (RFC 9112 §3.2.2, §6): absolute-form
// targets are served like origin-form ones, with the target's authority taking the place of Host;
// a Transfer-Encoding that leaves the body length unknown (not ending in chunked, together with
// Content-Length, on HTTP/1.0) is answered 400 and the connection closed, so that the body can
// never be read as a second request.
import { test, describe, before, after } from "node:test";
import assert from "node:assert/strict";
import net from "node:net";
import { startService, mintToken, restAud, p22, logged, splitHttpAnswers } from "./helpers.mjs";
import { startHost, writeApp, tempDir, removeTempDirs, logged as hostLogged } from "./functions-helpers.mjs";

after(removeTempDirs);

/**
 * Send raw bytes on a fresh connection and collect what comes back until the server closes it or
 * nothing more arrives for `quietMs`. Resolves with {text, closed, responses: [{status, body}]}.
 */
function exchange(port, bytes, { quietMs = 1000 } = {}) {
  return new Promise((resolve) => {
    const sock = net.connect({ host: "127.0.0.1", port });
    let text = "";
    let closed = false;
    let timer;
    const finish = () => {
      clearTimeout(timer);
      sock.destroy();
      resolve({ text, closed, responses: splitHttpAnswers(text) });
    };
    const arm = () => {
      clearTimeout(timer);
      timer = setTimeout(finish, quietMs);
    };
    sock.setEncoding("latin1");
    sock.on("data", (d) => {
      text += d;
      arm();
    });
    sock.on("error", () => {});
    sock.on("close", () => {
      closed = true;
      finish();
    });
    sock.once("connect", () => {
      sock.write(bytes);
      arm();
    });
  });
}

/** A request whose body is a whole second request: answered twice if the body is not consumed. */
const smuggling = (head) => {
  const hidden = "GET /api/health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
  return `GET /api/health HTTP/1.1\r\nHost: 127.0.0.1\r\n${head}\r\n${hidden}`;
};

function expectRefused(result, status, messagePattern, what) {
  assert.equal(result.responses.length, 1, `${what}: exactly one answer; got:\n${result.text}`);
  const [res] = result.responses;
  assert.equal(res.status, status, `${what}: status; got:\n${result.text}`);
  assert.match(JSON.parse(res.body).message, messagePattern, what);
  assert.equal(result.closed, true, `${what}: the server closes the connection`);
}

describe("request targets and framing (service)", () => {
  let svc;
  before(async () => {
    svc = await startService();
  });
  after(async () => {
    await svc?.stop();
  });

  test(
    "an absolute-form target is served like its origin-form path, its authority standing for Host",
    logged(async () => {
      const health = await exchange(svc.port, `GET http://127.0.0.1:${svc.port}/api/health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`);
      assert.equal(health.responses[0]?.status, 200, health.text);

      // The REST token's audience is checked against the request URL's host: the target's
      // authority (localhost) counts, not the Host header (another name).
      const path = p22("chat", "/:send");
      const token = mintToken(svc.key, { aud: restAud(path) });
      const body = JSON.stringify({ target: "newMessage", arguments: ["absolute"] });
      const request =
        `POST http://localhost:${svc.port}${path} HTTP/1.1\r\nHost: some-other-name.example\r\n` +
        `Authorization: Bearer ${token}\r\nContent-Type: application/json\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
      const send = await exchange(svc.port, request);
      assert.equal(send.responses[0]?.status, 202, send.text);

      const ftp = await exchange(svc.port, "GET ftp://127.0.0.1/api/health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
      expectRefused(ftp, 400, /scheme/, "an ftp: target");
    }),
  );

  test(
    "Transfer-Encoding without a final chunked is 400, and its body is not read as a second request",
    logged(async () => {
      const gzip = await exchange(svc.port, smuggling("Transfer-Encoding: gzip\r\n"));
      expectRefused(gzip, 400, /length/, "Transfer-Encoding: gzip");
      const notLast = await exchange(svc.port, smuggling("Transfer-Encoding: chunked, identity\r\n"));
      expectRefused(notLast, 400, /length/, "Transfer-Encoding: chunked, identity");
    }),
  );

  test(
    "Transfer-Encoding together with Content-Length is 400, in either order",
    logged(async () => {
      const hidden = "GET /api/health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
      const teFirst = await exchange(
        svc.port,
        `GET /api/health HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: gzip\r\nContent-Length: ${hidden.length}\r\n\r\n${hidden}`,
      );
      expectRefused(teFirst, 400, /Transfer-Encoding and Content-Length/, "Transfer-Encoding, then Content-Length");
      // (Beast's parser refuses this order itself.)
      const clFirst = await exchange(
        svc.port,
        `GET /api/health HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n`,
      );
      assert.equal(clFirst.responses.length, 1, clFirst.text);
      assert.equal(clFirst.responses[0].status, 400, clFirst.text);
    }),
  );

  test(
    "Transfer-Encoding on an HTTP/1.0 request is 400",
    logged(async () => {
      const result = await exchange(
        svc.port,
        "GET /api/health HTTP/1.0\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
      );
      expectRefused(result, 400, /HTTP\/1\.0/, "HTTP/1.0 with Transfer-Encoding");
    }),
  );

  test(
    "a transfer coding other than chunked before chunked is 501, and chunked bodies still work",
    logged(async () => {
      const gzipChunked = await exchange(
        svc.port,
        "GET /api/health HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n",
      );
      expectRefused(gzipChunked, 501, /gzip/, "Transfer-Encoding: gzip, chunked");

      const path = p22("chat", "/:send");
      const token = mintToken(svc.key, { aud: restAud(path) });
      const body = JSON.stringify({ target: "newMessage", arguments: ["chunked"] });
      const chunked = await exchange(
        svc.port,
        `POST ${path} HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer ${token}\r\n` +
          `Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n` +
          `${Buffer.byteLength(body).toString(16)}\r\n${body}\r\n0\r\n\r\n`,
      );
      assert.equal(chunked.responses[0]?.status, 202, chunked.text);
    }),
  );
});

describe("request targets and framing (functions host)", () => {
  let host;
  before(async () => {
    const app = writeApp(tempDir(), {
      "host.json": { version: "2.0" },
      "local.settings.json": { IsEncrypted: false, Values: {} },
      "wwwroot/index.html": "<!doctype html><title>framing</title>",
    });
    host = await startHost({
      app,
      mode: "functions",
      connectionString: "Endpoint=http://localhost;Port=9;AccessKey=unused-key-0123456789abcdef;Version=1.0;",
    });
  });
  after(async () => {
    await host?.stop();
  });

  test(
    "the host serves an absolute-form target and refuses a Transfer-Encoding without a final chunked",
    hostLogged(async () => {
      const page = await exchange(host.port, `GET http://localhost:${host.port}/ HTTP/1.1\r\nHost: elsewhere\r\n\r\n`);
      assert.equal(page.responses[0]?.status, 200, page.text);
      assert.match(page.responses[0].body, /<title>framing<\/title>/);
      const hidden = "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
      const gzip = await exchange(host.port, `GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: gzip\r\n\r\n${hidden}`);
      expectRefused(gzip, 400, /length/, "Transfer-Encoding: gzip on the functions host");
    }),
  );
});
