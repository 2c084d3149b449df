// POST /api/broadcast: the request body to every client of hub "bench" through the signalR output
// binding (bench/workers.py times the same function in JavaScript, Python and Java).
module.exports = async function (context, req) {
  context.bindings.signalRMessages = [{ target: "bench", arguments: [req.body] }];
  context.res = { status: 202 };
};
