// Cluster (issue 11): faults. Start-up (bad --redis URL, Redis unreachable then given up on, Redis
// arriving while the node retries, SWITCHBOARD_REDIS, a password), Redis lost while running (SIGKILL)
// or hung (SIGSTOP): nodes keep serving their own clients, calls needing cluster state answer 503
// Error.Cluster.Unavailable without hanging, /api/health says degraded, and all comes back once Redis
// does; a node killed with SIGKILL: its connections disappear from the cluster and a reconnecting
// client lands on a surviving node; garbage and "newer format" messages published on the nodes'
// channels are dropped with a log line while delivery goes on; a node too slow for Redis (its
// subscriber link dropped with a group change's notice still in Redis's buffer): the change answers
// 503, not a success that the node's re-registration undoes.
import { test, describe, before, after, afterEach } from "node:test";
import assert from "node:assert/strict";
import {
  BINARY,
  restCall,
  p22,
  expectStatus,
  expectDelivery,
  startNegotiateFixture,
  freePort,
  waitFor,
  sleep,
  logged,
  uid,
} from "./helpers.mjs";
import { spawnOnPort } from "./transports-helpers.mjs";
import { runToExit, copyApp, removeTempDirs } from "./functions-helpers.mjs";
import { startRedis, startCluster, startNode, connectOn, stopClusterClients, health, subscribeAll, newerFormat, crowdNodeChannels, publishMany, redisSubscribers } from "./cluster-helpers.mjs";

const enc = encodeURIComponent;
after(removeTempDirs);

const broadcastVia = async (node, tag, target = "newMessage") =>
  expectStatus(await restCall(node, "POST", p22("chat", "/:send"), { body: { target, arguments: [tag] } }), 202, `broadcast via ${node.nodeId}`);

