// Upstream on a cluster: each node sends the events of the connections it holds, once (nothing is
// routed through Redis), and an invocation's completion reaches its client on its node.
import { test, describe, before, after } from "node:test";
import assert from "node:assert/strict";
import { logged, restCall, p22, expectStatus, sleep } from "./helpers.mjs";
import { useCluster, placeOn } from "./cluster-helpers.mjs";
import { startUpstream, invocationOf } from "./upstream-helpers.mjs";

describe("upstream on a two-node cluster", () => {
  let up, nodes;
  before(async () => {
    up = await startUpstream();
  });
  useCluster(2, (c) => ({ nodes } = c), { balance: "off", args: () => ["--upstream", `${up.url}/runtime/webhooks/signalr`] });
  after(async () => {
    await up?.close();
  });

  test(
    "events reach the upstream once, from the node that holds the connection; invoke and REST still work",
    logged(async () => {
      const a = await placeOn(nodes, 0, { user: "ann" });
      const b = await placeOn(nodes, 1, { user: "ben", protocol: "messagepack" });
      assert.deepEqual(await a.connection.invoke("Echo", "a"), { echo: ["a"], target: "Echo" });
      assert.deepEqual(await b.connection.invoke("Echo", "b"), { echo: ["b"], target: "Echo" });
      await b.connection.send("Note", 1);
      await up.waitFor((r) => r.connectionId === b.id && r.event === "Note", "b's send");
      // A REST send through the other node still reaches both.
      const res = await restCall(nodes[1], "POST", p22("chat", "/:send"), { body: { target: "newMessage", arguments: ["hello"] } });
      expectStatus(res, 202);
      const deadline = Date.now() + 5000;
      while (!(a.msgs.length && b.msgs.length) && Date.now() < deadline) await sleep(10);
      assert.deepEqual([a.msgs[0]?.args, b.msgs[0]?.args], [["hello"], ["hello"]]);
      await a.stop();
      await b.stop();
      await up.waitFor((r) => r.connectionId === a.id && r.event === "disconnected", "a's disconnected");
      await up.waitFor((r) => r.connectionId === b.id && r.event === "disconnected", "b's disconnected");
      await sleep(200);
      assert.deepEqual(up.events(a.id), ["connections/connected", "messages/Echo", "connections/disconnected"]);
      assert.deepEqual(up.events(b.id), ["connections/connected", "messages/Echo", "messages/Note", "connections/disconnected"]);
      assert.equal(up.messages(b.id)[0].contentType, "application/x-msgpack");
      assert.deepEqual(invocationOf(up.messages(b.id)[1]).arguments, [1]);
    }),
  );
});
