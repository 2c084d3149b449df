// Cluster (issue 11): the close endpoints (a connection, a user's, a group's, a hub's connections;
// `excluded`, `reason`) act on clients of every node whichever node receives the call; each closed
// client's onclose error carries the reason; the excluded and the other hub's clients stay open; and,
// as on one node, a closed connection no longer exists (on any node) once the close call returned.
import { test, describe } from "node:test";
import assert from "node:assert/strict";
import {
  restCall,
  p22,
  pv1,
  excludedQuery,
  expectStatus,
  expect404,
  expectDelivery,
  expectClosed,
  logged,
  uid,
  rawConnect,
  withTimeout,
} from "./helpers.mjs";
import { useCluster, placeOn } from "./cluster-helpers.mjs";
import { T } from "./transports-helpers.mjs";

const enc = encodeURIComponent;

describe("cluster close endpoints", () => {
  let nodes;
  // A larger outbound queue: the stuck-socket test fills one client's with 24 MB it does not read.
  useCluster(3, (c) => ({ nodes } = c), { balance: "off", args: ["--max-outbound-queue", "67108864"] });

  const on = (i, opts) => placeOn(nodes, i, opts);
  /** Right after a close call returned: the closed connections are gone on every node. */
  const goneEverywhere = async (clients, what) => {
    for (const n of nodes) for (const c of clients) {
      expect404(await restCall(n, "HEAD", p22(c.hub, `/connections/${enc(c.id)}`)), "Warning.Connection.NotExisted", `${what}: ${c.label} checked on ${n.nodeId}`);
    }
  };
  /** The clients are still open and get a message sent through each node. */
  const stillOpen = async (clients) => {
    for (const via of nodes) {
      const tag = uid("alive");
      for (const hub of new Set(clients.map((c) => c.hub))) {
        expectStatus(await restCall(via, "POST", p22(hub, "/:send"), { body: { target: "newMessage", arguments: [tag] } }), 202);
      }
      await expectDelivery(via, { tag, receivers: clients });
    }
    for (const c of clients) assert.equal(c.isClosed, false, `${c.label} must stay open`);
    for (const n of nodes) for (const c of clients) expectStatus(await restCall(n, "HEAD", p22(c.hub, `/connections/${enc(c.id)}`)), 200, `${c.label} on ${n.nodeId}`);
  };

  test(
    "close a connection on another node with a reason (2022 → 200, v1 → 202); unknown → 404 on every node",
    logged(async () => {
      const [A, B, C] = nodes;
      const a = await on(0, { user: uid("u") });
      const c = await on(2, { user: uid("u"), transport: T.LongPolling });
      const b = await on(1, { user: uid("u"), transport: T.ServerSentEvents });
      const keep = await on(1, { user: uid("keep") });
      const reason = "Server restart: é & 100% ✓";
      expectStatus(await restCall(A, "DELETE", p22("chat", `/connections/${enc(c.id)}`, `reason=${enc(reason)}`)), 200, "close C's connection via A");
      await goneEverywhere([c], "closed connection");
      await expectClosed(c, reason);
      expectStatus(await restCall(C, "DELETE", pv1("chat", `/connections/${enc(b.id)}`, "reason=v1%20reason")), 202, "v1 close B's connection via C");
      await goneEverywhere([b], "closed connection (v1)");
      await expectClosed(b, "v1 reason");
      expectStatus(await restCall(B, "DELETE", p22("chat", `/connections/${enc(a.id)}`)), 200, "close A's connection via B, no reason");
      await goneEverywhere([a], "closed connection (no reason)");
      await expectClosed(a, null);
      for (const n of nodes) {
        expect404(await restCall(n, "DELETE", p22("chat", "/connections/nope")), "Warning.Connection.NotExisted", `close unknown via ${n.nodeId}`);
      }
      // The same id in another hub is not that connection.
      expect404(await restCall(A, "DELETE", p22("otherhub", `/connections/${enc(keep.id)}`)), "Warning.Connection.NotExisted", "close in another hub");
      await stillOpen([keep]);
    }),
  );

  test(
    "close a user's connections on three nodes, with excluded and reason",
    logged(async () => {
      const user = uid("closeme");
      const u0 = await on(0, { user });
      const u1 = await on(1, { user, protocol: "messagepack" });
      const u2 = await on(2, { user, transport: T.LongPolling });
      const u2b = await on(2, { user });
      const otherHub = await on(0, { user, hub: "otherhub" });
      const bob = await on(1, { user: uid("bob") });
      const res = await restCall(nodes[1], "POST", p22("chat", `/users/${enc(user)}/:closeConnections`, `${excludedQuery([u2b.id])}&reason=user-closed`));
      expectStatus(res, 204, "close user via B");
      await goneEverywhere([u0, u1, u2], "user close");
      for (const c of [u0, u1, u2]) await expectClosed(c, "user-closed");
      await stillOpen([u2b, bob, otherHub]);
      for (const n of nodes) expectStatus(await restCall(n, "HEAD", p22("chat", `/users/${enc(user)}`)), 200, `user still has a connection (on ${n.nodeId})`);
      expectStatus(await restCall(nodes[0], "POST", p22("chat", `/users/${enc(user)}/:closeConnections`, "reason=all-gone")), 204);
      await goneEverywhere([u2b], "user close without excluded");
      await expectClosed(u2b, "all-gone");
      for (const n of nodes) expect404(await restCall(n, "HEAD", p22("chat", `/users/${enc(user)}`)), "Warning.User.NotExisted", `user gone (on ${n.nodeId})`);
      await stillOpen([bob, otherHub]);
    }),
  );

  test(
    "close a group's connections on three nodes, with excluded and reason",
    logged(async () => {
      const g = uid("g");
      const member = uid("member");
      const a = await on(0);
      const b = await on(1, { transport: T.ServerSentEvents });
      const keep = await on(2);
      const viaUser = await on(2, { user: member, protocol: "messagepack" });
      const outside = await on(0);
      for (const [i, c] of [a, b, keep].entries()) {
        expectStatus(await restCall(nodes[(i + 1) % 3], "PUT", p22("chat", `/groups/${enc(g)}/connections/${enc(c.id)}`)), 200);
      }
      expectStatus(await restCall(nodes[0], "PUT", p22("chat", `/users/${enc(member)}/groups/${enc(g)}`)), 200);
      const res = await restCall(nodes[2], "POST", p22("chat", `/groups/${enc(g)}/:closeConnections`, `${excludedQuery([keep.id])}&reason=group-closed`));
      expectStatus(res, 204, "close group via C");
      await goneEverywhere([a, b, viaUser], "group close");
      for (const c of [a, b, viaUser]) await expectClosed(c, "group-closed");
      await stillOpen([keep, outside]);
      // Closing an empty group, an unknown user, an empty hub is fine everywhere.
      for (const n of nodes) {
        expectStatus(await restCall(n, "POST", p22("chat", `/groups/${uid("empty")}/:closeConnections`)), 204);
        expectStatus(await restCall(n, "POST", p22("chat", `/users/${uid("nobody")}/:closeConnections`)), 204);
        expectStatus(await restCall(n, "POST", p22("emptyhub", "/:closeConnections")), 204);
      }
    }),
  );

  test(
    "close every connection of a hub on three nodes, with excluded and reason; v1 form",
    logged(async () => {
      const cs = [];
      for (let i = 0; i < 6; i++) {
        cs.push(await on(i % 3, { user: uid("h"), transport: [T.WebSockets, T.ServerSentEvents, T.LongPolling][Math.floor(i / 3) + (i % 2)] }));
      }
      const keep = cs.pop();
      const other = await on(1, { hub: "otherhub" });
      const res = await restCall(nodes[0], "POST", p22("chat", "/:closeConnections", `${excludedQuery([keep.id])}&reason=${enc("maintenance now")}`));
      expectStatus(res, 204, "close hub via A");
      await goneEverywhere(cs, "hub close");
      for (const c of cs) await expectClosed(c, "maintenance now");
      await stillOpen([keep, other]);
      // v1 close-all through another node.
      const more = [await on(0), await on(2)];
      expectStatus(await restCall(nodes[1], "POST", pv1("chat", "/:closeConnections", "reason=v1-all")), 204, "v1 close hub via B");
      await goneEverywhere([keep, ...more], "v1 hub close");
      for (const c of [keep, ...more]) await expectClosed(c, "v1-all");
      await stillOpen([other]);
    }),
  );

  // A hub's or a group's close names no connection in Redis: the node holding them must forget them
  // there before it acknowledges, or a node asked right after the answer still finds them (their
  // own removal comes when their transport has closed). A client that stopped reading, with its
  // socket full, keeps its transport open until the close times out (5 s): a wide, sure window.
  test(
    "a hub's or a group's connections closed on another node are gone everywhere once the close returned, even when their sockets are stuck",
    logged(async () => {
      const [A, B, C] = nodes;
      const opened = [];
      const connect = async (hub) => {
        const r = await rawConnect(C, { hub, handshake: true });
        opened.push(r);
        return r;
      };
      // Stop reading, then send it more than the sockets between us can hold: its writes stall.
      const stall = async (r) => {
        r.ws._socket.pause();
        const chunk = "x".repeat(500_000);
        for (let i = 0; i < 48; i++) {
          expectStatus(await restCall(B, "POST", p22(r.hub, `/connections/${enc(r.connectionId)}/:send`), { body: { target: "fill", arguments: [chunk] } }), 202, `fill ${i}`);
        }
      };
      // As goneEverywhere, for raw sockets.
      const gone = (clients, what) => goneEverywhere(clients.map((r) => ({ hub: r.hub, id: r.connectionId, label: r.connectionId })), what);
      const ended = (r) => {
        r.ws._socket.resume();
        return withTimeout(r.closed, 15000, `close of ${r.connectionId}`);
      };
      try {
        const hub = uid("stuckhub");
        const [stuck, fine] = [await connect(hub), await connect(hub)];
        await stall(stuck);
        expectStatus(await restCall(A, "POST", p22(hub, "/:closeConnections", "reason=stuck")), 204, "close the hub via A");
        await gone([stuck, fine], "hub close");
        await ended(fine);
        await ended(stuck);

        const g = uid("stuckgroup");
        const [member, other] = [await connect("chat"), await connect("chat")];
        for (const r of [member, other]) expectStatus(await restCall(C, "PUT", p22("chat", `/groups/${enc(g)}/connections/${enc(r.connectionId)}`)), 200);
        await stall(member);
        expectStatus(await restCall(B, "POST", p22("chat", `/groups/${enc(g)}/:closeConnections`)), 204, "close the group via B");
        await gone([member, other], "group close");
        await ended(other);
        await ended(member);
      } finally {
        for (const r of opened) if (!r.isClosed) r.ws.terminate(); // the cluster helpers stop only official clients
      }
    }),
  );
});
