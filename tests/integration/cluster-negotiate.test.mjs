// Cluster (issue 11): negotiate balancing. With the default (--balance least-loaded) a node's
// negotiate may answer {"url": "<public url of a less-loaded node>/client/?hub=H", "accessToken"},
// which the official client follows, so clients that all negotiate at one node spread over the
// cluster; with --balance off a node keeps every client. The node a client ended up on is read from
// the client's own log (the last negotiate request it sent) and cross-checked with each node's
// GET /api/health `connections`. Server-Sent Events, long polling and stateful reconnect keep
// talking to the node that holds the connection (its --public-url), with no sticky session.
import { test, describe, before, after, afterEach } from "node:test";
import assert from "node:assert/strict";
import {
  restCall,
  p22,
  expectStatus,
  expectDelivery,
  serviceNegotiate,
  rawRequest,
  startService,
  startProxy,
  waitFor,
  sleep,
  logged,
  uid,
} from "./helpers.mjs";
import { T } from "./transports-helpers.mjs";
import { decodeJwt } from "./functions-helpers.mjs";
import { startRedis, startCluster, startNode, connectOn, negotiateUrls, stopClusterClients, health } from "./cluster-helpers.mjs";

const enc = encodeURIComponent;

describe("cluster negotiate balancing", () => {
  let redis;
  const stops = [];
  before(async () => {
    redis = await startRedis();
  });
  afterEach(async () => {
    await stopClusterClients();
    for (const s of stops.splice(0)) await s();
  });
  after(async () => {
    await redis?.stop();
  });
  const cluster = async (n, opts = {}) => {
    const c = await startCluster(n, { redis, ...opts });
    stops.push(c.stop);
    return c.nodes;
  };
  const node = async (opts) => {
    const x = await startNode({ redis, ...opts });
    stops.push(x.stop);
    return x;
  };
  /** Connection counts per node from /api/health, checking the cluster fields. */
  const loads = async (nodes) => {
    const out = [];
    for (const n of nodes) {
      const h = await health(n);
      expectStatus(h, 200, `health of ${n.nodeId}`);
      assert.equal(h.json?.status, "healthy", `health status of ${n.nodeId}: ${h.text}`);
      assert.equal(h.json?.node, n.nodeId, `health names the node id: ${h.text}`);
      assert.equal(h.json?.redis, "connected", `health redis of ${n.nodeId}: ${h.text}`);
      assert.equal(typeof h.json?.connections, "number", `health connections of ${n.nodeId}: ${h.text}`);
      out.push(h.json.connections);
    }
    return out;
  };

  test(
    "with the default balance, 30 clients all negotiating at node A spread over the cluster",
    logged(async () => {
      const nodes = await cluster(3); // no --balance flag: the default
      const [A, B, C] = nodes;
      const clients = [];
      for (let i = 0; i < 30; i++) {
        clients.push(await connectOn(A, { user: uid("spread") }, nodes));
        if (i === 4) await sleep(1200); // let the first loads reach every node
      }
      const where = clients.map((c) => c.node);
      assert.ok(where.every(Boolean), `every client is on a cluster node: ports ${clients.map((c) => c.port)}`);
      const perNode = nodes.map((n) => where.filter((w) => w === n).length);
      assert.ok(perNode.filter((k) => k > 0).length > 1, `clients should end up on more than one node, got ${JSON.stringify(perNode)}`);
      // Redirected clients went to a node's own client URL, with the hub.
      for (const c of clients.filter((x) => x.node !== A)) {
        const last = negotiateUrls(c).at(-1);
        assert.ok(last.startsWith(`${c.node.base}/client/negotiate?hub=chat`), `${c.label} negotiated at ${last}`);
      }
      // Each node counts exactly the clients it holds.
      assert.deepEqual(await loads(nodes), perNode, "GET /api/health connections per node");
      // And they all work as one hub: a broadcast through C reaches each once.
      const tag = uid("spread");
      expectStatus(await restCall(C, "POST", p22("chat", "/:send"), { body: { target: "newMessage", arguments: [tag] } }), 202);
      await expectDelivery(B, { tag, receivers: clients });
    }),
  );

  test(
    "a busy node redirects a negotiate to the less-loaded node's --public-url with a token that node accepts",
    logged(async () => {
      const A = await node({});
      const key = A.keys[0];
      for (let i = 0; i < 6; i++) await connectOn(A, { user: uid("load") }, [A]);
      // B joins with nothing on it; its public URL spells the host differently from its --bind.
      const B = await node({ key, args: (port) => ["--public-url", `http://localhost:${port}`] });
      const user = uid("alice");
      const res = await waitFor(
        async () => {
          const r = await serviceNegotiate(A, { hub: "chat", user });
          return r.status === 200 && r.json?.url ? r : false;
        },
        { timeout: 3000, interval: 100, message: "a negotiate at the busy node A answering a redirect" },
      );
      assert.deepEqual(Object.keys(res.json).sort(), ["accessToken", "url"], `redirect body: ${res.text}`);
      assert.equal(res.json.url, `http://localhost:${B.port}/client/?hub=chat`, "redirect URL: B's public URL, the hub");
      const { payload } = decodeJwt(res.json.accessToken);
      assert.equal(payload["asrs.s.uid"], user, "the redirect token keeps the user");
      assert.ok(payload.exp > Date.now() / 1000 + 60, `the redirect token is not about to expire: ${JSON.stringify(payload)}`);
      const atB = await serviceNegotiate(B, { hub: "chat", token: res.json.accessToken });
      expectStatus(atB, 200, "B accepts the redirect token");
      assert.equal(typeof atB.json?.connectionToken, "string", `B's negotiate: ${atB.text}`);
      assert.equal(atB.json.url, undefined, "B does not bounce the client on");
      // The official client follows the redirect: it ends up on B, and a send through A reaches it.
      const c = await connectOn(A, { user }, [A, B]);
      assert.equal(c.node, B, `the client should be on B, negotiated at ${JSON.stringify(negotiateUrls(c))}`);
      const tag = uid("redir");
      expectStatus(await restCall(A, "POST", p22("chat", `/users/${enc(user)}/:send`), { body: { target: "newMessage", arguments: [tag] } }), 202);
      await expectDelivery(A, { tag, receivers: [c] });
    }),
  );

  test(
    "with --balance off a node never redirects, however unequal the loads",
    logged(async () => {
      const nodes = await cluster(2, { balance: "off" });
      const [A, B] = nodes;
      const clients = [];
      for (let i = 0; i < 12; i++) {
        clients.push(await connectOn(A, { user: uid("stay") }, nodes));
        if (i === 2) await sleep(1200);
      }
      assert.deepEqual(clients.map((c) => c.node?.nodeId), clients.map(() => A.nodeId), "every client stays on A");
      for (const c of clients) assert.equal(negotiateUrls(c).length, 2, `${c.label}: fixture then A, no redirect`);
      const neg = await serviceNegotiate(A, { hub: "chat", user: "x" });
      expectStatus(neg, 200);
      assert.equal(neg.json.url, undefined, `no redirect with --balance off: ${neg.text}`);
      assert.deepEqual(await loads(nodes), [12, 0], "GET /api/health connections");
      // They are still reachable through B.
      const tag = uid("off");
      expectStatus(await restCall(B, "POST", p22("chat", "/:send"), { body: { target: "newMessage", arguments: [tag] } }), 202);
      await expectDelivery(B, { tag, receivers: clients });
    }),
  );

  test(
    "redirected SSE, long-polling and stateful-reconnect clients keep talking to the node that holds them",
    logged(async () => {
      const A = await node({ args: ["--long-polling-timeout", "1"] });
      const key = A.keys[0];
      for (let i = 0; i < 8; i++) await connectOn(A, { user: uid("load") }, [A]);
      // B is reached only through a TCP proxy (its --public-url), which the test can cut.
      const proxy = await startProxy(0);
      stops.push(proxy.close);
      const B = await node({ key, args: ["--public-url", `http://127.0.0.1:${proxy.port}`, "--long-polling-timeout", "1"] });
      proxy.targetPort = B.port;
      await sleep(1200); // B's load (0) reaches A
      const viaProxy = (c) => negotiateUrls(c).at(-1).startsWith(`http://127.0.0.1:${proxy.port}/client/negotiate?hub=chat`);
      const user = uid("moved");
      const sse = await connectOn(A, { user, transport: T.ServerSentEvents }, [A, B]);
      const lp = await connectOn(A, { user, transport: T.LongPolling, protocol: "messagepack" }, [A, B]);
      const ws = await connectOn(A, { user, transport: T.WebSockets, stateful: true, targets: ["seq"] }, [A, B]);
      for (const c of [sse, lp, ws]) assert.ok(viaProxy(c), `${c.label} should be redirected to B's public URL: ${JSON.stringify(negotiateUrls(c))}`);
      assert.deepEqual(await loads([A, B]), [8, 3], "A keeps its 8, B holds the 3 redirected clients");
      // Long polling: every poll after the redirect goes to B's public URL, none to A.
      await sleep(2500); // a few 1 s polls
      const polls = lp.logs.map((l) => /\(LongPolling transport\) polling: (\S+?)\.?$/.exec(l.message)).filter(Boolean).map((m) => m[1]);
      assert.ok(polls.length >= 2, `long polls seen: ${JSON.stringify(polls)}`);
      for (const u of polls) assert.ok(u.startsWith(`http://127.0.0.1:${proxy.port}/client/`), `long poll to ${u}`);
      // Messages sent through A reach the three of them (over B's transports), each once.
      let tag = uid("moved");
      expectStatus(await restCall(A, "POST", p22("chat", `/users/${enc(user)}/:send`), { body: { target: "newMessage", arguments: [tag] } }), 202);
      await expectDelivery(A, { tag, receivers: [sse, lp, ws] });
      await sse.stop(); // the cut below would end them: they do not resume
      await lp.stop();
      // Stateful reconnect: the socket to B is cut mid-stream; the client resumes at B's public URL,
      // same connection, everything once and in order.
      const id = ws.id;
      const total = 100;
      for (let i = 1; i <= total; i++) {
        const res = await restCall(A, "POST", p22("chat", `/connections/${enc(id)}/:send`), { body: { target: "seq", arguments: [i] } });
        assert.equal(res.status, 202);
        if (i === 50) {
          assert.ok(proxy.cut() > 0, "the proxy had live connections to cut");
          await sleep(20);
        }
      }
      const seq = () => ws.received("seq").map((m) => m.args[0]);
      await waitFor(() => seq().length >= total, { timeout: 10000, message: () => `all ${total} messages (got ${seq().length})` });
      await sleep(200);
      assert.deepEqual(seq(), Array.from({ length: total }, (_, k) => k + 1), "every message once, in order");
      assert.equal(ws.connection.connectionId, id, "the same connection was resumed");
      assert.equal(ws.reconnecting.length, 0, "no full reconnect");
      assert.equal(ws.isClosed, false);
      for (const n of [A, B]) expectStatus(await restCall(n, "HEAD", p22("chat", `/connections/${enc(id)}`)), 200, `resumed connection known on ${n.nodeId}`);
      tag = uid("after");
      expectStatus(await restCall(B, "POST", p22("chat", "/:send"), { body: { target: "newMessage", arguments: [tag] } }), 202);
      await expectDelivery(A, { tag, receivers: [ws] });
    }),
  );

  test(
    "GET /api/health: JSON with the node id on a cluster node, unchanged (empty 200) without --redis",
    logged(async () => {
      const [A] = await cluster(1, { balance: "off" });
      const h = await health(A);
      expectStatus(h, 200);
      assert.match(String(h.headers["content-type"]), /application\/json/, "cluster health content type");
      for (const [k, v] of Object.entries({ status: "healthy", node: A.nodeId, redis: "connected", connections: 0 })) {
        assert.equal(h.json?.[k], v, `health body field ${k}: ${h.text}`);
      }
      const single = await startService();
      stops.push(single.stop);
      const s = await rawRequest({ port: single.port, path: "/api/health" });
      expectStatus(s, 200);
      assert.equal(s.text, "", "a single node's health stays an empty 200");
      // A generated node id when --node-id is not given: present and distinct per node.
      const g1 = await startService({ keys: [A.keys[0]], args: ["--redis", redis.url] });
      stops.push(g1.stop);
      const g2 = await startService({ keys: [A.keys[0]], args: ["--redis", redis.url] });
      stops.push(g2.stop);
      const [h1, h2] = [(await health(g1)).json, (await health(g2)).json];
      assert.ok(typeof h1?.node === "string" && h1.node.length > 0, `generated node id: ${JSON.stringify(h1)}`);
      assert.notEqual(h1.node, h2?.node, "two nodes get different generated ids");
    }),
  );
});
