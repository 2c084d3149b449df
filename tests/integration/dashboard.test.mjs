// The live dashboard (docs/dashboard.md): the page and its hub require a dashboard token, the
// page's files are served, and the snapshots the hub pushes show what real clients (the official
// client, every transport and protocol) do: connections, users, groups after REST group adds,
// disconnects, message rates that agree with /metrics, the last warnings. The dashboard's own
// connection is never one of the service's.
import { test, describe, before, after, afterEach } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import {
  signalR,
  REPO_ROOT,
  startService,
  startNegotiateFixture,
  rawRequest,
  restCall,
  p22,
  expectStatus,
  mintToken,
  clientAud,
  clientToken,
  logged,
  uid,
  waitFor,
  sleep,
} from "./helpers.mjs";
import { connectOfficial } from "./transports-helpers.mjs";
import { startServiceWithUpstream, deadPort } from "./upstream-helpers.mjs";
import { DASHBOARD_AUD, dashboardToken, watchDashboard } from "./dashboard-helpers.mjs";
import { scrape, metricValue } from "./metrics-helpers.mjs";

const enc = encodeURIComponent;
const T = signalR.HttpTransportType;

describe("dashboard", () => {
  let svc;
  let fx;
  const open = []; // clients and dashboards to stop after each test

  before(async () => {
    svc = await startService();
    fx = await startNegotiateFixture(svc);
  });
  after(async () => {
    await fx?.close();
    await svc?.stop();
  });
  afterEach(async () => {
    await Promise.all(open.splice(0).map((c) => c.stop()));
  });

  const get = (p, headers = {}) => rawRequest({ port: svc.port, method: "GET", path: p, headers });
  const client = async (opts) => {
    const c = await connectOfficial(fx, opts);
    open.push(c);
    return c;
  };
  const dashboard = async (opts) => {
    const d = await watchDashboard(svc, opts);
    open.push(d);
    return d;
  };

  test(
    "the page needs a dashboard token: 401 without one, with a wrong key, another audience or an expired one",
    logged(async () => {
      const cases = [
        ["no token", "/dashboard", /dashboard token is required/],
        ["wrong key", `/dashboard?access_token=${mintToken("not-the-key", { aud: DASHBOARD_AUD })}`, /signature/i],
        ["a client token", `/dashboard?access_token=${clientToken(svc, "chat", "alice")}`, /audience/i],
        ["a REST token", `/dashboard?access_token=${mintToken(svc.key, { aud: "http://localhost/api/hubs/chat" })}`, /audience/i],
        ["an expired token", `/dashboard?access_token=${dashboardToken(svc, { lifetime: -600 })}`, /expired/i],
        ["a garbled token", "/dashboard?access_token=abc.def.ghi", /./],
      ];
      for (const [what, p, message] of cases) {
        const res = await get(p);
        expectStatus(res, 401, what);
        assert.equal(res.json?.code, "Unauthorized", what);
        assert.match(res.json.message, message, what);
      }
      // Two tokens in the query are refused rather than one picked.
      const twice = await get(`/dashboard?access_token=${dashboardToken(svc)}&access_token=x`);
      expectStatus(twice, 401, "two access_token parameters");
    }),
  );

  test(
    "the page with a dashboard token (query or header); its files without; nothing else",
    logged(async () => {
      for (const [what, res] of [
        ["query token", await get(`/dashboard?access_token=${dashboardToken(svc)}`)],
        ["trailing slash", await get(`/dashboard/?access_token=${dashboardToken(svc)}`)],
        ["header token", await get("/dashboard", { Authorization: `Bearer ${dashboardToken(svc)}` })],
      ]) {
        expectStatus(res, 200, what);
        assert.match(res.headers["content-type"], /^text\/html/, what);
        assert.match(res.text, /<script src="\/dashboard\/dashboard.js"/, what);
        assert.equal(res.headers["cache-control"], "no-store", what);
        assert.equal(res.headers["referrer-policy"], "no-referrer", what);
        assert.match(res.headers["content-security-policy"], /script-src 'self'/, what);
      }
      const script = await get("/dashboard/dashboard.js");
      expectStatus(script, 200, "dashboard.js");
      assert.match(script.headers["content-type"], /^text\/javascript/);
      assert.match(script.text, /HubConnectionBuilder/);
      const style = await get("/dashboard/dashboard.css");
      expectStatus(style, 200, "dashboard.css");
      assert.match(style.headers["content-type"], /^text\/css/);
      // The official browser client, byte for byte (without its source-map comment).
      const bundle = fs.readFileSync(path.join(REPO_ROOT, "node_modules/@microsoft/signalr/dist/browser/signalr.min.js"), "utf8");
      const signalrJs = await get("/dashboard/signalr.js");
      expectStatus(signalrJs, 200, "signalr.js");
      assert.equal(signalrJs.text, bundle.replace(/\/\/# sourceMappingURL=\S+\s*$/, ""));
      expectStatus(await get("/dashboard/missing.js"), 404, "unknown file");
      const post = await rawRequest({ port: svc.port, method: "POST", path: `/dashboard?access_token=${dashboardToken(svc)}` });
      expectStatus(post, 405, "POST /dashboard");
    }),
  );

  test(
    "the hub: negotiate needs the token and offers WebSockets only; the official client gets snapshots",
    logged(async () => {
      const anonymous = await rawRequest({ port: svc.port, method: "POST", path: "/dashboard/hub/negotiate?negotiateVersion=1" });
      expectStatus(anonymous, 401, "negotiate without a token");
      const withClientToken = await rawRequest({
        port: svc.port,
        method: "POST",
        path: "/dashboard/hub/negotiate?negotiateVersion=1",
        headers: { Authorization: `Bearer ${clientToken(svc, "chat")}` },
      });
      expectStatus(withClientToken, 401, "negotiate with a client token");
      const ok = await rawRequest({
        port: svc.port,
        method: "POST",
        path: "/dashboard/hub/negotiate?negotiateVersion=1",
        headers: { Authorization: `Bearer ${dashboardToken(svc)}` },
      });
      expectStatus(ok, 200, "negotiate");
      assert.deepEqual(ok.json.availableTransports.map((t) => t.transport), ["WebSockets"]);

      await assert.rejects(watchDashboard(svc, { token: clientToken(svc, "chat") }), /401|Unauthorized/i, "client token on the hub");
      const d = await dashboard();
      const first = await d.until(() => true, "a first snapshot");
      assert.equal(typeof first.time, "number");
      assert.ok(Math.abs(first.time - Date.now()) < 60000, "the snapshot's time is now");
      assert.deepEqual(Object.keys(first.totals).sort(), ["connections", "groups", "hubs", "users"]);
      // Snapshots keep coming while it watches.
      await d.until(() => true, "a second snapshot");
    }),
  );

  test(
    "snapshots show real clients: connections (transport, protocol), users, groups after REST group adds, disconnects",
    logged(async () => {
      const hub = uid("hub").toLowerCase();
      const d = await dashboard();
      const alice = await client({ user: "alice", hub, transport: T.WebSockets });
      const alice2 = await client({ user: "alice", hub, transport: T.ServerSentEvents });
      const bob = await client({ user: "bob", hub, transport: T.LongPolling, protocol: "messagepack" });
      const anon = await client({ hub, transport: T.WebSockets, protocol: "messagepack" });
      const ids = [alice.id, alice2.id, bob.id, anon.id];

      const inHub = (s) => s.connections.filter((c) => c.hub === hub);
      let s = await d.until((s) => inHub(s).length === 4, "the four clients");
      const byId = Object.fromEntries(inHub(s).map((c) => [c.id, c]));
      assert.deepEqual(Object.keys(byId).sort(), [...ids].sort());
      assert.deepEqual(byId[alice.id], { id: alice.id, hub, user: "alice", transport: "WebSockets", protocol: "json", node: null, groups: [] });
      assert.equal(byId[alice2.id].transport, "ServerSentEvents");
      assert.equal(byId[bob.id].transport, "LongPolling");
      assert.equal(byId[bob.id].protocol, "messagepack");
      assert.equal(byId[anon.id].user, null);
      assert.deepEqual(s.hubs.find((h) => h.name === hub), { name: hub, connections: 4, users: 2, groups: 0 });
      const users = s.users.filter((u) => u.hub === hub);
      assert.deepEqual(users.map((u) => u.user), ["alice", "bob"]);
      assert.deepEqual(users[0].connections, [alice.id, alice2.id].sort());
      assert.equal(users[0].connectionCount, 2);

      // REST group adds: a user (every connection of alice) and one connection (bob's).
      const room = uid("room");
      const lobby = uid("lobby");
      expectStatus(await restCall(svc, "PUT", p22(hub, `/users/alice/groups/${enc(room)}`)), 200, "add alice to room");
      expectStatus(await restCall(svc, "PUT", p22(hub, `/groups/${enc(lobby)}/connections/${enc(bob.id)}`)), 200, "add bob's connection to lobby");
      s = await d.until((s) => s.groups.filter((g) => g.hub === hub).length === 2, "the two groups");
      const groups = Object.fromEntries(s.groups.filter((g) => g.hub === hub).map((g) => [g.group, g]));
      assert.deepEqual(groups[room], { hub, group: room, connectionCount: 2, connections: [alice.id, alice2.id].sort(), users: ["alice"] });
      assert.deepEqual(groups[lobby], { hub, group: lobby, connectionCount: 1, connections: [bob.id], users: ["bob"] });
      assert.deepEqual(inHub(s).find((c) => c.id === bob.id).groups, [lobby]);
      assert.equal(s.hubs.find((h) => h.name === hub).groups, 2);

      // Bob leaves: gone from connections, users and groups.
      await bob.stop();
      s = await d.until((s) => inHub(s).length === 3, "bob's disconnect");
      assert.ok(!inHub(s).some((c) => c.id === bob.id));
      assert.deepEqual(s.users.filter((u) => u.hub === hub).map((u) => u.user), ["alice"]);
      assert.ok(!s.groups.some((g) => g.hub === hub && g.group === lobby), "an empty group is not listed");
    }),
  );

  test(
    "the dashboard's own connection is not the service's: not counted, not a hub, not reachable with client tokens or REST",
    logged(async () => {
      const d = await dashboard();
      // The clients of earlier tests have gone; the dashboard itself is no connection.
      const s = await d.until((s) => s.totals.connections === 0, "a snapshot with no connection while the dashboard watches");
      assert.deepEqual(s.hubs, []);
      assert.deepEqual(s.connections, []);
      // The hub name is not a hub name: clients and the REST API cannot name it.
      const negotiate = await rawRequest({
        port: svc.port,
        method: "POST",
        path: "/client/negotiate?hub=_dashboard&negotiateVersion=1",
        headers: { Authorization: `Bearer ${mintToken(svc.key, { aud: clientAud("_dashboard") })}` },
      });
      expectStatus(negotiate, 400, "a client negotiate for _dashboard");
      const exists = await restCall(svc, "HEAD", p22("_dashboard", `/connections/${enc(d.connection.connectionId)}`));
      expectStatus(exists, 400, "REST check on _dashboard");
      const broadcast = await restCall(svc, "POST", p22("_dashboard", "/:send"), { body: { target: "snapshot", arguments: [{}] } });
      expectStatus(broadcast, 400, "REST broadcast to _dashboard");
    }),
  );

  test(
    "at most 16 dashboards at once: one more is closed with the reason",
    logged(async () => {
      const dashboards = [];
      for (let i = 0; i < 16; i++) dashboards.push(await dashboard());
      // The 17th is closed right after its handshake: start() fails with the reason, or (when the
      // Close comes in a later read) succeeds and the connection closes with it.
      let error;
      try {
        const extra = await dashboard();
        error = await extra.closed;
      } catch (e) {
        error = e;
      }
      assert.match(String(error?.message), /Too many dashboards are open on this node \(at most 16\)/);
      await dashboards[0].stop();
      // A place is free again.
      const again = await dashboard();
      await again.until(() => true, "a snapshot for the 16th dashboard");
    }),
  );
});

describe("dashboard: message rates", () => {
  let svc;
  let fx;
  before(async () => {
    svc = await startService();
    fx = await startNegotiateFixture(svc);
  });
  after(async () => {
    await fx?.close();
    await svc?.stop();
  });

  // The messages of every hub in /metrics (the dashboards' own hub has no series there).
  const counted = async () => {
    const m = (await scrape(svc.port)).families;
    return { in: metricValue(m, "switchboard_messages_received_total"), out: metricValue(m, "switchboard_messages_sent_total") };
  };
  const zero = (s) => s.rates && s.rates.messagesInPerSecond === 0 && s.rates.messagesOutPerSecond === 0;

  test(
    "null at first, 0 while idle; while clients send and REST broadcasts flow they move, and add up to what /metrics counted",
    logged(async () => {
      const d = await watchDashboard(svc);
      const clients = [];
      try {
        await waitFor(() => d.snapshots.length > 0, { message: "the first snapshot" });
        const first = d.snapshots[0];
        assert.equal(first.rates, null, "no rates before a second snapshot (the page shows –)");
        const idle = await d.until((s) => s.rates !== null, "a snapshot with rates");
        assert.deepEqual(idle.rates, { messagesInPerSecond: 0, messagesOutPerSecond: 0 }, "nothing flows: 0");
        // The dashboard's own snapshots are not traffic: still 0 a snapshot later.
        assert.ok(zero(await d.until(() => true, "the next snapshot")), "still 0 while only the dashboard is served");

        const before = await counted();
        const from = d.snapshots.length - 1;  // the snapshot the rates after it start from
        const hub = uid("rates").toLowerCase();
        for (const user of ["ann", "bo"]) clients.push(await connectOfficial(fx, { user, hub, transport: T.WebSockets }));
        const rounds = 25;
        for (let i = 0; i < rounds; i++) {
          await clients[0].connection.send("toServer", i);
          expectStatus(await restCall(svc, "POST", p22(hub, "/:send"), { body: { target: "tick", arguments: [i] } }), 202, "broadcast");
          await sleep(80);
        }
        // Every message counted (one in per send, one delivery per client per broadcast) ...
        const after = await waitFor(async () => {
          const now = await counted();
          return now.in - before.in >= rounds && now.out - before.out >= 2 * rounds ? now : null;
        }, { message: "the messages counted in /metrics" });
        assert.equal(after.in - before.in, rounds, "messages received");
        assert.equal(after.out - before.out, 2 * rounds, "deliveries");
        // ... then the rates fall back to 0.
        await d.until(zero, "rates back at 0 once nothing flows");
        const snapshots = d.snapshots.slice(from);
        assert.ok(
          snapshots.some((s) => s.rates.messagesInPerSecond > 0 && s.rates.messagesOutPerSecond > 0),
          `rates moved while messages flowed: ${JSON.stringify(snapshots.map((s) => s.rates))}`,
        );
        // A rate times the time since the snapshot before is the messages of that interval: over
        // the whole run they add up to what /metrics counted.
        let sumIn = 0;
        let sumOut = 0;
        for (let i = 1; i < snapshots.length; i++) {
          const seconds = (snapshots[i].time - snapshots[i - 1].time) / 1000;
          sumIn += snapshots[i].rates.messagesInPerSecond * seconds;
          sumOut += snapshots[i].rates.messagesOutPerSecond * seconds;
        }
        const near = (sum, expected, what) =>
          assert.ok(Math.abs(sum - expected) <= Math.max(1.5, 0.1 * expected), `${what}: rates add up to ${sum.toFixed(2)}, /metrics counted ${expected}`);
        near(sumIn, rounds, "messages in");
        near(sumOut, 2 * rounds, "messages out");
      } finally {
        await Promise.all(clients.map((c) => c.stop()));
        await d.stop();
      }
    }),
  );
});

describe("dashboard: last errors", () => {
  let svc;
  let fx;
  before(async () => {
    // An upstream nobody answers: every client's `connected` event fails with a warning.
    svc = await startServiceWithUpstream(["--upstream", `http://127.0.0.1:${await deadPort()}/webhook`]);
    fx = await startNegotiateFixture(svc);
  });
  after(async () => {
    await fx?.close();
    await svc?.stop();
  });

  test(
    "warnings the service logs show up, newest last, with their level and time",
    logged(async () => {
      const d = await watchDashboard(svc);
      const c = await connectOfficial(fx, { user: "erin", hub: "chat" });
      try {
        const s = await d.until((s) => s.errors.some((e) => e.message.includes(c.id)), "the upstream warning for the client");
        const line = s.errors.find((e) => e.message.includes(c.id));
        assert.equal(line.level, "warning");
        assert.match(line.message, /upstream .* failed/);
        assert.ok(Math.abs(line.time - Date.now()) < 60000);
        assert.ok(s.errorsTotal >= 1);
        // What a dashboard shows is also in the service's own log.
        await waitFor(() => svc.log.includes(c.id), { message: "the warning in the log" });
      } finally {
        await c.stop();
        await d.stop();
      }
    }),
  );
});
