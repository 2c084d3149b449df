// Browser end to end: the chat example (examples/chat) served by `switchboard start`, driven in Debian's
// chromium by playwright-core. Alice, Bob and Carol are three browser contexts (three users); every check
// reads what a person sees on the page. Screenshots go to <build folder>/e2e-screenshots/.
//
// Needs /usr/bin/chromium (scripts/install-deps.sh installs it; CHROMIUM_PATH overrides) and the npm
// packages of the repository root (npm ci).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import path from "node:path";
import { REPO_ROOT } from "../integration/helpers.mjs";
import { startHost, copyApp, removeTempDirs, logged } from "../integration/functions-helpers.mjs";
import { launchChromium, SHOTS, WAIT } from "./browser.mjs";

const CHAT_APP = path.join(REPO_ROOT, "examples", "chat");
const DESKTOP = { width: 1280, height: 800 };
const PHONE = { width: 390, height: 844 };

let host;
let browser;
let base;
const pages = {}; // name -> page
const problems = []; // page errors and failed requests, reported on failure

before(
  logged(async () => {
    // A copy of the app (the host writes .switchboard/ into the app root). The copy lives outside the
    // repository, so NODE_PATH lets its functions find @microsoft/signalr (the worker inherits it).
    const app = copyApp(CHAT_APP);
    host = await startHost({ app, env: { NODE_PATH: path.join(REPO_ROOT, "node_modules") } });
    base = `http://localhost:${host.port}`;
    browser = await launchChromium();
  }),
);

after(async () => {
  try {
    await browser?.close();
  } finally {
    await host?.stop();
    removeTempDirs();
  }
});

/** Fail with what the pages and the host said. */
function explain(e) {
  if (problems.length) e.message += `\n\npage problems:\n${problems.join("\n")}`;
  if (host) e.message += `\n\nhost log (tail):\n${host.log.slice(-4000)}`;
  return e;
}

const step = (fn) =>
  logged(async () => {
    try {
      await fn();
    } catch (e) {
      throw explain(e);
    }
  });

async function openPage(label, viewport = DESKTOP, extra = {}) {
  const context = await browser.newContext({ viewport, deviceScaleFactor: 1, ...extra });
  const page = await context.newPage();
  page.setDefaultTimeout(WAIT);
  page.on("pageerror", (e) => problems.push(`${label}: page error: ${e.message}`));
  page.on("console", (m) => {
    // (The validation checks make the host answer 400 on purpose; the browser logs those responses.)
    if (m.type() === "error" && !/Failed to load resource: .* 400 /.test(m.text())) problems.push(`${label}: console: ${m.text()}`);
  });
  page.on("requestfailed", (r) => {
    // Requests cut short by leaving the page (the signalR transport, for one) are not problems.
    if (r.failure()?.errorText !== "net::ERR_ABORTED") problems.push(`${label}: request failed: ${r.method()} ${r.url()} ${r.failure()?.errorText}`);
  });
  await page.goto(`${base}/`);
  return page;
}

async function signIn(name, viewport, extra) {
  const page = await openPage(name, viewport, extra);
  await page.getByLabel("Your name").fill(name);
  await page.getByRole("button", { name: "Start chatting" }).click();
  await page.locator("#status-text", { hasText: "Connected" }).waitFor();
  pages[name] = page;
  return page;
}

const messageList = (page) => page.locator("#messages");
const messageItem = (page, text) => messageList(page).locator("li", { hasText: text });

/** Wait until `text` shows in the message list of `page`; returns the message item. */
async function sees(page, text) {
  const item = messageItem(page, text).last();
  await item.waitFor({ state: "visible" });
  return item;
}

async function doesNotSee(page, text) {
  assert.equal(await messageItem(page, text).count(), 0, `"${text}" must not be on this page:\n${await messageList(page).innerText()}`);
}

/** Send `text` to `target` ("all" | "user:<id>" | "group:<name>") from `page`. */
async function send(page, target, text) {
  await page.getByLabel("Send to").selectOption(target);
  const input = page.getByLabel("Message", { exact: true });
  await input.fill(text);
  await input.press("Enter");
  await page.waitForFunction(() => document.getElementById("text").value === "");
}

async function rosterNames(page) {
  return (await page.locator("#roster .person-name").allInnerTexts()).map((s) => s.trim());
}

async function seesInRoster(page, name) {
  await page.locator("#roster .person-name", { hasText: name }).first().waitFor();
}

async function shot(page, name) {
  await page.screenshot({ path: path.join(SHOTS, `${name}.png`), animations: "disabled" });
}

