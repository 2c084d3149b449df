// Upstream settings: a settings file whose patterns route events to two upstream peers (first match
// wins), an invocation that no template takes, and precise errors for bad settings at start.
import { test, describe, before, after } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { spawnSync } from "node:child_process";
import { logged, BINARY, sleep } from "./helpers.mjs";
import { connectOfficial } from "./transports-helpers.mjs";
import { startUpstream, startServiceWithUpstream, startFixture, invocationOf } from "./upstream-helpers.mjs";

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "sb-upstream-settings-"));
process.on("exit", () => fs.rmSync(tmp, { recursive: true, force: true }));
let fileCounter = 0;
const settingsFile = (content) => {
  const file = path.join(tmp, `settings-${++fileCounter}.json`);
  fs.writeFileSync(file, typeof content === "string" ? content : JSON.stringify(content));
  return file;
};

describe("upstream settings file routing", () => {
  let alpha, beta, svc, fx;
  before(async () => {
    alpha = await startUpstream({ label: "alpha" });
    beta = await startUpstream({ label: "beta" });
    const file = settingsFile({
      UpstreamSettings: {
        Templates: [
          { UrlTemplate: `${alpha.url}/{hub}/{category}/{event}`, HubPattern: "chat, lobby", CategoryPattern: "messages", EventPattern: "Send, Broadcast" },
          { UrlTemplate: `${beta.url}/any/{event}`, HubPattern: "chat", EventPattern: "*" },
        ],
      },
    });
    svc = await startServiceWithUpstream(["--upstream-settings", file]);
    fx = await startFixture(svc);
  });
  after(async () => {
    await fx?.close();
    await svc?.stop();
    await alpha?.close();
    await beta?.close();
  });

  test(
    "patterns route each event to the first template that matches; no match fails the invocation",
    logged(async () => {
      const chat = await connectOfficial(fx, { user: "ann", hub: "chat" });
      const lobby = await connectOfficial(fx, { user: "ben", hub: "Lobby" });
      try {
        assert.deepEqual(await chat.connection.invoke("broadcast", 1), { echo: [1], target: "broadcast" });
        assert.deepEqual(await chat.connection.invoke("Other", 2), { echo: [2], target: "Other" });
        assert.deepEqual(await lobby.connection.invoke("SEND", 3), { echo: [3], target: "SEND" });
        await assert.rejects(
          lobby.connection.invoke("Other", 4),
          /^Error: Invocation failed: no upstream template matches hub 'lobby', category 'messages', event 'Other'\.$/,
        );
        await lobby.connection.send("Other", 5); // a send that nothing takes: dropped, nothing back
        assert.deepEqual(await lobby.connection.invoke("Send", 6), { echo: [6], target: "Send" });

        assert.deepEqual(alpha.requests.map((r) => [r.path, r.hub]), [
          ["/chat/messages/broadcast", "chat"],
          ["/lobby/messages/SEND", "lobby"],
          ["/lobby/messages/Send", "lobby"],
        ]);
        await beta.waitFor((r) => r.event === "Other", "Other at beta");
        assert.deepEqual(beta.requests.filter((r) => r.connectionId === chat.id).map((r) => r.path), ["/any/connected", "/any/Other"]);
        assert.equal(beta.requests.filter((r) => r.connectionId === lobby.id).length, 0, "lobby's events match no template of beta");
        assert.deepEqual(invocationOf(alpha.requests[1]).arguments, [3]);
      } finally {
        await chat.stop();
        await lobby.stop();
      }
      await beta.waitFor((r) => r.connectionId === chat.id && r.event === "disconnected", "chat's disconnected at beta");
      await sleep(100);
      assert.equal(alpha.requests.filter((r) => r.category === "connections").length, 0, "alpha takes messages only");
    }),
  );
});

describe("upstream settings errors", () => {
  const run = (args) => spawnSync(BINARY, ["service", "--port", "0", ...args], { encoding: "utf8", timeout: 10000 });
  const cases = [
    [
      "a template without urlTemplate",
      () => {
        const f = settingsFile([{ urlTemplate: "http://127.0.0.1:7071/api" }, { hubPattern: "chat" }]);
        return [["--upstream-settings", f], `switchboard: upstream settings ${f}: templates[1].urlTemplate: is required`];
      },
    ],
    [
      "an unknown placeholder",
      () => {
        const f = settingsFile({ templates: [{ urlTemplate: "http://127.0.0.1:7071/{user}" }] });
        return [["--upstream-settings", f], `switchboard: upstream settings ${f}: templates[0].urlTemplate: 'http://127.0.0.1:7071/{user}' has the unknown placeholder '{user}' (known: {hub}, {category}, {event})`];
      },
    ],
    [
      "a misspelt field",
      () => {
        const f = settingsFile([{ urlTemplate: "http://a/", eventPatern: "x" }]);
        return [["--upstream-settings", f], `switchboard: upstream settings ${f}: templates[0]: unknown field 'eventPatern' (known: urlTemplate, hubPattern, categoryPattern, eventPattern, auth)`];
      },
    ],
    [
      "not JSON",
      () => {
        const f = settingsFile("[{");
        return [["--upstream-settings", f], new RegExp(`^switchboard: upstream settings ${f.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}: is not valid JSON: `)];
      },
    ],
    ["a missing file", () => [["--upstream-settings", path.join(tmp, "nope.json")], `switchboard: upstream settings ${path.join(tmp, "nope.json")}: no such file`]],
  ];
  for (const [what, make] of cases) {
    test(
      `${what}: the service does not start and says why`,
      logged(async () => {
        const [args, expected] = make();
        const r = run(args);
        assert.equal(r.status, 2, `exit code; stderr=${r.stderr}`);
        const line = r.stderr.trim();
        if (expected instanceof RegExp) assert.match(line, expected);
        else assert.equal(line, expected);
        assert.equal(r.stdout.includes("listening"), false);
      }),
    );
  }

  test(
    "--upstream checks its URL template",
    logged(async () => {
      const r = run(["--upstream", "localhost:7071/api"]);
      assert.notEqual(r.status, 0);
      assert.match(r.stderr, /'localhost:7071\/api' must be an http:\/\/ or https:\/\/ URL/);
      const r2 = run(["--upstream", "http://127.0.0.1:7071/{nope}"]);
      assert.notEqual(r2.status, 0);
      assert.match(r2.stderr, /has the unknown placeholder '\{nope\}'/);
      const r3 = run(["--upstream", "http://127.0.0.1:7071/", "--upstream-max-pending", "0"]);
      assert.notEqual(r3.status, 0);
      assert.match(r3.stderr, /--upstream-max-pending/);
    }),
  );
});
