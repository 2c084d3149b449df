// GET /api/lib/signalr.js: the official browser client, from npm's @microsoft/signalr (installed at the
// repository root by `npm ci`), so that no third-party code is copied into the app.
const fs = require("node:fs");
const { json } = require("../shared/chat");

let cached;

function load() {
  if (cached === undefined) {
    const file = require.resolve("@microsoft/signalr/dist/browser/signalr.min.js");
    // The source map is not served: drop the comment that points at it.
    cached = fs.readFileSync(file, "utf8").replace(/\n?\/\/# sourceMappingURL=\S+\s*$/, "\n");
  }
  return cached;
}

module.exports = async function (context) {
  let body;
  try {
    body = load();
  } catch (e) {
    context.log.error(`cannot load @microsoft/signalr: ${e.message}`);
    context.res = json(500, { error: "The SignalR browser client is not installed: run `npm ci` at the repository root." });
    return;
  }
  context.res = {
    status: 200,
    headers: { "content-type": "text/javascript; charset=utf-8", "cache-control": "public, max-age=3600" },
    body,
  };
};