test(
  "the page is served by the functions host with the official client and shows the sign-in form",
  step(async () => {
    let res = await fetch(`${base}/`);
    assert.equal(res.status, 200, "GET / serves wwwroot/index.html");
    assert.match(res.headers.get("content-type"), /text\/html/);
    res = await fetch(`${base}/api/lib/signalr.js`);
    assert.equal(res.status, 200, "GET /api/lib/signalr.js");
    assert.match(res.headers.get("content-type"), /javascript/);
    assert.match(await res.text(), /HubConnectionBuilder/);

    const page = await openPage("login", PHONE, { deviceScaleFactor: 2, isMobile: true, hasTouch: true });
    await page.getByRole("heading", { name: "Switchboard Chat" }).waitFor();
    // The host validates names: the page shows its message.
    await page.getByLabel("Your name").fill("<b>not a name</b>");
    await page.getByRole("button", { name: "Start chatting" }).click();
    await page.locator("#login-error", { hasText: "A name is 1 to 32 characters" }).waitFor();
    await shot(page, "phone-sign-in");
    await page.context().close();
  }),
);

test(
  "Alice, Bob and Carol sign in and see each other in the roster",
  step(async () => {
    const alice = await signIn("Alice");
    const bob = await signIn("Bob");
    const carol = await signIn("Carol");
    for (const [page, others] of [
      [alice, ["Bob", "Carol"]],
      [bob, ["Alice", "Carol"]],
      [carol, ["Alice", "Bob"]],
    ]) {
      for (const other of others) await seesInRoster(page, other);
    }
    assert.deepEqual((await rosterNames(alice)).sort(), ["Alice", "Bob", "Carol"]);
    // Newcomers are announced to those already there.
    await sees(alice, "Bob joined the chat");
    await sees(alice, "Carol joined the chat");
  }),
);

test(
  "a broadcast reaches everyone",
  step(async () => {
    const { Alice: alice, Bob: bob, Carol: carol } = pages;
    await send(alice, "all", "Hello everyone, Alice here");
    const mine = await sees(alice, "Hello everyone, Alice here");
    assert.match(await mine.innerText(), /You/);
    for (const page of [bob, carol]) {
      const item = await sees(page, "Hello everyone, Alice here");
      assert.match(await item.innerText(), /Alice/);
    }
  }),
);

test(
  "a private message reaches the recipient (and the sender's copy), not the others",
  step(async () => {
    const { Alice: alice, Bob: bob, Carol: carol } = pages;
    await send(bob, "user:Alice", "Psst Alice, lunch at noon?");
    const got = await sees(alice, "Psst Alice, lunch at noon?");
    assert.match(await got.innerText(), /Bob/);
    assert.match(await got.innerText(), /Private/);
    const copy = await sees(bob, "Psst Alice, lunch at noon?");
    assert.match(await copy.innerText(), /Private to Alice/);
    // A later broadcast reaching Carol shows that the private one is not merely late there.
    await send(carol, "all", "Carol says hi");
    await sees(carol, "Carol says hi");
    await sees(alice, "Carol says hi");
    await doesNotSee(carol, "Psst Alice");
  }),
);

