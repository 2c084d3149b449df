// SIGTERM with clients on every transport and protocol: each gets a Close that allows reconnecting,
// the process exits 0 within a few seconds, and official clients with withAutomaticReconnect()
// reconnect to a server restarted on the same port.
import { test, describe, after } from "node:test";
import assert from "node:assert/strict";
import { RS, startService, startNegotiateFixture, restCall, p22, expectStatus, waitFor, withTimeout, sleep, logged, uid, signalR } from "./helpers.mjs";
import { TRANSPORTS, connectOfficial, rawWs, negotiateRaw, openSse, lpGet, lpPost, getBytes, mpParse, spawnOnPort } from "./transports-helpers.mjs";

describe("graceful shutdown on SIGTERM", () => {
  const cleanups = [];
  after(async () => {
    for (const c of cleanups.reverse()) await c();
  });

  test(
    "every client on every transport gets Close with allowReconnect:true; exit code 0; official clients reconnect to a restarted server",
    logged(async () => {
      const svc = await startService({ args: ["--long-polling-timeout", "5"] });
      cleanups.push(() => svc.stop());
      const fx = await startNegotiateFixture(svc);
      cleanups.push(() => fx.close());

      // Official clients with automatic reconnect: every transport × protocol the client allows.
      const officials = [];
      for (const [tName, tBits] of TRANSPORTS) {
        for (const protocol of ["json", "messagepack"]) {
          if (tName === "ServerSentEvents" && protocol === "messagepack") continue;
          const c = await connectOfficial(fx, { user: uid(`${tName}-${protocol}-`), transport: tBits, protocol, reconnect: true });
          c.label = `${tName}/${protocol}`;
          officials.push(c);
          cleanups.push(() => c.stop());
        }
      }

      // Raw clients: WebSocket JSON, WebSocket MessagePack, SSE, a pending long poll (JSON and MessagePack).
      const wsJson = await rawWs(svc, { user: uid("rj"), protocol: "json" });
      const wsMp = await rawWs(svc, { user: uid("rm"), protocol: "messagepack" });
      cleanups.push(async () => (wsJson.close(), wsMp.close()));
      const sn = await negotiateRaw(svc, { user: uid("rs") });
      const sse = await openSse(svc.port, sn.path, sn.auth);
      cleanups.push(async () => sse.close());
      expectStatus(await lpPost(svc, sn, `{"protocol":"json","version":1}${RS}`), 200);
      await waitFor(() => sse.records().length >= 1, { message: "SSE handshake reply" });
      // Everyone is connected and receiving.
      const tag = uid("pre");
      expectStatus(await restCall(svc, "POST", p22("chat", "/:send"), { body: { target: "newMessage", arguments: [tag] } }), 202);
      await waitFor(() => officials.every((c) => c.count(tag) === 1), { message: "pre-shutdown broadcast at every official client" });
      // Raw long-polling connections (JSON and MessagePack), each with a poll pending at SIGTERM.
      const lpConns = [];
      for (const protocol of ["json", "messagepack"]) {
        const ln = await negotiateRaw(svc, { user: uid("rl2") });
        expectStatus(await lpGet(svc, ln), 200);
        expectStatus(await lpPost(svc, ln, `{"protocol":"${protocol}","version":1}${RS}`), 200);
        expectStatus(await lpGet(svc, ln), 200);
        lpConns.push({ protocol, res: getBytes(svc.port, ln.path, ln.auth, 10000).catch((e) => ({ error: e })) });
      }
      await sleep(200);

      const t0 = Date.now();
      svc.proc.kill("SIGTERM");
      await withTimeout(svc.exitPromise, 6000, "switchboard exits after SIGTERM");
      const took = Date.now() - t0;
      assert.equal(svc.exitCode, 0, `exit code after SIGTERM (signal ${svc.exitSignal})`);
      assert.ok(took < 5000, `exited within 5 s (took ${took} ms)`);

      // Raw WebSocket JSON: {"type":7,...,"allowReconnect":true}.
      await waitFor(() => wsJson.isClosed, { message: "raw JSON socket closed" });
      const cj = wsJson.records.find((m) => m.type === 7);
      assert.ok(cj, `raw JSON WebSocket got a Close; records=${JSON.stringify(wsJson.records)}`);
      assert.equal(cj.allowReconnect, true, `JSON Close allows reconnect: ${JSON.stringify(cj)}`);
      // Raw WebSocket MessagePack: [7, error|nil, true].
      await waitFor(() => wsMp.isClosed, { message: "raw MessagePack socket closed" });
      const cm = wsMp.records.find((m) => m[0] === 7);
      assert.ok(cm, `raw MessagePack WebSocket got a Close; records=${JSON.stringify(wsMp.records)}`);
      assert.equal(cm[2], true, `MessagePack Close allows reconnect: ${JSON.stringify(cm)}`);
      // SSE: a Close event, then the stream ends.
      await waitFor(() => sse.ended, { message: "SSE stream ended" });
      const cs = sse.records().find((m) => m.type === 7);
      assert.ok(cs, `SSE got a Close event; text=${JSON.stringify(sse.text)}`);
      assert.equal(cs.allowReconnect, true, `SSE Close allows reconnect: ${JSON.stringify(cs)}`);
      // Long polling: the pending poll returns the Close.
      for (const p of lpConns) {
        const r = await p.res;
        assert.ok(!r.error, `LP ${p.protocol} pending poll answered before exit: ${r.error?.message}`);
        assert.equal(r.status, 200, `LP ${p.protocol} pending poll status`);
        const close =
          p.protocol === "json" ? JSON.parse(r.body.toString("utf8").split(RS)[0]) : mpParse(r.body).messages.find((m) => m[0] === 7);
        assert.ok(close, `LP ${p.protocol} Close; body=${r.body.toString("hex")}`);
        if (p.protocol === "json") {
          assert.equal(close.type, 7, `LP JSON Close: ${JSON.stringify(close)}`);
          assert.equal(close.allowReconnect, true, `LP JSON Close allows reconnect: ${JSON.stringify(close)}`);
        } else {
          assert.equal(close[2], true, `LP MessagePack Close allows reconnect: ${JSON.stringify(close)}`);
        }
      }
      // Official clients: onreconnecting fired (the Close allowed reconnecting).
      await waitFor(() => officials.every((c) => c.reconnecting.length >= 1), {
        timeout: 3000,
        message: () => `onreconnecting at ${officials.filter((c) => c.reconnecting.length === 0).map((c) => c.label).join(", ")}`,
      });
      for (const c of officials) assert.equal(c.isClosed, false, `${c.label} is reconnecting, not closed`);

      // Restart on the same port and key: the official clients reconnect (retry after 0, 2, 10 s).
      const again = await spawnOnPort(svc.port, svc.key);
      cleanups.push(() => again.stop());
      await waitFor(() => officials.every((c) => c.connection.state === signalR.HubConnectionState.Connected), {
        timeout: 9000,
        interval: 100,
        message: () =>
          `every official client reconnected; states: ${officials.map((c) => `${c.label}=${c.connection.state}`).join(", ")}; ` +
          `restarted server output: ${again.log.slice(-3000)}`,
      });
      for (const c of officials) assert.ok(c.reconnected.length >= 1, `${c.label} onreconnected fired`);
      const post = uid("post");
      expectStatus(
        await restCall({ port: again.port, key: again.key }, "POST", p22("chat", "/:send"), { body: { target: "newMessage", arguments: [post] } }),
        202,
      );
      await waitFor(() => officials.every((c) => c.count(post) === 1), {
        message: () => `post-restart broadcast at ${officials.filter((c) => c.count(post) !== 1).map((c) => c.label).join(", ")}`,
      });
      await Promise.all(officials.map((c) => c.stop()));
      await again.stop();
      assert.equal(again.exitCode, 0, "restarted server exits 0 too");
    }),
  );
});
