// Startup, connection string, client negotiate and client token validation.
import { test, describe, before, after, afterEach } from "node:test";
import assert from "node:assert/strict";
import crypto from "node:crypto";
import {
  signalR,
  startService,
  startNegotiateFixture,
  connectClient,
  stopAllClients,
  serviceNegotiate,
  rawConnect,
  rawRequest,
  b64url,
  mintToken,
  clientAud,
  clientToken,
  restAud,
  restCall,
  p22,
  parseConnectionString,
  expectStatus,
  expectError,
  expectDelivery,
  broadcast,
  waitFor,
  logged,
  uid,
  withTimeout,
} from "./helpers.mjs";

const KEY1 = "primary-key-ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
const KEY2 = "secondary-key-abcdefghijklmnopqrstuvwxyz98765";

describe("service startup", () => {
  test(
    "prints its connection string and answers health",
    logged(async () => {
      const svc = await startService({ keys: [KEY1] });
      try {
        const expected = `Endpoint=http://localhost;Port=${svc.port};AccessKey=${KEY1};Version=1.0;`;
        assert.ok(svc.stdout.includes(expected), `stdout should contain ${expected}; got:\n${svc.stdout}`);
      } finally {
        await svc.stop();
      }
    }),
  );

  test(
    "without --access-key generates a key, prints it and accepts tokens signed with it",
    logged(async () => {
      const svc = await startService({ generateKey: true });
      try {
        assert.ok(svc.connectionString, `no connection string on stdout:\n${svc.stdout}`);
        const cs = parseConnectionString(svc.connectionString);
        assert.equal(cs.endpoint, "http://localhost");
        assert.equal(cs.port, String(svc.port));
        assert.equal(cs.version, "1.0");
        assert.ok(cs.accesskey && cs.accesskey.length >= 16, `generated key too short: ${cs.accesskey}`);
        const neg = await serviceNegotiate(svc, { token: mintToken(cs.accesskey, { aud: clientAud("chat") }) });
        expectStatus(neg, 200, "negotiate with generated key");
        const wrong = await serviceNegotiate(svc, { token: mintToken("not-the-key", { aud: clientAud("chat") }) });
        expectStatus(wrong, 401, "negotiate with another key");
        const rest = await restCall(svc, "POST", p22("chat", "/:send"), { body: { target: "x", arguments: [] } });
        expectStatus(rest, 202, "REST with generated key");
      } finally {
        await svc.stop();
      }
    }),
  );

  test(
    "--connection-string sets port and key",
    logged(async () => {
      const key = `cs-key-${uid()}`;
      const svc = await startService({
        connectionString: (port) => `Endpoint=http://localhost;Port=${port};AccessKey=${key};Version=1.0;`,
      });
      try {
        svc.key = key;
        const neg = await serviceNegotiate(svc, { token: mintToken(key, { aud: clientAud("chat") }) });
        expectStatus(neg, 200, "negotiate with the connection string's key");
        const rest = await restCall(svc, "POST", p22("chat", "/:send"), { body: { target: "x", arguments: [] } });
        expectStatus(rest, 202, "REST with the connection string's key");
      } finally {
        await svc.stop();
      }
    }),
  );

  test(
    "a duration beyond 2147483647 seconds (or under a millisecond) on the command line is refused, not wrapped",
    logged(async () => {
      const { execFileSync, spawnSync } = await import("node:child_process");
      const { BINARY } = await import("./helpers.mjs");
      for (const args of [
        ["service", "--port", "0", "--keep-alive-interval", "3000000000"],
        ["service", "--port", "0", "--long-polling-timeout", "1e12"],
        ["token", "--access-key", "k", "--hub", "chat", "--lifetime", "10000000000"],
      ]) {
        const run = spawnSync(BINARY, args, { encoding: "utf8", timeout: 10000 });
        assert.notEqual(run.status, 0, `${args.join(" ")} should fail`);
        assert.match(run.stderr + run.stdout, /not in range|2147483647/, args.join(" "));
      }
      // One under a millisecond would become 0 ms (durations are kept in milliseconds): refused too.
      const tiny = spawnSync(BINARY, ["service", "--port", "0", "--redis", "redis://127.0.0.1:1", "--redis-connect-timeout", "0.0001"], {
        encoding: "utf8",
        timeout: 10000,
      });
      assert.notEqual(tiny.status, 0, "--redis-connect-timeout 0.0001 should fail");
      assert.match(tiny.stderr + tiny.stdout, /--redis-connect-timeout: '0\.0001' is less than a millisecond/);
      // The largest is accepted.
      const token = execFileSync(BINARY, ["token", "--access-key", "k", "--hub", "chat", "--lifetime", "2147483647"], {
        encoding: "utf8",
      }).trim();
      const payload = JSON.parse(Buffer.from(token.split(".")[1], "base64url").toString());
      assert.equal(payload.exp - payload.iat, 2147483647);
    }),
  );

  test(
    "stops on SIGTERM (exit code 0) even with open connections, which are closed",
    logged(async () => {
      const svc = await startService({ keys: [KEY1] });
      const sfx = await startNegotiateFixture(svc);
      try {
        const c = await connectClient(sfx, { user: "alice" });
        const raw = await rawConnect(svc, { user: "bob", handshake: true });
        const t0 = Date.now();
        svc.proc.kill("SIGTERM");
        await withTimeout(svc.exitPromise, 5000, "switchboard exit after SIGTERM with open connections");
        assert.ok(svc.exited);
        assert.equal(svc.exitCode, 0, `exit code after SIGTERM (signal ${svc.exitSignal})`);
        await withTimeout(c.closed, 3000, "official client notices the shutdown");
        await withTimeout(raw.closed, 3000, "raw client notices the shutdown");
        assert.ok(Date.now() - t0 < 6000);
      } finally {
        await stopAllClients();
        await sfx.close();
        await svc.stop();
      }
    }),
  );
});

