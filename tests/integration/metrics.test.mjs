// GET /metrics of `switchboard service`: the exposition parses strictly, and the numbers move as a
// user expects: connections over each transport and protocol (gauge and totals), REST calls by
// hub, operation and status, messages and bytes both ways, negotiate answers, limit refusals; the
// process metrics; --metrics-token (401 without it, bearer or ?token=) and --metrics-port;
// --metrics-max-hubs (the hubs past it under hub="_other") and the dashboards' hub never counted.
import { test, describe, before, after } from "node:test";
import assert from "node:assert/strict";
import {
  signalR,
  startService,
  startNegotiateFixture,
  connectClient,
  stopAllClients,
  restCall,
  p22,
  expectStatus,
  expectDelivery,
  serviceNegotiate,
  rawRequest,
  freePort,
  logged,
  uid,
  waitFor,
} from "./helpers.mjs";
import { MessagePackHubProtocol, T } from "./transports-helpers.mjs";
import { scrape, metricValue, parseExposition } from "./metrics-helpers.mjs";
import { watchDashboard } from "./dashboard-helpers.mjs";

describe("/metrics on the service", () => {
  let svc;
  let fx;
  before(async () => {
    svc = await startService();
    fx = await startNegotiateFixture(svc);
  });
  after(async () => {
    await stopAllClients();
    await fx?.close();
    await svc?.stop();
  });

  const get = async () => {
    const res = await scrape(svc.port);
    expectStatus(res, 200, "GET /metrics");
    return res.families;
  };

  test(
    "answers the text format with HELP and TYPE for every family, and the process metrics",
    logged(async () => {
      const m = await get();
      for (const [name, type] of [
        ["switchboard_connections", "gauge"],
        ["switchboard_connections_opened_total", "counter"],
        ["switchboard_messages_sent_total", "counter"],
        ["switchboard_rest_requests_total", "counter"],
        ["switchboard_negotiate_requests_total", "counter"],
        ["switchboard_limit_refusals_total", "counter"],
        ["switchboard_slow_clients_dropped_total", "counter"],
        ["process_resident_memory_bytes", "gauge"],
        ["process_cpu_seconds_total", "counter"],
        ["process_open_fds", "gauge"],
        ["process_start_time_seconds", "gauge"],
      ])
        assert.equal(m.get(name)?.type, type, `${name} is a ${type}`);
      assert.ok(metricValue(m, "process_resident_memory_bytes") > 1e6, "resident memory over 1 MB");
      assert.ok(metricValue(m, "process_open_fds") >= 3, "open fds");
      const start = metricValue(m, "process_start_time_seconds");
      assert.ok(Math.abs(start - Date.now() / 1000) < 600, `start time ${start} is about now`);
      // Every limit of docs/limits.md has its own series, at 0 on a fresh service.
      for (const limit of ["max_connections", "max_connections_per_ip", "negotiate_rate", "max_message_size", "header_timeout", "body_timeout", "max_header_size", "max_request_body"])
        assert.equal(metricValue(m, "switchboard_limit_refusals_total", { limit }), 0, limit);
      // HEAD answers the headers only; POST is refused.
      const head = await rawRequest({ port: svc.port, method: "HEAD", path: "/metrics" });
      expectStatus(head, 200, "HEAD /metrics");
      const post = await rawRequest({ port: svc.port, method: "POST", path: "/metrics" });
      expectStatus(post, 405, "POST /metrics");
    }),
  );

  test(
    "counts connections by hub and transport, messages and bytes both ways, REST calls and negotiates",
    logged(async () => {
      const hub = uid("hub").toLowerCase();
      const before = await get();
      const clients = [];
      for (const [name, transport] of [["WebSockets", T.WebSockets], ["ServerSentEvents", T.ServerSentEvents], ["LongPolling", T.LongPolling]])
        clients.push([name, await connectClient(fx, { hub, transport, user: `u-${name}` })]);
      const mp = new signalR.HubConnectionBuilder()
        .withUrl(`http://127.0.0.1:${fx.port}/api?hub=${hub}&user=mp`, { transport: T.WebSockets })
        .withHubProtocol(new MessagePackHubProtocol())
        .configureLogging(signalR.LogLevel.None)
        .build();
      const mpGot = [];
      mp.on("newMessage", (...args) => mpGot.push(args));
      await mp.start();
      try {
        const open = await get();
        for (const [transport, expected] of [["WebSockets", 2], ["ServerSentEvents", 1], ["LongPolling", 1]]) {
          assert.equal(metricValue(open, "switchboard_connections", { hub, transport }), expected, `open ${transport}`);
          assert.equal(metricValue(open, "switchboard_connections_opened_total", { hub, transport }), expected, `opened ${transport}`);
        }
        assert.equal(
          metricValue(open, "switchboard_negotiate_requests_total", { code: "200" }) -
            metricValue(before, "switchboard_negotiate_requests_total", { code: "200" }),
          4, // 3 transports with JSON, WebSockets with MessagePack
          "negotiates answered 200",
        );

        // One broadcast: one delivery per client, in its protocol.
        const tag = uid("m");
        const res = await restCall(svc, "POST", p22(hub, "/:send"), { body: { target: "newMessage", arguments: [tag, "x".repeat(100)] } });
        expectStatus(res, 202, "broadcast");
        // A REST call with a bad token: counted under its operation and 401.
        const denied = await restCall(svc, "POST", p22(hub, "/:send"), { token: "bad", body: { target: "x", arguments: [] } });
        expectStatus(denied, 401, "bad token");
        const afterRest = await get();
        await expectDelivery(svc, { tag, receivers: clients.map(([, c]) => c) });
        await waitFor(() => mpGot.some((a) => a[0] === tag), { message: "the MessagePack client got the broadcast" });
        // The clients send: invocations without an upstream are answered with an error each.
        for (const [, c] of clients) await c.connection.send("toServer", "hello from " + c.user);

        const after = await waitFor(async () => {
          const m = await get();
          return metricValue(m, "switchboard_messages_received_total", { hub, protocol: "json" }) >= 3 ? m : null;
        }, { message: "3 client messages counted" });
        const sent = (p) => metricValue(after, "switchboard_messages_sent_total", { hub, protocol: p });
        assert.ok(sent("json") >= 3, `json deliveries ${sent("json")} >= 3 (the broadcast to 3 JSON clients)`);
        assert.ok(sent("messagepack") >= 1, `messagepack deliveries ${sent("messagepack")} >= 1`);
        assert.ok(metricValue(after, "switchboard_sent_bytes_total", { hub, protocol: "json" }) >= 3 * 100, "bytes sent (3 x the 100-byte argument)");
        assert.ok(metricValue(after, "switchboard_received_bytes_total", { hub, protocol: "json" }) > 3 * "hello from ".length, "bytes received");
        assert.ok(metricValue(after, "switchboard_received_bytes_total", { hub, protocol: "messagepack" }) > 0, "messagepack handshake bytes received");
        const rest = (code) =>
          metricValue(afterRest, "switchboard_rest_requests_total", { operation: "broadcast", code }) -
          metricValue(before, "switchboard_rest_requests_total", { operation: "broadcast", code });
        assert.equal(rest("202"), 1, "one broadcast answered 202");
        assert.equal(rest("401"), 1, "one broadcast answered 401");
        // Labelled by hub once the hub was checked; a refusal before that (401) has hub="".
        assert.equal(metricValue(afterRest, "switchboard_rest_requests_total", { hub, operation: "broadcast", code: "202" }), 1, "the broadcast under its hub");
        assert.equal(metricValue(afterRest, "switchboard_rest_requests_total", { hub, operation: "broadcast", code: "401" }), 0, "the 401 not under the hub");
      } finally {
        await mp.stop();
        await stopAllClients();
      }
      const closed = await waitFor(async () => {
        const m = await get();
        return metricValue(m, "switchboard_connections", { hub }) === 0 ? m : null;
      }, { message: "every connection of the hub counted as closed" });
      for (const [transport, expected] of [["WebSockets", 2], ["ServerSentEvents", 1], ["LongPolling", 1]])
        assert.equal(metricValue(closed, "switchboard_connections_closed_total", { hub, transport }), expected, `closed ${transport}`);
    }),
  );

  test(
    "counts refusals by limit: a header section and a body over the limits",
    logged(async () => {
      const before = await get();
      const big = await rawRequest({ port: svc.port, method: "GET", path: "/api/health", headers: { "X-Big": "x".repeat(20000) } });
      expectStatus(big, 431, "headers over --max-header-size");
      const body = await rawRequest({ port: svc.port, method: "POST", path: p22("chat", "/:send"), body: "x".repeat(1100000) }).catch((e) => ({ status: e.code }));
      assert.ok(body.status === 413 || body.status === "ECONNRESET" || body.status === "EPIPE", `body over --max-request-body: ${body.status}`);
      const after = await get();
      const delta = (limit) =>
        metricValue(after, "switchboard_limit_refusals_total", { limit }) - metricValue(before, "switchboard_limit_refusals_total", { limit });
      assert.equal(delta("max_header_size"), 1, "max_header_size refusals");
      assert.equal(delta("max_request_body"), 1, "max_request_body refusals");
    }),
  );
});

