// Every transport × both hub protocols, as the official JavaScript client uses them: the client
// negotiates through a Functions-style redirect, picks a transport, speaks JSON or MessagePack, and
// receives broadcasts, user and group messages, many argument types, big messages, binary arguments
// (REST binary body) and a server-side close. Plus transport filtering by the asrs.s.htt claim.
import { test, describe, before, after } from "node:test";
import assert from "node:assert/strict";
import crypto from "node:crypto";
import {
  startService,
  startNegotiateFixture,
  restCall,
  p22,
  expectStatus,
  waitFor,
  logged,
  uid,
  mintToken,
  clientAud,
  serviceNegotiate,
  RS,
} from "./helpers.mjs";
import { TRANSPORTS, T, TYPED_ARGS, connectOfficial, encode, mpFrame, negotiateRaw, openSse, lpPost } from "./transports-helpers.mjs";

const enc = encodeURIComponent;

describe("transport × protocol matrix (official client through a negotiate redirect)", () => {
  let svc;
  let fx;
  const clients = [];
  before(async () => {
    svc = await startService({ args: ["--long-polling-timeout", "2"] });
    fx = await startNegotiateFixture(svc);
  });
  after(async () => {
    await Promise.all(clients.map((c) => c.stop()));
    await fx?.close();
    await svc?.stop();
  });

  const send = async (suffix, args, what) => {
    const res = await restCall(svc, "POST", p22("chat", suffix), { body: { target: "newMessage", arguments: args } });
    expectStatus(res, 202, what);
  };
  const got = (c, tag, what, timeout = 5000) =>
    waitFor(() => c.received("newMessage", tag)[0], {
      timeout,
      message: () => `${what} (${tag}) at ${c.label}; got ${JSON.stringify(c.msgs.map((m) => m.args[0]))}`,
    });

  for (const [tName, tBits] of TRANSPORTS) {
    for (const protocol of ["json", "messagepack"]) {
      if (tName === "ServerSentEvents" && protocol === "messagepack") {
        test(
          "ServerSentEvents × messagepack: the client refuses it, and the server refuses the handshake",
          logged(async () => {
            await assert.rejects(
              connectOfficial(fx, { user: uid("ssemp"), transport: T.ServerSentEvents, protocol }),
              /ServerSentEvents' does not support Binary/,
            );
            // The server side of the same refusal: a raw SSE stream, then a MessagePack handshake POST.
            const n = await negotiateRaw(svc, { user: uid("ssemp") });
            const s = await openSse(svc.port, n.path, n.auth);
            expectStatus(s, 200, "SSE GET");
            await waitFor(() => s.text.startsWith(":\r\n"), { message: "SSE preamble" });
            const post = await lpPost(svc, n, `{"protocol":"messagepack","version":1}${RS}`);
            expectStatus(post, 200, "handshake POST");
            await waitFor(() => s.records().length >= 1, { message: () => `handshake reply on SSE; text=${JSON.stringify(s.text)}` });
            const reply = s.records()[0];
            assert.match(
              String(reply.error),
              /Cannot use the 'messagepack' protocol on the current transport\. The transport does not support 'Binary' transfer format\./,
              `handshake error; got ${JSON.stringify(reply)}`,
            );
            await waitFor(() => s.ended, { message: "SSE response ends after the refused handshake" });
          }),
        );
        continue;
      }

      test(
        `${tName} × ${protocol}`,
        logged(async () => {
          const user = uid("mx");
          const c = await connectOfficial(fx, { user, transport: tBits, protocol });
          clients.push(c);
          assert.deepEqual(c.selected(), [tName], `the client used ${tName}; log: ${JSON.stringify(c.selected())}`);
          assert.equal(typeof c.id, "string");

          // Broadcast.
          let tag = uid("b");
          await send("/:send", [tag, "broadcast"], "broadcast");
          assert.deepEqual((await got(c, tag, "broadcast")).args, [tag, "broadcast"]);

          // User message.
          tag = uid("u");
          await send(`/users/${enc(user)}/:send`, [tag, "to user"], "user send");
          assert.deepEqual((await got(c, tag, "user message")).args, [tag, "to user"]);

          // Group message after adding the connection to a group by REST.
          const group = uid("g");
          expectStatus(await restCall(svc, "PUT", p22("chat", `/groups/${enc(group)}/connections/${enc(c.id)}`)), 200, "add to group");
          tag = uid("g");
          await send(`/groups/${enc(group)}/:send`, [tag, "to group"], "group send");
          assert.deepEqual((await got(c, tag, "group message")).args, [tag, "to group"]);

          // Arguments of many types, to this connection.
          tag = uid("t");
          await send(`/connections/${enc(c.id)}/:send`, [tag, ...TYPED_ARGS], "typed args");
          assert.deepEqual((await got(c, tag, "typed arguments")).args, [tag, ...TYPED_ARGS], "typed arguments arrive unchanged");

          // A message near the 32 KB size limit (~30 KB string, varied content) arrives intact.
          tag = uid("big");
          const big = crypto.randomBytes(20000).toString("base64").slice(0, 29000) + "é😀".repeat(200);
          await send("/:send", [tag, big], "big broadcast");
          const bigMsg = await got(c, tag, "big message");
          assert.equal(bigMsg.args[1].length, big.length, "big string length");
          assert.ok(bigMsg.args[1] === big, "big string content intact");

          // Several messages queued at once arrive complete and in order.
          const burst = Array.from({ length: 20 }, (_, i) => `${uid("burst")}-${i}`);
          await Promise.all(burst.map((b) => send(`/connections/${enc(c.id)}/:send`, [b])));
          await waitFor(() => burst.every((b) => c.count(b) === 1), { message: "all burst messages once" });

          // REST binary body: a JSON entry and a MessagePack entry with a bin argument.
          tag = uid("bin");
          const bytes = Buffer.concat([Buffer.from(Array.from({ length: 256 }, (_, i) => i)), crypto.randomBytes(3000)]);
          const jsonRecord = Buffer.from(
            JSON.stringify({ type: 1, target: "newMessage", arguments: [tag, "json-entry", bytes.toString("base64")] }) + RS,
          );
          const mpRecord = mpFrame([1, {}, null, "newMessage", [tag, "msgpack-entry", new Uint8Array(bytes)]]);
          const res = await restCall(svc, "POST", p22("chat", `/connections/${enc(c.id)}/:send`), {
            body: Buffer.from(encode({ json: jsonRecord, messagepack: mpRecord })),
            headers: { "Content-Type": "application/octet-stream" },
          });
          expectStatus(res, 202, "binary body send");
          const binMsg = await got(c, tag, "binary-body message");
          if (protocol === "messagepack") {
            assert.equal(binMsg.args[1], "msgpack-entry", "a MessagePack client gets the messagepack entry");
            assert.ok(binMsg.args[2] instanceof Uint8Array, `bin argument decodes to a Uint8Array, got ${typeof binMsg.args[2]}`);
            assert.deepEqual(Buffer.from(binMsg.args[2]), bytes, "same bytes");
          } else {
            assert.deepEqual(binMsg.args, [tag, "json-entry", bytes.toString("base64")], "a JSON client gets the json entry");
          }

          // Server-side close with a reason (REST DELETE connection).
          const reason = `closing-${uid("r")}`;
          const del = await restCall(svc, "DELETE", p22("chat", `/connections/${enc(c.id)}`, `reason=${enc(reason)}`));
          expectStatus(del, 200, "close connection");
          const err = await waitFor(() => c.isClosed && { err: c.closeError }, { timeout: 6000, message: "onclose" });
          assert.ok(err.err instanceof Error, `onclose gets an error, got ${err.err}`);
          assert.ok(err.err.message.includes(reason), `onclose error contains the reason; got ${JSON.stringify(err.err.message)}`);
          expectStatus(await restCall(svc, "HEAD", p22("chat", `/connections/${enc(c.id)}`)), 404, "connection gone");
        }),
      );
    }
  }
});

