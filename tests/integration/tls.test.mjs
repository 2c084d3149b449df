// TLS on the service and on `start` (--tls-cert, --tls-key): the test makes its own CA and server
// certificates with openssl; the official SignalR client (in a child node process trusting the CA
// through NODE_EXTRA_CA_CERTS) connects over wss, SSE and long polling; REST calls go over https;
// SIGHUP swaps the certificate for new connections only; bad files stop the start with an error
// naming the file; plain HTTP and a handshake that never completes are closed.
import { test, describe, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFileSync, spawn } from "node:child_process";
import fs from "node:fs";
import https from "node:https";
import net from "node:net";
import path from "node:path";
import readline from "node:readline";
import tls from "node:tls";
import WebSocket from "ws";
import {
  BINARY, REPO_ROOT, API, captureProcess, trackProcess, stopProcess, freePort, logged, mintToken,
  sleep, waitFor, withTimeout,
} from "./helpers.mjs";
import { APPS, copyApp, writeApp, tempDir, removeTempDirs, runToExit } from "./functions-helpers.mjs";

let dir;
let ca; // path of the CA certificate
const certs = {}; // name -> { cert, key, serial }

function openssl(...args) {
  execFileSync("openssl", args, { cwd: dir, stdio: ["ignore", "ignore", "pipe"] });
}

// A server certificate for localhost and 127.0.0.1 signed by the test CA; `cert` holds the chain
// (server certificate, then the CA).
function makeServerCert(name, serial) {
  const key = path.join(dir, `${name}.key`);
  const csr = path.join(dir, `${name}.csr`);
  const leaf = path.join(dir, `${name}.leaf.pem`);
  const ext = path.join(dir, `${name}.ext`);
  fs.writeFileSync(ext, "subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n");
  openssl("req", "-new", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", csr, "-subj", `/CN=localhost ${name}`);
  openssl("x509", "-req", "-in", csr, "-CA", "ca.pem", "-CAkey", "ca.key", "-set_serial", `0x${serial}`,
    "-days", "2", "-extfile", ext, "-out", leaf);
  const cert = path.join(dir, `${name}.pem`);
  fs.writeFileSync(cert, fs.readFileSync(leaf, "utf8") + fs.readFileSync(ca, "utf8"));
  certs[name] = { cert, key, serial };
}

before(() => {
  dir = tempDir("sb-tls-");
  ca = path.join(dir, "ca.pem");
  openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.pem", "-days", "2",
    "-subj", "/CN=Switchboard test CA", "-addext", "basicConstraints=critical,CA:TRUE",
    "-addext", "keyUsage=critical,keyCertSign,cRLSign");
  makeServerCert("first", "1001");
  makeServerCert("second", "2002");
});
after(removeTempDirs);

// ---------------------------------------------------------------------------
// Processes

/** Runs the binary with `args` until `banner` appears on stdout; resolves with the record. */
async function startTls(args, { env = {}, banner, label } = {}) {
  const proc = spawn(BINARY, args, {
    cwd: REPO_ROOT, env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"],
  });
  const record = captureProcess(proc, { proc, args, label, stdout: "", stderr: "", log: "", exited: false });
  trackProcess(record);
  try {
    await waitFor(() => banner.test(record.stdout) || record.exited, { timeout: 20000, message: `banner of ${args[0]}` });
  } catch (e) {
    await stopProcess(record);
    throw new Error(`${e.message}\n${record.log}`);
  }
  if (record.exited) throw new Error(`switchboard ${args[0]} exited at start:\n${record.log}`);
  return record;
}

async function startTlsService(name, extra = []) {
  const port = await freePort();
  const key = `key-${Date.now()}-tls`;
  const svc = await startTls(
    ["service", "--bind", "127.0.0.1", "--port", String(port), "--access-key", key,
      "--tls-cert", certs[name].cert, "--tls-key", certs[name].key, ...extra],
    { banner: /Health:/, label: `switchboard service (TLS) :${port}` },
  );
  return Object.assign(svc, { port, key });
}

