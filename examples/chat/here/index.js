// POST /api/here {to}: tell one newcomer (user `to`) that the caller is online: userHere {userId, name}.
const { json, bodyOf, callerOf, checkName, badRequest } = require("../shared/chat");

module.exports = async function (context, req) {
  const me = callerOf(context, req);
  if (!me) return;
  const to = checkName(bodyOf(req).to, "user");
  if (to.error) return badRequest(context, to.error);
  if (to.value !== me.userId) context.bindings.signalRMessages = [{ userId: to.value, target: "userHere", arguments: [me] }];
  context.res = json(200, { ok: true });
};
