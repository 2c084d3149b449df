// The dashboard on a cluster (docs/dashboard.md): each node's dashboard shows that node's view, its
// node id on the page and on each connection; a group membership made through another node's REST
// API shows on the node that holds the connection.
import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { restCall, p22, expectStatus, logged, uid } from "./helpers.mjs";
import { useCluster, placeOn } from "./cluster-helpers.mjs";
import { watchDashboard } from "./dashboard-helpers.mjs";

describe("dashboard on a cluster", () => {
  let nodes;
  useCluster(2, (c) => ({ nodes } = c), { balance: "off" });

  test(
    "each node shows its own connections with its node id; REST group adds through another node show",
    logged(async () => {
      const [a, b] = nodes;
      const hub = uid("hub").toLowerCase();
      const alice = await placeOn(nodes, 0, { user: "alice", hub });
      const bob = await placeOn(nodes, 1, { user: "bob", hub });
      const onA = await watchDashboard(a);
      const onB = await watchDashboard(b);
      try {
        const group = uid("g");
        // Through node a's REST API, for bob, whose connection is on node b.
        expectStatus(await restCall(a, "PUT", p22(hub, `/users/bob/groups/${group}`)), 200, "add bob to the group via node a");

        const inHub = (s) => s.connections.filter((c) => c.hub === hub);
        const sa = await onA.until((s) => inHub(s).length === 1, "node a's view");
        assert.equal(sa.node, a.nodeId);
        assert.deepEqual(inHub(sa).map((c) => [c.id, c.user, c.node]), [[alice.id, "alice", a.nodeId]]);
        assert.ok(!sa.groups.some((g) => g.group === group), "bob's group is not on node a");

        const sb = await onB.until((s) => inHub(s).length === 1 && s.groups.some((g) => g.group === group), "node b's view with bob's group");
        assert.equal(sb.node, b.nodeId);
        assert.deepEqual(inHub(sb).map((c) => [c.id, c.user, c.node, c.groups]), [[bob.id, "bob", b.nodeId, [group]]]);
        assert.deepEqual(sb.groups.find((g) => g.group === group).users, ["bob"]);
      } finally {
        await onA.stop();
        await onB.stop();
      }
    }),
  );
});
