// Functions host: negotiate functions (signalRConnectionInfo), identities, principal headers,
// binding expressions and host keys, with the official client, on the functions-matrix custom-handler app.
import { test, describe, before, after, afterEach } from "node:test";
import assert from "node:assert/strict";
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { expectDelivery, restCall, p22, expectStatus, uid, freePort } from "./helpers.mjs";
import {
  startHost,
  copyApp,
  patchSettings,
  removeTempDirs,
  tempDir,
  callFn,
  expectFnStatus,
  expectFnError,
  checkConnectionInfo,
  decodeJwt,
  identityToken,
  connectFn,
  stopClients,
  expectLog,
  logged,
} from "./functions-helpers.mjs";

after(removeTempDirs);

/** Send newMessage(tag) to a user through the service's REST API. */
async function sendToUser(host, user, tag, hub = "chat") {
  const res = await restCall(host.service, "POST", p22(hub, `/users/${encodeURIComponent(user)}/:send`), {
    body: { target: "newMessage", arguments: [tag] },
  });
  expectStatus(res, 202, "REST send to user");
}

describe("functions host: negotiate (custom handler, embedded service)", () => {
  let host;
  before(
    logged(async () => {
      host = await startHost({ app: copyApp(), waitHandler: true });
    }),
  );
  after(async () => {
    await stopClients();
    await host?.stop();
  });
  afterEach(stopClients);

  test(
    "anonymous negotiate returns {url, accessToken} without a user, and the official client connects",
    logged(async () => {
      const res = await callFn(host, "POST", "/api/anon/negotiate");
      expectFnStatus(res, 200, "anonymous negotiate");
      assert.match(String(res.headers["content-type"]), /application\/json/);
      checkConnectionInfo(res.json, { servicePort: host.service.port, key: host.service.key });

      const anon = await connectFn(host, { base: "/api/anon", label: "anon" });
      assert.equal(typeof anon.id, "string");
      const tag = uid("anon-");
      await restCall(host.service, "POST", p22("chat", "/:send"), { body: { target: "newMessage", arguments: [tag] } });
      await expectDelivery(host.service, { tag, receivers: [anon] });
      await expectLog(host, /Executed 'Functions\.negotiateAnon' \(Succeeded, Id=[0-9a-f-]+, Duration=[\d.]+ms\) 200/);
    }),
  );

  test(
    "userId from a header expression ({headers.x-user-id})",
    logged(async () => {
      const user = uid("hdr-");
      const res = await callFn(host, "POST", "/api/hdr/negotiate", { headers: { "x-user-id": user } });
      expectFnStatus(res, 200, "header negotiate");
      checkConnectionInfo(res.json, { servicePort: host.service.port, key: host.service.key, user });

      const client = await connectFn(host, { base: "/api/hdr", headers: { "x-user-id": user }, label: user });
      const other = await connectFn(host, { base: "/api/anon", label: "anon" });
      const tag = uid("to-hdr-user-");
      await sendToUser(host, user, tag);
      await expectDelivery(host.service, { tag, receivers: [client], nonReceivers: [other] });
    }),
  );

  test(
    "userId from a query expression ({query.userid})",
    logged(async () => {
      const user = uid("qry-");
      const res = await callFn(host, "POST", `/api/qry/negotiate?userid=${user}&negotiateVersion=1`);
      expectFnStatus(res, 200, "query negotiate");
      checkConnectionInfo(res.json, { servicePort: host.service.port, key: host.service.key, user });

      const client = await connectFn(host, { base: "/api/qry", query: { userid: user }, label: user });
      const other = await connectFn(host, { base: "/api/qry", query: { userid: uid("other-") }, label: "other" });
      const tag = uid("to-qry-user-");
      await sendToUser(host, user, tag);
      await expectDelivery(host.service, { tag, receivers: [client], nonReceivers: [other] });
    }),
  );

  test(
    "userId from a bare expression ({user}): body property, query, route parameter — later wins",
    logged(async () => {
      const info = { servicePort: host.service.port, key: host.service.key };
      let res = await callFn(host, "POST", "/api/bind/negotiate", { body: { user: "carol" } });
      expectFnStatus(res, 200, "body user");
      checkConnectionInfo(res.json, { ...info, user: "carol" });

      res = await callFn(host, "POST", "/api/bind/negotiate?user=dave", { body: { user: "carol" } });
      expectFnStatus(res, 200, "query beats body");
      checkConnectionInfo(res.json, { ...info, user: "dave" });

      res = await callFn(host, "POST", "/api/route/erin/negotiate?user=dave", { body: { user: "carol" } });
      expectFnStatus(res, 200, "route parameter beats query and body");
      checkConnectionInfo(res.json, { ...info, user: "erin" });

      // The official client through the route-parameter negotiate.
      const user = uid("route-");
      const client = await connectFn(host, { base: `/api/route/${user}`, label: user });
      const other = await connectFn(host, { base: "/api/anon", label: "anon" });
      const tag = uid("to-route-user-");
      await sendToUser(host, user, tag);
      await expectDelivery(host.service, { tag, receivers: [client], nonReceivers: [other] });
    }),
  );

  test(
    "userId from an authenticated bearer token (HS256 identity): negotiate and the official client",
    logged(async () => {
      const info = { servicePort: host.service.port, key: host.service.key };
      const user = uid("alice-");
      const token = identityToken({ sub: user, name: "Alice" });
      let res = await callFn(host, "POST", "/api/negotiate", { token });
      expectFnStatus(res, 200, "bearer negotiate");
      checkConnectionInfo(res.json, { ...info, user });

      // nameid, then oid, when there is no sub.
      res = await callFn(host, "POST", "/api/negotiate", { token: identityToken({ nameid: "nameid-user" }) });
      expectFnStatus(res, 200, "nameid negotiate");
      checkConnectionInfo(res.json, { ...info, user: "nameid-user" });
      res = await callFn(host, "POST", "/api/negotiate", { token: identityToken({ oid: "oid-user" }) });
      expectFnStatus(res, 200, "oid negotiate");
      checkConnectionInfo(res.json, { ...info, user: "oid-user" });

      const client = await connectFn(host, { base: "/api", token, label: user });
      const other = await connectFn(host, { base: "/api", token: identityToken({ sub: uid("bob-") }), label: "bob" });
      const tag = uid("to-bearer-user-");
      await sendToUser(host, user, tag);
      await expectDelivery(host.service, { tag, receivers: [client], nonReceivers: [other] });
    }),
  );

  test(
    "a verified bearer token becomes the x-ms-client-principal* headers the function sees",
    logged(async () => {
      let res = await callFn(host, "POST", "/api/whoami", {
        token: identityToken({ sub: "u-42", name: "Ada Lovelace", roles: ["admin", "reader"], email: "ada@example.test" }),
      });
      expectFnStatus(res, 200, "whoami");
      assert.equal(res.json["x-ms-client-principal-id"], "u-42");
      assert.equal(res.json["x-ms-client-principal-name"], "Ada Lovelace");
      assert.equal(res.json["x-ms-client-principal-idp"], "switchboard");
      const principal = JSON.parse(Buffer.from(res.json["x-ms-client-principal"], "base64").toString("utf8"));
      assert.equal(typeof principal.auth_typ, "string");
      assert.ok(principal.auth_typ.length > 0);
      assert.equal(typeof principal.name_typ, "string");
      assert.equal(typeof principal.role_typ, "string");
      assert.ok(Array.isArray(principal.claims), `claims array: ${JSON.stringify(principal)}`);
      const has = (typ, val) => principal.claims.some((c) => c.typ === typ && c.val === val);
      assert.ok(has("sub", "u-42"), `sub claim in ${JSON.stringify(principal.claims)}`);
      assert.ok(has("email", "ada@example.test"), `email claim in ${JSON.stringify(principal.claims)}`);
      assert.ok(has("roles", "admin") && has("roles", "reader"), `one claim per role in ${JSON.stringify(principal.claims)}`);

      // Name fallbacks: preferred_username, unique_name, else the id.
      res = await callFn(host, "GET", "/api/whoami", { token: identityToken({ sub: "u1", preferred_username: "pref" }) });
      assert.equal(res.json["x-ms-client-principal-name"], "pref");
      res = await callFn(host, "GET", "/api/whoami", { token: identityToken({ sub: "u2", unique_name: "uniq" }) });
      assert.equal(res.json["x-ms-client-principal-name"], "uniq");
      res = await callFn(host, "GET", "/api/whoami", { token: identityToken({ sub: "u3" }) });
      assert.equal(res.json["x-ms-client-principal-id"], "u3");
      assert.equal(res.json["x-ms-client-principal-name"], "u3");
    }),
  );

  test(
    "invalid bearer tokens get 401 with a JSON error (bad signature, expired, wrong issuer, garbage)",
    logged(async () => {
      const cases = {
        "bad signature": identityToken({ sub: "x" }, { secret: "not-the-secret" }),
        expired: identityToken({ sub: "x" }, { lifetime: -600 }),
        "wrong issuer": identityToken({ sub: "x" }, { iss: "https://evil.example.test/" }),
        "not a JWT": "garbage",
      };
      for (const [what, token] of Object.entries(cases)) {
        const mark = host.logMark();
        expectFnError(await callFn(host, "POST", "/api/negotiate", { token }), 401, [], `negotiate, ${what}`);
        expectFnError(await callFn(host, "POST", "/api/whoami", { token }), 401, [], `whoami, ${what}`);
        await expectLog(host, /Executed 'Functions\.whoami' \(Failed, Id=[0-9a-f-]+, Duration=[\d.]+ms\) 401/, { since: mark });
      }
    }),
  );

  test(
    "spoofed x-ms-client-principal* headers are stripped",
    logged(async () => {
      const spoofed = {
        "x-ms-client-principal-id": "mallory",
        "x-ms-client-principal-name": "Mallory",
        "x-ms-client-principal-idp": "aad",
        "x-ms-client-principal": Buffer.from(JSON.stringify({ auth_typ: "aad", claims: [{ typ: "sub", val: "mallory" }] })).toString("base64"),
      };
      let res = await callFn(host, "POST", "/api/whoami", { headers: spoofed });
      expectFnStatus(res, 200, "whoami with spoofed headers");
      assert.deepEqual(res.json, {}, "no principal header reaches the function");

      // The negotiate's userId {headers.x-ms-client-principal-id} has no value: 400, no token for mallory.
      res = await callFn(host, "POST", "/api/negotiate", { headers: spoofed });
      expectFnError(res, 400, [/\{headers\.x-ms-client-principal-id\}/, /has no value/], "negotiate with spoofed id");

      // With a valid token as well, the token wins.
      const token = identityToken({ sub: "real-user", name: "Real" });
      res = await callFn(host, "POST", "/api/whoami", { headers: spoofed, token });
      assert.equal(res.json["x-ms-client-principal-id"], "real-user");
      assert.equal(res.json["x-ms-client-principal-name"], "Real");
      assert.equal(res.json["x-ms-client-principal-idp"], "switchboard");
      res = await callFn(host, "POST", "/api/negotiate", { headers: spoofed, token });
      expectFnStatus(res, 200, "negotiate with spoofed headers and a token");
      assert.equal(decodeJwt(res.json.accessToken).payload["asrs.s.uid"], "real-user");
    }),
  );

  test(
    "a binding expression without a value is a 400 JSON error naming it (header, query, body, hubName)",
    logged(async () => {
      const cases = [
        ["/api/hdr/negotiate", {}, "{headers.x-user-id}"],
        ["/api/qry/negotiate?other=1", {}, "{query.userid}"],
        ["/api/bind/negotiate", { body: { someoneElse: "x" } }, "{user}"],
        ["/api/bind/negotiate", {}, "{user}"],
        ["/api/hub/negotiate", {}, "{query.hub}"],
      ];
      for (const [p, opts, expr] of cases) {
        const mark = host.logMark();
        const res = await callFn(host, "POST", p, opts);
        const message = expectFnError(res, 400, [], `${p} ${JSON.stringify(opts)}`);
        assert.ok(
          message.startsWith(`The binding expression '${expr}' has no value`),
          `${p}: the message should start with "The binding expression '${expr}' has no value", got ${JSON.stringify(message)}`,
        );
        await expectLog(host, /Executed 'Functions\.negotiate\w+' \(Failed, .*\) 400/, { since: mark });
      }
    }),
  );

  test(
    "hubName from {query.hub} and from %AppSetting% (lower-cased in url and audience)",
    logged(async () => {
      let res = await callFn(host, "POST", "/api/hub/negotiate?hub=MyHub");
      expectFnStatus(res, 200, "hub from query");
      checkConnectionInfo(res.json, { servicePort: host.service.port, key: host.service.key, hub: "myhub" });
      res = await callFn(host, "POST", "/api/setting/negotiate");
      expectFnStatus(res, 200, "hub from app setting");
      checkConnectionInfo(res.json, { servicePort: host.service.port, key: host.service.key, hub: "lobby" });
      expectFnError(await callFn(host, "POST", "/api/hub/negotiate?hub=1-bad"), 400, [], "invalid hub name");

      const inHub = await connectFn(host, { base: "/api/hub", query: { hub: "MyHub" }, hub: "myhub", label: "myhub" });
      const inChat = await connectFn(host, { base: "/api/anon", label: "chat" });
      const tag = uid("myhub-");
      await restCall(host.service, "POST", p22("myhub", "/:send"), { body: { target: "newMessage", arguments: [tag] } });
      await expectDelivery(host.service, { tag, receivers: [inHub], nonReceivers: [inChat] });
    }),
  );

  test(
    "host keys: authLevel function and admin",
    logged(async () => {
      const keysFile = JSON.parse(fs.readFileSync(path.join(host.app, ".switchboard", "host-keys.json"), "utf8"));
      assert.equal(keysFile.functionKey, host.keys.function, "banner function key = host-keys.json");
      assert.equal(keysFile.masterKey, host.keys.master, "banner master key = host-keys.json");
      assert.notEqual(host.keys.function, host.keys.master);

      const mark = host.logMark();
      expectFnError(await callFn(host, "POST", "/api/broadcast", { body: { text: "x" } }), 401, [], "no key");
      await expectLog(host, /Executed 'Functions\.broadcast' \(Failed, .*\) 401/, { since: mark });
      expectFnError(await callFn(host, "POST", "/api/broadcast", { body: { text: "x" }, key: "wrong" }), 401, [], "wrong key");
      expectFnError(await callFn(host, "POST", "/api/broadcast?code=wrong", { body: { text: "x" } }), 401, [], "wrong code");
      expectFnStatus(await callFn(host, "POST", "/api/broadcast", { body: { text: "x" }, key: host.keys.function }), 202, "function key header");
      expectFnStatus(await callFn(host, "POST", `/api/broadcast?code=${encodeURIComponent(host.keys.function)}`, { body: { text: "x" } }), 202, "function key code");
      expectFnStatus(await callFn(host, "POST", "/api/broadcast", { body: { text: "x" }, key: host.keys.master }), 202, "master key header");

      expectFnError(await callFn(host, "GET", "/api/admin/ping"), 401, [], "admin without key");
      expectFnError(await callFn(host, "GET", "/api/admin/ping", { key: host.keys.function }), 401, [], "admin with the function key");
      expectFnError(await callFn(host, "GET", `/api/admin/ping?code=${encodeURIComponent(host.keys.function)}`), 401, [], "admin, function key as code");
      let res = await callFn(host, "GET", "/api/admin/ping", { key: host.keys.master });
      expectFnStatus(res, 200, "admin with the master key");
      assert.equal(res.text, "admin ok");
      res = await callFn(host, "GET", `/api/admin/ping?code=${encodeURIComponent(host.keys.master)}`);
      expectFnStatus(res, 200, "admin with the master key as code");

      // Anonymous functions need no key.
      expectFnStatus(await callFn(host, "POST", "/api/anon/negotiate"), 200, "anonymous");
    }),
  );
});