/** One HTTPS request trusting the test CA. Resolves with {status, text, json}. */
function httpsRequest(port, method, p, { headers = {}, body, localAddress } = {}) {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : Buffer.from(typeof body === "string" ? body : JSON.stringify(body));
    const h = { ...headers };
    if (payload) h["Content-Length"] = payload.length;
    const req = https.request({
      host: "localhost", servername: "localhost", port, method, path: p, headers: h, ca: fs.readFileSync(ca), agent: false,
      localAddress,
    });
    req.setTimeout(10000, () => req.destroy(new Error(`${method} ${p} timed out`)));
    req.on("response", (res) => {
      const chunks = [];
      res.on("data", (c) => chunks.push(c));
      res.on("end", () => {
        const text = Buffer.concat(chunks).toString("utf8");
        let json;
        try {
          json = JSON.parse(text);
        } catch {
          json = undefined;
        }
        resolve({ status: res.statusCode, text, json });
      });
    });
    req.on("error", reject);
    if (payload) req.write(payload);
    req.end();
  });
}

function restBroadcast(svc, target, args) {
  const p = `/api/hubs/chat/:send?${API}`;
  const token = mintToken(svc.key, { aud: `https://localhost${p}` });
  return httpsRequest(svc.port, "POST", p, {
    headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" },
    body: { target, arguments: args },
  });
}

/** The serial number (hex, upper case) of the certificate a new TLS connection to `port` gets. */
function peerSerial(port) {
  return new Promise((resolve, reject) => {
    const socket = tls.connect({ host: "127.0.0.1", port, servername: "localhost", ca: fs.readFileSync(ca) }, () => {
      const serial = socket.getPeerCertificate().serialNumber;
      socket.end();
      resolve(serial.replace(/^0+/, "").toUpperCase());
    });
    socket.on("error", reject);
  });
}

// ---------------------------------------------------------------------------
// The SignalR client in a child process

const children = new Set();

async function signalRClient(config) {
  const proc = spawn(process.execPath, [path.join(REPO_ROOT, "tests/integration/tls-client.mjs"), JSON.stringify(config)], {
    cwd: REPO_ROOT, env: { ...process.env, NODE_EXTRA_CA_CERTS: ca }, stdio: ["pipe", "pipe", "pipe"],
  });
  const client = { proc, events: [], stderr: "", nextId: 1, exited: false };
  children.add(client);
  proc.on("exit", () => {
    client.exited = true;
    children.delete(client);
  });
  proc.stderr.setEncoding("utf8");
  proc.stderr.on("data", (d) => (client.stderr += d));
  readline.createInterface({ input: proc.stdout }).on("line", (line) => client.events.push(JSON.parse(line)));
  client.waitEvent = async (pred, message) => {
    await waitFor(() => client.events.some(pred) || client.exited, { timeout: 15000, message });
    const found = client.events.find(pred);
    assert.ok(found, `${message}: the client ended; events ${JSON.stringify(client.events)} stderr ${client.stderr}`);
    return found;
  };
  client.invoke = async (method, ...args) => {
    const id = client.nextId++;
    proc.stdin.write(JSON.stringify({ op: "invoke", id, method, args }) + "\n");
    return client.waitEvent((e) => e.id === id, `the answer to ${method}`);
  };
  client.stop = async () => {
    if (client.exited) return;
    proc.stdin.write(JSON.stringify({ op: "stop" }) + "\n");
    await withTimeout(new Promise((r) => proc.once("exit", r)), 10000, "the client stopping").catch(() => proc.kill("SIGKILL"));
  };
  const first = await client.waitEvent((e) => e.event === "connected" || e.event === "error", "the client connecting");
  assert.equal(first.event, "connected", `the client could not connect: ${JSON.stringify(first)} ${client.stderr}`);
  return client;
}

after(() => {
  for (const c of children) c.proc.kill("SIGKILL");
});

// ---------------------------------------------------------------------------

