// Browser end to end: the service's live dashboard (docs/dashboard.md) in Debian's chromium, driven
// by playwright-core. The page is opened with a dashboard token; an official client (Node) connects,
// joins a group through the REST API and receives messages, and every check reads what a person sees
// on the page as it updates live. A screenshot goes to <build folder>/e2e-screenshots/dashboard.png.
//
// Needs /usr/bin/chromium (scripts/install-deps.sh installs it; CHROMIUM_PATH overrides) and the npm
// packages of the repository root (npm ci).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import path from "node:path";
import { startService, startNegotiateFixture, connectClient, stopAllClients, restCall, p22, expectStatus, logged } from "../integration/helpers.mjs";
import { dashboardToken } from "../integration/dashboard-helpers.mjs";
import { launchChromium, SHOTS, WAIT } from "./browser.mjs";

let svc;
let fx;
let browser;
let page;
const problems = []; // page errors and failed requests, reported on failure

before(
  logged(async () => {
    svc = await startService();
    fx = await startNegotiateFixture(svc);
    browser = await launchChromium();
  }),
);

after(async () => {
  try {
    await stopAllClients();
    await browser?.close();
  } finally {
    await fx?.close();
    await svc?.stop();
  }
});

const step = (fn) =>
  logged(async () => {
    try {
      await fn();
    } catch (e) {
      if (problems.length) e.message += `\n\npage problems:\n${problems.join("\n")}`;
      if (page) e.message += `\n\npage text:\n${(await page.locator("body").innerText().catch(() => "")).slice(0, 3000)}`;
      throw e;
    }
  });

const row = (table, key) => page.locator(`#${table} tbody tr[data-key="${key}"]`);

test(
  "without a token the page is refused; with one it connects and shows the node live",
  step(async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const refused = await context.newPage();
    const response = await refused.goto(`${svc.base}/dashboard`);
    assert.equal(response.status(), 401);
    assert.match(await refused.locator("body").innerText(), /dashboard token is required/);
    await refused.close();

    page = await context.newPage();
    page.setDefaultTimeout(WAIT);
    page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
    page.on("console", (m) => m.type() === "error" && problems.push(`console: ${m.text()}`));
    page.on("requestfailed", (r) => problems.push(`request failed: ${r.method()} ${r.url()} ${r.failure()?.errorText}`));
    await page.goto(`${svc.base}/dashboard?access_token=${dashboardToken(svc)}`);
    await page.locator("#status", { hasText: "Live" }).waitFor();
    await page.locator("#total-connections", { hasText: /^0$/ }).waitFor();
    await page.locator("#connections td.empty", { hasText: "No connections." }).waitFor();
  }),
);

test(
  "a client connects and joins a group: the page shows it as it happens",
  step(async () => {
    const dana = await connectClient(fx, { user: "dana", hub: "lobby" });
    const connection = row("connections", dana.id);
    await connection.waitFor();
    const cells = await connection.locator("td").allInnerTexts();
    assert.deepEqual(cells.slice(0, 5), [dana.id, "lobby", "dana", "WebSockets", "json"]);
    await page.locator("#total-connections", { hasText: /^1$/ }).waitFor();
    await row("hubs", "lobby").waitFor();
    await row("users", "lobby/dana").waitFor();

    expectStatus(await restCall(svc, "PUT", p22("lobby", "/users/dana/groups/e2e-room")), 200, "add dana to e2e-room");
    const group = row("groups", "lobby/e2e-room");
    await group.waitFor();
    assert.deepEqual(await group.locator("td").allInnerTexts(), ["lobby", "e2e-room", "dana", dana.id]);
    await connection.locator("td", { hasText: "e2e-room" }).waitFor();
    await page.screenshot({ path: path.join(SHOTS, "dashboard.png") });

    await dana.stop();
    await connection.waitFor({ state: "detached" });
    await page.locator("#total-connections", { hasText: /^0$/ }).waitFor();
    assert.deepEqual(problems, []);
  }),
);
