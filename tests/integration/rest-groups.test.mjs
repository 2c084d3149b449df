// Groups: connection and user membership, group sends, ttl.
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
  sleep,
  logged,
  uid,
  useServiceWithFixture,
} from "./helpers.mjs";

const enc = encodeURIComponent;

describe("REST groups", () => {
  let svc;
  let fx;
  useServiceWithFixture((service, fixture) => {
    svc = service;
    fx = fixture;
  });

  const call = (method, path, body) => restCall(svc, method, path, body === undefined ? {} : { body });
  const groupSend = async (group, tag, extraQuery = "", form = "22") => {
    const path = form === "22" ? p22("chat", `/groups/${enc(group)}/:send`, extraQuery) : pv1("chat", `/groups/${enc(group)}`, extraQuery);
    const res = await call("POST", path, { target: "newMessage", arguments: [tag, group] });
    expectStatus(res, 202, `send to group ${group}`);
  };
  const addConn = async (group, c, status = 200) =>
    expectStatus(await call("PUT", p22("chat", `/groups/${enc(group)}/connections/${enc(c.id)}`)), status, `add ${c.label} to ${group}`);
  const addUser = async (group, user, query = "") =>
    expectStatus(await call("PUT", p22("chat", `/users/${enc(user)}/groups/${enc(group)}`, query)), 200, `add user ${user} to ${group}`);
  const userInGroup = (user, group) => call("GET", p22("chat", `/users/${enc(user)}/groups/${enc(group)}`));

  test(
    "add connection to group: group send reaches members only (2022 and v1 paths, both orders)",
    logged(async () => {
      const g = uid("g");
      const a = await connectClient(fx, { user: "alice" });
      const b = await connectClient(fx, { user: "bob" });
      const c = await connectClient(fx, { user: "carl" });
      const d = await connectClient(fx, { user: "dora" });
      await addConn(g, a);
      expectStatus(await call("PUT", pv1("chat", `/groups/${enc(g)}/connections/${enc(b.id)}`)), 200, "v1 add connection to group");
      expectStatus(await call("PUT", p22("chat", `/connections/${enc(c.id)}/groups/${enc(g)}`)), 200, "reverse order add connection to group");
      const tag = uid("t");
      await groupSend(g, tag);
      await expectDelivery(svc, { tag, receivers: [a, b, c], nonReceivers: [d], args: [tag, g] });
      const tag2 = uid("t");
      await groupSend(g, tag2, "", "v1");
      await expectDelivery(svc, { tag: tag2, receivers: [a, b, c], nonReceivers: [d] });
      const tag3 = uid("t");
      expectStatus(await call("POST", p22("chat", `/groups/${enc(g)}`), { target: "newMessage", arguments: [tag3] }), 202, "group send without :send");
      await expectDelivery(svc, { tag: tag3, receivers: [a, b, c], nonReceivers: [d] });
      // Adding twice is fine.
      await addConn(g, a);
      const tag4 = uid("t");
      await groupSend(g, tag4);
      await expectDelivery(svc, { tag: tag4, receivers: [a, b, c], nonReceivers: [d] });
    }),
  );

  test(
    "group send with repeated excluded",
    logged(async () => {
      const g = uid("g");
      const cs = [];
      for (const u of ["u1", "u2", "u3", "u4"]) cs.push(await connectClient(fx, { user: u }));
      for (const c of cs) await addConn(g, c);
      const tag = uid("t");
      await groupSend(g, tag, excludedQuery([cs[0].id, cs[2].id]));
      await expectDelivery(svc, { tag, receivers: [cs[1], cs[3]], nonReceivers: [cs[0], cs[2]] });
      const tag2 = uid("t");
      await groupSend(g, tag2, excludedQuery([cs[3].id]), "v1");
      await expectDelivery(svc, { tag: tag2, receivers: [cs[0], cs[1], cs[2]], nonReceivers: [cs[3]] });
    }),
  );

  test(
    "group names are case-sensitive and support encoded characters",
    logged(async () => {
      const a = await connectClient(fx, { user: "alice" });
      const b = await connectClient(fx, { user: "bob" });
      const g = `Room 1 é ${uid()}`;
      await addConn(g, a);
      await addConn(g.toLowerCase(), b);
      const tag = uid("t");
      await groupSend(g, tag);
      await expectDelivery(svc, { tag, receivers: [a], nonReceivers: [b] });
    }),
  );

  test(
    "remove connection from group (both orders) stops its group messages; unknown connection is 404",
    logged(async () => {
      const g = uid("g");
      const a = await connectClient(fx, { user: "alice" });
      const b = await connectClient(fx, { user: "bob" });
      const c = await connectClient(fx, { user: "carl" });
      for (const x of [a, b, c]) await addConn(g, x);
      expectStatus(await call("DELETE", p22("chat", `/groups/${enc(g)}/connections/${enc(a.id)}`)), 200, "remove connection from group");
      expectStatus(await call("DELETE", pv1("chat", `/connections/${enc(b.id)}/groups/${enc(g)}`)), 200, "v1 reverse order remove");
      const tag = uid("t");
      await groupSend(g, tag);
      await expectDelivery(svc, { tag, receivers: [c], nonReceivers: [a, b] });
      const res = await call("DELETE", p22("chat", `/groups/${enc(g)}/connections/no-such-connection`));
      expectStatus(res, 404, "remove unknown connection from group");
    }),
  );

  test(
    "PUT an unknown connection into a group is 404 Error.Connection.NotExisted",
    logged(async () => {
      const res = await call("PUT", p22("chat", `/groups/somegroup/connections/no-such-connection`));
      expect404(res, "Error.Connection.NotExisted", "add unknown connection");
      const res1 = await call("PUT", pv1("chat", `/groups/somegroup/connections/no-such-connection`));
      expect404(res1, "Error.Connection.NotExisted", "v1 add unknown connection");
      // A connection of another hub is unknown in this hub.
      const o = await connectClient(fx, { user: "alice", hub: "otherhub" });
      const res2 = await call("PUT", p22("chat", `/groups/somegroup/connections/${enc(o.id)}`));
      expect404(res2, "Error.Connection.NotExisted", "add connection of another hub");
    }),
  );

  test(
    "remove connection from all groups",
    logged(async () => {
      const g1 = uid("g");
      const g2 = uid("g");
      const a = await connectClient(fx, { user: "alice" });
      const b = await connectClient(fx, { user: "bob" });
      for (const g of [g1, g2]) for (const x of [a, b]) await addConn(g, x);
      expectStatus(await call("DELETE", p22("chat", `/connections/${enc(a.id)}/groups`)), 200, "remove connection from all groups");
      const t1 = uid("t");
      await groupSend(g1, t1);
      await expectDelivery(svc, { tag: t1, receivers: [b], nonReceivers: [a] });
      const t2 = uid("t");
      await groupSend(g2, t2);
      await expectDelivery(svc, { tag: t2, receivers: [b], nonReceivers: [a] });
      // a still gets direct messages
      const t3 = uid("t");
      expectStatus(await call("POST", p22("chat", `/connections/${enc(a.id)}/:send`), { target: "newMessage", arguments: [t3] }), 202);
      await expectDelivery(svc, { tag: t3, receivers: [a], nonReceivers: [b] });
    }),
  );

  test(
    "a user in two groups gets each group's messages on every connection",
    logged(async () => {
      const g1 = uid("g");
      const g2 = uid("g");
      const a1 = await connectClient(fx, { user: "alice" });
      const a2 = await connectClient(fx, { user: "alice" });
      const b = await connectClient(fx, { user: "bob" });
      await addUser(g1, "alice");
      const v1 = await call("PUT", pv1("chat", `/groups/${enc(g2)}/users/alice`));
      expectStatus(v1, 202, "v1 add user to group");
      const t1 = uid("t");
      await groupSend(g1, t1);
      await expectDelivery(svc, { tag: t1, receivers: [a1, a2], nonReceivers: [b] });
      const t2 = uid("t");
      await groupSend(g2, t2);
      await expectDelivery(svc, { tag: t2, receivers: [a1, a2], nonReceivers: [b] });
      // Alternative order for 2022: groups/{g}/users/{u}
      const g3 = uid("g");
      expectStatus(await call("PUT", p22("chat", `/groups/${enc(g3)}/users/bob`)), 200, "2022 add user, groups/users order");
      const t3 = uid("t");
      await groupSend(g3, t3);
      await expectDelivery(svc, { tag: t3, receivers: [b], nonReceivers: [a1, a2] });
    }),
  );

  test(
    "a user added to a group before connecting gets the group's messages after connecting",
    logged(async () => {
      const g = uid("g");
      const user = uid("early");
      await addUser(g, user);
      expectStatus(await userInGroup(user, g), 200, "user-in-group check for a stored membership");
      const c = await connectClient(fx, { user });
      const other = await connectClient(fx, { user: "bob" });
      const tag = uid("t");
      await groupSend(g, tag);
      await expectDelivery(svc, { tag, receivers: [c], nonReceivers: [other] });
      // A second connection of the same user joins as well.
      const c2 = await connectClient(fx, { user });
      const tag2 = uid("t");
      await groupSend(g, tag2);
      await expectDelivery(svc, { tag: tag2, receivers: [c, c2], nonReceivers: [other] });
      // Membership survives all connections of the user going away.
      await c.stop();
      await c2.stop();
      const c3 = await connectClient(fx, { user });
      const tag3 = uid("t");
      await groupSend(g, tag3);
      await expectDelivery(svc, { tag: tag3, receivers: [c3], nonReceivers: [other] });
    }),
  );

  test(
    "remove user from group stops messages on existing and future connections",
    logged(async () => {
      const g = uid("g");
      const user = uid("rm");
      const c1 = await connectClient(fx, { user });
      await addUser(g, user);
      const c2 = await connectClient(fx, { user });
      const t0 = uid("t");
      await groupSend(g, t0);
      await expectDelivery(svc, { tag: t0, receivers: [c1, c2] });
      const res = await call("DELETE", p22("chat", `/users/${enc(user)}/groups/${enc(g)}`));
      expectStatus(res, 204, "remove user from group (2022)");
      const t1 = uid("t");
      await groupSend(g, t1);
      await expectDelivery(svc, { tag: t1, receivers: [], nonReceivers: [c1, c2] });
      expect404(await userInGroup(user, g), "Info.User.NotInGroup", "user-in-group after removal");
      const c3 = await connectClient(fx, { user });
      const t2 = uid("t");
      await groupSend(g, t2);
      await expectDelivery(svc, { tag: t2, receivers: [], nonReceivers: [c1, c2, c3] });

      // v1 remove (groups/{g}/users/{u}) answers 202.
      const g2 = uid("g");
      await addUser(g2, user);
      const resv1 = await call("DELETE", pv1("chat", `/groups/${enc(g2)}/users/${enc(user)}`));
      expectStatus(resv1, 202, "v1 remove user from group");
      const t3 = uid("t");
      await groupSend(g2, t3);
      await expectDelivery(svc, { tag: t3, receivers: [], nonReceivers: [c1, c2, c3] });

      // 2022 with the groups/{g}/users/{u} order
      const g3 = uid("g");
      await addUser(g3, user);
      expectStatus(await call("DELETE", p22("chat", `/groups/${enc(g3)}/users/${enc(user)}`)), 204, "2022 remove, other order");
      expect404(await userInGroup(user, g3), "Info.User.NotInGroup");
    }),
  );

  test(
    "remove user from all groups (2022 → 204, v1 → 200)",
    logged(async () => {
      const g1 = uid("g");
      const g2 = uid("g");
      const user = uid("all");
      const c = await connectClient(fx, { user });
      const other = await connectClient(fx, { user: "bob" });
      await addUser(g1, user);
      await addUser(g2, user);
      await addConn(g1, other);
      expectStatus(await call("DELETE", p22("chat", `/users/${enc(user)}/groups`)), 204, "remove user from all groups");
      for (const g of [g1, g2]) {
        const t = uid("t");
        await groupSend(g, t);
        await expectDelivery(svc, { tag: t, receivers: g === g1 ? [other] : [], nonReceivers: [c] });
        expect404(await userInGroup(user, g), "Info.User.NotInGroup");
      }
      // A new connection of the user does not rejoin.
      const c2 = await connectClient(fx, { user });
      const t = uid("t");
      await groupSend(g1, t);
      await expectDelivery(svc, { tag: t, receivers: [other], nonReceivers: [c, c2] });

      await addUser(g2, user);
      expectStatus(await call("DELETE", pv1("chat", `/users/${enc(user)}/groups`)), 200, "v1 remove user from all groups");
      const tv = uid("t");
      await groupSend(g2, tv);
      await expectDelivery(svc, { tag: tv, receivers: [], nonReceivers: [c, c2] });
    }),
  );

  test(
    "removing a user from a group removes that user's connections only",
    logged(async () => {
      const g = uid("g");
      const user = uid("mix");
      const c = await connectClient(fx, { user });
      const other = await connectClient(fx, { user: "bob" });
      await addUser(g, user);
      await addConn(g, other);
      expectStatus(await call("DELETE", p22("chat", `/users/${enc(user)}/groups/${enc(g)}`)), 204);
      const t = uid("t");
      await groupSend(g, t);
      await expectDelivery(svc, { tag: t, receivers: [other], nonReceivers: [c] });
    }),
  );

  test(
    "a connection in a group both directly and through its user gets each group message once",
    logged(async () => {
      const g = uid("g");
      const user = uid("twice");
      const c = await connectClient(fx, { user });
      await addConn(g, c);
      await addUser(g, user);
      const t = uid("t");
      await groupSend(g, t);
      await expectDelivery(svc, { tag: t, receivers: [c] }); // asserts exactly once
    }),
  );

  test(
    "user↔group membership is per hub; group operations honour hub case-insensitivity",
    logged(async () => {
      const g = uid("g");
      const user = uid("hubby");
      const inChat = await connectClient(fx, { user });
      const inOther = await connectClient(fx, { user, hub: "otherhub" });
      await addUser(g, user);
      const t = uid("t");
      await groupSend(g, t);
      await expectDelivery(svc, { tag: t, receivers: [inChat], nonReceivers: [inOther] });
      const t2 = uid("t");
      expectStatus(await call("POST", p22("otherhub", `/groups/${enc(g)}/:send`), { target: "newMessage", arguments: [t2] }), 202);
      await expectDelivery(svc, { tag: t2, receivers: [], nonReceivers: [inChat, inOther] });
      expect404(await call("GET", p22("otherhub", `/users/${enc(user)}/groups/${enc(g)}`)), "Info.User.NotInGroup", "other hub");
      // Upper-case hub in group operations addresses hub chat.
      const g2 = uid("g");
      const b = await connectClient(fx, { user: "bob" });
      expectStatus(await call("PUT", p22("CHAT", `/groups/${enc(g2)}/connections/${enc(b.id)}`)), 200, "PUT via CHAT");
      const t3 = uid("t");
      expectStatus(await call("POST", p22("Chat", `/groups/${enc(g2)}/:send`), { target: "newMessage", arguments: [t3] }), 202);
      await expectDelivery(svc, { tag: t3, receivers: [b], nonReceivers: [inChat, inOther] });
    }),
  );

  test(
    "ttl=0 adds only the currently connected connections",
    logged(async () => {
      const g = uid("g");
      const user = uid("ttl0");
      const a = await connectClient(fx, { user });
      await addUser(g, user, "ttl=0");
      expectStatus(await userInGroup(user, g), 200, "user-in-group while the ttl=0-joined connection is there");
      const t1 = uid("t");
      await groupSend(g, t1);
      await expectDelivery(svc, { tag: t1, receivers: [a] });
      // A connection made afterwards is not in the group.
      const b = await connectClient(fx, { user });
      const t2 = uid("t");
      await groupSend(g, t2);
      await expectDelivery(svc, { tag: t2, receivers: [a], nonReceivers: [b] });
      // No stored membership: once the joined connection is gone, the user is not in the group.
      await a.stop();
      await waitFor(async () => (await userInGroup(user, g)).status === 404, {
        timeout: 3000,
        message: "user-in-group 404 after the ttl=0 connection left",
      });
      expect404(await userInGroup(user, g), "Info.User.NotInGroup", "user-in-group after ttl=0 connection left");
      const c = await connectClient(fx, { user });
      const t3 = uid("t");
      await groupSend(g, t3);
      await expectDelivery(svc, { tag: t3, receivers: [], nonReceivers: [b, c] });
    }),
  );

  test(
    "ttl=2 membership expires after about 2 seconds",
    logged(async () => {
      const g = uid("g");
      const user = uid("ttl2");
      const a = await connectClient(fx, { user });
      const started = Date.now();
      await addUser(g, user, "ttl=2");
      const t1 = uid("t");
      await groupSend(g, t1);
      await expectDelivery(svc, { tag: t1, receivers: [a] });
      if (Date.now() - started < 1500) expectStatus(await userInGroup(user, g), 200, "user-in-group before the ttl elapsed");
      await waitFor(async () => (await userInGroup(user, g)).status === 404, {
        timeout: 6000,
        interval: 100,
        message: "user-in-group → 404 after the ttl",
      });
      const elapsed = Date.now() - started;
      assert.ok(elapsed >= 1500, `membership ended after ${elapsed} ms, expected about 2000`);
      expect404(await userInGroup(user, g), "Info.User.NotInGroup");
      const t3 = uid("t");
      await groupSend(g, t3);
      await expectDelivery(svc, { tag: t3, receivers: [], nonReceivers: [a] });
    }),
  );

  test(
    "ttl=0 for a user with no connection stores nothing",
    logged(async () => {
      const g = uid("g");
      const user = uid("off");
      await addUser(g, user, "ttl=0");
      expect404(await userInGroup(user, g), "Info.User.NotInGroup", "ttl=0 offline user");
      const c = await connectClient(fx, { user });
      const t = uid("t");
      await groupSend(g, t);
      await expectDelivery(svc, { tag: t, receivers: [], nonReceivers: [c] });
    }),
  );

  test(
    "re-adding a ttl membership without ttl makes it permanent",
    logged(async () => {
      const g = uid("g");
      const user = uid("readd");
      await addUser(g, user, "ttl=1");
      await addUser(g, user);
      await sleep(2300);
      expectStatus(await userInGroup(user, g), 200, "membership re-added without ttl must not expire");
    }),
  );

  test(
    "only the 100 most recently updated no-ttl groups of a user are kept",
    logged(async () => {
      const user = uid("many");
      const prefix = uid("grp");
      for (let i = 0; i <= 100; i++) await addUser(`${prefix}-${i}`, user);
      expect404(await userInGroup(user, `${prefix}-0`), "Info.User.NotInGroup", "oldest of 101 groups dropped");
      expectStatus(await userInGroup(user, `${prefix}-1`), 200, "group #1 kept");
      expectStatus(await userInGroup(user, `${prefix}-100`), 200, "newest kept");
      // Updating an old membership makes it recent again.
      await addUser(`${prefix}-1`, user);
      await addUser(`${prefix}-101`, user);
      expectStatus(await userInGroup(user, `${prefix}-1`), 200, "refreshed group kept");
      expect404(await userInGroup(user, `${prefix}-2`), "Info.User.NotInGroup", "now-oldest group dropped");
    }),
  );

  test(
    "invalid ttl is 400",
    logged(async () => {
      const user = uid("badttl");
      for (const q of ["ttl=-1", "ttl=abc", "ttl=1.5", "ttl=+5", "ttl=", "ttl=2147483648", "ttl=10000000000",
        "ttl=99999999999999999999999"]) {
        const res = await call("PUT", p22("chat", `/users/${enc(user)}/groups/g`, q));
        assert.equal(res.status, 400, `${q}: got ${res.status} ${res.text}`);
        assert.equal(res.json.code, "InvalidArgument", q);
        assert.equal(res.json.message, "Invalid 'ttl': must be a whole number of seconds from 0 to 2147483647.", q);
      }
      // Nothing was stored by the refused calls.
      expect404(await userInGroup(user, "g"), "Info.User.NotInGroup", "after refused ttls");
    }),
  );

  test(
    "the largest ttl (2147483647 s, Azure's int32) is kept, not wrapped into the past",
    logged(async () => {
      const g = uid("g");
      const user = uid("longttl");
      const c = await connectClient(fx, { user });
      for (const version of ["2022-06-01", "v1"]) {
        const path = version === "v1" ? pv1("chat", `/groups/${enc(g)}/users/${enc(user)}`, "ttl=2147483647")
          : p22("chat", `/users/${enc(user)}/groups/${enc(g)}`, "ttl=2147483647");
        const res = await call("PUT", path);
        assert.ok(res.status === 200 || res.status === 202, `${version}: ${res.status} ${res.text}`);
      }
      await sleep(1500); // expiries are swept every second
      expectStatus(await userInGroup(user, g), 200, "still in the group after the sweep");
      const t = uid("t");
      await groupSend(g, t);
      await expectDelivery(svc, { tag: t, receivers: [c] });
    }),
  );

  test(
    "user membership without ttl persists (no accidental expiry)",
    logged(async () => {
      const g = uid("g");
      const user = uid("nottl");
      const a = await connectClient(fx, { user });
      await addUser(g, user);
      await sleep(2500);
      expectStatus(await userInGroup(user, g), 200, "still in group");
      const t = uid("t");
      await groupSend(g, t);
      await expectDelivery(svc, { tag: t, receivers: [a] });
    }),
  );
});
