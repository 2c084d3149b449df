// POST /api/groups/leave {group}: tells the group (the leaver included), then removes the caller:
// groupNotice {group, userId, name, action: "left", at}.
const { json, bodyOf, callerOf, checkGroup, badRequest, now } = require("../shared/chat");

module.exports = async function (context, req) {
  const me = callerOf(context, req);
  if (!me) return;
  const group = checkGroup(bodyOf(req).group);
  if (group.error) return badRequest(context, group.error);
  const notice = { group: group.value, ...me, action: "left", at: now() };
  context.bindings.signalRMessages = [
    { groupName: group.value, target: "groupNotice", arguments: [notice] },
    { userId: me.userId, groupName: group.value, action: "remove" },
  ];
  context.res = json(200, { group: group.value });
};