describe("client negotiate and tokens", () => {
  let svc;
  let fx;
  before(async () => {
    svc = await startService({ keys: [KEY1, KEY2] });
    fx = await startNegotiateFixture(svc);
  });
  after(async () => {
    await stopAllClients();
    await fx?.close();
    await svc?.stop();
  });
  afterEach(async () => {
    await stopAllClients();
  });

  test(
    "POST /client/negotiate answers a v1 negotiate body",
    logged(async () => {
      const res = await serviceNegotiate(svc, { hub: "chat", user: "alice" });
      expectStatus(res, 200, "negotiate");
      assert.match(String(res.headers["content-type"]), /application\/json/);
      const b = res.json;
      assert.ok(b, `body is not JSON: ${res.text}`);
      assert.equal(b.negotiateVersion, 1);
      assert.equal(typeof b.connectionId, "string");
      assert.ok(b.connectionId.length > 0);
      assert.equal(typeof b.connectionToken, "string");
      assert.match(b.connectionToken, /^[A-Za-z0-9_-]+$/, "connectionToken must be URL-safe");
      assert.notEqual(b.connectionToken, b.connectionId, "connectionToken must differ from connectionId");
      assert.ok(Array.isArray(b.availableTransports), "availableTransports must be an array");
      const wsT = b.availableTransports.find((t) => t.transport === "WebSockets");
      assert.ok(wsT, `WebSockets must be offered: ${res.text}`);
      assert.ok(wsT.transferFormats.includes("Text"), "WebSockets must offer Text");
      assert.equal(b.useStatefulReconnect, undefined, "must not offer stateful reconnect unasked");
      assert.equal(b.error, undefined);
      assert.equal(b.url, undefined);

      const res2 = await serviceNegotiate(svc, { hub: "chat", user: "alice" });
      expectStatus(res2, 200, "second negotiate");
      assert.notEqual(res2.json.connectionId, b.connectionId, "each negotiate gets a new connection id");
      assert.notEqual(res2.json.connectionToken, b.connectionToken);
    }),
  );

  test(
    "negotiate accepts a token signed with the secondary key, and audience with port / 127.0.0.1",
    logged(async () => {
      const bySecondary = await serviceNegotiate(svc, { token: mintToken(KEY2, { aud: clientAud("chat") }) });
      expectStatus(bySecondary, 200, "secondary key");
      const withPort = await serviceNegotiate(svc, {
        token: mintToken(KEY1, { aud: `http://127.0.0.1:${svc.port}/client/?hub=chat` }),
      });
      expectStatus(withPort, 200, "aud with 127.0.0.1 and port");
      const localhostPort = await serviceNegotiate(svc, {
        token: mintToken(KEY1, { aud: `http://localhost:${svc.port}/client/?hub=chat` }),
      });
      expectStatus(localhostPort, 200, "aud with localhost and port");
      const noUser = await serviceNegotiate(svc, { token: mintToken(KEY1, { aud: clientAud("chat") }) });
      expectStatus(noUser, 200, "token without user");
    }),
  );

  test(
    "negotiate: 401 when the token is missing",
    logged(async () => {
      const res = await serviceNegotiate(svc, { token: null });
      expectError(res, 401, { code: "Unauthorized", message: /missing|no access token/i });
    }),
  );

  test(
    "negotiate: 401 when the token is expired",
    logged(async () => {
      const res = await serviceNegotiate(svc, { token: mintToken(KEY1, { aud: clientAud("chat"), lifetime: -600 }) });
      expectError(res, 401, { code: "Unauthorized", message: /expired/i });
    }),
  );

  test(
    "negotiate: 401 when the token is signed with another key",
    logged(async () => {
      const res = await serviceNegotiate(svc, { token: mintToken("some-other-key-0123456789", { aud: clientAud("chat") }) });
      expectError(res, 401, { code: "Unauthorized", message: /signature/i });
    }),
  );

  test(
    "negotiate: 401 when the audience is another hub's client URL",
    logged(async () => {
      const res = await serviceNegotiate(svc, { hub: "chat", token: mintToken(KEY1, { aud: clientAud("otherhub") }) });
      expectError(res, 401, { code: "Unauthorized", message: /audience/i });
    }),
  );

  test(
    "negotiate: 401 when the audience is a REST URL",
    logged(async () => {
      const res = await serviceNegotiate(svc, {
        hub: "chat",
        token: mintToken(KEY1, { aud: restAud(`/api/hubs/chat/:send?api-version=2022-06-01`) }),
      });
      expectError(res, 401, { code: "Unauthorized", message: /audience/i });
    }),
  );

  test(
    "a token whose aud is an array is accepted when any element names this service (JWT aud)",
    logged(async () => {
      const second = await serviceNegotiate(svc, {
        token: mintToken(KEY1, { aud: ["https://elsewhere.example/client/?hub=chat", clientAud("chat")] }),
      });
      expectStatus(second, 200, "the matching audience second");
      const rest = await restCall(svc, "POST", "/api/hubs/chat/:send?api-version=2022-06-01", {
        token: mintToken(KEY1, { aud: ["https://elsewhere.example/api/hubs/chat", restAud("/api/hubs/chat")] }),
        body: { target: "x", arguments: [] },
      });
      expectStatus(rest, 202, "REST with the matching audience second");
      const none = await serviceNegotiate(svc, {
        token: mintToken(KEY1, { aud: ["https://a.example/client/?hub=chat", clientAud("otherhub")] }),
      });
      expectError(none, 401, {
        code: "Unauthorized",
        message: /audience 'https:\/\/a\.example\/client\/\?hub=chat, http:\/\/localhost\/client\/\?hub=otherhub'/,
      });
    }),
  );

  test(
    "negotiate: 401 for a signature spelled with base64 padding (JWS allows one encoding)",
    logged(async () => {
      const good = mintToken(KEY1, { aud: clientAud("chat") });
      expectStatus(await serviceNegotiate(svc, { token: good }), 200, "the token as minted");
      for (const padded of [`${good}=`, `${good}==`]) {
        const res = await serviceNegotiate(svc, { token: padded });
        expectError(res, 401, { code: "Unauthorized", message: /signature/i });
      }
    }),
  );

  test(
    "negotiate: 401 for a malformed token",
    logged(async () => {
      const res = await serviceNegotiate(svc, { token: "not.a.jwt" });
      expectError(res, 401, { code: "Unauthorized" });
    }),
  );

  test(
    "official client connects through a negotiate fixture with no special options",
    logged(async () => {
      const c = await connectClient(fx, { user: "alice" });
      assert.equal(c.connection.state, signalR.HubConnectionState.Connected);
      assert.equal(typeof c.id, "string");
      assert.ok(c.id.length > 0);
      // connectionId is the service connection id usable in REST.
      const exists = await restCall(svc, "HEAD", p22("chat", `/connections/${encodeURIComponent(c.id)}`));
      expectStatus(exists, 200, "connection exists");
      const user = await restCall(svc, "HEAD", p22("chat", "/users/alice"));
      expectStatus(user, 200, "user alice exists (asrs.s.uid claim)");
      const tag = uid("t");
      await broadcast(svc, "chat", "newMessage", [tag, "hello"]);
      await expectDelivery(svc, { tag, receivers: [c], args: [tag, "hello"] });

      // A client stop removes the connection.
      await c.stop();
      await waitFor(
        async () => (await restCall(svc, "HEAD", p22("chat", `/connections/${encodeURIComponent(c.id)}`))).status === 404,
        { timeout: 3000, message: "connection gone after client stop" },
      );
    }),
  );

  test(
    "official client with transport: WebSockets",
    logged(async () => {
      const c = await connectClient(fx, { user: "bob", transport: signalR.HttpTransportType.WebSockets });
      assert.equal(c.connection.state, signalR.HubConnectionState.Connected);
      const tag = uid("t");
      await broadcast(svc, "chat", "newMessage", [tag]);
      await expectDelivery(svc, { tag, receivers: [c] });
    }),
  );

  test(
    "official client fails to start when the fixture hands out an expired or foreign token",
    logged(async () => {
      for (const tokenFor of [
        (hub, user) => mintToken(KEY1, { aud: clientAud(hub), user, lifetime: -600 }),
        (hub, user) => mintToken("wrong-key-xxxxxxxxxxxxxxxx", { aud: clientAud(hub), user }),
        (hub, user) => mintToken(KEY1, { aud: clientAud("elsewhere"), user }),
      ]) {
        const badFx = await startNegotiateFixture(svc, { tokenFor });
        try {
          await assert.rejects(connectClient(badFx, { user: "mallory" }), (e) => {
            assert.match(String(e?.message ?? e), /401|unauthorized/i);
            return true;
          });
        } finally {
          await badFx.close();
        }
      }
      const u = await restCall(svc, "HEAD", p22("chat", "/users/mallory"));
      expectStatus(u, 404, "mallory never connected");
    }),
  );

  test(
    "negotiate: tokens with alg none or an unsupported algorithm are rejected",
    logged(async () => {
      const payload = b64url(JSON.stringify({ aud: clientAud("chat"), exp: Math.floor(Date.now() / 1000) + 3600 }));
      const none = `${b64url(JSON.stringify({ alg: "none", typ: "JWT" }))}.${payload}.`;
      expectError(await serviceNegotiate(svc, { token: none }), 401, { code: "Unauthorized", what: "alg none" });
      // alg none header but a valid HS256 signature over it must not pass either
      const hdr = b64url(JSON.stringify({ alg: "none", typ: "JWT" }));
      const sig = b64url(crypto.createHmac("sha256", Buffer.from(KEY1)).update(`${hdr}.${payload}`).digest());
      expectError(await serviceNegotiate(svc, { token: `${hdr}.${payload}.${sig}` }), 401, { code: "Unauthorized", what: "alg none, signed" });
      // a token whose signature was made with the base64-decoded key is wrong (the key is used as UTF-8 text)
      const h256 = b64url(JSON.stringify({ alg: "HS256", typ: "JWT" }));
      const sigB64 = b64url(crypto.createHmac("sha256", Buffer.from(KEY1, "base64")).update(`${h256}.${payload}`).digest());
      expectError(await serviceNegotiate(svc, { token: `${h256}.${payload}.${sigB64}` }), 401, { code: "Unauthorized", message: /signature/i });
    }),
  );

  test(
    "negotiate: hub given twice or an invalid hub is 400; extra asrs query parameters are ignored",
    logged(async () => {
      const neg = (path, token) => rawRequest({ port: svc.port, method: "POST", path, headers: { Authorization: `Bearer ${token}` } });
      expectError(await neg("/client/negotiate?hub=chat&hub=other&negotiateVersion=1", clientToken(svc, "chat")), 400, {
        code: "InvalidArgument",
        what: "hub twice",
      });
      expectError(await neg("/client/negotiate?hub=1abc&negotiateVersion=1", mintToken(KEY1, { aud: clientAud("1abc") })), 400, {
        code: "InvalidArgument",
        what: "invalid hub",
      });
      const ok = await neg(
        "/client/negotiate?hub=chat&asrs.op=%2Fchat&asrs_request_id=abc%3D&asrs_lang=en&negotiateVersion=1",
        clientToken(svc, "chat"),
      );
      expectStatus(ok, 200, "extra query parameters");
      assert.equal(ok.json.negotiateVersion, 1);
    }),
  );

  test(
    "user identity: asrs.s.uid wins over nameid; nameid is used when asrs.s.uid is absent",
    logged(async () => {
      const byNameid = await rawConnect(svc, { token: mintToken(KEY1, { aud: clientAud("chat"), claims: { nameid: "nora" } }), handshake: true });
      const both = await rawConnect(svc, {
        token: mintToken(KEY1, { aud: clientAud("chat"), user: "uid-user", claims: { nameid: "nameid-user" } }),
        handshake: true,
      });
      try {
        expectStatus(await restCall(svc, "HEAD", p22("chat", "/users/nora")), 200, "nameid user");
        expectStatus(await restCall(svc, "HEAD", p22("chat", "/users/uid-user")), 200, "asrs.s.uid user");
        expectStatus(await restCall(svc, "HEAD", p22("chat", "/users/nameid-user")), 404, "nameid ignored when asrs.s.uid is present");
      } finally {
        byNameid.close();
        both.close();
      }
    }),
  );

  test(
    "one token may open several connections",
    logged(async () => {
      const tok = clientToken(svc, "chat", "carol");
      const a = await serviceNegotiate(svc, { token: tok });
      const b = await serviceNegotiate(svc, { token: tok });
      expectStatus(a, 200);
      expectStatus(b, 200);
      assert.notEqual(a.json.connectionId, b.json.connectionId);
    }),
  );
});