describe("/metrics with --metrics-token and --metrics-port", () => {
  let svc;
  let metricsPort;
  const token = "scrape-" + uid("t");
  before(async () => {
    metricsPort = await freePort();
    svc = await startService({ args: ["--metrics-token", token, "--metrics-port", String(metricsPort), "--negotiate-rate", "1", "--negotiate-burst", "1"] });
  });
  after(async () => {
    await svc?.stop();
  });

  test(
    "moves /metrics to its own port, needs the token there (bearer or ?token=), and counts negotiate refusals",
    logged(async () => {
      assert.match(svc.stdout, new RegExp(`Metrics: +http://localhost:${metricsPort}/metrics \\(needs --metrics-token\\)`));
      expectStatus(await rawRequest({ port: svc.port, method: "GET", path: "/metrics" }), 404, "/metrics on the service port once moved");
      const none = await scrape(metricsPort);
      expectStatus(none, 401, "no token");
      assert.equal(none.json?.code, "Unauthorized");
      assert.match(none.headers["www-authenticate"] ?? "", /^Bearer/);
      expectStatus(await scrape(metricsPort, { headers: { Authorization: "Bearer wrong" } }), 401, "wrong token");
      expectStatus(await scrape(metricsPort, { path: "/metrics?token=" + token + "x" }), 401, "wrong query token");
      expectStatus(await scrape(metricsPort, { path: "/other" }), 404, "another path on the metrics port");
      const byHeader = await scrape(metricsPort, { headers: { Authorization: `Bearer ${token}` } });
      expectStatus(byHeader, 200, "bearer token");
      const byQuery = await scrape(metricsPort, { path: `/metrics?token=${encodeURIComponent(token)}` });
      expectStatus(byQuery, 200, "?token=");

      // The rate allows one negotiate at once: the second is refused and counted.
      expectStatus(await serviceNegotiate(svc, { hub: "chat" }), 200, "first negotiate");
      expectStatus(await serviceNegotiate(svc, { hub: "chat" }), 429, "second negotiate");
      const m = (await scrape(metricsPort, { headers: { Authorization: `Bearer ${token}` } })).families;
      assert.equal(metricValue(m, "switchboard_limit_refusals_total", { limit: "negotiate_rate" }), 1);
      assert.equal(metricValue(m, "switchboard_negotiate_requests_total", { code: "429" }), 1);
      assert.equal(metricValue(m, "switchboard_negotiate_requests_total", { code: "200" }), 1);
    }),
  );

  test("the strict parser refuses what a scraper would", () => {
    assert.throws(() => parseExposition("x_total 1\n"), /outside its family|before its TYPE/);
    assert.throws(() => parseExposition("# HELP a_total A.\n# TYPE a_total counter\na_total{l=\"x} 1\n"), /unterminated/);
    assert.throws(() => parseExposition("# HELP a A.\n# TYPE a counter\na 1\n"), /_total/);
    assert.throws(
      () => parseExposition("# HELP h H.\n# TYPE h histogram\nh_bucket{le=\"1\"} 2\nh_bucket{le=\"+Inf\"} 1\nh_sum 1\nh_count 1\n"),
      /cumulative/,
    );
  });
});

