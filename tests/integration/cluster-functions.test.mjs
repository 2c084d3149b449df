// Cluster (issue 11): the functions host (`switchboard functions APP`, REST mode) in front of a
// two-node cluster, its connection string naming node A only. Clients negotiate through the host's
// negotiate function; node A balances them onto B too; and the signalR output bindings (broadcast,
// user, group, connection sends; group actions), all sent to A, reach clients on both nodes.
import { test, describe, before, after, afterEach } from "node:test";
import assert from "node:assert/strict";
import { expectDelivery, expectStatus, restCall, p22, sleep, uid } from "./helpers.mjs";
import {
  startHost,
  copyApp,
  removeTempDirs,
  callFn,
  expectFnStatus,
  connectFn,
  stopClients,
  logged,
} from "./functions-helpers.mjs";
import { startRedis, startNode, connectOn, stopClusterClients, health } from "./cluster-helpers.mjs";

const enc = encodeURIComponent;

describe("functions host in front of a two-node cluster", () => {
  let redis;
  let A;
  let B;
  let host;
  before(
    logged(async () => {
      redis = await startRedis();
      A = await startNode({ redis, key: uid("key") }); // the default balance: may send clients to B
      B = await startNode({ redis, key: A.keys[0], balance: "off" }); // keeps whoever negotiates with it
      host = await startHost({
        app: copyApp(),
        mode: "functions",
        connectionString: `Endpoint=http://localhost;Port=${A.port};AccessKey=${A.keys[0]};Version=1.0;`,
        waitHandler: true,
      });
    }),
  );
  afterEach(async () => {
    await stopClients();
    await stopClusterClients();
  });
  after(async () => {
    await stopClients();
    await stopClusterClients();
    await host?.stop();
    await A?.stop();
    await B?.stop();
    await redis?.stop();
    removeTempDirs();
  });

  const msg = (tag, extra = {}) => ({ target: "newMessage", arguments: [tag], ...extra });
  const send = async (body, p = "/api/messages/any") => expectFnStatus(await callFn(host, "POST", p, { body }), 200, `POST ${p} ${JSON.stringify(body)}`);
  const connections = async () => [(await health(A)).json?.connections, (await health(B)).json?.connections];

  test(
    "clients negotiating through the host end up on both nodes; the broadcast function reaches all of them",
    logged(async () => {
      const clients = [];
      for (let i = 0; i < 8; i++) {
        clients.push(await connectFn(host, { base: "/api/qry", query: { userid: uid("fn") }, label: `client${i}` }));
        if (i === 1) await sleep(1200); // A's first loads reach B and back
      }
      const [onA, onB] = await connections();
      assert.equal(onA + onB, 8, `all 8 clients counted by the nodes' health: A ${onA}, B ${onB}`);
      assert.ok(onA > 0 && onB > 0, `clients on both nodes expected: A ${onA}, B ${onB}`);
      const tag = uid("bc-");
      expectFnStatus(await callFn(host, "POST", "/api/broadcast", { key: host.keys.function, body: { text: tag } }), 202, "broadcast function");
      await expectDelivery(B, { tag, receivers: clients, args: [tag] });
    }),
  );

  test(
    "user, connection and group output bindings and group actions reach clients placed on both nodes",
    logged(async () => {
      const user = uid("fnuser");
      const other = uid("fnother");
      // Placed explicitly: B never redirects, so a client through B's negotiate fixture is on B.
      const onB = await connectOn(B, { user }, [A, B]);
      assert.equal(onB.node, B, "placed on B");
      const viaHost = await connectFn(host, { base: "/api/qry", query: { userid: user }, label: "user-via-host" });
      const bystander = await connectOn(B, { user: other }, [A, B]);
      const bystander2 = await connectFn(host, { base: "/api/qry", query: { userid: other }, label: "other-via-host" });
      for (const n of [A, B]) expectStatus(await restCall(n, "HEAD", p22("chat", `/connections/${enc(viaHost.id)}`)), 200, `host client known on ${n.nodeId}`);
      const everyone = [onB, viaHost, bystander, bystander2];

      let tag = uid("user-");
      await send(msg(tag, { userId: user }));
      await expectDelivery(A, { tag, receivers: [onB, viaHost], nonReceivers: [bystander, bystander2] });

      tag = uid("conn-");
      await send(msg(tag, { connectionId: onB.id }));
      await expectDelivery(A, { tag, receivers: [onB], nonReceivers: [viaHost, bystander, bystander2] });

      const g = uid("grp-");
      await send({ action: "add", userId: user, groupName: g }, "/api/groups/x");
      await send({ action: "add", connectionId: bystander.id, groupName: g }, "/api/groups/x");
      tag = uid("g-");
      await send(msg(tag, { groupName: g }));
      await expectDelivery(B, { tag, receivers: [onB, viaHost, bystander], nonReceivers: [bystander2] });
      // A connection of the user made later, on B, joins the group too.
      const later = await connectOn(B, { user }, [A, B]);
      tag = uid("g-");
      await send(msg(tag, { groupName: g }));
      await expectDelivery(A, { tag, receivers: [onB, viaHost, bystander, later], nonReceivers: [bystander2] });

      await send({ action: "remove", connectionId: bystander.id, groupName: g }, "/api/groups/x");
      await send({ action: "removeAll", userId: user }, "/api/groups/x");
      tag = uid("g-");
      await send(msg(tag, { groupName: g }));
      await expectDelivery(B, { tag, receivers: [], nonReceivers: [...everyone, later] });

      tag = uid("all-");
      await send(msg(tag));
      await expectDelivery(B, { tag, receivers: [...everyone, later] });
    }),
  );

  test(
    "`switchboard start APP --redis`: the embedded service is a cluster node beside a plain service node",
    logged(async () => {
      const nodeId = uid("embedded");
      const embedded = await startHost({ app: copyApp(), mode: "start", waitHandler: true, extraArgs: ["--redis", redis.url, "--node-id", nodeId, "--balance", "off"] });
      let C;
      try {
        const h = await health(embedded.service);
        assert.equal(h.json?.node, nodeId, `the embedded service reports its node id: ${h.text}`);
        C = await startNode({ redis, key: embedded.service.key, balance: "off" });
        const here = await connectFn(embedded, { base: "/api/qry", query: { userid: uid("e") }, label: "on-embedded" });
        const there = await connectOn(C, { user: uid("c") }, [C]);
        assert.equal(there.node, C);
        const tag = uid("bc-");
        expectFnStatus(await callFn(embedded, "POST", "/api/broadcast", { key: embedded.keys.function, body: { text: tag } }), 202, "broadcast function");
        await expectDelivery(C, { tag, receivers: [here, there], args: [tag] });
        expectStatus(await restCall(C, "HEAD", p22("chat", `/connections/${enc(here.id)}`)), 200, "C knows the embedded node's connection");
      } finally {
        await stopClients();
        await stopClusterClients();
        await C?.stop();
        await embedded.stop();
      }
    }),
  );
});
