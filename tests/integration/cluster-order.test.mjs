// Cluster (issue 11): ordering. REST calls made one after another by one caller (each awaited
// before the next) arrive at a client in the order they were sent, whatever their kind (connection,
// user, group, broadcast) and whether they all go to one node or alternate between nodes, for
// clients on other nodes than the receiving one and on the receiving one. Checked as a strict
// sequence at each client: every number it should get, once, in order, nothing else.
import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { restCall, p22, pv1, expectStatus, waitFor, sleep, logged, uid } from "./helpers.mjs";
import { T } from "./transports-helpers.mjs";
import { useCluster, connectOn } from "./cluster-helpers.mjs";

const enc = encodeURIComponent;
const KINDS = ["connection", "user", "group", "broadcast"];

describe("cluster ordering", () => {
  let nodes;
  useCluster(3, (c) => ({ nodes } = c), { balance: "off", args: ["--long-polling-timeout", "2"] });

  /**
   * Clients: x (WebSockets, JSON) on node 2 and y (long polling, MessagePack) on node 1, both of user
   * U and in group G, plus z (JSON) on node 0, not in U nor G. Then `total` calls, call i of kind
   * KINDS[i % 4] through viaOf(i); connection sends alternate between x and y.
   */
  const run = async (total, viaOf) => {
    const user = uid("ord");
    const g = uid("g");
    const x = await connectOn(nodes[2], { user, targets: ["seq"] }, nodes);
    const y = await connectOn(nodes[1], { user, transport: T.LongPolling, protocol: "messagepack", targets: ["seq"] }, nodes);
    const z = await connectOn(nodes[0], { user: uid("z"), targets: ["seq"] }, nodes);
    assert.deepEqual([x.node, y.node, z.node], [nodes[2], nodes[1], nodes[0]], "clients on the intended nodes");
    for (const c of [x, y]) expectStatus(await restCall(nodes[0], "PUT", p22("chat", `/groups/${enc(g)}/connections/${enc(c.id)}`)), 200);
    const expected = new Map([[x, []], [y, []], [z, []]]);
    for (let i = 1; i <= total; i++) {
      const kind = KINDS[i % 4];
      const via = viaOf(i);
      let path;
      if (kind === "connection") {
        const target = i % 8 < 4 ? x : y;
        path = i % 3 ? p22("chat", `/connections/${enc(target.id)}/:send`) : pv1("chat", `/connections/${enc(target.id)}`);
        expected.get(target).push(i);
      } else if (kind === "user") {
        path = p22("chat", `/users/${enc(user)}/:send`);
        expected.get(x).push(i);
        expected.get(y).push(i);
      } else if (kind === "group") {
        path = i % 3 ? p22("chat", `/groups/${enc(g)}/:send`) : pv1("chat", `/groups/${enc(g)}`);
        expected.get(x).push(i);
        expected.get(y).push(i);
      } else {
        path = p22("chat", "/:send");
        for (const list of expected.values()) list.push(i);
      }
      const res = await restCall(via, "POST", path, { body: { target: "seq", arguments: [i, kind] } });
      expectStatus(res, 202, `call #${i} (${kind}) via ${via.nodeId}`);
    }
    const got = (c) => c.received("seq").map((m) => m.args[0]);
    for (const [c, list] of expected) {
      await waitFor(() => got(c).length >= list.length, {
        timeout: 5000,
        message: () => `${c.label}: ${list.length} messages (got ${got(c).length}: …${JSON.stringify(got(c).slice(-10))})`,
      });
    }
    await sleep(200); // nothing more (duplicates) should come
    for (const [c, list] of expected) {
      const seq = got(c);
      const firstOff = seq.findIndex((v, k) => v !== list[k]);
      assert.deepEqual(
        seq,
        list,
        `${c.label} must receive exactly its ${list.length} messages in the order sent; first difference at index ${firstOff}: got ${seq[firstOff]}, expected ${list[firstOff]}`,
      );
    }
  };

  test(
    "200 calls of all four kinds to one node arrive in order at clients on every node",
    logged(async () => {
      await run(200, () => nodes[0]);
    }),
  );

  test(
    "200 calls of all four kinds alternating between the three nodes arrive in order",
    logged(async () => {
      await run(200, (i) => nodes[i % 3]);
    }),
  );

  test(
    "200 calls alternating between two nodes in an irregular pattern arrive in order",
    logged(async () => {
      // Runs of 1, 2, 3 calls to the same node before switching, so that a call often follows one
      // sent to the other node and sometimes one sent to the same node.
      await run(200, (i) => nodes[[2, 1, 1, 2, 2, 2][i % 6]]);
    }),
  );
});
