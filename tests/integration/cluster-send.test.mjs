// Cluster (issue 11): every REST send (to all, a user, a group, a connection; with excluded; v1 and
// 2022-06-01) reaches exactly its recipients once, whichever of three nodes receives the call and
// wherever the clients are, for JSON and MessagePack clients over WebSockets, Server-Sent Events and
// long polling. The nodes run with --balance off so that a client connected through node i's
// negotiate fixture is on node i (checked), like a negotiate function that picks a node.
import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { restCall, p22, pv1, excludedQuery, expectStatus, expectDelivery, logged, uid } from "./helpers.mjs";
import { TRANSPORTS, TYPED_ARGS } from "./transports-helpers.mjs";
import { useCluster, placeOn } from "./cluster-helpers.mjs";

const enc = encodeURIComponent;

describe("cluster sends across three nodes", () => {
  let nodes;
  useCluster(3, (c) => ({ nodes } = c), { balance: "off", args: ["--long-polling-timeout", "2"] });

  const send = async (node, path, args, what) => {
    const res = await restCall(node, "POST", path, { body: { target: "newMessage", arguments: args } });
    expectStatus(res, 202, `${what} (via ${node.nodeId})`);
  };
  const on = (i, opts) => placeOn(nodes, i, opts);

  for (const [tName, transport] of TRANSPORTS) {
    // Server-Sent Events carry text only: the official client refuses MessagePack on it.
    const second = tName === "ServerSentEvents" ? "json" : "messagepack";
    test(
      `${tName}: all / user / connection / group sends with excluded, via every node, JSON and ${second} clients`,
      logged(async () => {
        const U = uid("U");
        const V = uid("V");
        const W = uid("W");
        const n0j = await on(0, { user: U, transport, protocol: "json" });
        const n0m = await on(0, { user: V, transport, protocol: second });
        const n1j = await on(1, { user: V, transport, protocol: "json" });
        const n1m = await on(1, { user: W, transport, protocol: second });
        const n2j = await on(2, { user: U, transport, protocol: "json" });
        const n2m = await on(2, { transport, protocol: second });
        const other = await on(1, { user: U, hub: "otherhub", transport, protocol: "json" });
        const chat = [n0j, n0m, n1j, n1m, n2j, n2m];
        const [A, B, C] = nodes;

        // Broadcast through B: every chat client on every node once, arguments intact; not the other hub.
        let tag = uid("all");
        await send(B, p22("chat", "/:send"), [tag, ...TYPED_ARGS], "broadcast");
        await expectDelivery(A, { tag, receivers: chat, nonReceivers: [other], args: [tag, ...TYPED_ARGS] });

        // v1 broadcast through C, excluding a connection on A and one on B.
        tag = uid("allx");
        await send(C, pv1("chat", "", excludedQuery([n0m.id, n1j.id])), [tag], "v1 broadcast with excluded");
        await expectDelivery(B, { tag, receivers: [n0j, n1m, n2j, n2m], nonReceivers: [n0m, n1j, other] });

        // 2022 broadcast with excluded through A (excluded ids on the other two nodes).
        tag = uid("allx");
        await send(A, p22("chat", "/:send", excludedQuery([n1m.id, n2j.id])), [tag], "broadcast with excluded");
        await expectDelivery(C, { tag, receivers: [n0j, n0m, n1j, n2m], nonReceivers: [n1m, n2j, other] });

        // User U has a connection on A and one on C (and one in another hub on B); the call goes to B.
        tag = uid("user");
        await send(B, p22("chat", `/users/${enc(U)}/:send`), [tag], "send to user");
        await expectDelivery(A, { tag, receivers: [n0j, n2j], nonReceivers: [n0m, n1j, n1m, n2m, other] });
        // User V (A and B) through C, v1 form.
        tag = uid("user");
        await send(C, pv1("chat", `/users/${enc(V)}`), [tag], "v1 send to user");
        await expectDelivery(B, { tag, receivers: [n0m, n1j], nonReceivers: [n0j, n1m, n2j, n2m, other] });
        // A user with no connection anywhere: accepted, nobody gets it.
        tag = uid("nobody");
        await send(A, p22("chat", `/users/${uid("ghost")}/:send`), [tag], "send to a user with no connection");
        await expectDelivery(A, { tag, receivers: [], nonReceivers: [...chat, other] });

        // A connection on C through A (2022), one on A through C (v1), one on B through B.
        tag = uid("conn");
        await send(A, p22("chat", `/connections/${enc(n2m.id)}/:send`), [tag, ...TYPED_ARGS], "send to connection");
        await expectDelivery(B, { tag, receivers: [n2m], nonReceivers: [n0j, n0m, n1j, n1m, n2j, other], args: [tag, ...TYPED_ARGS] });
        tag = uid("conn");
        await send(C, pv1("chat", `/connections/${enc(n0j.id)}`), [tag], "v1 send to connection");
        await expectDelivery(C, { tag, receivers: [n0j], nonReceivers: [n0m, n1j, n1m, n2j, n2m, other] });
        tag = uid("conn");
        await send(B, p22("chat", `/connections/${enc(n1m.id)}/:send`), [tag], "send to a local connection");
        await expectDelivery(A, { tag, receivers: [n1m], nonReceivers: [n0j, n0m, n1j, n2j, n2m, other] });
        // The same connection id in another hub does not match.
        tag = uid("conn");
        await send(A, p22("otherhub", `/connections/${enc(n2m.id)}/:send`), [tag], "send to a connection of another hub");
        await expectDelivery(A, { tag, receivers: [], nonReceivers: [...chat, other] });

        // A group with a member on every node, each added through a different node and path form.
        const g = uid("g");
        expectStatus(await restCall(B, "PUT", p22("chat", `/groups/${enc(g)}/connections/${enc(n0j.id)}`)), 200, "add A's connection via B");
        expectStatus(await restCall(C, "PUT", p22("chat", `/connections/${enc(n1m.id)}/groups/${enc(g)}`)), 200, "add B's connection via C");
        expectStatus(await restCall(A, "PUT", pv1("chat", `/groups/${enc(g)}/connections/${enc(n2m.id)}`)), 200, "v1 add C's connection via A");
        tag = uid("grp");
        await send(A, p22("chat", `/groups/${enc(g)}/:send`), [tag, g], "group send");
        await expectDelivery(C, { tag, receivers: [n0j, n1m, n2m], nonReceivers: [n0m, n1j, n2j, other], args: [tag, g] });
        tag = uid("grp");
        await send(B, p22("chat", `/groups/${enc(g)}/:send`, excludedQuery([n1m.id, n2m.id])), [tag], "group send with excluded");
        await expectDelivery(B, { tag, receivers: [n0j], nonReceivers: [n0m, n1j, n1m, n2j, n2m, other] });
        tag = uid("grp");
        await send(C, pv1("chat", `/groups/${enc(g)}`, excludedQuery([n0j.id])), [tag], "v1 group send with excluded");
        await expectDelivery(A, { tag, receivers: [n1m, n2m], nonReceivers: [n0j, n0m, n1j, n2j, other] });
        // The same group name in another hub is another group.
        tag = uid("grp");
        await send(C, p22("otherhub", `/groups/${enc(g)}/:send`), [tag], "group send in another hub");
        await expectDelivery(C, { tag, receivers: [], nonReceivers: [...chat, other] });
      }),
    );
  }

  test(
    "a 256 KB argument sent through one node reaches clients on the others intact",
    logged(async () => {
      const a = await on(0, { user: uid("big") });
      const c = await on(2, { user: uid("big"), protocol: "messagepack" });
      const big = `${"0123456789abcdef".repeat(16 * 1024)}é`;
      const tag = uid("big");
      await send(nodes[1], p22("chat", "/:send"), [tag, big], "256 KB broadcast");
      await expectDelivery(nodes[1], { tag, receivers: [a, c], args: [tag, big] });
    }),
  );

  test(
    "hub names are case-insensitive across nodes",
    logged(async () => {
      const user = uid("case");
      const a = await on(0, { user, hub: "ChAt" });
      const c = await on(2, { user, hub: "chat" });
      let tag = uid("case");
      await send(nodes[1], p22("CHAT", "/:send"), [tag], "broadcast to CHAT");
      await expectDelivery(nodes[1], { tag, receivers: [a, c] });
      tag = uid("case");
      await send(nodes[2], pv1("Chat", `/users/${enc(user)}`), [tag], "v1 user send to Chat");
      await expectDelivery(nodes[0], { tag, receivers: [a, c] });
    }),
  );
});