describe("start-up and configuration", () => {
  afterEach(stopClusterClients);

  test(
    "a bad --redis URL (service and start) or SWITCHBOARD_REDIS stops start-up with a message naming it",
    logged(async () => {
      const port = String(await freePort());
      // The options exist (so that a refusal below is about the value, not an unknown option).
      for (const command of ["service", "start"]) {
        const help = await runToExit(BINARY, [command, "--help"], { timeout: 5000 });
        for (const opt of ["--redis", "--node-id", "--public-url", "--balance", "--redis-connect-timeout"]) {
          assert.ok(help.stdout.includes(opt), `switchboard ${command} --help lists ${opt}:\n${help.stdout}`);
        }
      }
      for (const bad of ["http://127.0.0.1:6379", "redis://127.0.0.1:99999", "redis://127.0.0.1:abc", "redis://", "redis://127.0.0.1:6379/x", "127.0.0.1:6379"]) {
        const r = await runToExit(BINARY, ["service", "--port", port, "--access-key", "k", "--redis", bad], { timeout: 5000 });
        assert.ok(!r.timedOut && r.code !== 0, `--redis ${bad}: must exit non-zero at once (code ${r.code}, timed out ${r.timedOut})\n${r.log}`);
        assert.match(r.stderr, /--redis/, `--redis ${bad}: the message names the option:\n${r.log}`);
        assert.doesNotMatch(r.stderr, /not expected|unknown option/i, `--redis ${bad}: refused as a value, not as an unknown option:\n${r.log}`);
      }
      const env = await runToExit(BINARY, ["service", "--port", port, "--access-key", "k"], { env: { SWITCHBOARD_REDIS: "http://nope" }, timeout: 5000 });
      assert.ok(!env.timedOut && env.code !== 0, `SWITCHBOARD_REDIS=http://nope: non-zero exit (code ${env.code})\n${env.log}`);
      assert.match(env.stderr, /SWITCHBOARD_REDIS|--redis/, `the message names the setting:\n${env.log}`);
      const start = await runToExit(BINARY, ["start", copyApp(), "--port", port, "--redis", "redis://127.0.0.1:abc"], { timeout: 8000 });
      assert.ok(!start.timedOut && start.code !== 0, `switchboard start --redis bad: non-zero exit (code ${start.code})\n${start.log}`);
      assert.match(start.stderr, /--redis/, `switchboard start names the option:\n${start.log}`);
    }),
  );

  test(
    "Redis unreachable at start: visible retries naming Redis and its address, then a non-zero exit after --redis-connect-timeout",
    logged(async () => {
      const dead = await freePort();
      const r = await runToExit(
        BINARY,
        ["service", "--port", String(await freePort()), "--access-key", "k", "--redis", `redis://127.0.0.1:${dead}`, "--redis-connect-timeout", "3"],
        { timeout: 15000 },
      );
      assert.equal(r.timedOut, false, `the node must give up by itself:\n${r.log}`);
      assert.notEqual(r.code, 0, `non-zero exit:\n${r.log}`);
      assert.ok(r.ms >= 2500 && r.ms < 10000, `gave up after ${r.ms} ms with --redis-connect-timeout 3`);
      const lines = r.stderr.split("\n").filter((l) => /redis/i.test(l) && l.includes(`127.0.0.1:${dead}`));
      assert.ok(lines.length >= 1, `stderr names Redis and its address:\n${r.stderr}`);
    }),
  );

  test(
    "Redis that appears while the node retries: the node starts and joins the cluster",
    logged(async () => {
      const redisPort = await freePort();
      const nodePort = await freePort();
      const key = uid("key");
      const url = `redis://127.0.0.1:${redisPort}`;
      const pending = spawnOnPort(nodePort, key, ["--redis", url, "--redis-connect-timeout", "20", "--node-id", uid("late")]);
      pending.catch(() => {});
      await sleep(1500);
      const redis = await startRedis({ port: redisPort });
      let late;
      try {
        late = await pending;
        assert.match(late.log, new RegExp(`(?=.*redis)(?=.*127\\.0\\.0\\.1:${redisPort}).*`, "i"), "a retry message was shown");
        await waitFor(async () => (await health(late)).json?.redis === "connected", { timeout: 5000, message: "the late node connected to Redis" });
        const other = await startNode({ redis, key, balance: "off" });
        const fx = await startNegotiateFixture({ port: late.port, key, base: `http://127.0.0.1:${late.port}` }).catch(async (e) => {
          await other.stop();
          throw e;
        });
        try {
          const a = await connectOn({ fx, port: late.port }, {});
          const b = await connectOn(other, {});
          const tag = uid("late");
          await broadcastVia(other, tag);
          await expectDelivery(other, { tag, receivers: [a, b] });
        } finally {
          await stopClusterClients();
          await fx.close();
          await other.stop();
        }
      } finally {
        await late?.stop();
        await redis.stop();
      }
    }),
  );

  test(
    "SWITCHBOARD_REDIS and a password in the URL: nodes cluster, the password is never printed",
    logged(async () => {
      const password = `pw-${uid("s")}`;
      const redis = await startRedis({ password });
      const key = uid("key");
      let a;
      let b;
      try {
        a = await startNode({ redisUrl: null, key, balance: "off", env: { SWITCHBOARD_REDIS: redis.url } });
        b = await startNode({ redis, key, balance: "off" });
        const ca = await connectOn(a, {});
        const cb = await connectOn(b, {});
        const tag = uid("pw");
        await broadcastVia(a, tag);
        await expectDelivery(b, { tag, receivers: [ca, cb] });
        expectStatus(await restCall(b, "HEAD", p22("chat", `/connections/${enc(ca.id)}`)), 200, "B knows A's connection");
        for (const n of [a, b]) assert.ok(!n.log.includes(password), `${n.nodeId} printed the Redis password:\n${n.log}`);
        // A wrong password: start-up fails within the connect timeout, saying why.
        const wrong = await runToExit(BINARY, ["service", "--port", String(await freePort()), "--access-key", "k", "--redis", `redis://:nope@127.0.0.1:${redis.port}`, "--redis-connect-timeout", "2"], { timeout: 12000 });
        assert.ok(!wrong.timedOut && wrong.code !== 0, `wrong password: non-zero exit (code ${wrong.code})\n${wrong.log}`);
        assert.match(wrong.stderr, /redis/i, `wrong password: the message is about Redis:\n${wrong.log}`);
      } finally {
        await stopClusterClients();
        await a?.stop();
        await b?.stop();
        await redis.stop();
      }
    }),
  );
});