describe("/metrics hub labels: --metrics-max-hubs and the dashboards' hub", () => {
  let svc;
  let fx;
  before(async () => {
    svc = await startService({ args: ["--metrics-max-hubs", "2"] });
    fx = await startNegotiateFixture(svc);
  });
  after(async () => {
    await stopAllClients();
    await fx?.close();
    await svc?.stop();
  });

  const hubsOf = (families) => {
    const hubs = new Set();
    for (const family of families.values()) for (const s of family.samples) if ("hub" in s.labels) hubs.add(s.labels.hub);
    return hubs;
  };

  test(
    "two hubs get their own series, every further hub's connections and REST calls are counted under _other; a dashboard is in none",
    logged(async () => {
      // A dashboard watches (and takes no label) while the hubs come.
      const d = await watchDashboard(svc);
      try {
        await d.until(() => true, "a snapshot");
        const [a, b, c, e] = ["a", "b", "c", "e"].map((x) => uid(`cap_${x}`).toLowerCase());
        await connectClient(fx, { hub: a, user: "u1" });
        await connectClient(fx, { hub: b, user: "u2" });
        await connectClient(fx, { hub: c, user: "u3" });
        await connectClient(fx, { hub: e, user: "u4" });
        expectStatus(await restCall(svc, "POST", p22(a, "/:send"), { body: { target: "x", arguments: [] } }), 202, "broadcast to a");
        expectStatus(await restCall(svc, "POST", p22(c, "/:send"), { body: { target: "x", arguments: [] } }), 202, "broadcast to c");
        const m = (await scrape(svc.port)).families;
        // Only the two labelled hubs, _other and the REST refusals' "" are hub label values.
        assert.deepEqual([...hubsOf(m)].filter((h) => h !== "").sort(), [a, b, "_other"].sort());
        assert.equal(metricValue(m, "switchboard_connections", { hub: a }), 1);
        assert.equal(metricValue(m, "switchboard_connections", { hub: b }), 1);
        assert.equal(metricValue(m, "switchboard_connections", { hub: "_other" }), 2, "c and e under _other");
        assert.equal(metricValue(m, "switchboard_rest_requests_total", { hub: a, operation: "broadcast", code: "202" }), 1);
        assert.equal(metricValue(m, "switchboard_rest_requests_total", { hub: "_other", operation: "broadcast", code: "202" }), 1);
        // The two broadcasts reached one client each: 2 deliveries. The dashboard gets a snapshot
        // every second, yet no series counts them.
        await waitFor(async () => metricValue((await scrape(svc.port)).families, "switchboard_messages_sent_total") === 2, {
          message: "the two broadcast deliveries counted",
        });
        await d.until(() => true, "another snapshot");
        await d.until(() => true, "and another");
        const again = (await scrape(svc.port)).families;
        assert.ok(!hubsOf(again).has("_dashboard"), "no _dashboard series");
        assert.equal(metricValue(again, "switchboard_messages_sent_total"), 2, "the snapshots are not counted as deliveries");
      } finally {
        await d.stop();
      }
    }),
  );

  test("--metrics-max-hubs refuses 0", async () => {
    await assert.rejects(startService({ args: ["--metrics-max-hubs", "0"] }), /metrics-max-hubs/);
  });
});
