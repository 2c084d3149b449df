// The .deb as an operator gets it: `cpack` builds it from the build folder, `dpkg -x` unpacks it
// into a temporary root, and the installed `switchboard service` and `switchboard start` run from
// there (cwd outside the repository, workers from the unpacked tree) against the official client.

import { execFileSync, spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import {
  BUILD_DIR,
  captureProcess,
  clientAud,
  freePort,
  logged,
  mintToken,
  rawRequest,
  restCall,
  signalR,
  stopProcess,
  trackProcess,
  waitFor,
} from "./helpers.mjs";

const work = fs.mkdtempSync(path.join(os.tmpdir(), "switchboard-package-"));
const root = path.join(work, "root");
let deb;
const processes = [];

function runInstalled(args, env = {}) {
  // Nothing of the build or source tree: the environment names no SWITCHBOARD_WORKERS_DIR.
  const clean = { ...process.env, ...env };
  delete clean.SWITCHBOARD_WORKERS_DIR;
  const proc = spawn(path.join(root, "usr", "bin", "switchboard"), args, {
    cwd: work,
    env: clean,
    stdio: ["ignore", "pipe", "pipe"],
  });
  const record = trackProcess(captureProcess(proc, { proc, stdout: "", stderr: "", log: "", exited: false }));
  processes.push(record);
  return record;
}

async function healthy(port) {
  await waitFor(
    async () => {
      try {
        return (await rawRequest({ port, path: "/api/health", timeout: 1000 })).status === 200;
      } catch {
        return false;
      }
    },
    { timeout: 15000, message: `health on port ${port}` },
  );
}

before(() => {
  const started = Date.now();
  execFileSync("cpack", ["-G", "DEB", "-B", path.join(work, "out")], { cwd: BUILD_DIR, stdio: "pipe" });
  process.stderr.write(`package.test: cpack took ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
  const name = fs.readdirSync(path.join(work, "out")).find((f) => f.endsWith(".deb"));
  assert.ok(name, "cpack made a .deb");
  deb = path.join(work, "out", name);
  execFileSync("dpkg", ["-x", deb, root]);
});

after(async () => {
  for (const p of processes) await stopProcess(p);
  fs.rmSync(work, { recursive: true, force: true });
});

test("the control file declares the libraries it links and the workers' runtimes", () => {
  const field = (f) => execFileSync("dpkg-deb", ["-f", deb, f]).toString().trim();
  assert.equal(field("Package"), "switchboard");
  assert.match(field("Version"), /^\d+\.\d+\.\d+$/);
  const depends = field("Depends");
  for (const lib of ["libc6", "libstdc++6", "libssl3", "libhiredis"])
    assert.match(depends, new RegExp(`\\b${lib.replace(/\+/g, "\\+")}`), `Depends names ${lib}: ${depends}`);
  const recommends = field("Recommends");
  assert.match(recommends, /\bnodejs\b/);
  assert.match(recommends, /\bpython3\b/);
  const suggests = field("Suggests");
  assert.match(suggests, /\bmono-mcs\b/);
  assert.match(suggests, /\bmono-runtime\b/);
  assert.match(suggests, /\bopenjdk-17-jdk-headless\b/);
  assert.match(suggests, /\blibjackson2-databind-java\b/);
  const conffiles = execFileSync("dpkg-deb", ["-I", deb, "conffiles"]).toString();
  assert.match(conffiles, /^\/etc\/switchboard\/switchboard\.env$/m);
});

test("the unpacked tree holds a stripped binary, the workers, both units and the environment file", () => {
  const binary = path.join(root, "usr", "bin", "switchboard");
  fs.accessSync(binary, fs.constants.X_OK);
  assert.match(execFileSync("file", ["-b", binary]).toString(), /, stripped/);
  for (const f of [
    "node/worker.mjs",
    "python/worker.py",
    "dotnet/worker/Program.cs",
    "dotnet/shim/WebJobs.cs",
    "java/src/switchboard/worker/Main.java",
    "java/src/com/microsoft/azure/functions/signalr/SignalRMessage.java",
  ])
    assert.ok(fs.existsSync(path.join(root, "usr", "share", "switchboard", "workers", f)), f);
  const unit = fs.readFileSync(path.join(root, "usr", "lib", "systemd", "system", "switchboard.service"), "utf8");
  assert.match(unit, /^ExecStart=\/usr\/bin\/switchboard service$/m);
  assert.match(unit, /^EnvironmentFile=\/etc\/switchboard\/switchboard\.env$/m);
  // The templated unit of `start`: one instance per app, the app in its state directory.
  const startUnit = fs.readFileSync(path.join(root, "usr", "lib", "systemd", "system", "switchboard-start@.service"), "utf8");
  assert.match(startUnit, /^ExecStart=\/usr\/bin\/switchboard start \/var\/lib\/switchboard-start\/%i$/m);
  assert.match(startUnit, /^StateDirectory=switchboard-start\/%i$/m);
  assert.match(startUnit, /^EnvironmentFile=-\/etc\/switchboard\/start-%i\.env$/m);
  assert.match(startUnit, /^DynamicUser=yes$/m);
  const env = path.join(root, "etc", "switchboard", "switchboard.env");
  assert.match(fs.readFileSync(env, "utf8"), /SWITCHBOARD_ACCESS_KEY/);
  assert.ok(fs.existsSync(path.join(root, "usr", "share", "doc", "switchboard", "install.md")));
});

test(
  "the installed service, configured through the environment, delivers a REST broadcast",
  logged(async () => {
    const port = await freePort();
    const key = "package-test-access-key-0123456789";
    const svc = runInstalled(["service"], {
      SWITCHBOARD_PORT: String(port),
      SWITCHBOARD_BIND: "127.0.0.1",
      SWITCHBOARD_ACCESS_KEY: key,
    });
    await healthy(port);
    const token = mintToken(key, { aud: clientAud("chat"), user: "alice" });
    const connection = new signalR.HubConnectionBuilder()
      .withUrl(`http://127.0.0.1:${port}/client/?hub=chat`, { accessTokenFactory: () => token })
      .build();
    const received = [];
    connection.on("newMessage", (m) => received.push(m));
    await connection.start();
    try {
      const res = await restCall({ port, key }, "POST", "/api/hubs/chat/:send?api-version=2022-06-01", {
        body: JSON.stringify({ target: "newMessage", arguments: ["from the package"] }),
      });
      assert.equal(res.status, 202, res.body);
      await waitFor(() => received.length > 0, { timeout: 5000, message: "the broadcast" });
      assert.deepEqual(received, ["from the package"]);
    } finally {
      await connection.stop();
      await stopProcess(svc);
    }
  }),
);

for (const [example, label, worker] of [
  ["js", "JavaScript", "node"],
  ["csharp", "C# (class library, compiled from the unpacked .NET worker's sources)", "dotnet"],
  ["java", "Java (compiled with javac against the unpacked Java library)", "java"],
]) {
  test(
    `the installed \`start\` runs the documentation's ${label} example with the unpacked workers`,
    logged(async () => {
      const app = path.join(work, `seeds-${example}`);
      fs.cpSync(path.join(root, "usr", "share", "doc", "switchboard", "examples", "seeds", example), app, { recursive: true });
      const port = await freePort();
      const servicePort = await freePort();
      const host = runInstalled(["start", app, "--port", String(port), "--service-port", String(servicePort), "--bind", "127.0.0.1"]);
      await healthy(servicePort);
      await waitFor(() => /Functions host listening/.test(host.stdout), { timeout: 15000, message: "the host's banner" });
      const connection = new signalR.HubConnectionBuilder().withUrl(`http://127.0.0.1:${port}/api/anonymous`).build();
      const received = [];
      connection.on("newMessage", (m) => received.push(m));
      await connection.start();
      try {
        const res = await rawRequest({
          port,
          method: "POST",
          path: "/api/SendMessage",
          headers: { "Content-Type": "application/json" },
          body: JSON.stringify({ text: "hello from the package" }),
        });
        assert.ok(res.status >= 200 && res.status < 300, `SendMessage: ${res.status} ${res.body}`);
        await waitFor(() => received.length > 0, { timeout: 10000, message: "the function's message" });
        assert.deepEqual(received, [{ text: "hello from the package" }]);
        // The function ran in the worker of the unpacked tree.
        assert.match(host.log, new RegExp(`\\[${worker}\\] started`));
      } finally {
        await connection.stop();
        await stopProcess(host);
      }
    }),
  );
}
