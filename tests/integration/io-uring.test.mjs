// --io-uring (docs/design.md, "Messages"): with the fan-out's writes forced to one send() or
// sendmsg() per connection (SWITCHBOARD_IO_URING=off) official clients get every broadcast, a
// burst and a message larger than a socket buffer, in order; the service says at start which path it writes with; a
// bad value is refused with the option's name. (Every other test runs the default, io_uring where
// the kernel allows it.)
import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import {
  BINARY,
  connectClient,
  restCall,
  p22,
  expectStatus,
  waitFor,
  logged,
  uid,
  useServiceWithFixture,
} from "./helpers.mjs";

describe("--io-uring off: one write call per connection", () => {
  let svc;
  let fx;
  useServiceWithFixture(
    (service, fixture) => {
      svc = service;
      fx = fixture;
    },
    { env: { SWITCHBOARD_IO_URING: "off", SWITCHBOARD_LOG_LEVEL: "debug" } },
  );

  test(
    "says so at start, and every client gets every broadcast in order, a burst and a large message included",
    logged(async () => {
      assert.match(svc.log, /fan-out writes: one call per connection \(io_uring turned off\)/);
      const clients = [];
      for (let i = 0; i < 4; i++) clients.push(await connectClient(fx, { user: uid("c"), targets: ["big"] }));
      const tag = uid("burst");
      const count = 200;
      // One caller's calls, one after another: they arrive in the order they were made.
      for (let i = 0; i < count; i++)
        expectStatus(
          await restCall(svc, "POST", p22("chat", "/:send"), { body: { target: "newMessage", arguments: [tag, i] } }),
          202,
          "burst broadcast",
        );
      const big = "z".repeat(600 * 1024);
      expectStatus(
        await restCall(svc, "POST", p22("chat", "/:send"), { body: { target: "big", arguments: [tag, big] } }),
        202,
        "large broadcast",
      );
      for (const c of clients) {
        await waitFor(() => c.count(tag, "big") === 1, { timeout: 5000, message: `${c.label} got the large message` });
        const indexes = c.received("newMessage", tag).map((m) => m.args[1]);
        assert.deepEqual(indexes, [...Array(count).keys()], `${c.label}: the burst, whole and in order`);
        assert.equal(c.received("big", tag)[0].args[1], big, `${c.label}: the large message intact`);
      }
    }),
  );
});

test("--io-uring takes auto or off; another value is refused with the option's name", () => {
  const run = spawnSync(BINARY, ["service", "--port", "0", "--io-uring", "sometimes"], { encoding: "utf8", timeout: 10000 });
  assert.notEqual(run.status, 0, "refused");
  assert.match(run.stderr, /--io-uring: sometimes not in \{auto,off\}/);
});
