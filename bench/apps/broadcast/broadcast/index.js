// POST /api/broadcast: broadcast the request body to every client of hub "bench" (target "bench")
// through the signalR output binding, the path the benchmark times against a direct REST call.
module.exports = async function (context, req) {
  const payload = typeof req.body === "string" ? JSON.parse(req.body) : req.body;
  context.bindings.signalRMessages = [{ target: "bench", arguments: [payload] }];
  context.res = { status: 202 };
};
