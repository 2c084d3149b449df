// Functions host: the app's wwwroot/ stays the only folder it serves. Symbolic links that lead out of it
// (to a folder, to a file) are 404, `..` in any encoding does not climb out, and NUL or other control
// characters in a path are a 400 (no truncation: /index.html%00.txt is not index.html). A link that stays
// inside wwwroot still works.
import { test, describe, before, after } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import net from "node:net";
import path from "node:path";
import { startHost, tempDir, writeApp, removeTempDirs, callFn, expectFnStatus, expectFnError, logged } from "./functions-helpers.mjs";

after(removeTempDirs);

const SECRET = "top secret, outside wwwroot";

/** An app with wwwroot/ and links in it, next to a folder that must never be served. */
function staticApp() {
  const base = tempDir("sb-static-");
  const outside = path.join(base, "outside");
  fs.mkdirSync(outside);
  fs.writeFileSync(path.join(outside, "secret.txt"), SECRET);
  const app = writeApp(path.join(base, "app"), {
    "host.json": { version: "2.0" },
    "local.settings.json": { IsEncrypted: false, Values: {} },
    "ping/function.json": { bindings: [{ authLevel: "anonymous", type: "httpTrigger", direction: "in", name: "req" }, { type: "http", direction: "out", name: "$return" }] },
    "ping/index.js": `module.exports = async function () { return "pong"; };`,
    "wwwroot/index.html": "<h1>home</h1>",
    "wwwroot/sub/page.txt": "a page",
  });
  const www = path.join(app, "wwwroot");
  fs.symlinkSync(outside, path.join(www, "out-dir")); // a folder outside
  fs.symlinkSync(path.join(outside, "secret.txt"), path.join(www, "out-file.txt")); // a file outside
  fs.symlinkSync("/etc", path.join(www, "etc-link"));
  fs.symlinkSync(path.join(www, "sub"), path.join(www, "in-dir")); // a folder inside: allowed
  fs.symlinkSync("sub/page.txt", path.join(www, "in-file.txt")); // a relative link inside: allowed
  return app;
}

/** GET a path written byte for byte (Node's client would refuse some of these). */
function rawGet(port, target) {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: "127.0.0.1", port });
    const chunks = [];
    socket.setTimeout(10000, () => socket.destroy(new Error("raw request timed out")));
    socket.on("connect", () => socket.write(Buffer.from(`GET ${target} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n`, "latin1")));
    socket.on("data", (c) => chunks.push(c));
    socket.on("error", reject);
    socket.on("close", () => {
      const text = Buffer.concat(chunks).toString("utf8");
      const m = /^HTTP\/1\.1 (\d+)/.exec(text);
      resolve({ status: m ? Number(m[1]) : 0, text, body: text.slice(text.indexOf("\r\n\r\n") + 4) });
    });
  });
}

describe("functions host: static files stay inside wwwroot", () => {
  let host;
  before(
    logged(async () => {
      host = await startHost({ app: staticApp() });
    }),
  );
  after(async () => {
    await host?.stop();
  });

  test(
    "wwwroot files and links that stay inside it are served",
    logged(async () => {
      let res = await callFn(host, "GET", "/");
      expectFnStatus(res, 200, "/");
      assert.equal(res.text, "<h1>home</h1>");
      res = await callFn(host, "GET", "/in-dir/page.txt");
      expectFnStatus(res, 200, "a link to a folder inside wwwroot");
      assert.equal(res.text, "a page");
      res = await callFn(host, "GET", "/in-file.txt");
      expectFnStatus(res, 200, "a link to a file inside wwwroot");
      assert.equal(res.text, "a page");
    }),
  );

  test(
    "a symbolic link to a folder outside wwwroot is 404",
    logged(async () => {
      for (const p of ["/out-dir/secret.txt", "/etc-link/passwd", "/etc-link/hostname"]) {
        const res = await callFn(host, "GET", p);
        expectFnError(res, 404, [/No function/], p);
        assert.ok(!res.text.includes(SECRET), `${p} leaks the file`);
      }
    }),
  );

  test(
    "a symbolic link to a file outside wwwroot is 404",
    logged(async () => {
      const res = await callFn(host, "GET", "/out-file.txt");
      expectFnError(res, 404, [/No function/], "/out-file.txt");
      assert.ok(!res.text.includes(SECRET));
    }),
  );

  test(
    "`..` plain or percent-encoded does not leave wwwroot",
    logged(async () => {
      for (const target of ["/../outside/secret.txt", "/%2e%2e/outside/secret.txt", "/sub/%2E%2E/%2e%2e/outside/secret.txt", "/..%2foutside%2fsecret.txt", "/sub/..%2f..%2f..%2foutside/secret.txt"]) {
        const res = await rawGet(host.port, target);
        assert.equal(res.status, 404, `${target}: ${res.text}`);
        assert.ok(!res.body.includes(SECRET), `${target} leaks the file`);
      }
    }),
  );

  test(
    "NUL and other control characters in a path are a 400 (no truncation to index.html)",
    logged(async () => {
      for (const p of ["/index.html%00.txt", "/index.html%00", "/sub/page.txt%0a", "/%01index.html", "/index.html%7F", "/api/ping%00"]) {
        const res = await callFn(host, "GET", p);
        expectFnError(res, 400, [/control character/], p);
        assert.ok(!res.text.includes("<h1>home</h1>"), `${p} served index.html`);
      }
    }),
  );
});