describe("Redis lost while running", () => {
  let redis;
  let nodes;
  before(async () => {
    redis = await startRedis();
    ({ nodes } = await startCluster(2, { redis, balance: "off" }));
  });
  afterEach(stopClusterClients);
  after(async () => {
    await stopClusterClients();
    await Promise.all((nodes || []).map((n) => n.stop()));
    await redis?.stop();
  });

  /** Calls that need cluster state: each answers 503 Error.Cluster.Unavailable, and quickly. */
  const expectUnavailable = async (node, a, user, g) => {
    const calls = [
      ["HEAD", p22("chat", `/connections/${enc(a.id)}`)],
      ["HEAD", p22("chat", `/users/${enc(user)}`)],
      ["HEAD", p22("chat", `/groups/${enc(g)}`)],
      ["GET", p22("chat", `/users/${enc(user)}/groups/${enc(g)}`)],
      ["PUT", p22("chat", `/groups/${enc(uid("g"))}/connections/${enc(a.id)}`)],
      ["DELETE", p22("chat", `/groups/${enc(g)}/connections/${enc(a.id)}`)],
      ["PUT", p22("chat", `/users/${enc(user)}/groups/${enc(uid("g"))}`)],
      ["DELETE", p22("chat", `/users/${enc(user)}/groups/${enc(g)}`)],
    ];
    for (const [method, path] of calls) {
      const t0 = Date.now();
      const res = await restCall(node, method, path);
      const ms = Date.now() - t0;
      expectStatus(res, 503, `${method} ${path} on ${node.nodeId} without Redis`);
      assert.equal(res.headers["x-ms-error-code"], "Error.Cluster.Unavailable", `${method} ${path}: x-ms-error-code`);
      assert.ok(ms < 6000, `${method} ${path} took ${ms} ms: must not hang`);
    }
  };
  /** While Redis is gone: each node serves its own clients; health says degraded. */
  const servesLocally = async (a, b) => {
    const [A, B] = nodes;
    for (const [n, c] of [[A, a], [B, b]]) {
      const tag = uid("local");
      await broadcastVia(n, tag);
      await expectDelivery(n, { tag, receivers: [c] });
      const tag2 = uid("local");
      expectStatus(await restCall(n, "POST", p22("chat", `/connections/${enc(c.id)}/:send`), { body: { target: "newMessage", arguments: [tag2] } }), 202);
      await expectDelivery(n, { tag: tag2, receivers: [c] });
    }
  };
  const degraded = async () => {
    for (const n of nodes) {
      await waitFor(async () => (await health(n)).json?.status === "degraded", { timeout: 5000, interval: 100, message: `${n.nodeId} health degraded` });
      const h = await health(n);
      expectStatus(h, 200, "health answers 200 while degraded");
      assert.equal(h.json.redis, "unavailable", `health redis: ${h.text}`);
    }
  };
  /** After Redis came back (empty): cross-node delivery and every live client's state within 5 s. */
  const recovers = async (a, b, user, g) => {
    const [A, B] = nodes;
    await waitFor(async () => {
      const tag = uid("back");
      await broadcastVia(A, tag);
      await sleep(150);
      return b.count(tag) === 1;
    }, { timeout: 5000, interval: 50, message: "a broadcast through A reaching B's client after Redis returned" });
    await waitFor(async () => {
      for (const n of nodes) {
        for (const path of [p22("chat", `/connections/${enc(a.id)}`), p22("chat", `/connections/${enc(b.id)}`), p22("chat", `/users/${enc(user)}`), p22("chat", `/groups/${enc(g)}`)]) {
          if ((await restCall(n, "HEAD", path)).status !== 200) return false;
        }
      }
      return true;
    }, { timeout: 5000, interval: 100, message: "connections, user and group of live clients known on every node again" });
    for (const n of nodes) await waitFor(async () => (await health(n)).json?.status === "healthy", { timeout: 3000, message: `${n.nodeId} healthy again` });
    const tag = uid("after");
    await broadcastVia(B, tag);
    await expectDelivery(A, { tag, receivers: [a, b] });
  };
  const setUp = async () => {
    const [A, B] = nodes;
    const user = uid("u");
    const g = uid("g");
    const a = await connectOn(A, { user });
    const b = await connectOn(B, { user: uid("v") });
    expectStatus(await restCall(A, "PUT", p22("chat", `/groups/${enc(g)}/connections/${enc(b.id)}`)), 200);
    return { a, b, user, g };
  };

  test(
    "Redis killed (SIGKILL) and restarted on the same port",
    logged(async () => {
      const { a, b, user, g } = await setUp();
      await redis.kill();
      await degraded();
      await servesLocally(a, b);
      await expectUnavailable(nodes[0], a, user, g);
      await expectUnavailable(nodes[1], a, user, g);
      await redis.restart();
      await recovers(a, b, user, g);
    }),
  );

  test(
    "a user's stored group memberships come back after Redis restarts empty: the permanent one for later connections, the ttl one with its expiry",
    logged(async () => {
      const [A, B] = nodes;
      const user = uid("stored");
      const timed = uid("gt");
      const kept = uid("gp");
      const b = await connectOn(B, { user });
      const added = Date.now();
      expectStatus(await restCall(A, "PUT", p22("chat", `/users/${enc(user)}/groups/${enc(timed)}`, "ttl=6")), 200);
      expectStatus(await restCall(A, "PUT", p22("chat", `/users/${enc(user)}/groups/${enc(kept)}`)), 200);
      const mark = B.logMark();
      await redis.kill();
      await redis.restart();
      for (const n of nodes) await waitFor(async () => (await health(n)).json?.status === "healthy", { timeout: 5000, interval: 50, message: `${n.nodeId} healthy again` });
      await waitFor(() => /Redis lost its data; node \S+ put back 2 stored user-group membership/.test(B.logsSince(mark)), {
        timeout: 3000,
        message: () => `B logs what it put back:\n${B.logsSince(mark)}`,
      });
      const userInGroup = (n, g) => restCall(n, "GET", p22("chat", `/users/${enc(user)}/groups/${enc(g)}`));
      if (Date.now() - added < 5000) for (const n of nodes) expectStatus(await userInGroup(n, timed), 200, `${timed} before its expiry, on ${n.nodeId}`);
      // The ttl membership still expires, on time, and takes the user's connection out of the group.
      for (const n of nodes) {
        await waitFor(async () => (await userInGroup(n, timed)).status === 404, {
          timeout: Math.max(1000, added + 6000 + 3000 - Date.now()),
          interval: 100,
          message: `${timed} expired on ${n.nodeId}`,
        });
      }
      assert.ok(Date.now() - added >= 5500, `expired after ${Date.now() - added} ms, not before its ttl of 6 s`);
      const gone = uid("gone");
      expectStatus(await restCall(A, "POST", p22("chat", `/groups/${enc(timed)}/:send`), { body: { target: "newMessage", arguments: [gone] } }), 202);
      await expectDelivery(A, { tag: gone, receivers: [], nonReceivers: [b] });
      // The permanent one is stored again: a later connection of the user, on the other node, joins it.
      const later = await connectOn(A, { user });
      const tag = uid("kept");
      expectStatus(await restCall(B, "POST", p22("chat", `/groups/${enc(kept)}/:send`), { body: { target: "newMessage", arguments: [tag] } }), 202);
      await expectDelivery(B, { tag, receivers: [b, later] });
    }),
  );

  test(
    "a group change answered just before Redis is killed is not lost: the member's node knew of it and registers it again",
    logged(async () => {
      // Redis answers the script of a REST group change before it writes the notice to the
      // member's node; when Redis is killed in between, the node never hears of the change and,
      // Redis being back empty, registers its connection as it knows it. The REST call therefore
      // answers only once the notice has left Redis. Many other subscribers on the nodes' channels
      // (written before the node) widen the gap, so that the kill lands in it often.
      const [A, B] = nodes;
      const b = await connectOn(B, { user: uid("v") });
      const restartAndWait = async () => {
        await redis.restart();
        for (const n of nodes) await waitFor(async () => (await health(n)).json?.status === "healthy", { timeout: 5000, interval: 50, message: `${n.nodeId} healthy again` });
      };
      for (let round = 0; round < 4; round++) {
        // Added: known on both nodes after the restart.
        const added = uid("g");
        let crowd = await crowdNodeChannels(redis, 300);
        expectStatus(await restCall(A, "PUT", p22("chat", `/groups/${enc(added)}/connections/${enc(b.id)}`)), 200, "add b to a group");
        await redis.kill();
        crowd.close();
        await restartAndWait();
        for (const n of nodes) expectStatus(await restCall(n, "HEAD", p22("chat", `/groups/${enc(added)}`)), 200, `round ${round}: the group b was added to, on ${n.nodeId} after the restart`);
        // Removed: gone on both nodes after the restart.
        crowd = await crowdNodeChannels(redis, 300);
        expectStatus(await restCall(A, "DELETE", p22("chat", `/groups/${enc(added)}/connections/${enc(b.id)}`)), 200, "remove b from the group");
        await redis.kill();
        crowd.close();
        await restartAndWait();
        for (const n of nodes) expectStatus(await restCall(n, "HEAD", p22("chat", `/groups/${enc(added)}`)), 404, `round ${round}: the group b left, on ${n.nodeId} after the restart`);
      }
    }),
  );

  test(
    "Redis hung (SIGSTOP): 503 instead of hanging, then recovery on SIGCONT",
    logged(async () => {
      const { a, b, user, g } = await setUp();
      redis.pause();
      try {
        // The first cluster-state call answers 503 within a few seconds, not whenever Redis wakes up.
        const t0 = Date.now();
        const first = await restCall(nodes[1], "HEAD", p22("chat", `/connections/${enc(a.id)}`));
        const ms = Date.now() - t0;
        expectStatus(first, 503, "connection check while Redis is hung");
        assert.equal(first.headers["x-ms-error-code"], "Error.Cluster.Unavailable");
        assert.ok(ms < 6000, `the first call took ${ms} ms: must not hang`);
        await degraded();
        await servesLocally(a, b);
        await expectUnavailable(nodes[0], a, user, g);
        await expectUnavailable(nodes[1], a, user, g);
      } finally {
        redis.resume();
      }
      await recovers(a, b, user, g);
    }),
  );
});

