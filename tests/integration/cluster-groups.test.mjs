// Cluster (issue 11): groups and existence checks across three nodes. Connection groups with members
// on other nodes than the one receiving the call; user↔group membership (permanent, ttl=0, ttl=N)
// reaching connections on any node, also ones made later; remove from all groups; the
// 100-permanent-groups rule for a user whose memberships are written through different nodes;
// existence checks (connection, user, group, user in group) answering for the whole cluster on every
// node, right after a client's start() resolved or a membership call returned.
import { test, describe } from "node:test";
import assert from "node:assert/strict";
import {
  restCall,
  p22,
  pv1,
  expectStatus,
  expect404,
  expectDelivery,
  waitFor,
  logged,
  uid,
} from "./helpers.mjs";
import { useCluster, placeOn } from "./cluster-helpers.mjs";

const enc = encodeURIComponent;

describe("cluster groups and existence checks", () => {
  let nodes;
  useCluster(3, (c) => ({ nodes } = c), { balance: "off" });

  const on = (i, opts) => placeOn(nodes, i, opts);
  const groupSend = async (node, g, tag) =>
    expectStatus(await restCall(node, "POST", p22("chat", `/groups/${enc(g)}/:send`), { body: { target: "newMessage", arguments: [tag] } }), 202, `group send via ${node.nodeId}`);
  const addUser = async (node, user, g, query = "") =>
    expectStatus(await restCall(node, "PUT", p22("chat", `/users/${enc(user)}/groups/${enc(g)}`, query)), 200, `add ${user} to ${g} ${query} via ${node.nodeId}`);
  const userInGroup = (node, user, g) => restCall(node, "GET", p22("chat", `/users/${enc(user)}/groups/${enc(g)}`));
  /** The same check on every node, no waiting: 200 or the 404 with its x-ms-error-code. */
  const onEveryNode = async (what, pathOf, expected, code, method = "HEAD") => {
    for (const n of nodes) {
      const res = await restCall(n, method, pathOf);
      if (expected === 200) expectStatus(res, 200, `${what} on ${n.nodeId}`);
      else expect404(res, code, `${what} on ${n.nodeId}`);
    }
  };
  const eventuallyOnEveryNode = async (what, pathOf, status) =>
    waitFor(async () => {
      for (const n of nodes) if ((await restCall(n, "HEAD", pathOf)).status !== status) return false;
      return true;
    }, { timeout: 3000, interval: 50, message: `${what}: ${status} on every node` });

  test(
    "connections on other nodes join and leave groups through any node; group checks agree everywhere",
    logged(async () => {
      const [A, B, C] = nodes;
      const g = uid("g");
      const a = await on(0);
      const b = await on(1);
      const c = await on(2);
      const outside = await on(1);
      await onEveryNode("empty group", p22("chat", `/groups/${enc(g)}`), 404, "Warning.Group.NotExisted");
      expectStatus(await restCall(C, "PUT", p22("chat", `/groups/${enc(g)}/connections/${enc(a.id)}`)), 200, "add A's connection via C");
      // Visible on every node as soon as the call returned.
      await onEveryNode("group with a member on A", p22("chat", `/groups/${enc(g)}`), 200);
      await onEveryNode("group with a member on A (v1 GET)", pv1("chat", `/groups/${enc(g)}`), 200, undefined, "GET");
      expectStatus(await restCall(A, "PUT", pv1("chat", `/connections/${enc(b.id)}/groups/${enc(g)}`)), 200, "v1 add B's connection via A");
      expectStatus(await restCall(B, "PUT", p22("chat", `/groups/${enc(g)}/connections/${enc(c.id)}`)), 200, "add C's connection via B");
      for (const via of nodes) {
        const tag = uid("t");
        await groupSend(via, g, tag);
        await expectDelivery(via, { tag, receivers: [a, b, c], nonReceivers: [outside] });
      }
      // Remove B's connection through C, A's through B (reverse order, v1).
      expectStatus(await restCall(C, "DELETE", p22("chat", `/groups/${enc(g)}/connections/${enc(b.id)}`)), 200, "remove B's connection via C");
      expectStatus(await restCall(B, "DELETE", pv1("chat", `/connections/${enc(a.id)}/groups/${enc(g)}`)), 200, "v1 remove A's connection via B");
      let tag = uid("t");
      await groupSend(A, g, tag);
      await expectDelivery(B, { tag, receivers: [c], nonReceivers: [a, b, outside] });
      expectStatus(await restCall(A, "DELETE", p22("chat", `/groups/${enc(g)}/connections/${enc(c.id)}`)), 200, "remove C's connection via A");
      await onEveryNode("emptied group", p22("chat", `/groups/${enc(g)}`), 404, "Warning.Group.NotExisted");
      tag = uid("t");
      await groupSend(C, g, tag);
      await expectDelivery(C, { tag, receivers: [], nonReceivers: [a, b, c, outside] });
      // Remove a connection on C from all its groups through B.
      const g2 = uid("g");
      const g3 = uid("g");
      for (const x of [g2, g3]) expectStatus(await restCall(A, "PUT", p22("chat", `/groups/${enc(x)}/connections/${enc(c.id)}`)), 200, `add C's connection to ${x}`);
      expectStatus(await restCall(B, "DELETE", p22("chat", `/connections/${enc(c.id)}/groups`)), 200, "remove C's connection from all groups via B");
      for (const x of [g2, g3]) {
        await onEveryNode(`group ${x} after remove-from-all`, p22("chat", `/groups/${enc(x)}`), 404, "Warning.Group.NotExisted");
        tag = uid("t");
        await groupSend(A, x, tag);
        await expectDelivery(A, { tag, receivers: [], nonReceivers: [a, b, c, outside] });
      }
      // A connection that is nowhere in the cluster: 404 on every node.
      for (const n of nodes) {
        expect404(await restCall(n, "PUT", p22("chat", `/groups/${enc(g)}/connections/no-such-connection`)), "Error.Connection.NotExisted", `PUT unknown connection via ${n.nodeId}`);
        expectStatus(await restCall(n, "DELETE", p22("chat", `/groups/${enc(g)}/connections/no-such-connection`)), 404, `DELETE unknown connection via ${n.nodeId}`);
      }
      // A connection of another hub is not found in this one, on any node.
      const o = await on(2, { hub: "otherhub" });
      expectStatus(await restCall(A, "PUT", p22("chat", `/groups/${enc(g)}/connections/${enc(o.id)}`)), 404, "connection of another hub");
    }),
  );

  test(
    "permanent user membership: the user's connections on every node, and ones made later on any node",
    logged(async () => {
      const [A, B, C] = nodes;
      const g = uid("g");
      const user = uid("perm");
      const u0 = await on(0, { user });
      const other = await on(2, { user: uid("other") });
      await addUser(B, user, g);
      await onEveryNode("user in group right after the add", p22("chat", `/users/${enc(user)}/groups/${enc(g)}`), 200, undefined, "GET");
      await onEveryNode("user in group, other order, v1", pv1("chat", `/groups/${enc(g)}/users/${enc(user)}`), 200, undefined, "GET");
      await onEveryNode("another user", p22("chat", `/users/${enc(uid("x"))}/groups/${enc(g)}`), 404, "Info.User.NotInGroup", "GET");
      let tag = uid("t");
      await groupSend(C, g, tag);
      await expectDelivery(C, { tag, receivers: [u0], nonReceivers: [other] });
      // Connections made later, on the two other nodes, are in the group too.
      const u2 = await on(2, { user });
      const u1 = await on(1, { user, protocol: "messagepack" });
      tag = uid("t");
      await groupSend(A, g, tag);
      await expectDelivery(B, { tag, receivers: [u0, u1, u2], nonReceivers: [other] });
      // Removing the user through C (2022: 204) takes all of them out, and future ones too.
      expectStatus(await restCall(C, "DELETE", p22("chat", `/users/${enc(user)}/groups/${enc(g)}`)), 204, "remove user from group via C");
      await onEveryNode("user removed", p22("chat", `/users/${enc(user)}/groups/${enc(g)}`), 404, "Info.User.NotInGroup", "GET");
      const later = await on(0, { user });
      tag = uid("t");
      await groupSend(B, g, tag);
      await expectDelivery(A, { tag, receivers: [], nonReceivers: [u0, u1, u2, later, other] });
      // v1 add (groups/{g}/users/{u}) through A, v1 remove through B (202).
      expectStatus(await restCall(A, "PUT", pv1("chat", `/groups/${enc(g)}/users/${enc(user)}`)), 202, "v1 add user");
      tag = uid("t");
      await groupSend(C, g, tag);
      await expectDelivery(C, { tag, receivers: [u0, u1, u2, later], nonReceivers: [other] });
      expectStatus(await restCall(B, "DELETE", pv1("chat", `/groups/${enc(g)}/users/${enc(user)}`)), 202, "v1 remove user");
      await onEveryNode("user removed (v1)", p22("chat", `/users/${enc(user)}/groups/${enc(g)}`), 404, "Info.User.NotInGroup", "GET");
    }),
  );

  test(
    "ttl=0 adds the user's current connections on every node, not later ones",
    logged(async () => {
      const [A, B, C] = nodes;
      const g = uid("g");
      const user = uid("ttl0");
      const a = await on(0, { user });
      const c = await on(2, { user });
      await addUser(B, user, g, "ttl=0");
      await onEveryNode("ttl=0 member", p22("chat", `/users/${enc(user)}/groups/${enc(g)}`), 200, undefined, "GET");
      let tag = uid("t");
      await groupSend(C, g, tag);
      await expectDelivery(A, { tag, receivers: [a, c] });
      const later = await on(1, { user });
      tag = uid("t");
      await groupSend(A, g, tag);
      await expectDelivery(B, { tag, receivers: [a, c], nonReceivers: [later] });
      // Once the joined connections are gone, the user is not in the group, anywhere.
      await a.stop();
      await c.stop();
      await eventuallyOnEveryNode("user-in-group after the ttl=0 connections left", p22("chat", `/users/${enc(user)}/groups/${enc(g)}`), 404);
      const again = await on(2, { user });
      tag = uid("t");
      await groupSend(B, g, tag);
      await expectDelivery(C, { tag, receivers: [], nonReceivers: [later, again] });
    }),
  );

  test(
    "ttl=2 membership expires cluster-wide after about 2 s, for connections on every node",
    logged(async () => {
      const [A, B, C] = nodes;
      const g = uid("g");
      const user = uid("ttl2");
      const a = await on(0, { user });
      const started = Date.now();
      await addUser(C, user, g, "ttl=2");
      const b = await on(1, { user }); // a later connection on another node joins while the ttl runs
      let tag = uid("t");
      await groupSend(B, g, tag);
      await expectDelivery(A, { tag, receivers: [a, b] });
      if (Date.now() - started < 1500) await onEveryNode("before the ttl", p22("chat", `/users/${enc(user)}/groups/${enc(g)}`), 200, undefined, "GET");
      await waitFor(
        async () => {
          for (const n of nodes) if ((await userInGroup(n, user, g)).status !== 404) return false;
          return true;
        },
        { timeout: 6000, interval: 100, message: "user-in-group → 404 on every node after the ttl" },
      );
      const elapsed = Date.now() - started;
      assert.ok(elapsed >= 1500, `membership ended after ${elapsed} ms, expected about 2000`);
      tag = uid("t");
      await groupSend(A, g, tag);
      await expectDelivery(C, { tag, receivers: [], nonReceivers: [a, b] });
    }),
  );

  test(
    "remove a user from all groups through another node (2022 → 204, v1 → 200)",
    logged(async () => {
      const [A, B, C] = nodes;
      const g1 = uid("g");
      const g2 = uid("g");
      const user = uid("all");
      const a = await on(0, { user });
      const b = await on(1, { user });
      const other = await on(2, { user: uid("bob") });
      await addUser(A, user, g1);
      await addUser(B, user, g2);
      expectStatus(await restCall(B, "PUT", p22("chat", `/groups/${enc(g1)}/connections/${enc(other.id)}`)), 200);
      expectStatus(await restCall(C, "DELETE", p22("chat", `/users/${enc(user)}/groups`)), 204, "remove from all groups via C");
      for (const g of [g1, g2]) {
        await onEveryNode(`user out of ${g}`, p22("chat", `/users/${enc(user)}/groups/${enc(g)}`), 404, "Info.User.NotInGroup", "GET");
        const tag = uid("t");
        await groupSend(A, g, tag);
        await expectDelivery(B, { tag, receivers: g === g1 ? [other] : [], nonReceivers: [a, b] });
      }
      const later = await on(2, { user });
      let tag = uid("t");
      await groupSend(C, g1, tag);
      await expectDelivery(C, { tag, receivers: [other], nonReceivers: [a, b, later] });
      await addUser(C, user, g2);
      expectStatus(await restCall(A, "DELETE", pv1("chat", `/users/${enc(user)}/groups`)), 200, "v1 remove from all groups via A");
      tag = uid("t");
      await groupSend(B, g2, tag);
      await expectDelivery(A, { tag, receivers: [], nonReceivers: [a, b, later] });
    }),
  );

  test(
    "only the 100 most recently updated permanent groups of a user are kept, whichever node wrote them",
    logged(async () => {
      const user = uid("many");
      const prefix = uid("grp");
      for (let i = 0; i <= 100; i++) await addUser(nodes[i % 3], user, `${prefix}-${i}`);
      await onEveryNode("oldest of 101 groups dropped", p22("chat", `/users/${enc(user)}/groups/${enc(`${prefix}-0`)}`), 404, "Info.User.NotInGroup", "GET");
      await onEveryNode("group #1 kept", p22("chat", `/users/${enc(user)}/groups/${enc(`${prefix}-1`)}`), 200, undefined, "GET");
      await onEveryNode("newest kept", p22("chat", `/users/${enc(user)}/groups/${enc(`${prefix}-100`)}`), 200, undefined, "GET");
      // Refreshing #1 through another node than the one that wrote it makes it recent again.
      await addUser(nodes[2], user, `${prefix}-1`);
      await addUser(nodes[0], user, `${prefix}-101`);
      await onEveryNode("refreshed group kept", p22("chat", `/users/${enc(user)}/groups/${enc(`${prefix}-1`)}`), 200, undefined, "GET");
      await onEveryNode("now-oldest dropped", p22("chat", `/users/${enc(user)}/groups/${enc(`${prefix}-2`)}`), 404, "Info.User.NotInGroup", "GET");
      // ttl memberships do not count against the 100.
      await addUser(nodes[1], user, `${prefix}-ttl`, "ttl=600");
      await onEveryNode("#3 kept beside a ttl membership", p22("chat", `/users/${enc(user)}/groups/${enc(`${prefix}-3`)}`), 200, undefined, "GET");
      const c = await on(1, { user });
      const tag = uid("t");
      await groupSend(nodes[0], `${prefix}-101`, tag);
      await expectDelivery(nodes[2], { tag, receivers: [c] });
    }),
  );

  test(
    "connection and user checks answer for the whole cluster on every node",
    logged(async () => {
      const user = uid("exists");
      const cp = (c) => p22("chat", `/connections/${enc(c.id)}`);
      await onEveryNode("user before connecting", p22("chat", `/users/${enc(user)}`), 404, "Warning.User.NotExisted");
      const c = await on(2, { user, transport: 1 /* WebSockets */ });
      // Visible everywhere once start() resolved.
      await onEveryNode("connection on C", cp(c), 200);
      await onEveryNode("connection on C (v1 GET)", pv1("chat", `/connections/${enc(c.id)}`), 200, undefined, "GET");
      await onEveryNode("user connected on C", p22("chat", `/users/${enc(user)}`), 200);
      await onEveryNode("user connected on C (v1)", pv1("chat", `/users/${enc(user)}`), 200, undefined, "GET");
      await onEveryNode("connection in another hub", p22("otherhub", `/connections/${enc(c.id)}`), 404, "Warning.Connection.NotExisted");
      await onEveryNode("user in another hub", p22("otherhub", `/users/${enc(user)}`), 404, "Warning.User.NotExisted");
      await onEveryNode("unknown connection", p22("chat", "/connections/does-not-exist"), 404, "Warning.Connection.NotExisted", "GET");
      // A group whose only member is an offline user has no connection; it has once the user connects.
      const g = uid("g");
      const ghost = uid("ghost");
      await addUser(nodes[0], ghost, g);
      await onEveryNode("group of an offline user", p22("chat", `/groups/${enc(g)}`), 404, "Warning.Group.NotExisted");
      const gc = await on(1, { user: ghost });
      await onEveryNode("group once the user connected on B", p22("chat", `/groups/${enc(g)}`), 200);
      // A second connection of the user elsewhere keeps the user known when the first leaves.
      const c2 = await on(0, { user });
      await c.stop();
      await eventuallyOnEveryNode("connection gone", cp(c), 404);
      await onEveryNode("user still connected on A", p22("chat", `/users/${enc(user)}`), 200);
      await c2.stop();
      await eventuallyOnEveryNode("user gone", p22("chat", `/users/${enc(user)}`), 404);
      await gc.stop();
      await eventuallyOnEveryNode("group gone with its user's connection", p22("chat", `/groups/${enc(g)}`), 404);
    }),
  );
});
