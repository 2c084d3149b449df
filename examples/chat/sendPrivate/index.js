// connection.invoke("sendPrivate", to, text): privateMessage {from, fromId, to, text, at} to user
// `to`, and a copy to the sender's own connections (all their pages).
const { senderOf, valid, checkName, checkText, now } = require("../shared/chat");

module.exports = async function (context, invocation) {
  const me = senderOf(invocation);
  const to = valid(checkName(context.bindingData.to, "user"));
  const text = valid(checkText(context.bindingData.text));
  const message = { from: me.name, fromId: me.userId, to, text, at: now() };
  const copies = to === me.userId ? [to] : [to, me.userId];
  context.bindings.signalRMessages = copies.map((userId) => ({ userId, target: "privateMessage", arguments: [message] }));
  return message;
};