describe("a node killed with SIGKILL", () => {
  let redis;
  let nodes;
  before(async () => {
    redis = await startRedis();
    ({ nodes } = await startCluster(3, { redis, balance: "off" }));
  });
  after(async () => {
    await stopClusterClients();
    await Promise.all((nodes || []).map((n) => n.stop()));
    await redis?.stop();
  });

  test(
    "its connections vanish from the cluster within 15 s; an auto-reconnecting client comes back on a survivor",
    logged(async () => {
      const [A, B, C] = nodes;
      // The client's negotiate URL is a tiny negotiate function (like a Functions app's) that hands
      // out the first node still running: it stands in for a load balancer's health check. Starting
      // with C, the node about to be killed.
      const order = [C, A, B];
      const lb = await startNegotiateFixture({
        key: C.keys[0],
        get base() {
          return (order.find((n) => !n.exited) ?? C).base;
        },
      });
      try {
        const user = uid("onc");
        const g = uid("g");
        const mover = await connectOn({ fx: lb }, { user, reconnect: true }, nodes);
        const stays = await connectOn(C, { user }, nodes);
        const onA = await connectOn(A, { user: uid("a") });
        assert.deepEqual([mover.node, stays.node], [C, C], "both start on C");
        expectStatus(await restCall(A, "PUT", p22("chat", `/groups/${enc(g)}/connections/${enc(stays.id)}`)), 200);
        const oldId = mover.id;
        await C.kill();
        const t0 = Date.now();
        await waitFor(async () => {
          for (const n of [A, B]) {
            for (const path of [p22("chat", `/connections/${enc(stays.id)}`), p22("chat", `/connections/${enc(oldId)}`), p22("chat", `/groups/${enc(g)}`)]) {
              if ((await restCall(n, "HEAD", path)).status !== 404) return false;
            }
          }
          return true;
        }, { timeout: 16000, interval: 250, message: "the killed node's connections and group → 404 on A and B" });
        assert.ok(Date.now() - t0 <= 15500, `took ${Date.now() - t0} ms`);
        // The reconnecting client is back, on a survivor, under a new id that both survivors know.
        await waitFor(() => mover.reconnected.length === 1, { timeout: 8000, message: "onreconnected of the auto-reconnecting client" });
        const newId = mover.connection.connectionId;
        assert.notEqual(newId, oldId, "a new connection");
        for (const n of [A, B]) expectStatus(await restCall(n, "HEAD", p22("chat", `/connections/${enc(newId)}`)), 200, `new connection on ${n.nodeId}`);
        for (const n of [A, B]) expectStatus(await restCall(n, "HEAD", p22("chat", `/users/${enc(user)}`)), 200, `user known on ${n.nodeId}`);
        mover.id = newId;
        const tag = uid("survivor");
        expectStatus(await restCall(B, "POST", p22("chat", `/users/${enc(user)}/:send`), { body: { target: "newMessage", arguments: [tag] } }), 202);
        await expectDelivery(A, { tag, receivers: [mover], nonReceivers: [onA] });
        const tag2 = uid("all");
        await broadcastVia(A, tag2);
        await expectDelivery(B, { tag: tag2, receivers: [mover, onA] });
      } finally {
        await stopClusterClients();
        await lb.close();
      }
    }),
  );
});

