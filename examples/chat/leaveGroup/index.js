// connection.invoke("leaveGroup", group): groupNotice {..., action: "left"} to the group (the
// leaver still sees it), then removes the caller (all their connections) from it.
const { senderOf, valid, checkGroup, now } = require("../shared/chat");

module.exports = async function (context, invocation) {
  const me = senderOf(invocation);
  const group = valid(checkGroup(context.bindingData.group));
  context.bindings.signalRMessages = [
    { groupName: group, target: "groupNotice", arguments: [{ group, ...me, action: "left", at: now() }] },
    { userId: me.userId, groupName: group, action: "remove" },
  ];
  return { group };
};
