// POST /api/groups/join {group}: adds the caller (all their connections) to the group, then tells the
// group: groupNotice {group, userId, name, action: "joined", at}. The items of one binding are sent in
// order, so the newcomer sees the notice too.
const { json, bodyOf, callerOf, checkGroup, badRequest, now } = require("../shared/chat");

module.exports = async function (context, req) {
  const me = callerOf(context, req);
  if (!me) return;
  const group = checkGroup(bodyOf(req).group);
  if (group.error) return badRequest(context, group.error);
  const notice = { group: group.value, ...me, action: "joined", at: now() };
  context.bindings.signalRMessages = [
    { userId: me.userId, groupName: group.value, action: "add" },
    { groupName: group.value, target: "groupNotice", arguments: [notice] },
  ];
  context.res = json(200, { group: group.value });
};
