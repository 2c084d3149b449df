// What the browser end-to-end tests share: Debian's chromium launched headless by playwright-core
// (CHROMIUM_PATH overrides /usr/bin/chromium), the screenshot folder <build folder>/e2e-screenshots/
// and how long anything may take to show up on a page.
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { chromium } from "playwright-core";
import { BINARY } from "../integration/helpers.mjs";

export const CHROMIUM = process.env.CHROMIUM_PATH || "/usr/bin/chromium";
export const SHOTS = path.join(path.dirname(BINARY), "e2e-screenshots");
export const WAIT = 10000; // ms for anything to show up on a page

/** A headless chromium, with no network of its own beyond the pages' (no QUIC, updates or sync). */
export async function launchChromium() {
  assert.ok(
    fs.existsSync(CHROMIUM),
    `${CHROMIUM} is missing: run scripts/install-deps.sh (it installs Debian's chromium) or set CHROMIUM_PATH`,
  );
  fs.mkdirSync(SHOTS, { recursive: true });
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
}