describe("bad input from Redis", () => {
  let redis;
  let nodes;
  before(async () => {
    redis = await startRedis();
    ({ nodes } = await startCluster(2, { redis, balance: "off" }));
  });
  after(async () => {
    await stopClusterClients();
    await Promise.all((nodes || []).map((n) => n.stop()));
    await redis?.stop();
  });

  test(
    "garbage and messages of a newer format on the nodes' channels are dropped with a log line; delivery goes on",
    logged(async () => {
      const [A, B] = nodes;
      const a = await connectOn(A, { user: uid("a") });
      const b = await connectOn(B, { user: uid("b") });
      // Learn the channels the nodes listen on, and what a real message on them looks like.
      const subscribed = (await redis.cli("PUBSUB", "CHANNELS", "*")).stdout.split("\n").map((l) => l.trim()).filter(Boolean);
      const spy = await subscribeAll(redis);
      const seen = uid("seen");
      await broadcastVia(A, seen);
      await expectDelivery(B, { tag: seen, receivers: [a, b] });
      await expectDelivery(B, { tag: uid("x"), receivers: [] }); // a sentinel through B too (B's messages)
      spy.close();
      // The channels the nodes subscribe to, and those they were seen publishing on.
      const channels = [...new Set([...subscribed, ...spy.messages.map((m) => m.channel)])];
      assert.ok(subscribed.length > 0, `the nodes subscribe to channels (PUBSUB CHANNELS): ${JSON.stringify(channels)}`);
      const samples = spy.messages.filter((m) => channels.includes(m.channel));
      const marks = nodes.map((n) => n.logMark());
      const payloads = [
        Buffer.from("garbage"),
        Buffer.from([0x00, 0xff, 0xfe, 0x1e, 0x0a]),
        Buffer.from("{"),
        Buffer.from("{}"),
        Buffer.alloc(70 * 1024, 0x41),
        ...samples.slice(0, 4).map((m) => newerFormat(m.payload)),
      ];
      for (const ch of channels) for (const p of payloads) await redis.cliWithInput(p, "PUBLISH", ch);
      await sleep(300);
      for (const [i, n] of nodes.entries()) {
        assert.equal(n.exited, false, `${n.nodeId} must stay up:\n${n.logsSince(marks[i])}`);
        expectStatus(await health(n), 200, `${n.nodeId} health`);
        assert.match(n.logsSince(marks[i]), /^.*(backplane|redis).*(drop|ignor|discard|skip).*$|^.*(drop|ignor|discard|skip).*(backplane|redis).*$/im, `${n.nodeId} logs a dropped backplane message`);
      }
      // Delivery goes on both ways, and cluster state still answers.
      for (const via of [A, B]) {
        const tag = uid("after");
        await broadcastVia(via, tag);
        await expectDelivery(via === A ? B : A, { tag, receivers: [a, b] });
      }
      expectStatus(await restCall(A, "HEAD", p22("chat", `/connections/${enc(b.id)}`)), 200);
    }),
  );
});