describe("switchboard service with --tls-cert/--tls-key", () => {
  let svc;
  before(async () => {
    svc = await startTlsService("first", ["--header-timeout", "1"]);
  });
  after(() => stopProcess(svc));

  test(
    "the banner names https:// everywhere; REST calls work over https",
    logged(async () => {
      assert.match(svc.stdout, new RegExp(`listening on https://127\\.0\\.0\\.1:${svc.port}`));
      assert.match(svc.stdout, new RegExp(`Connection string: Endpoint=https://localhost;Port=${svc.port};`));
      assert.match(svc.stdout, new RegExp(`Client endpoint: +https://localhost:${svc.port}/client/`));
      assert.doesNotMatch(svc.stdout, /http:\/\//);
      const health = await httpsRequest(svc.port, "GET", "/api/health");
      assert.equal(health.status, 200, health.text);
      assert.equal(await peerSerial(svc.port), "1001");
    }),
  );

  for (const transport of ["WebSockets", "ServerSentEvents", "LongPolling"]) {
    test(
      `the official client connects over ${transport} through TLS and receives a REST broadcast`,
      logged(async () => {
        const token = mintToken(svc.key, { aud: "https://localhost/client/?hub=chat", user: `tls-${transport}` });
        const client = await signalRClient({
          url: `https://localhost:${svc.port}/client/?hub=chat`, token, transport, targets: ["newMessage"],
        });
        try {
          const tag = `over ${transport}`;
          const sent = await restBroadcast(svc, "newMessage", [tag]);
          assert.equal(sent.status, 202, sent.text);
          const got = await client.waitEvent((e) => e.event === "message" && e.args[0] === tag, `${tag} delivered`);
          assert.deepEqual(got.args, [tag]);
        } finally {
          await client.stop();
        }
        assert.ok(client.events.some((e) => e.event === "closed" && e.error === null), JSON.stringify(client.events));
      }),
    );
  }

  test(
    "plain HTTP to the TLS port gets no HTTP answer and the connection is closed",
    logged(async () => {
      const received = await new Promise((resolve, reject) => {
        const socket = net.connect({ host: "127.0.0.1", port: svc.port }, () => {
          socket.write("GET /api/health HTTP/1.1\r\nHost: localhost\r\n\r\n");
        });
        const chunks = [];
        socket.on("data", (d) => chunks.push(d));
        socket.on("close", () => resolve(Buffer.concat(chunks)));
        socket.on("error", () => {});
        setTimeout(() => reject(new Error("the plain HTTP connection was not closed within 10 s")), 10000);
      });
      assert.ok(!received.toString("latin1").startsWith("HTTP/"), `a plain HTTP answer: ${received.toString("latin1")}`);
      const health = await httpsRequest(svc.port, "GET", "/api/health");
      assert.equal(health.status, 200, "the service still serves TLS clients");
    }),
  );

  test(
    "a client that opens a TLS connection and never completes the handshake is closed by the header timeout",
    logged(async () => {
      const outcome = await new Promise((resolve) => {
        const socket = net.connect({ host: "127.0.0.1", port: svc.port }, () => {
          // The first bytes of a TLS record header (a handshake record), and nothing more.
          socket.write(Buffer.from([0x16, 0x03, 0x01]));
        });
        socket.on("close", () => resolve("closed"));
        socket.on("error", () => {});
        setTimeout(() => {
          socket.destroy();
          resolve("still open after 10 s");
        }, 10000);
      });
      assert.equal(outcome, "closed", "the stalled handshake (header timeout 1 s)");
    }),
  );
});

describe("per-address limits over TLS see each client's own address", () => {
  // The TLS relay hands the HTTP session one end of a socket pair; the client's address is the one
  // accept() reported, not that socket's peer (which made every TLS client one address before).
  const negotiate = (svc, from, user) =>
    httpsRequest(svc.port, "POST", "/client/negotiate?hub=chat&negotiateVersion=1", {
      headers: { Authorization: `Bearer ${mintToken(svc.key, { aud: "https://localhost/client/?hub=chat", user })}` },
      localAddress: from,
    });

  test(
    "--negotiate-rate counts per client address over https",
    logged(async () => {
      const svc = await startTlsService("first", ["--negotiate-rate", "1", "--negotiate-burst", "1"]);
      try {
        assert.equal((await negotiate(svc, "127.0.0.1", "a")).status, 200);
        assert.equal((await negotiate(svc, "127.0.0.2", "b")).status, 200, "another address has its own budget");
        const again = await negotiate(svc, "127.0.0.2", "b");
        assert.equal(again.status, 429, `the same address over its budget: ${again.text}`);
      } finally {
        await stopProcess(svc);
      }
    }),
  );

  test(
    "--max-connections-per-ip counts WebSocket connections per client address over wss",
    logged(async () => {
      const svc = await startTlsService("first", ["--max-connections-per-ip", "1"]);
      const sockets = [];
      const open = async (from, user) => {
        const neg = await negotiate(svc, from, user);
        assert.equal(neg.status, 200, `negotiate from ${from}: ${neg.text}`);
        const token = mintToken(svc.key, { aud: "https://localhost/client/?hub=chat", user });
        const url = `wss://localhost:${svc.port}/client/?hub=chat&id=${encodeURIComponent(neg.json.connectionToken)}` +
          `&access_token=${encodeURIComponent(token)}`;
        const ws = new WebSocket(url, { ca: fs.readFileSync(ca), servername: "localhost", localAddress: from });
        sockets.push(ws);
        await new Promise((resolve, reject) => {
          ws.once("open", resolve);
          ws.once("unexpected-response", (_req, res) => reject(new Error(`upgrade from ${from}: HTTP ${res.statusCode}`)));
          ws.once("error", reject);
        });
      };
      try {
        await open("127.0.0.1", "first");
        await open("127.0.0.2", "second"); // refused (429) when every TLS client was one address
        const third = await negotiate(svc, "127.0.0.2", "third");
        assert.equal(third.status, 429, `a second connection from 127.0.0.2 is over the limit: ${third.text}`);
      } finally {
        for (const ws of sockets) ws.terminate();
        await stopProcess(svc);
      }
    }),
  );
});

describe("SIGHUP reloads the certificate", () => {
  let svc;
  let files;
  before(async () => {
    // The service reads copies, which the test overwrites.
    files = { cert: path.join(dir, "live.pem"), key: path.join(dir, "live.key") };
    fs.copyFileSync(certs.first.cert, files.cert);
    fs.copyFileSync(certs.first.key, files.key);
    const port = await freePort();
    svc = await startTls(
      ["service", "--bind", "127.0.0.1", "--port", String(port), "--access-key", "reload-key",
        "--tls-cert", files.cert, "--tls-key", files.key],
      { banner: /Health:/, label: `switchboard service (TLS reload) :${port}` },
    );
    Object.assign(svc, { port, key: "reload-key" });
  });
  after(() => stopProcess(svc));

  test(
    "new connections get the new certificate, a connected client stays, a bad file keeps the current one",
    logged(async () => {
      assert.equal(await peerSerial(svc.port), "1001");
      const token = mintToken(svc.key, { aud: "https://localhost/client/?hub=chat" });
      const client = await signalRClient({
        url: `https://localhost:${svc.port}/client/?hub=chat`, token, transport: "WebSockets", targets: ["newMessage"],
      });
      try {
        fs.copyFileSync(certs.second.cert, files.cert);
        fs.copyFileSync(certs.second.key, files.key);
        svc.proc.kill("SIGHUP");
        await waitFor(() => /TLS certificate reloaded/.test(svc.log), { timeout: 5000, message: "the reload logged" });
        assert.match(svc.log, /TLS certificate reloaded from .*serial 2002/);
        assert.equal(await peerSerial(svc.port), "2002", "a new connection sees the new certificate");

        const sent = await restBroadcast(svc, "newMessage", ["after reload"]);
        assert.equal(sent.status, 202, sent.text);
        await client.waitEvent((e) => e.event === "message" && e.args[0] === "after reload", "the connected client still served");
        assert.ok(!client.events.some((e) => e.event === "closed"), "the connected client was not closed");

        // A broken certificate file: logged, the current certificate stays.
        fs.writeFileSync(files.cert, "not a certificate\n");
        svc.proc.kill("SIGHUP");
        await waitFor(() => /TLS certificate not reloaded/.test(svc.log), { timeout: 5000, message: "the failed reload logged" });
        assert.match(svc.log, new RegExp(`TLS certificate not reloaded.*'${files.cert.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")}'`));
        assert.equal(await peerSerial(svc.port), "2002", "the current certificate stays after a bad reload");
        assert.ok(!svc.exited, "the service keeps running");

        // A key that does not match the certificate: the same.
        fs.copyFileSync(certs.first.cert, files.cert);
        svc.proc.kill("SIGHUP");
        await waitFor(() => /does not match/.test(svc.log), { timeout: 5000, message: "the mismatch logged" });
        assert.equal(await peerSerial(svc.port), "2002");
      } finally {
        await client.stop();
      }
    }),
  );
});

describe("bad TLS options stop the start with a precise error", () => {
  const run = (extra) =>
    runToExit(BINARY, ["service", "--bind", "127.0.0.1", "--port", "0", "--access-key", "k", ...extra], { timeout: 10000 });

  test(
    "only one of --tls-cert and --tls-key",
    logged(async () => {
      let r = await run(["--tls-cert", certs.first.cert]);
      assert.equal(r.code, 2, r.log);
      assert.match(r.stderr, /--tls-cert needs --tls-key/);
      r = await run(["--tls-key", certs.first.key]);
      assert.equal(r.code, 2, r.log);
      assert.match(r.stderr, /--tls-key needs --tls-cert/);
    }),
  );

  test(
    "a missing file, a file that is no certificate, a key that is no key, a key of another certificate",
    logged(async () => {
      const missing = path.join(dir, "missing.pem");
      let r = await run(["--tls-cert", missing, "--tls-key", certs.first.key]);
      assert.equal(r.code, 2, r.log);
      assert.ok(r.stderr.includes(`Cannot read the TLS certificate file '${missing}': No such file or directory`), r.stderr);

      r = await run(["--tls-cert", certs.first.key, "--tls-key", certs.first.key]);
      assert.equal(r.code, 2, r.log);
      assert.ok(r.stderr.includes(`The TLS certificate file '${certs.first.key}' holds no usable PEM certificate`), r.stderr);

      r = await run(["--tls-cert", certs.first.cert, "--tls-key", certs.first.cert]);
      assert.equal(r.code, 2, r.log);
      assert.ok(r.stderr.includes(`The TLS key file '${certs.first.cert}' holds no usable PEM private key`), r.stderr);

      r = await run(["--tls-cert", certs.first.cert, "--tls-key", certs.second.key]);
      assert.equal(r.code, 2, r.log);
      assert.ok(
        r.stderr.includes(`The TLS key file '${certs.second.key}' does not match the certificate in '${certs.first.cert}'`),
        r.stderr,
      );
    }),
  );
});

describe("switchboard start with TLS (from the environment)", () => {
  let host;
  let hostPort;
  let servicePort;
  before(async () => {
    const app = copyApp(path.join(APPS, "trigger-js"));
    writeApp(app, {
      "negotiate/function.json": JSON.stringify({
        bindings: [
          { authLevel: "anonymous", type: "httpTrigger", direction: "in", name: "req", methods: ["post"] },
          { type: "http", direction: "out", name: "res" },
          { type: "signalRConnectionInfo", name: "connectionInfo", hubName: "chat", direction: "in" },
        ],
      }),
      "negotiate/index.js": "module.exports = async function (context) {\n  context.res = { body: context.bindings.connectionInfo };\n};\n",
    });
    hostPort = await freePort();
    servicePort = await freePort();
    host = await startTls(["start", app, "--port", String(hostPort), "--service-port", String(servicePort)], {
      env: { SWITCHBOARD_TLS_CERT: certs.first.cert, SWITCHBOARD_TLS_KEY: certs.first.key },
      banner: /master key:\s+\S+/,
      label: "switchboard start (TLS)",
    });
    host.port = hostPort;
  });
  after(() => stopProcess(host));

  test(
    "both ports serve TLS; the banner, the connection string and the connection info name https",
    logged(async () => {
      assert.match(host.stdout, new RegExp(`SignalR service listening on https://127\\.0\\.0\\.1:${servicePort}`));
      assert.match(host.stdout, new RegExp(`Connection string: Endpoint=https://localhost;Port=${servicePort};`));
      assert.match(host.stdout, new RegExp(`Functions host listening on https://localhost:${hostPort}`));
      assert.match(host.stdout, new RegExp(`https://localhost:${hostPort}/runtime/webhooks/signalr\\?code=`));
      assert.equal(await peerSerial(servicePort), "1001");
      assert.equal(await peerSerial(hostPort), "1001");
      const info = await httpsRequest(hostPort, "POST", "/api/negotiate");
      assert.equal(info.status, 200, info.text);
      assert.equal(info.json.url, `https://localhost:${servicePort}/client/?hub=chat`);
    }),
  );

  test(
    "the official client negotiates with the host and connects over wss; the service's upstream call to the host's webhook is verified",
    logged(async () => {
      const client = await signalRClient({
        url: `https://localhost:${hostPort}/api`, transport: "WebSockets", targets: ["newMessage"],
      });
      try {
        const answer = await client.invoke("broadcast", "hello over tls");
        assert.equal(answer.event, "result", JSON.stringify(answer));
        assert.equal(answer.result.echo, "hello over tls");
        await client.waitEvent((e) => e.event === "message" && e.args[0] === "hello over tls", "the function's broadcast");
      } finally {
        await client.stop();
      }
    }),
  );
});

describe("switchboard functions with --tls-cert/--tls-key", () => {
  let host;
  let hostPort;
  before(async () => {
    const app = copyApp(path.join(APPS, "trigger-js"));
    writeApp(app, {
      "url/function.json": JSON.stringify({
        bindings: [
          { authLevel: "anonymous", type: "httpTrigger", direction: "in", name: "req", methods: ["get"] },
          { type: "http", direction: "out", name: "res" },
        ],
      }),
      "url/index.js": "module.exports = async function (context, req) {\n  context.res = { body: { url: req.url } };\n};\n",
    });
    hostPort = await freePort();
    host = await startTls(
      ["functions", app, "--port", String(hostPort), "--tls-cert", certs.second.cert, "--tls-key", certs.second.key],
      {
        // The service it names need not run for these checks.
        env: { AzureSignalRConnectionString: "Endpoint=http://localhost;Port=1;AccessKey=unused-key;Version=1.0;" },
        banner: /master key:\s+\S+/,
        label: "switchboard functions (TLS)",
      },
    );
  });
  after(() => stopProcess(host));

  test(
    "the host serves https: its banner, the webhook URL and a function's req.url say so",
    logged(async () => {
      assert.match(host.stdout, new RegExp(`Functions host listening on https://localhost:${hostPort}`));
      assert.match(host.stdout, new RegExp(`url: \\[GET\\] https://localhost:${hostPort}/api/url`));
      assert.match(host.stdout, new RegExp(`https://localhost:${hostPort}/runtime/webhooks/signalr\\?code=`));
      assert.equal(await peerSerial(hostPort), "2002");
      const res = await httpsRequest(hostPort, "GET", "/api/url?x=1");
      assert.equal(res.status, 200, res.text);
      assert.equal(res.json.url, `https://localhost:${hostPort}/api/url?x=1`);
      // req.url is built from a bare host[:port] only: a Host with a path, query or fragment
      // cannot re-shape it (the host's own address is used instead).
      const named = await httpsRequest(hostPort, "GET", "/api/url?x=1", { headers: { Host: "Node-B.Example:9443" } });
      assert.equal(named.json.url, "https://node-b.example:9443/api/url?x=1");
      const reshaped = await httpsRequest(hostPort, "GET", "/api/url?x=1", { headers: { Host: "evil.example/other?y#" } });
      assert.equal(reshaped.json.url, `https://localhost:${hostPort}/api/url?x=1`);
    }),
  );
});
