// POST /api/bye: the caller's page closes (or signs out). Everyone gets userLeft {userId, name}.
const { json, callerOf, now } = require("../shared/chat");

module.exports = async function (context, req) {
  const me = callerOf(context, req);
  if (!me) return;
  context.bindings.signalRMessages = [{ target: "userLeft", arguments: [{ ...me, at: now() }] }];
  context.res = json(200, { ok: true });
};
