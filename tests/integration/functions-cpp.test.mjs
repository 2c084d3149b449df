// Functions host: the C++ functions of build/examples/seeds-cpp (examples/seeds/cpp/seeds.cpp), with the
// official client, in both modes: `seeds-cpp start` (embedded service) and `seeds-cpp functions` against a
// `switchboard service` (REST).
import { test, describe, before, after } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import { expectDelivery, expectNoDelivery, uid } from "./helpers.mjs";
import {
  SEEDS_BINARY,
  IDENTITY_SECRET,
  IDENTITY_ISSUER,
  startHost,
  removeTempDirs,
  callFn,
  expectFnStatus,
  expectFnError,
  checkConnectionInfo,
  identityToken,
  connectFn,
  stopClients,
  expectLog,
  logged,
} from "./functions-helpers.mjs";

after(removeTempDirs);

const seedsBuilt = fs.existsSync(SEEDS_BINARY);
const identityEnv = { SWITCHBOARD_AUTH_SECRET: IDENTITY_SECRET, SWITCHBOARD_AUTH_ISSUER: IDENTITY_ISSUER };

for (const mode of ["start", "functions"]) {
  describe(`C++ functions (seeds-cpp ${mode})`, { skip: seedsBuilt ? false : `${SEEDS_BINARY} not built` }, () => {
    let host;
    let u1, u2, anon, all;
    // SendToUser always targets "userId1"; the other user is unique per run.
    const user2 = uid("user2-");
    const token1 = identityToken({ sub: "userId1", name: "User One" });
    const token2 = identityToken({ sub: user2, name: "User Two" });

    before(
      logged(async () => {
        host = await startHost({ binary: SEEDS_BINARY, mode, env: identityEnv });
        u1 = await connectFn(host, { base: "/api", token: token1, label: "userId1" });
        u2 = await connectFn(host, { base: "/api", token: token2, label: "user2" });
        anon = await connectFn(host, { base: "/api/anonymous", label: "anon" });
        all = [u1, u2, anon];
      }),
    );
    after(async () => {
      await stopClients();
      await host?.stop();
    });

    test(
      "negotiate: anonymous (no user) and authenticated (user from the bearer identity)",
      logged(async () => {
        let res = await callFn(host, "POST", "/api/anonymous/negotiate");
        expectFnStatus(res, 200, "anonymous negotiate");
        checkConnectionInfo(res.json, { servicePort: host.service.port, key: host.service.key });
        res = await callFn(host, "POST", "/api/negotiate", { token: token1 });
        expectFnStatus(res, 200, "negotiate");
        checkConnectionInfo(res.json, { servicePort: host.service.port, key: host.service.key, user: "userId1" });
        // A spoofed principal header is no identity: the userId expression has no value.
        res = await callFn(host, "POST", "/api/negotiate", { headers: { "x-ms-client-principal-id": "userId1" } });
        expectFnError(res, 400, [/\{headers\.x-ms-client-principal-id\}/], "negotiate with a spoofed principal");
        expectFnError(
          await callFn(host, "POST", "/api/negotiate", { token: identityToken({ sub: "userId1" }, { secret: "wrong" }) }),
          401,
          [],
          "negotiate with a bad token",
        );
      }),
    );

    test(
      "SendMessage broadcasts the request body; SendToUser reaches only userId1",
      logged(async () => {
        let tag = uid("cpp-all-");
        const mark = host.logMark();
        let res = await callFn(host, "POST", "/api/SendMessage", { body: { tag, text: "hello" } });
        expectFnStatus(res, 204, "SendMessage (no http output)");
        await expectDelivery(host.service, { tag, receivers: all, args: [{ tag, text: "hello" }] });
        await expectLog(host, /Executed 'Functions\.SendMessage' \(Succeeded, Id=[0-9a-f-]+, Duration=[\d.]+ms\) 204/, { since: mark });

        tag = uid("cpp-user-");
        res = await callFn(host, "POST", "/api/SendToUser", { body: { tag } });
        expectFnStatus(res, 204, "SendToUser");
        await expectDelivery(host.service, { tag, receivers: [u1], nonReceivers: [u2, anon], args: [{ tag }] });
      }),
    );

    test(
      "addToGroup / removeFromGroup for the signed-in caller, SendToGroup reaches myGroup only",
      logged(async () => {
        let tag = uid("cpp-grp-");
        await callFn(host, "POST", "/api/SendToGroup", { body: { tag } });
        await expectNoDelivery(host.service, { tag, clients: all });

        let res = await callFn(host, "POST", "/api/addToGroup", { token: token2 });
        expectFnStatus(res, 200, "addToGroup");
        tag = uid("cpp-grp-");
        expectFnStatus(await callFn(host, "POST", "/api/SendToGroup", { body: { tag } }), 204, "SendToGroup");
        await expectDelivery(host.service, { tag, receivers: [u2], nonReceivers: [u1, anon] });

        res = await callFn(host, "POST", "/api/removeFromGroup", { token: token2 });
        expectFnStatus(res, 200, "removeFromGroup");
        tag = uid("cpp-grp-");
        await callFn(host, "POST", "/api/SendToGroup", { body: { tag } });
        await expectNoDelivery(host.service, { tag, clients: all });
      }),
    );

    test(
      "addToGroup without a signed-in caller is 401 'Sign in first.' — spoofed principal headers included",
      logged(async () => {
        let res = await callFn(host, "POST", "/api/addToGroup");
        expectFnStatus(res, 401, "addToGroup anonymous");
        assert.equal(res.text, "Sign in first.");
        res = await callFn(host, "POST", "/api/addToGroup", {
          headers: { "x-ms-client-principal-id": "userId1", "x-ms-client-principal-name": "userId1" },
        });
        expectFnStatus(res, 401, "addToGroup with spoofed principal headers");
        assert.equal(res.text, "Sign in first.");
        res = await callFn(host, "POST", "/api/removeFromGroup", { headers: { "x-ms-client-principal-id": "userId1" } });
        expectFnStatus(res, 401, "removeFromGroup with a spoofed principal header");
        // Nothing joined: the group is still empty.
        const tag = uid("cpp-grp-");
        await callFn(host, "POST", "/api/SendToGroup", { body: { tag } });
        await expectNoDelivery(host.service, { tag, clients: all });
      }),
    );
  });
}
