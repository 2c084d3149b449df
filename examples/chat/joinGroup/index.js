// connection.invoke("joinGroup", group): adds the caller (by user id: all their connections) to the
// group, then groupNotice {group, userId, name, action: "joined", at} to the group. Returns {group}
// (the name as the service knows it: trimmed, inner spaces collapsed).
const { senderOf, valid, checkGroup, now } = require("../shared/chat");

module.exports = async function (context, invocation) {
  const me = senderOf(invocation);
  const group = valid(checkGroup(context.bindingData.group));
  // The items of one output binding are performed in order: the joiner sees its own notice.
  context.bindings.signalRMessages = [
    { userId: me.userId, groupName: group, action: "add" },
    { groupName: group, target: "groupNotice", arguments: [{ group, ...me, action: "joined", at: now() }] },
  ];
  return { group };
};
