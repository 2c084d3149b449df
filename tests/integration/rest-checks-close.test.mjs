// Existence checks (connection, user, group, user-in-group) and the close endpoints.
import { test, describe } from "node:test";
import assert from "node:assert/strict";
import {
  connectClient,
  stopAllClients,
  restCall,
  p22,
  pv1,
  excludedQuery,
  expectStatus,
  expect404,
  expectDelivery,
  waitFor,
  withTimeout,
  expectClosed,
  logged,
  uid,
  useServiceWithFixture,
} from "./helpers.mjs";

const enc = encodeURIComponent;

describe("REST existence checks", () => {
  let svc;
  let fx;
  useServiceWithFixture((service, fixture) => {
    svc = service;
    fx = fixture;
  });

  const call = (method, path) => restCall(svc, method, path);

  test(
    "connection exists: 200 / 404 Warning.Connection.NotExisted (HEAD, GET, v1)",
    logged(async () => {
      const a = await connectClient(fx, { user: "alice" });
      for (const [method, path] of [
        ["HEAD", p22("chat", `/connections/${enc(a.id)}`)],
        ["GET", p22("chat", `/connections/${enc(a.id)}`)],
        ["HEAD", pv1("chat", `/connections/${enc(a.id)}`)],
        ["GET", pv1("chat", `/connections/${enc(a.id)}`)],
        ["HEAD", p22("CHAT", `/connections/${enc(a.id)}`)],
      ]) {
        expectStatus(await call(method, path), 200, `${method} ${path}`);
      }
      for (const [method, path] of [
        ["HEAD", p22("chat", `/connections/does-not-exist`)],
        ["GET", p22("chat", `/connections/does-not-exist`)],
        ["HEAD", pv1("chat", `/connections/does-not-exist`)],
        ["GET", pv1("chat", `/connections/does-not-exist`)],
        ["HEAD", p22("otherhub", `/connections/${enc(a.id)}`)],
      ]) {
        expect404(await call(method, path), "Warning.Connection.NotExisted", `${method} ${path}`);
      }
    }),
  );

  test(
    "user exists: 200 while connected / 404 Warning.User.NotExisted",
    logged(async () => {
      const user = uid("user");
      for (const [method, path] of [
        ["HEAD", p22("chat", `/users/${enc(user)}`)],
        ["GET", p22("chat", `/users/${enc(user)}`)],
        ["HEAD", pv1("chat", `/users/${enc(user)}`)],
        ["GET", pv1("chat", `/users/${enc(user)}`)],
      ]) {
        expect404(await call(method, path), "Warning.User.NotExisted", `${method} ${path} before connect`);
      }
      const a = await connectClient(fx, { user });
      for (const [method, path] of [
        ["HEAD", p22("chat", `/users/${enc(user)}`)],
        ["GET", p22("chat", `/users/${enc(user)}`)],
        ["HEAD", pv1("chat", `/users/${enc(user)}`)],
        ["GET", pv1("chat", `/users/${enc(user)}`)],
      ]) {
        expectStatus(await call(method, path), 200, `${method} ${path} while connected`);
      }
      expect404(await call("HEAD", p22("otherhub", `/users/${enc(user)}`)), "Warning.User.NotExisted", "user in another hub");
      await a.stop();
      await waitFor(async () => (await call("HEAD", p22("chat", `/users/${enc(user)}`))).status === 404, {
        message: "user check → 404 after the last connection stopped",
      });
      expect404(await call("GET", p22("chat", `/users/${enc(user)}`)), "Warning.User.NotExisted", "after disconnect");
    }),
  );

  test(
    "group exists: 200 with a connection in it / 404 Warning.Group.NotExisted",
    logged(async () => {
      const g = uid("grp");
      const gp = (form) => (form === "22" ? p22("chat", `/groups/${enc(g)}`) : pv1("chat", `/groups/${enc(g)}`));
      for (const [method, form] of [["HEAD", "22"], ["GET", "22"], ["HEAD", "v1"], ["GET", "v1"]]) {
        expect404(await call(method, gp(form)), "Warning.Group.NotExisted", `${method} ${form} empty group`);
      }
      const a = await connectClient(fx, { user: "alice" });
      expectStatus(await call("PUT", p22("chat", `/groups/${enc(g)}/connections/${enc(a.id)}`)), 200);
      for (const [method, form] of [["HEAD", "22"], ["GET", "22"], ["HEAD", "v1"], ["GET", "v1"]]) {
        expectStatus(await call(method, gp(form)), 200, `${method} ${form} group with a connection`);
      }
      expect404(await call("HEAD", p22("otherhub", `/groups/${enc(g)}`)), "Warning.Group.NotExisted", "group in another hub");
      expectStatus(await call("DELETE", p22("chat", `/groups/${enc(g)}/connections/${enc(a.id)}`)), 200);
      expect404(await call("HEAD", gp("22")), "Warning.Group.NotExisted", "group emptied");

      // A group whose only member is a user with no connection has no connections.
      const g2 = uid("grp");
      const ghost = uid("ghost");
      expectStatus(await call("PUT", p22("chat", `/users/${enc(ghost)}/groups/${enc(g2)}`)), 200);
      expect404(await call("HEAD", p22("chat", `/groups/${enc(g2)}`)), "Warning.Group.NotExisted", "group with only an offline user");
      const gc = await connectClient(fx, { user: ghost });
      expectStatus(await call("HEAD", p22("chat", `/groups/${enc(g2)}`)), 200, "group once the user connects");
      await gc.stop();
      await waitFor(async () => (await call("HEAD", p22("chat", `/groups/${enc(g2)}`))).status === 404, {
        message: "group check → 404 after the user's connection left",
      });
    }),
  );

  test(
    "user in group: 200 / 404 Info.User.NotInGroup (GET and HEAD, both orders, v1)",
    logged(async () => {
      const g = uid("grp");
      const user = uid("member");
      const paths = [
        p22("chat", `/users/${enc(user)}/groups/${enc(g)}`),
        p22("chat", `/groups/${enc(g)}/users/${enc(user)}`),
        pv1("chat", `/groups/${enc(g)}/users/${enc(user)}`),
        pv1("chat", `/users/${enc(user)}/groups/${enc(g)}`),
      ];
      for (const path of paths) for (const method of ["GET", "HEAD"]) {
        expect404(await call(method, path), "Info.User.NotInGroup", `${method} ${path} before add`);
      }
      const c = await connectClient(fx, { user });
      expectStatus(await call("PUT", p22("chat", `/users/${enc(user)}/groups/${enc(g)}`)), 200);
      for (const path of paths) for (const method of ["GET", "HEAD"]) {
        expectStatus(await call(method, path), 200, `${method} ${path} after add`);
      }
      // other user / other group / other hub
      expect404(await call("GET", p22("chat", `/users/someone-else/groups/${enc(g)}`)), "Info.User.NotInGroup");
      expect404(await call("GET", p22("chat", `/users/${enc(user)}/groups/other-group`)), "Info.User.NotInGroup");
      expect404(await call("GET", p22("otherhub", `/users/${enc(user)}/groups/${enc(g)}`)), "Info.User.NotInGroup");
      await c.stop();
    }),
  );
});

