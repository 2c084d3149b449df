// connection.invoke("sendToGroup", group, text): groupMessage {group, from, fromId, text, at} to the
// group. (Nothing checks that the sender is a member: the functions keep no state.)
const { senderOf, valid, checkGroup, checkText, now } = require("../shared/chat");

module.exports = async function (context, invocation) {
  const me = senderOf(invocation);
  const group = valid(checkGroup(context.bindingData.group));
  const text = valid(checkText(context.bindingData.text));
  const message = { group, from: me.name, fromId: me.userId, text, at: now() };
  context.bindings.signalRMessages = [{ groupName: group, target: "groupMessage", arguments: [message] }];
  return message;
};