test(
  "groups: join, a group message reaches members only, leave, then only the remaining member",
  step(async () => {
    const { Alice: alice, Bob: bob, Carol: carol } = pages;
    // Invalid group names are refused with the host's message.
    await alice.getByLabel("Group name").fill("no/slashes");
    await alice.getByRole("button", { name: "Join" }).click();
    await alice.locator("#group-error", { hasText: "A group name is 1 to 64 characters" }).waitFor();

    await alice.getByLabel("Group name").fill("devs");
    await alice.getByRole("button", { name: "Join" }).click();
    await alice.getByRole("button", { name: "Write to group devs" }).waitFor();
    await sees(alice, "You joined # devs");
    await bob.getByLabel("Group name").fill("devs");
    await bob.getByRole("button", { name: "Join" }).click();
    await sees(bob, "You joined # devs");
    await sees(alice, "Bob joined # devs");

    await send(alice, "group:devs", "Standup in 5 minutes");
    for (const page of [alice, bob]) {
      const item = await sees(page, "Standup in 5 minutes");
      assert.match(await item.innerText(), /# devs/);
    }
    await send(alice, "all", "sync point one");
    await sees(carol, "sync point one");
    await doesNotSee(carol, "Standup in 5 minutes");
    await doesNotSee(carol, "joined # devs");

    await bob.getByRole("button", { name: "Leave group devs" }).click();
    await bob.getByRole("button", { name: "Write to group devs" }).waitFor({ state: "detached" });
    await sees(alice, "Bob left # devs");

    await send(alice, "group:devs", "Bob has gone, just me now");
    await sees(alice, "Bob has gone, just me now");
    await send(alice, "all", "sync point two");
    await sees(bob, "sync point two");
    await sees(carol, "sync point two");
    await doesNotSee(bob, "Bob has gone, just me now");
    await doesNotSee(carol, "Bob has gone, just me now");

    // What Alice sees, as a desktop screenshot; Bob's and Carol's pages too.
    await alice.getByLabel("Send to").selectOption("group:devs");
    await shot(alice, "desktop-alice");
    await shot(bob, "desktop-bob");
    await shot(carol, "desktop-carol");
  }),
);

test(
  "the page works on a phone-sized window (390x844): tabs, roster, chat",
  step(async () => {
    const { Alice: alice } = pages;
    const dana = await signIn("Dana", PHONE, { deviceScaleFactor: 2, isMobile: true, hasTouch: true });
    // The sidebar is a tab on phones: the roster is hidden until the People tab is chosen.
    await dana.locator("#roster").waitFor({ state: "hidden" });
    await dana.getByRole("tab", { name: /People/ }).click();
    await seesInRoster(dana, "Alice");
    await shot(dana, "phone-people");
    // Choosing a person opens the chat with a private message to them.
    await dana.getByRole("button", { name: "Send a private message to Alice" }).click();
    await dana.locator("#messages").waitFor({ state: "visible" });
    assert.equal(await dana.getByLabel("Send to").inputValue(), "user:Alice");
    const input = dana.getByLabel("Message", { exact: true });
    await input.fill("Hi Alice, writing from my phone");
    await input.press("Enter");
    await sees(alice, "Hi Alice, writing from my phone");
    await send(alice, "all", "Welcome Dana!");
    await sees(dana, "Welcome Dana!");
    await send(alice, "user:Dana", "Glad you made it, see you in the group");
    await sees(dana, "Glad you made it, see you in the group");
    await shot(dana, "phone-chat");
    await dana.getByRole("tab", { name: /Groups/ }).click();
    await dana.getByLabel("Group name").fill("mobile");
    await dana.getByRole("button", { name: "Join" }).click();
    await dana.getByRole("button", { name: "Write to group mobile" }).waitFor();
    await shot(dana, "phone-groups");
    // The box is no wider than the window.
    const width = await dana.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(width <= PHONE.width, `the page is ${width}px wide on a ${PHONE.width}px window`);
  }),
);

test(
  "a message the send function refuses shows the function's error; a second page of a user closing keeps them online",
  step(async () => {
    const { Alice: alice, Bob: bob } = pages;
    // The sendMessage trigger function throws; connection.invoke rejects with its message.
    await alice.getByLabel("Send to").selectOption("all");
    // (The input's maxlength stops a person at 2000; a modified page is what the function guards against.)
    await alice.locator("#text").evaluate((input) => input.removeAttribute("maxlength"));
    await alice.getByLabel("Message", { exact: true }).fill("x".repeat(2001));
    await alice.getByLabel("Message", { exact: true }).press("Enter");
    await alice.locator("#send-error", { hasText: "The message is too long (2001 characters; at most 2000)." }).waitFor();
    await doesNotSee(bob, "x".repeat(100));
    await alice.getByLabel("Message", { exact: true }).fill("");

    // Bob opens a second page (another connection of the same user) and closes it: his first page is
    // still connected, so Alice keeps him in her roster (presence counts connections).
    const ctx = await browser.newContext({ viewport: DESKTOP });
    const second = await ctx.newPage();
    await second.goto(`${base}/`);
    await second.evaluate(
      (s) => sessionStorage.setItem("switchboard-chat-session", s),
      await bob.evaluate(() => sessionStorage.getItem("switchboard-chat-session")),
    );
    await second.reload();
    await second.locator("#status-text", { hasText: "Connected" }).waitFor();
    await seesInRoster(second, "Alice");
    await ctx.close();
    // The disconnected function runs once the service sees the socket close: give it time to act
    // (a wrong roster would show within it; nothing here measures speed).
    await new Promise((resolve) => setTimeout(resolve, 2000));
    await send(bob, "all", "still here after closing my second page");
    await sees(alice, "still here after closing my second page");
    await seesInRoster(alice, "Bob");
    await doesNotSee(alice, "Bob left the chat");
  }),
);

test(
  "leaving the page removes the user from the others' roster",
  step(async () => {
    const { Alice: alice, Carol: carol } = pages;
    // Closing the page ends its SignalR connection; the disconnected trigger function tells the others.
    await carol.goto("about:blank");
    await carol.context().close();
    delete pages.Carol;
    await sees(alice, "Carol left the chat");
    await alice.locator("#roster .person-name", { hasText: "Carol" }).waitFor({ state: "detached" });
    assert.deepEqual(problems, [], "no page errors");
  }),
);