describe("a node too slow for Redis", () => {
  let redis;
  let nodes;
  before(async () => {
    redis = await startRedis();
    ({ nodes } = await startCluster(2, { redis, balance: "off" }));
  });
  after(async () => {
    for (const n of nodes || []) if (!n.exited) n.proc.kill("SIGCONT");
    await stopClusterClients();
    await Promise.all((nodes || []).map((n) => n.stop()));
    await redis?.stop();
  });

  test(
    "a group change whose notice dies in Redis's buffer with the node's link answers 503, never a success the node undoes",
    logged(async () => {
      const [A, B] = nodes;
      const b = await connectOn(B, { user: uid("v") }, nodes);
      const g = uid("g");
      // Redis drops a subscriber link that holds more than 1 MB it could not write, and what it held.
      const set = await redis.cli("CONFIG", "SET", "client-output-buffer-limit", "pubsub 1mb 0 0");
      assert.equal(set.stdout.trim(), "OK", set.stderr);
      const junk = Buffer.alloc(64 * 1024, 0x41); // not a backplane message: B drops it with a log line
      const channel = `sb:n:${B.nodeId}`;
      const before = await redisSubscribers(redis);
      let answer;
      B.proc.kill("SIGSTOP");
      try {
        // B reads nothing: fill its socket until Redis keeps the rest in B's output buffer.
        let stuck;
        await waitFor(
          async () => {
            await publishMany(redis, channel, junk, 8);
            stuck = (await redisSubscribers(redis)).find((c) => c.omem > 0);
            return stuck !== undefined;
          },
          { timeout: 3000, interval: 10, message: "Redis buffering what the stopped node does not read" },
        );
        // The change: Redis runs its script now; its notice to B waits behind the junk.
        const call = restCall(A, "PUT", p22("chat", `/groups/${enc(g)}/connections/${enc(b.id)}`));
        await waitFor(async () => (await redis.cli("SISMEMBER", `sb:cg:chat:${b.id}`, g)).stdout.trim() === "1", {
          timeout: 2000,
          interval: 10,
          message: "the group change executed in Redis",
        });
        // Past the limit: Redis drops B's subscriber link, the notice with it.
        await waitFor(
          async () => {
            await publishMany(redis, channel, junk, 8);
            return !(await redisSubscribers(redis)).some((c) => c.id === stuck.id);
          },
          { timeout: 3000, interval: 10, message: "Redis dropping the stopped node's subscriber link" },
        );
        B.proc.kill("SIGCONT");
        answer = await call;
      } finally {
        if (!B.exited) B.proc.kill("SIGCONT");
      }
      expectStatus(answer, 503, "a change the member's node never heard of");
      assert.equal(answer.headers["x-ms-error-code"], "Error.Cluster.Unavailable");
      assert.match(answer.json?.message ?? "", /did not confirm/);
      // B reconnects and registers its connection as it knows it: no node reports the group.
      await waitFor(async () => (await redisSubscribers(redis)).length >= before.length, { timeout: 5000, message: "B subscribed again" });
      await waitFor(async () => (await health(B)).json?.status === "healthy", { timeout: 5000, message: "B healthy again" });
      for (const n of nodes) expectStatus(await restCall(n, "HEAD", p22("chat", `/groups/${enc(g)}`)), 404, `group on ${n.nodeId}`);
      assert.equal(B.exited, false, "B stays up");
      // Retried, the change is made and confirmed.
      expectStatus(await restCall(A, "PUT", p22("chat", `/groups/${enc(g)}/connections/${enc(b.id)}`)), 200, "the retry");
      const tag = uid("to-g");
      expectStatus(await restCall(A, "POST", p22("chat", `/groups/${enc(g)}/:send`), { body: { target: "newMessage", arguments: [tag] } }), 202);
      await expectDelivery(A, { tag, receivers: [b] });
    }),
  );
});
