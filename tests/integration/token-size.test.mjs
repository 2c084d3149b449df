// The token size limit (docs/limits.md, "Token size"): every surface that reads a JWT refuses one
// over 16 KiB before decoding it, with its size in the error, and takes one just within it.
// One `switchboard start` (embedded service + functions host, the functions-matrix app) with
// --max-header-size raised so that such tokens fit in a request: client tokens (negotiate), REST
// tokens, dashboard tokens, end-user identity tokens and the negotiate binding's idToken.
import { test, describe, before, after } from "node:test";
import assert from "node:assert/strict";
import { mintToken, clientAud, restAud, rawRequest, restCall, p22, expectStatus, expectError } from "./helpers.mjs";
import { DASHBOARD_AUD } from "./dashboard-helpers.mjs";
import {
  startHost,
  copyApp,
  writeApp,
  removeTempDirs,
  callFn,
  expectFnStatus,
  expectFnError,
  decodeJwt,
  identityToken,
  logged,
} from "./functions-helpers.mjs";

after(removeTempDirs);

const LIMIT = 16 * 1024;

/** `make(pad)` with a pad claim grown until the token is as long as possible within `limit`. */
function paddedTo(limit, make) {
  let pad = 1;
  while (make("x".repeat(pad * 2)).length <= limit) pad *= 2;
  let lo = pad, hi = pad * 2; // make(lo) fits, make(hi) does not
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (make("x".repeat(mid)).length <= limit) lo = mid;
    else hi = mid;
  }
  return { within: make("x".repeat(lo)), over: make("x".repeat(hi + 8)) };
}

const tooLarge = (token) => `${token.length} bytes, more than the ${LIMIT} a token may have`;
const escaped = (text) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

describe("tokens over 16 KiB are refused with their size on every surface", () => {
  let host;
  before(
    logged(async () => {
      const app = writeApp(copyApp(), {
        // A negotiate function that copies the id token's `name` claim into the client token.
        "negotiateIdToken/function.json": {
          bindings: [
            { authLevel: "anonymous", type: "httpTrigger", direction: "in", name: "req", methods: ["post"], route: "idtoken/negotiate" },
            { type: "http", direction: "out", name: "res" },
            {
              type: "signalRConnectionInfo",
              name: "connectionInfo",
              hubName: "chat",
              idToken: "{headers.x-id-token}",
              claimTypeList: ["name"],
              direction: "in",
            },
          ],
        },
      });
      host = await startHost({ app, waitHandler: true, extraArgs: ["--max-header-size", String(64 * 1024)] });
    }),
  );
  after(() => host?.stop());

  test(
    "client token at negotiate: 401 naming the size; one within the limit negotiates",
    logged(async () => {
      const svc = host.service;
      const { within, over } = paddedTo(LIMIT, (pad) => mintToken(svc.key, { aud: clientAud("chat"), user: "u", claims: { pad } }));
      const negotiate = (token) =>
        rawRequest({ port: svc.port, method: "POST", path: "/client/negotiate?hub=chat&negotiateVersion=1", headers: { Authorization: `Bearer ${token}` } });
      const ok = await negotiate(within);
      expectStatus(ok, 200, `negotiate with a ${within.length}-byte token`);
      assert.equal(typeof ok.json.connectionToken, "string");
      const refused = await negotiate(over);
      expectError(refused, 401, { message: new RegExp(escaped(`Token is ${tooLarge(over)}`)), what: "negotiate, token over the limit" });
    }),
  );

  test(
    "REST token: 401 naming the size; one within the limit sends",
    logged(async () => {
      const svc = host.service;
      const route = p22("chat", "/:send");
      const { within, over } = paddedTo(LIMIT, (pad) => mintToken(svc.key, { aud: restAud(route), claims: { pad } }));
      const body = { target: "newMessage", arguments: ["size"] };
      expectStatus(await restCall(svc, "POST", route, { token: within, body }), 202, `REST send with a ${within.length}-byte token`);
      const refused = await restCall(svc, "POST", route, { token: over, body });
      expectError(refused, 401, { message: new RegExp(escaped(`Token is ${tooLarge(over)}`)), what: "REST send, token over the limit" });
    }),
  );

  test(
    "dashboard token (access_token query): 401 naming the size; one within the limit opens the page",
    logged(async () => {
      const svc = host.service;
      const { within, over } = paddedTo(LIMIT, (pad) => mintToken(svc.key, { aud: DASHBOARD_AUD, claims: { pad } }));
      const page = (token) => rawRequest({ port: svc.port, path: `/dashboard?access_token=${token}` });
      const ok = await page(within);
      expectStatus(ok, 200, `dashboard with a ${within.length}-byte token`);
      assert.match(String(ok.headers["content-type"]), /text\/html/);
      const refused = await page(over);
      expectError(refused, 401, { message: new RegExp(escaped(`Token is ${tooLarge(over)}`)), what: "dashboard, token over the limit" });
    }),
  );

  test(
    "identity token on a function: 401 naming the size; one within the limit is the caller's identity",
    logged(async () => {
      const { within, over } = paddedTo(LIMIT, (pad) => identityToken({ sub: "big-user", pad }));
      const ok = await callFn(host, "POST", "/api/negotiate", { token: within });
      expectFnStatus(ok, 200, `negotiate with a ${within.length}-byte identity token`);
      assert.equal(decodeJwt(ok.json.accessToken).payload["asrs.s.uid"], "big-user");
      const refused = await callFn(host, "POST", "/api/negotiate", { token: over });
      expectFnError(refused, 401, new RegExp(`^${escaped(`The bearer token is ${tooLarge(over)}.`)}$`), "identity token over the limit");
    }),
  );

  test(
    "the negotiate binding's idToken: 400 naming the size; one within the limit gives its claims",
    logged(async () => {
      const { within, over } = paddedTo(LIMIT, (pad) => identityToken({ sub: "id-user", name: "Ada", pad }));
      const ok = await callFn(host, "POST", "/api/idtoken/negotiate", { headers: { "x-id-token": within } });
      expectFnStatus(ok, 200, `negotiate with a ${within.length}-byte idToken`);
      assert.equal(decodeJwt(ok.json.accessToken).payload.name, "Ada", "the id token's name claim is in the client token");
      const refused = await callFn(host, "POST", "/api/idtoken/negotiate", { headers: { "x-id-token": over } });
      expectFnStatus(refused, 400, "idToken over the limit");
      assert.match(refused.text, new RegExp(escaped(`The idToken is ${tooLarge(over)}.`)));
    }),
  );
});
