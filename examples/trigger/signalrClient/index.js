// GET /api/lib/signalr.js: the official browser client from npm's @microsoft/signalr (installed at the
// repository root by `npm ci`), so that no third-party code is copied into the example.
const fs = require("node:fs");

module.exports = async function (context) {
  const file = require.resolve("@microsoft/signalr/dist/browser/signalr.min.js");
  context.res = {
    status: 200,
    headers: { "content-type": "text/javascript; charset=utf-8" },
    body: fs.readFileSync(file, "utf8").replace(/\n?\/\/# sourceMappingURL=\S+\s*$/, "\n"),
  };
};
