// POST /api/hello: the caller is online. Everyone gets userJoined {userId, name}; pages that see a newcomer
// answer with /api/here so that the newcomer learns who is already there. Nothing is stored.
const { json, callerOf, now } = require("../shared/chat");

module.exports = async function (context, req) {
  const me = callerOf(context, req);
  if (!me) return;
  context.bindings.signalRMessages = [{ target: "userJoined", arguments: [{ ...me, at: now() }] }];
  context.res = json(200, { ok: true });
};
