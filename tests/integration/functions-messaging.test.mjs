// Functions host: signalR output bindings of custom-handler functions (functions-matrix app), delivered
// to official clients, in both modes: `switchboard start` (embedded service, in-process outputs) and
// `switchboard functions` + `switchboard service` (outputs over the REST API).
import { test, describe, before, after, afterEach } from "node:test";
import assert from "node:assert/strict";
import { expectDelivery, expectNoDelivery, restCall, p22, expectStatus, uid, waitFor } from "./helpers.mjs";
import {
  startHost,
  copyApp,
  removeTempDirs,
  callFn,
  expectFnStatus,
  expectFnError,
  identityToken,
  connectFn,
  stopClients,
  expectLog,
  logged,
} from "./functions-helpers.mjs";

after(removeTempDirs);

for (const mode of ["start", "functions"]) {
  describe(`functions host messaging, custom handler, ${mode === "start" ? "embedded service (start)" : "REST mode (functions + service)"}`, () => {
    let host;
    // alice: bearer identity; bob: header user; carol: query user; anon: no user.
    let alice, alice2, bob, carol, anon;
    let users;
    let all;

    const msg = (tag, extra = {}) => ({ target: "newMessage", arguments: [tag], ...extra });
    const send = async (body, p = "/api/messages/any", status = 200) => {
      const res = await callFn(host, "POST", p, { body });
      expectFnStatus(res, status, `POST ${p} ${JSON.stringify(body).slice(0, 300)}`);
      return res;
    };
    const group = async (action) => send(action, "/api/groups/x");

    before(
      logged(async () => {
        host = await startHost({ app: copyApp(), mode, waitHandler: true });
        users = { alice: uid("alice-"), bob: uid("bob-"), carol: uid("carol-") };
        const aliceToken = identityToken({ sub: users.alice, name: "Alice" });
        alice = await connectFn(host, { base: "/api", token: aliceToken, label: "alice", targets: ["noArgs", "ordered"] });
        alice2 = await connectFn(host, { base: "/api", token: aliceToken, label: "alice(2)", targets: ["noArgs", "ordered"] });
        bob = await connectFn(host, { base: "/api/hdr", headers: { "x-user-id": users.bob }, label: "bob", targets: ["noArgs", "ordered"] });
        carol = await connectFn(host, { base: "/api/qry", query: { userid: users.carol }, label: "carol", targets: ["noArgs", "ordered"] });
        anon = await connectFn(host, { base: "/api/anon", label: "anon", targets: ["noArgs", "ordered"] });
        all = [alice, alice2, bob, carol, anon];
      }),
    );
    after(async () => {
      await stopClients();
      await host?.stop();
    });

    test(
      "broadcast function (authLevel function, $return http {status:202}) reaches every client",
      logged(async () => {
        const tag = uid("bc-");
        const mark = host.logMark();
        const res = await callFn(host, "POST", "/api/broadcast", { key: host.keys.function, body: { text: tag } });
        expectFnStatus(res, 202, "broadcast");
        await expectDelivery(host.service, { tag, receivers: all, args: [tag] });
        await expectLog(host, new RegExp(`\\[Functions\\.broadcast\\] broadcast ${tag}`), { since: mark });
        await expectLog(host, /Executed 'Functions\.broadcast' \(Succeeded, Id=[0-9a-f-]+, Duration=[\d.]+ms\) 202/, { since: mark });
      }),
    );

    test(
      "message to a user, to a connection, to everyone",
      logged(async () => {
        let tag = uid("user-");
        const res = await send(msg(tag, { userId: users.alice }), "/api/messages/user");
        assert.equal(res.text, "sent", "the res output is the response");
        await expectDelivery(host.service, { tag, receivers: [alice, alice2], nonReceivers: [bob, carol, anon] });

        tag = uid("user-");
        await send(msg(tag, { userId: users.carol }));
        await expectDelivery(host.service, { tag, receivers: [carol], nonReceivers: [alice, alice2, bob, anon] });

        tag = uid("conn-");
        await send(msg(tag, { connectionId: alice2.id }));
        await expectDelivery(host.service, { tag, receivers: [alice2], nonReceivers: [alice, bob, carol, anon] });

        tag = uid("all-");
        await send(msg(tag, { arguments: [tag, { n: 1, list: [true, null] }, "third"] }));
        await expectDelivery(host.service, { tag, receivers: all, args: [tag, { n: 1, list: [true, null] }, "third"] });

        // Nobody connected as that user: nothing delivered, still a success.
        tag = uid("nobody-");
        await send(msg(tag, { userId: uid("ghost-") }));
        await expectNoDelivery(host.service, { tag, clients: all });
      }),
    );

    test(
      "group actions: add/remove user and connection, removeAll, and messages to the group",
      logged(async () => {
        const g = uid("grp-");
        const g2 = uid("grp-");
        let tag = uid("g-");
        await send(msg(tag, { groupName: g }));
        await expectNoDelivery(host.service, { tag, clients: all });

        await group({ action: "add", userId: users.bob, groupName: g });
        await group({ action: "add", connectionId: anon.id, groupName: g });
        tag = uid("g-");
        await send(msg(tag, { groupName: g }));
        await expectDelivery(host.service, { tag, receivers: [bob, anon], nonReceivers: [alice, alice2, carol] });

        // A user-group membership covers every connection of the user.
        await group({ action: "add", userId: users.alice, groupName: g2 });
        await group({ action: "add", userId: users.bob, groupName: g2 });
        tag = uid("g2-");
        await send(msg(tag, { groupName: g2 }));
        await expectDelivery(host.service, { tag, receivers: [alice, alice2, bob], nonReceivers: [carol, anon] });

        await group({ action: "remove", connectionId: anon.id, groupName: g });
        tag = uid("g-");
        await send(msg(tag, { groupName: g }));
        await expectDelivery(host.service, { tag, receivers: [bob], nonReceivers: [alice, alice2, carol, anon] });

        await group({ action: "remove", userId: users.alice, groupName: g2 });
        tag = uid("g2-");
        await send(msg(tag, { groupName: g2 }));
        await expectDelivery(host.service, { tag, receivers: [bob], nonReceivers: [alice, alice2, carol, anon] });

        // removeAll takes bob out of both groups at once.
        await group({ action: "removeAll", userId: users.bob });
        for (const name of [g, g2]) {
          tag = uid("after-removeAll-");
          await send(msg(tag, { groupName: name }));
          await expectNoDelivery(host.service, { tag, clients: all });
        }

        // Several actions in one array, applied in order (add then remove of the same membership).
        await group([
          { action: "add", userId: users.carol, groupName: g },
          { action: "add", connectionId: anon.id, groupName: g },
          { action: "remove", connectionId: anon.id, groupName: g },
        ]);
        tag = uid("g-");
        await send(msg(tag, { groupName: g }));
        await expectDelivery(host.service, { tag, receivers: [carol], nonReceivers: [alice, alice2, bob, anon] });
        await group({ action: "removeAll", userId: users.carol });
      }),
    );

    test(
      "precedence: connectionId > userId > groupName > broadcast, empty strings are unset",
      logged(async () => {
        const g = uid("prec-");
        await group({ action: "add", userId: users.carol, groupName: g });
        try {
          let tag = uid("p-conn-");
          await send(msg(tag, { connectionId: anon.id, userId: users.alice, groupName: g }));
          await expectDelivery(host.service, { tag, receivers: [anon], nonReceivers: [alice, alice2, bob, carol] });

          tag = uid("p-user-");
          await send(msg(tag, { connectionId: "", userId: users.bob, groupName: g }));
          await expectDelivery(host.service, { tag, receivers: [bob], nonReceivers: [alice, alice2, carol, anon] });

          tag = uid("p-group-");
          await send(msg(tag, { connectionId: "", userId: "", groupName: g }));
          await expectDelivery(host.service, { tag, receivers: [carol], nonReceivers: [alice, alice2, bob, anon] });

          tag = uid("p-all-");
          await send(msg(tag, { connectionId: "", userId: "", groupName: "" }));
          await expectDelivery(host.service, { tag, receivers: all });

          // Group actions: connectionId wins over userId.
          const g2 = uid("prec-ga-");
          await group({ action: "add", connectionId: bob.id, userId: users.alice, groupName: g2 });
          tag = uid("p-ga-");
          await send(msg(tag, { groupName: g2 }));
          await expectDelivery(host.service, { tag, receivers: [bob], nonReceivers: [alice, alice2, carol, anon] });
          // Empty connectionId falls through to the user.
          await group({ action: "add", connectionId: "", userId: users.alice, groupName: g2 });
          tag = uid("p-ga-");
          await send(msg(tag, { groupName: g2 }));
          await expectDelivery(host.service, { tag, receivers: [alice, alice2, bob], nonReceivers: [carol, anon] });
          await group([
            { action: "remove", connectionId: bob.id, groupName: g2 },
            { action: "removeAll", userId: users.alice },
          ]);
        } finally {
          await callFn(host, "POST", "/api/groups/x", { body: { action: "removeAll", userId: users.carol } });
        }
      }),
    );

    test(
      "arrays are sent in order; a JSON string of an item or an array works; keys are case-insensitive; arguments optional",
      logged(async () => {
        const t1 = uid("arr1-");
        const t2 = uid("arr2-");
        const t3 = uid("arr3-");
        await send([msg(t1, { userId: users.alice }), msg(t2, { connectionId: bob.id }), msg(t3)]);
        await expectDelivery(host.service, { tag: t1, receivers: [alice, alice2], nonReceivers: [bob, carol, anon] });
        await expectDelivery(host.service, { tag: t2, receivers: [bob], nonReceivers: [alice, alice2, carol, anon] });
        await expectDelivery(host.service, { tag: t3, receivers: all });

        // Order: five messages to everyone arrive in array order at every client.
        const tags = [1, 2, 3, 4, 5].map((i) => uid(`ord${i}-`));
        await send(tags.map((t) => ({ target: "ordered", arguments: [t] })));
        for (const c of all) {
          await waitFor(() => tags.every((t) => c.count(t, "ordered") === 1), { message: `ordered messages at ${c.label}` });
          const got = c.received("ordered").map((m) => m.args[0]).filter((t) => tags.includes(t));
          assert.deepEqual(got, tags, `${c.label} receives the array's messages in order`);
        }

        // A JSON string holding an array, and one holding an item.
        const s1 = uid("str-arr-");
        const s2 = uid("str-item-");
        await send(JSON.stringify(JSON.stringify([msg(s1, { userId: users.carol })])));
        await expectDelivery(host.service, { tag: s1, receivers: [carol], nonReceivers: [alice, alice2, bob, anon] });
        await send(JSON.stringify(JSON.stringify(msg(s2, { connectionId: anon.id }))));
        await expectDelivery(host.service, { tag: s2, receivers: [anon], nonReceivers: [alice, alice2, bob, carol] });

        // PascalCase keys (as the .NET SDK writes them), for messages and group actions.
        const ci = uid("case-");
        await send({ Target: "newMessage", Arguments: [ci], UserId: users.bob });
        await expectDelivery(host.service, { tag: ci, receivers: [bob], nonReceivers: [alice, alice2, carol, anon] });
        const g = uid("case-grp-");
        await group({ Action: "add", ConnectionId: carol.id, GroupName: g });
        const cg = uid("case-g-");
        await send({ TARGET: "newMessage", ARGUMENTS: [cg], GROUPNAME: g });
        await expectDelivery(host.service, { tag: cg, receivers: [carol], nonReceivers: [alice, alice2, bob, anon] });
        await group({ action: "remove", connectionId: carol.id, groupName: g });

        // No arguments at all: the client gets the target with no arguments.
        const before = new Map(all.map((c) => [c, c.received("noArgs").length]));
        await send({ target: "noArgs", connectionId: anon.id });
        const sentinelTag = uid("after-noargs-");
        await send(msg(sentinelTag, { connectionId: anon.id }));
        await expectDelivery(host.service, { tag: sentinelTag, receivers: [anon], nonReceivers: [alice, alice2, bob, carol] });
        for (const c of all) {
          const got = c.received("noArgs").slice(before.get(c));
          if (c === anon) assert.deepEqual(got, [{ target: "noArgs", args: [] }], "noArgs at anon");
          else assert.equal(got.length, 0, `${c.label} must not get noArgs`);
        }
      }),
    );

    test(
      "a signalR output named $return, a hubName from a route parameter, and a function without http output (204)",
      logged(async () => {
        const r1 = uid("ret-");
        const r2 = uid("ret-");
        const res = await send([msg(r1, { userId: users.bob }), msg(r2)], "/api/return/messages");
        assert.equal(res.text, "returned");
        await expectDelivery(host.service, { tag: r1, receivers: [bob], nonReceivers: [alice, alice2, carol, anon] });
        await expectDelivery(host.service, { tag: r2, receivers: all });

        // toHub/{hub}: hubName "{hub}" — only clients of that hub get it.
        const other = await connectFn(host, { base: "/api/hub", query: { hub: "Other" }, hub: "other", label: "other-hub" });
        try {
          const h = uid("hub-");
          expectFnStatus(await callFn(host, "POST", "/api/tohub/Other", { body: msg(h) }), 200, "toHub");
          await expectDelivery(host.service, { tag: h, receivers: [other], nonReceivers: all });
          const h2 = uid("hub-");
          expectFnStatus(await callFn(host, "POST", "/api/tohub/chat", { body: msg(h2) }), 200, "toHub chat");
          await expectDelivery(host.service, { tag: h2, receivers: all, nonReceivers: [other] });
        } finally {
          await other.stop();
        }

        const n = uid("nohttp-");
        const res204 = await callFn(host, "POST", "/api/nohttp", { body: msg(n, { userId: users.carol }) });
        expectFnStatus(res204, 204, "no http output");
        assert.equal(res204.text, "");
        await expectDelivery(host.service, { tag: n, receivers: [carol], nonReceivers: [alice, alice2, bob, anon] });

        // An output value of null sends nothing and succeeds.
        expectFnStatus(await callFn(host, "POST", "/api/messages/none", { body: "null" }), 200, "null output");
      }),
    );

    test(
      "an invalid output item fails the invocation (500 naming binding and index) and NOTHING is sent",
      logged(async () => {
        const cases = [
          { what: "target not a string", bad: { target: 5, arguments: [] }, index: 1 },
          { what: "no target nor action", bad: { arguments: ["x"] }, index: 1 },
          { what: "arguments not an array", bad: { target: "newMessage", arguments: "x" }, index: 1 },
          { what: "unknown action", bad: { action: "delete", userId: users.bob, groupName: "g" }, index: 1 },
          { what: "add without groupName", bad: { action: "add", userId: users.bob }, index: 1 },
          { what: "group action without user or connection", bad: { action: "add", groupName: "g" }, index: 1 },
          { what: "null item", bad: null, index: 1 },
          { what: "a number", bad: 42, index: 1 },
          { what: "userId not a string", bad: { target: "newMessage", arguments: ["x"], userId: 7 }, index: 1 },
        ];
        for (const { what, bad, index } of cases) {
          const tag = uid("must-not-arrive-");
          const later = uid("must-not-arrive-either-");
          const mark = host.logMark();
          const res = await callFn(host, "POST", "/api/messages/bad", { body: [msg(tag), bad, msg(later)] });
          expectFnError(res, 500, [/signalRMessages/, new RegExp(`signalR output item ${index}\\b`)], what);
          await expectLog(host, /Executed 'Functions\.messages' \(Failed, .*\) 500/, { since: mark });
          await expectNoDelivery(host.service, { tag, clients: all });
          assert.ok(all.every((c) => c.count(later) === 0), `${what}: the item after the bad one is not sent either`);
        }

        // A group action before an invalid item is not applied either.
        const g = uid("never-");
        const res = await callFn(host, "POST", "/api/groups/bad", {
          body: [{ action: "add", userId: users.alice, groupName: g }, { action: "add", userId: users.alice }],
        });
        expectFnError(res, 500, [/signalRGroupActions/, /signalR output item 1\b/], "bad group action array");
        const tag = uid("never-g-");
        await send(msg(tag, { groupName: g }));
        await expectNoDelivery(host.service, { tag, clients: all });

        // Two outputs: a valid first binding is not sent when the second one is invalid.
        const first = uid("first-");
        const two = await callFn(host, "POST", "/api/two", { body: { first: msg(first), second: [msg(uid("x")), { nope: true }] } });
        expectFnError(two, 500, [/'second'|second/, /signalR output item 1\b/], "second output invalid");
        await expectNoDelivery(host.service, { tag: first, clients: all });
        // ... and both are sent when both are valid.
        const a = uid("first-");
        const b = uid("second-");
        expectFnStatus(await callFn(host, "POST", "/api/two", { body: { first: msg(a), second: msg(b, { userId: users.bob }) } }), 200, "two outputs");
        await expectDelivery(host.service, { tag: a, receivers: all });
        await expectDelivery(host.service, { tag: b, receivers: [bob], nonReceivers: [alice, alice2, carol, anon] });

        // A JSON string that is not JSON.
        expectFnError(await callFn(host, "POST", "/api/messages/bad", { body: JSON.stringify("{not json") }), 500, [/signalRMessages/], "string not JSON");
      }),
    );

    test(
      "http output shapes: status/statusCode (number or string), headers, body; a plain value is the body",
      logged(async () => {
        let res = await callFn(host, "POST", "/api/shapes", { body: { statusCode: "201", headers: { "x-custom": "yes" }, body: { ok: true } } });
        expectFnStatus(res, 201, "statusCode string");
        assert.equal(res.headers["x-custom"], "yes");
        assert.deepEqual(res.json, { ok: true });
        res = await callFn(host, "POST", "/api/shapes", { body: { status: 418, body: "teapot" } });
        expectFnStatus(res, 418, "status number");
        assert.equal(res.text, "teapot");
        res = await callFn(host, "POST", "/api/shapes", { body: { hello: "world" } });
        expectFnStatus(res, 200, "plain object");
        assert.deepEqual(res.json, { hello: "world" });
        res = await callFn(host, "POST", "/api/shapes", { body: { headers: { "Content-Type": "text/csv" }, body: "a,b" } });
        expectFnStatus(res, 200, "headers only");
        assert.match(String(res.headers["content-type"]), /text\/csv/);
        assert.equal(res.text, "a,b");
        expectFnError(await callFn(host, "POST", "/api/shapes", { body: { statusCode: "abc" } }), 500, [], "invalid status");
      }),
    );
  });
}