describe("functions host: settings-driven startup and RS256 identities", () => {
  const hosts = [];
  after(async () => {
    await stopClients();
    for (const h of hosts) await h.stop();
  });

  test(
    "host keys persist in .switchboard/host-keys.json across restarts",
    logged(async () => {
      const app = copyApp();
      const first = await startHost({ app });
      hosts.push(first);
      const keys = first.keys;
      await first.stop();
      const second = await startHost({ app });
      hosts.push(second);
      assert.deepEqual(second.keys, keys, "same keys after a restart");
      expectFnStatus(await callFn(second, "POST", "/api/broadcast", { body: { text: "x" }, key: keys.function }), 202, "old function key");
    }),
  );

  test(
    "start: the app's own localhost connection string sets the embedded service's port and key",
    logged(async () => {
      const app = copyApp();
      const port = await freePort();
      const key = `matrix-key-${crypto.randomBytes(12).toString("hex")}`;
      patchSettings(app, { values: { AzureSignalRConnectionString: `Endpoint=http://localhost;Port=${port};AccessKey=${key};Version=1.0;` } });
      const host = await startHost({ app, servicePort: false });
      hosts.push(host);
      assert.equal(host.service.port, port, "embedded service port from the connection string");
      assert.equal(host.service.key, key, "embedded service key from the connection string");
      const res = await callFn(host, "POST", "/api/anon/negotiate");
      expectFnStatus(res, 200, "negotiate");
      checkConnectionInfo(res.json, { servicePort: port, key });
      const client = await connectFn(host, { base: "/api/anon" });
      const tag = uid("cs-");
      expectFnStatus(await callFn(host, "POST", "/api/messages/all", { body: { target: "newMessage", arguments: [tag] } }), 200, "send");
      await expectDelivery(host.service, { tag, receivers: [client] });
    }),
  );

  test(
    "start --service-port overrides the port of the app's localhost connection string: negotiate and outputs follow it",
    logged(async () => {
      const app = copyApp();
      const port = await freePort();
      const key = `matrix-key-${crypto.randomBytes(12).toString("hex")}`;
      patchSettings(app, { values: { AzureSignalRConnectionString: `Endpoint=http://localhost;Port=${port};AccessKey=${key};Version=1.0;` } });
      const host = await startHost({ app });
      hosts.push(host);
      assert.equal(host.service.port, host.requestedServicePort, "the embedded service listens on --service-port");
      assert.notEqual(host.service.port, port);
      const res = await callFn(host, "POST", "/api/anon/negotiate");
      expectFnStatus(res, 200, "negotiate");
      checkConnectionInfo(res.json, { servicePort: host.requestedServicePort, key: host.service.key });
      const tag = uid("cs-");
      const send = await callFn(host, "POST", "/api/messages/all", { body: { target: "newMessage", arguments: [tag] } });
      expectFnStatus(send, 200, "an output binding reaches the embedded service");
      const client = await connectFn(host, { base: "/api/anon" });
      const tag2 = uid("cs-");
      expectFnStatus(await callFn(host, "POST", "/api/messages/all", { body: { target: "newMessage", arguments: [tag2] } }), 200, "send");
      await expectDelivery(host.service, { tag: tag2, receivers: [client] });
    }),
  );

  test(
    "without identity settings, principal headers are still stripped and a bearer token makes no principal",
    logged(async () => {
      const app = copyApp();
      patchSettings(app, { values: { SWITCHBOARD_AUTH_SECRET: null, SWITCHBOARD_AUTH_ISSUER: null } });
      const host = await startHost({ app });
      hosts.push(host);
      let res = await callFn(host, "POST", "/api/whoami", {
        headers: { "x-ms-client-principal-id": "mallory", "X-MS-CLIENT-PRINCIPAL-NAME": "Mallory", "x-ms-client-principal-idp": "aad", "x-ms-client-principal": "e30=" },
      });
      expectFnStatus(res, 200, "whoami, spoofed");
      assert.deepEqual(res.json, {}, "no principal header reaches the function");
      res = await callFn(host, "POST", "/api/whoami", { token: identityToken({ sub: "someone" }) });
      expectFnStatus(res, 200, "whoami, bearer without identity settings");
      assert.deepEqual(res.json, {}, "an unverifiable bearer token is no principal");
      res = await callFn(host, "POST", "/api/negotiate", { headers: { "x-ms-client-principal-id": "mallory" } });
      expectFnError(res, 400, [/\{headers\.x-ms-client-principal-id\}/], "negotiate, spoofed");
    }),
  );

  test(
    "RS256 identities: SWITCHBOARD_AUTH_PUBLIC_KEY as a file path (with an audience) and as PEM text",
    logged(async () => {
      const { privateKey, publicKey } = crypto.generateKeyPairSync("rsa", { modulusLength: 2048 });
      const other = crypto.generateKeyPairSync("rsa", { modulusLength: 2048 });
      const pem = publicKey.export({ type: "spki", format: "pem" }).toString();
      const pemFile = path.join(tempDir(), "identity-public.pem");
      fs.writeFileSync(pemFile, pem);
      const audience = "api://switchboard-tests";

      const app = copyApp();
      patchSettings(app, {
        values: { SWITCHBOARD_AUTH_SECRET: null, SWITCHBOARD_AUTH_PUBLIC_KEY: pemFile, SWITCHBOARD_AUTH_AUDIENCE: audience },
      });
      const host = await startHost({ app });
      hosts.push(host);
      const info = { servicePort: host.service.port, key: host.service.key };

      const good = identityToken({ sub: "rsa-user", preferred_username: "Rsa User", aud: audience }, { privateKey });
      let res = await callFn(host, "POST", "/api/negotiate", { token: good });
      expectFnStatus(res, 200, "RS256 negotiate");
      checkConnectionInfo(res.json, { ...info, user: "rsa-user" });
      res = await callFn(host, "GET", "/api/whoami", { token: good });
      assert.equal(res.json["x-ms-client-principal-id"], "rsa-user");
      assert.equal(res.json["x-ms-client-principal-name"], "Rsa User");

      const bad = {
        "wrong audience": identityToken({ sub: "x", aud: "api://someone-else" }, { privateKey }),
        "no audience": identityToken({ sub: "x" }, { privateKey }),
        "signed by another key": identityToken({ sub: "x", aud: audience }, { privateKey: other.privateKey }),
        "HS256 with the old secret": identityToken({ sub: "x", aud: audience }),
        expired: identityToken({ sub: "x", aud: audience }, { privateKey, lifetime: -600 }),
        "wrong issuer": identityToken({ sub: "x", aud: audience }, { privateKey, iss: "https://evil.example.test/" }),
      };
      for (const [what, token] of Object.entries(bad)) {
        expectFnError(await callFn(host, "POST", "/api/negotiate", { token }), 401, [], `RS256 host, ${what}`);
      }

      const client = await connectFn(host, { base: "/api", token: good, label: "rsa-user" });
      const anon = await connectFn(host, { base: "/api/anon", label: "anon" });
      const tag = uid("rsa-");
      await sendToUser(host, "rsa-user", tag);
      await expectDelivery(host.service, { tag, receivers: [client], nonReceivers: [anon] });
      await stopClients();

      // The PEM text itself as the setting (no audience configured).
      const app2 = copyApp();
      patchSettings(app2, { values: { SWITCHBOARD_AUTH_SECRET: null, SWITCHBOARD_AUTH_PUBLIC_KEY: pem } });
      const host2 = await startHost({ app: app2 });
      hosts.push(host2);
      res = await callFn(host2, "POST", "/api/negotiate", { token: identityToken({ sub: "pem-user" }, { privateKey }) });
      expectFnStatus(res, 200, "RS256 with PEM text");
      assert.equal(decodeJwt(res.json.accessToken).payload["asrs.s.uid"], "pem-user");
      expectFnError(
        await callFn(host2, "POST", "/api/negotiate", { token: identityToken({ sub: "x" }, { privateKey: other.privateKey }) }),
        401,
        [],
        "PEM text host, another key",
      );
    }),
  );
});