describe("transport filtering by the asrs.s.htt claim", () => {
  let svc;
  const fixtures = [];
  const clients = [];
  before(async () => {
    svc = await startService({ args: ["--long-polling-timeout", "2"] });
  });
  after(async () => {
    await Promise.all(clients.map((c) => c.stop()));
    await Promise.all(fixtures.map((f) => f.close()));
    await svc?.stop();
  });
  const fixtureWithHtt = async (htt) => {
    const fx = await startNegotiateFixture(svc, {
      tokenFor: (hub, user) => mintToken(svc.key, { aud: clientAud(hub), user, claims: { "asrs.s.htt": htt } }),
    });
    fixtures.push(fx);
    return fx;
  };
  const names = (neg) => neg.json.availableTransports.map((t) => t.transport);

  test(
    "service negotiate lists only the transports the claim allows",
    logged(async () => {
      const expected = {
        1: ["WebSockets"],
        2: ["ServerSentEvents"],
        3: ["WebSockets", "ServerSentEvents"],
        4: ["LongPolling"],
        5: ["WebSockets", "LongPolling"],
        6: ["ServerSentEvents", "LongPolling"],
        7: ["WebSockets", "ServerSentEvents", "LongPolling"],
      };
      for (const [htt, list] of Object.entries(expected)) {
        const tok = mintToken(svc.key, { aud: clientAud("chat"), user: "h", claims: { "asrs.s.htt": Number(htt) } });
        const neg = await serviceNegotiate(svc, { token: tok });
        expectStatus(neg, 200, `negotiate htt=${htt}`);
        assert.deepEqual(names(neg), list, `htt=${htt}: ${neg.text}`);
      }
      const all = await serviceNegotiate(svc, { user: "h" });
      assert.deepEqual(
        all.json.availableTransports,
        [
          { transport: "WebSockets", transferFormats: ["Text", "Binary"] },
          { transport: "ServerSentEvents", transferFormats: ["Text"] },
          { transport: "LongPolling", transferFormats: ["Text", "Binary"] },
        ],
        "without the claim every transport is listed",
      );
    }),
  );

  for (const [htt, protocol, expected] of [
    [4, "json", "LongPolling"],
    [4, "messagepack", "LongPolling"],
    [2, "json", "ServerSentEvents"],
    [1, "messagepack", "WebSockets"],
    [6, "messagepack", "LongPolling"], // SSE is listed but is Text only
  ]) {
    test(
      `htt=${htt}: a client allowing every transport (${protocol}) connects with ${expected}`,
      logged(async () => {
        const fx = await fixtureWithHtt(htt);
        const c = await connectOfficial(fx, { user: uid("htt"), protocol });
        clients.push(c);
        assert.equal(c.selected().at(-1), expected, `selected transports: ${JSON.stringify(c.selected())}`);
        const tag = uid("h");
        expectStatus(await restCall(svc, "POST", p22("chat", "/:send"), { body: { target: "newMessage", arguments: [tag] } }), 202);
        await waitFor(() => c.count(tag) === 1, { timeout: 5000, message: `broadcast over ${expected}` });
        await c.stop();
      }),
    );
  }

  test(
    "htt=1 and a client that only allows LongPolling cannot connect",
    logged(async () => {
      const fx = await fixtureWithHtt(1);
      await assert.rejects(connectOfficial(fx, { user: uid("htt"), transport: T.LongPolling }), /No transport|available transports|not supported|disabled/i);
    }),
  );
});