describe("REST close endpoints", () => {
  let svc;
  let fx;
  useServiceWithFixture((service, fixture) => {
    svc = service;
    fx = fixture;
  });

  const call = (method, path) => restCall(svc, method, path);
  const stillOpen = async (clients) => {
    const tag = uid("alive");
    for (const hub of new Set(clients.map((c) => c.hub))) {
      expectStatus(await restCall(svc, "POST", p22(hub, "/:send"), { body: { target: "newMessage", arguments: [tag] } }), 202);
    }
    await expectDelivery(svc, { tag, receivers: clients });
    for (const c of clients) assert.equal(c.isClosed, false, `${c.label} must stay open`);
  };

  test(
    "close connection with reason: the client sees the reason; then the connection is gone",
    logged(async () => {
      const a = await connectClient(fx, { user: "alice" });
      const b = await connectClient(fx, { user: "alice" });
      const res = await call("DELETE", p22("chat", `/connections/${enc(a.id)}`, "reason=bye"));
      expectStatus(res, 200, "close connection (2022)");
      await expectClosed(a, /bye/);
      assert.equal(a.closeCalls, 1);
      await waitFor(async () => (await call("HEAD", p22("chat", `/connections/${enc(a.id)}`))).status === 404, {
        timeout: 1000,
        message: "connection check → 404 after the close",
      });
      expect404(await call("HEAD", p22("chat", `/connections/${enc(a.id)}`)), "Warning.Connection.NotExisted", "closed connection");
      await stillOpen([b]);
    }),
  );

  test(
    "closing is synchronous: right after a close call returns, the closed connection no longer exists",
    logged(async () => {
      const stale = [];
      const kinds = ["DELETE connection", "user :closeConnections", "group :closeConnections", "hub :closeConnections"];
      for (let i = 0; i < 24; i++) {
        const kind = kinds[i % kinds.length];
        const user = uid("sync");
        const g = uid("g");
        const a = await connectClient(fx, { user });
        const cpath = p22("chat", `/connections/${enc(a.id)}`);
        if (kind === "DELETE connection") expectStatus(await call("DELETE", `${cpath}&reason=bye`), 200, kind);
        if (kind === "user :closeConnections") expectStatus(await call("POST", p22("chat", `/users/${user}/:closeConnections`)), 204, kind);
        if (kind === "group :closeConnections") {
          expectStatus(await call("PUT", p22("chat", `/groups/${g}/connections/${enc(a.id)}`)), 200);
          expectStatus(await call("POST", p22("chat", `/groups/${g}/:closeConnections`)), 204, kind);
        }
        if (kind === "hub :closeConnections") expectStatus(await call("POST", p22("chat", `/:closeConnections`)), 204, kind);
        const check = await call("HEAD", cpath);
        if (check.status !== 404) stale.push(`#${i} ${kind}: HEAD connection right after the close → ${check.status}`);
        await withTimeout(a.closed, 3000, "onclose");
      }
      assert.deepEqual(stale, [], "after a close call returned, the closed connection must no longer exist");
    }),
  );

  test(
    "close connection without reason: onclose without error; v1 answers 202",
    logged(async () => {
      const a = await connectClient(fx, { user: "alice" });
      expectStatus(await call("DELETE", p22("chat", `/connections/${enc(a.id)}`)), 200);
      await expectClosed(a, null);
      const b = await connectClient(fx, { user: "bob" });
      expectStatus(await call("DELETE", pv1("chat", `/connections/${enc(b.id)}`, "reason=v1%20reason")), 202, "close connection (v1)");
      await expectClosed(b, /v1 reason/);
    }),
  );

  test(
    "the close reason is URL-decoded (spaces, punctuation, unicode)",
    logged(async () => {
      const a = await connectClient(fx, { user: "alice" });
      const reason = "Server restart: é & 100% ✓";
      expectStatus(await call("DELETE", p22("chat", `/connections/${enc(a.id)}`, `reason=${enc(reason)}`)), 200);
      const err = await withTimeout(a.closed, 3000, "onclose");
      assert.ok(err instanceof Error, `expected an Error, got ${err}`);
      assert.ok(err.message.includes(reason), `close error ${JSON.stringify(err.message)} should contain ${JSON.stringify(reason)}`);
    }),
  );

  test(
    "close unknown connection is 404 Warning.Connection.NotExisted",
    logged(async () => {
      expect404(await call("DELETE", p22("chat", `/connections/nope`)), "Warning.Connection.NotExisted", "2022");
      expect404(await call("DELETE", pv1("chat", `/connections/nope`)), "Warning.Connection.NotExisted", "v1");
    }),
  );

  test(
    "close all connections of a hub with excluded and reason",
    logged(async () => {
      const a = await connectClient(fx, { user: "alice" });
      const b = await connectClient(fx, { user: "bob" });
      const keep = await connectClient(fx, { user: "carl" });
      const other = await connectClient(fx, { user: "alice", hub: "otherhub" });
      const res = await call("POST", p22("chat", "/:closeConnections", `${excludedQuery([keep.id])}&reason=${enc("maintenance now")}`));
      expectStatus(res, 204, "close all");
      await expectClosed(a, /maintenance now/);
      await expectClosed(b, /maintenance now/);
      await stillOpen([keep, other]);
      expect404(await call("HEAD", p22("chat", `/connections/${enc(a.id)}`)), "Warning.Connection.NotExisted");
      expectStatus(await call("HEAD", p22("chat", `/connections/${enc(keep.id)}`)), 200);
    }),
  );

  test(
    "close a group's connections with excluded and reason",
    logged(async () => {
      const g = uid("g");
      const a = await connectClient(fx, { user: "alice" });
      const b = await connectClient(fx, { user: "bob" });
      const keep = await connectClient(fx, { user: "carl" });
      const outside = await connectClient(fx, { user: "dora" });
      for (const c of [a, b, keep]) expectStatus(await call("PUT", p22("chat", `/groups/${g}/connections/${enc(c.id)}`)), 200);
      const res = await call("POST", p22("chat", `/groups/${g}/:closeConnections`, `${excludedQuery([keep.id])}&reason=group-closed`));
      expectStatus(res, 204, "close group");
      await expectClosed(a, /group-closed/);
      await expectClosed(b, /group-closed/);
      await stillOpen([keep, outside]);
    }),
  );

  test(
    "close a user's connections with excluded and reason",
    logged(async () => {
      const user = uid("closeme");
      const u1 = await connectClient(fx, { user });
      const u2 = await connectClient(fx, { user });
      const u3 = await connectClient(fx, { user });
      const bob = await connectClient(fx, { user: "bob" });
      const res = await call("POST", p22("chat", `/users/${enc(user)}/:closeConnections`, `${excludedQuery([u3.id])}&reason=user-closed`));
      expectStatus(res, 204, "close user");
      await expectClosed(u1, /user-closed/);
      await expectClosed(u2, /user-closed/);
      await stillOpen([u3, bob]);
      // And without excluded: every connection of that user.
      const res2 = await call("POST", p22("chat", `/users/${enc(user)}/:closeConnections`, "reason=all-gone"));
      expectStatus(res2, 204);
      await expectClosed(u3, /all-gone/);
      await waitFor(async () => (await call("HEAD", p22("chat", `/users/${enc(user)}`))).status === 404, {
        message: "user gone after closing all their connections",
      });
      await stillOpen([bob]);
    }),
  );

  test(
    "closing an unknown user / empty group / empty hub is fine",
    logged(async () => {
      expectStatus(await call("POST", p22("chat", `/users/nobody-at-all/:closeConnections`)), 204);
      expectStatus(await call("POST", p22("chat", `/groups/empty-group/:closeConnections`)), 204);
      expectStatus(await call("POST", p22("emptyhub", `/:closeConnections`)), 204);
    }),
  );
});
